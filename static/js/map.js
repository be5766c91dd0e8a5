/* Ashyq Auyl: maps on demand.
 * A map is a progressive enhancement: the page already lists every place with its coordinates.
 * Leaflet and the tiles are loaded only when the visitor asks for the map, which saves data on
 * slow and metered mobile connections. */
(function () {
  "use strict";
  var loading = null;

  function load(cssUrl, jsUrl) {
    if (window.L) { return Promise.resolve(window.L); }
    if (loading) { return loading; }
    loading = new Promise(function (resolve, reject) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = cssUrl;
      document.head.appendChild(css);
      var script = document.createElement("script");
      script.src = jsUrl;
      script.onload = function () { resolve(window.L); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
    return loading;
  }

  function show(container) {
    var data = JSON.parse(document.getElementById(container.dataset.points).textContent);
    var button = container.querySelector("button");
    load(container.dataset.leafletCss, container.dataset.leafletJs).then(function (L) {
      if (button) { button.remove(); }
      var box = document.createElement("div");
      box.className = "map-canvas";
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", container.dataset.label || "Map");
      container.appendChild(box);
      var map = L.map(box, { scrollWheelZoom: false });
      L.tileLayer(data.tiles, { maxZoom: 18, attribution: data.attribution }).addTo(map);
      var bounds = [];
      data.points.forEach(function (point) {
        var marker = L.circleMarker([point.lat, point.lon], {
          radius: point.kind === "project" ? 9 : 7,
          color: point.kind === "project" ? "#b42318" : "#0b5cad",
          weight: 2, fillOpacity: 0.6
        }).addTo(map);
        var link = document.createElement("a");
        link.href = point.url;
        link.textContent = point.name;
        marker.bindPopup(link);
        bounds.push([point.lat, point.lon]);
      });
      if (bounds.length === 1) { map.setView(bounds[0], data.zoom || 11); }
      else if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 12 }); }
    }).catch(function () {
      if (button) { button.disabled = true; }
    });
  }

  document.querySelectorAll("[data-map]").forEach(function (container) {
    var button = container.querySelector("button");
    if (button) {
      button.hidden = false;
      button.addEventListener("click", function () { show(container); });
    }
  });
})();
