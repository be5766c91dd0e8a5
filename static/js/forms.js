/* Ashyq Auyl: forms.
 * A refused form opens with its error summary focused, so that a screen reader reads the
 * problems first and a keyboard user can follow each link to its field. Links move the focus
 * to the field itself (a plain #anchor only scrolls on some phones). */
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) { return; }
  summary.focus();
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) { return; }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) { return; }
    event.preventDefault();
    var details = field.closest("details");
    if (details) { details.open = true; }
    field.scrollIntoView({ block: "center" });
    field.focus();
  });
})();
