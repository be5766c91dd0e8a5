/* Ashyq Auyl: choosing places by name in company and akimat forms.
 *
 * A progressive enhancement of a KATO code box (an <input data-place-picker>): without this
 * script the box takes 9-digit codes (or a place's exact name) as it always did. With it, a
 * search box above it suggests "Name — district, region (КАТО code)" from the place search as
 * the official types (the ARIA 1.2 combobox pattern: arrows move, Enter chooses, Escape closes),
 * and the chosen code is written into the code box, which stays visible and editable. The places
 * a box holds are listed by name with a button to remove each. Texts come translated from the
 * page (data-text-* attributes), so no string lives here.
 */
(function () {
  "use strict";
  if (window.ashyqPlacePicker) { return; }
  window.ashyqPlacePicker = true;

  var counter = 0;
  var CODE = /^\d{9}$/;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function format(template, value) { return (template || "%s").replace("%s", value); }

  function codesOf(box) {
    return box.value.split(/[\s,;]+/).filter(function (code) { return CODE.test(code); });
  }

  function namesOf(box) {
    // Anything in the box that is not a code (a name typed by hand): kept as it is.
    return box.value.split(/[,;\n]+/).map(function (part) { return part.trim(); })
      .filter(function (part) { return part && !/^[\d\s]+$/.test(part); });
  }

  function fetchJson(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      });
  }

  function enhance(box) {
    var id = "place-picker-" + (++counter);
    var multiple = box.dataset.placePicker !== "single";
    var url = box.dataset.suggestUrl;
    var level = box.dataset.level || "";
    var text = box.dataset;
    var labels = {};
    var results = [];
    var active = -1;
    var timer = null;
    var latest = 0;

    var wrapper = el("div", { "class": "place-picker" });
    var label = el("label", { "for": id }, text.textSearch);
    var hint = el("p", { "class": "help", id: id + "-hint" }, text.textHint);
    var input = el("input", {
      id: id,
      type: "text",
      role: "combobox",
      "aria-autocomplete": "list",
      "aria-expanded": "false",
      "aria-controls": id + "-list",
      "aria-describedby": id + "-hint",
      autocomplete: "off",
      spellcheck: "false",
      maxlength: "100"
    });
    var list = el("ul", { id: id + "-list", role: "listbox", "class": "place-picker-list", "aria-label": text.textSearch });
    list.hidden = true;
    var status = el("p", { "class": "place-picker-status", role: "status", "aria-live": "polite" });
    var chosen = el("ul", { "class": "place-picker-chosen", "aria-label": text.textChosen });
    wrapper.append(label, hint, input, list, status, chosen);
    var field = box.closest(".field");
    if (field) { field.insertBefore(wrapper, field.firstChild); } else { box.parentNode.insertBefore(wrapper, box); }

    function drawChosen() {
      chosen.textContent = "";
      codesOf(box).forEach(function (code) {
        var item = el("li", {}, labels[code] || code);
        var remove = el("button", { type: "button", "class": "link" }, "×");
        remove.setAttribute("aria-label", format(text.textRemove, labels[code] || code));
        remove.addEventListener("click", function () {
          box.value = codesOf(box).filter(function (c) { return c !== code; })
            .concat(namesOf(box)).join(" ");
          drawChosen();
          status.textContent = format(text.textRemoved, labels[code] || code);
          input.focus();
        });
        item.appendChild(remove);
        chosen.appendChild(item);
      });
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) { return; }
      active = (index + options.length) % options.length;
      options.forEach(function (option, i) { option.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }

    function choose(index) {
      var place = results[index];
      if (!place) { return; }
      labels[place.code] = place.label;
      var codes = multiple ? codesOf(box).filter(function (c) { return c !== place.code; }) : [];
      codes.push(place.code);
      box.value = codes.concat(multiple ? namesOf(box) : []).join(" ");
      box.dispatchEvent(new Event("change", { bubbles: true }));
      input.value = "";
      close();
      drawChosen();
      status.textContent = format(text.textAdded, place.label);
    }

    function show(places) {
      results = places;
      list.textContent = "";
      places.forEach(function (place, i) {
        var option = el("li", { id: id + "-option-" + i, role: "option", "aria-selected": "false" }, place.label);
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { choose(i); });
        list.appendChild(option);
      });
      if (places.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        status.textContent = format(text.textCount, places.length);
      } else {
        close();
        status.textContent = text.textNone;
      }
    }

    function search() {
      var query = input.value.trim();
      if (query.length < 2) { close(); status.textContent = ""; return; }
      var ask = ++latest;
      var address = url + "?q=" + encodeURIComponent(query) + (level ? "&level=" + encodeURIComponent(level) : "");
      fetchJson(address).then(function (data) {
        if (ask === latest) { show(data.results || []); }
      }).catch(function () {
        if (ask === latest) { close(); status.textContent = text.textError; }
      });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 250);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden && results.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
        highlight(active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0) { event.preventDefault(); choose(active); }
        else if (!list.hidden && results.length === 1) { event.preventDefault(); choose(0); }
      } else if (event.key === "Escape") {
        if (!list.hidden) { event.preventDefault(); close(); }
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
    // Redrawn while typing, not on "change": a list that grows when the box loses focus would
    // move the Save button away from under the pointer that is pressing it.
    box.addEventListener("input", drawChosen);

    var existing = codesOf(box);
    drawChosen();
    if (existing.length) {
      fetchJson(url + "?codes=" + encodeURIComponent(existing.join(" "))).then(function (data) {
        (data.results || []).forEach(function (place) { labels[place.code] = place.label; });
        drawChosen();
      }).catch(function () { /* the codes stay listed as codes */ });
    }
  }

  document.querySelectorAll("input[data-place-picker]").forEach(enhance);
})();
