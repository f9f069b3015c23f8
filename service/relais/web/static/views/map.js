/* Relais territories map: the server draws the régions and départements as SVG paths coloured by
   their count (templates/views/map.html); this script lists a territory's records when it is
   clicked (or chosen with Enter or Space), and the national and territory-less records from their
   buttons, each linked to its /id/ page, from the JSON the page embeds (the same as
   /views/map.json). The SVG and PNG buttons export the map as drawn. No request leaves the page. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("view-data").textContent);
  var svg = document.getElementById("map-svg");
  var list = document.getElementById("map-list");
  var title = document.getElementById("map-records-title");
  var FR = data.lang !== "en";
  var T = FR
    ? { records: "Fiches", none: "Aucune fiche pour ces filtres.", via: "par le département", illustrative: "illustratif (pas un fait)", national: "National (France entière)", unlocated: "Sans territoire" }
    : { records: "Records", none: "No record for these filters.", via: "through the département", illustrative: "illustrative (not a fact)", national: "National (all of France)", unlocated: "No territory" };
  var territories = {};
  data.territories.forEach(function (t) { territories[t.id] = t; });

  function element(tag, text, cls) {
    var el = document.createElement(tag);
    if (text != null) el.textContent = text;
    if (cls) el.className = cls;
    return el;
  }

  // The records of one territory (or of the national / territory-less groups) as a list of links.
  function show(id) {
    var group = id === "national" ? data.national : id === "unlocated" ? data.unlocated : territories[id];
    if (!group) return;
    var name = id === "national" ? T.national : id === "unlocated" ? T.unlocated : group.label + " (" + group.levelLabel + " " + group.code + ")";
    title.textContent = T.records + (FR ? " : " : ": ") + name + " — " + group.total;
    list.textContent = "";
    var hint = document.querySelector(".map-hint");
    if (hint) hint.hidden = true;
    if (!group.records.length) {
      list.appendChild(element("p", T.none));
    } else {
      var ul = element("ul", null, "record-list");
      group.records.forEach(function (rid) {
        var r = data.records[rid];
        var li = element("li");
        var a = element("a", r.label);
        a.href = r.href;
        li.appendChild(a);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(element("span", r.kindLabel + (r.voletCode ? " · " + r.voletCode : ""), "tag"));
        if (r.status === "illustrative") li.appendChild(element("span", T.illustrative, "tag"));
        var via = group.via && group.via[rid];
        if (via) {
          li.appendChild(element("span", " (" + T.via + " " + via.map(function (d) { return territories[d] ? territories[d].label : d; }).join(", ") + ")", "via"));
        }
        ul.appendChild(li);
      });
      list.appendChild(ul);
    }
    Array.prototype.forEach.call(svg.querySelectorAll(".territory.selected"), function (p) { p.classList.remove("selected"); });
    Array.prototype.forEach.call(svg.querySelectorAll(".territory"), function (p) {
      if (p.getAttribute("data-id") === id) p.classList.add("selected");
    });
  }

  svg.addEventListener("click", function (e) {
    var path = e.target.closest && e.target.closest(".territory");
    if (path) show(path.getAttribute("data-id"));
  });
  svg.addEventListener("keydown", function (e) {
    var path = e.target.closest && e.target.closest(".territory");
    if (path && (e.key === "Enter" || e.key === " ")) {
      e.preventDefault();
      show(path.getAttribute("data-id"));
    }
  });
  Array.prototype.forEach.call(document.querySelectorAll(".map-show"), function (button) {
    button.addEventListener("click", function () { show(button.getAttribute("data-id")); });
  });

  // Exports: the SVG as drawn (its colours are attributes, so it stands alone), and a PNG of it at twice the size.
  function download(url, filename) {
    var a = document.createElement("a");
    a.href = url;
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }
  function svgText() {
    var copy = svg.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll(".selected"), function (p) { p.classList.remove("selected"); });
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(copy);
  }
  document.getElementById("download-svg").addEventListener("click", function (e) {
    download(URL.createObjectURL(new Blob([svgText()], { type: "image/svg+xml" })), e.currentTarget.dataset.filename);
  });
  document.getElementById("download-png").addEventListener("click", function (e) {
    var filename = e.currentTarget.dataset.filename;
    var box = svg.viewBox.baseVal;
    var image = new Image();
    var url = URL.createObjectURL(new Blob([svgText()], { type: "image/svg+xml" }));
    image.onload = function () {
      var canvas = document.createElement("canvas");
      canvas.width = box.width * 2;
      canvas.height = box.height * 2;
      var context = canvas.getContext("2d");
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(url);
      download(canvas.toDataURL("image/png"), filename);
    };
    image.src = url;
  });

  // For tests and curious readers: the data, and what is drawn.
  window.relaisView = {
    data: data,
    ready: function () { return true; },
    // territories drawn with at least one record, each counted once (Paris's enlarged copy aside)
    nonZero: function (level) {
      return Array.prototype.filter.call(svg.querySelectorAll(".territory[data-level='" + level + "']"), function (p) {
        return p.getAttribute("data-place") !== "paris" && Number(p.getAttribute("data-total")) > 0;
      }).length;
    },
    show: show,
  };
})();
