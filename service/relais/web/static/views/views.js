/* Relais views: draws the relay trace (Sankey), the timeline (time axis) and the coverage matrix
   (heatmap) with the vendored Apache ECharts, from the JSON the page embeds (the same as
   /views/{view}.json). Clicking a node, point or cell opens its resource page. The SVG and PNG
   buttons export the picture as drawn. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("view-data").textContent);
  var el = document.getElementById("chart");
  // Okabe-Ito: distinguishable with the common colour-vision deficiencies.
  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C6D1F", "#000000"];
  var FR = data.lang !== "en";
  var MONTHS = FR
    ? ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]
    : ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

  function esc(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function shortText(text, n) {
    text = String(text || "");
    return text.length > n ? text.slice(0, n - 1) + "…" : text;
  }
  function day(iso) {
    var d = new Date(iso + "T00:00:00Z");
    return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
  }

  // The trace's layout comes with its data (relais.views.layout, as for the figure): each column in
  // the order with the fewest crossings, and a long link through a waypoint of its own in each
  // column it crosses. A node is a card with its label inside and bands run from a card's right
  // edge to the next column's left edge, so no band crosses a card or a label. Every card has the
  // same height (room for its label); a band is the value-1 share of it.
  var TRACE = { top: 28, bottom: 10, side: 10, slot: 84, gap: 18 };
  function isWaypoint(id) { return String(id).charAt(0) === "~"; }
  function tint(hex, share) {
    var rgb = [1, 3, 5].map(function (i) { return parseInt(hex.slice(i, i + 2), 16); });
    return "rgb(" + rgb.map(function (c) { return Math.round(255 - share * (255 - c)); }).join(",") + ")";
  }
  function traceGeometry() {
    var layout = data.layout, columns = layout.columns;
    var slots = Math.max.apply(null, [1].concat(columns.map(function (c) { return c.length; })));
    var width = el.clientWidth - 2 * TRACE.side, height = slots * TRACE.slot;
    var nodeWidth = Math.max(120, Math.min(250, Math.round(width * 0.18)));
    var ends = {};
    layout.routes.forEach(function (route) {
      route.forEach(function (id, i) {
        var e = ends[id] = ends[id] || { in: 0, out: 0 };
        if (i) e.in += 1;
        if (i < route.length - 1) e.out += 1;
      });
    });
    var value = 1;
    data.nodes.forEach(function (n) { var e = ends[n.id] || { in: 1, out: 1 }; value = Math.max(value, e.in, e.out); });
    // ky as ECharts computes it (the tightest column), so the cards can be centred in their slots
    var ky = Infinity;
    columns.forEach(function (column) {
      var sum = column.reduce(function (s, id) { return s + (isWaypoint(id) ? 1 : value); }, 0);
      ky = Math.min(ky, (height - (column.length - 1) * TRACE.gap) / sum);
    });
    var step = columns.length > 1 ? (width - nodeWidth) / (columns.length - 1) : 0;
    return { slots: slots, width: width, height: height, nodeWidth: nodeWidth, value: value, ky: ky, step: step };
  }
  function traceOption() {
    var g = traceGeometry(), byId = {};
    data.nodes.forEach(function (n) { byId[n.id] = n; });
    var nodes = [];
    data.layout.columns.forEach(function (column, c) {
      column.forEach(function (id, i) {
        var waypoint = isWaypoint(id), value = waypoint ? 1 : g.value, dy = value * g.ky;
        var top = ((i + 0.5) / column.length) * g.height - dy / 2;
        var item = { name: id, depth: c, value: value, localY: top / g.height };
        if (waypoint) {
          var link = data.links[Number(id.slice(1).split("@")[0])];
          var colour = PALETTE[byId[link.source].colour % PALETTE.length];
          item.waypoint = true;
          item.itemStyle = { color: colour, opacity: 0.35, borderWidth: 0 };
          item.label = { show: false };
          item.emphasis = { disabled: true };
          item.tooltip = { show: false };
          item.silent = true;
        } else {
          var n = byId[id];
          var strong = PALETTE[n.colour % PALETTE.length];
          Object.assign(item, { href: n.href, label_: n.label, kindLabel: n.kindLabel, date: n.date });
          item.itemStyle = { color: tint(strong, 0.2), borderColor: n.kind === "relay" ? "#1d2433" : strong, borderWidth: n.kind === "relay" ? 2 : 1.2 };
          item.label = { height: Math.max(dy - 8, 13) };
        }
        nodes.push(item);
      });
    });
    // one sankey link per step of a route; the link's look (colour, dashed when read) on each step
    var links = [];
    data.layout.routes.forEach(function (route, k) {
      var l = data.links[k], colour = PALETTE[byId[l.source].colour % PALETTE.length];
      for (var i = 0; i + 1 < route.length; i++) {
        var link = { source: route[i], target: route[i + 1], value: 1, derivation: l.derivation || "stated", reading: l.reading || "", lineStyle: { color: colour } };
        // a deliverable -> relay link that Relais reads into the article (derivation "read") is outlined dashed
        // (sankey links are filled bands: their border, not a line, carries the dash)
        if (link.derivation === "read") link.lineStyle = { color: colour, borderType: "dashed", borderWidth: 1.5, borderColor: "#8a4b00", opacity: 0.22 };
        links.push(link);
      }
    });
    return {
      aria: { enabled: true, label: { description: el.getAttribute("aria-label") } },
      textStyle: { fontFamily: FONT },
      tooltip: {
        trigger: "item", confine: true,
        formatter: function (p) {
          if (p.dataType === "edge") {
            if (p.data.derivation !== "read") return "";
            return "<b>" + esc(FR ? "lu par Relais" : "read by Relais") + "</b><br>" + esc(p.data.reading);
          }
          var d = p.data;
          if (d.waypoint) return "";
          return "<b>" + esc(d.kindLabel) + "</b><br>" + esc(d.label_) + (d.date ? "<br>" + esc(day(d.date)) : "");
        },
      },
      graphic: data.layout.columns.map(function (column, i) {
        return { type: "text", top: 6, left: TRACE.side + i * g.step, style: { text: layerTitle(i), fill: "#5b6475", font: "600 12px " + FONT } };
      }),
      series: [{
        type: "sankey", left: TRACE.side, right: TRACE.side, top: TRACE.top, bottom: TRACE.bottom, nodeWidth: g.nodeWidth, nodeGap: TRACE.gap,
        nodeAlign: "left", layoutIterations: 0, draggable: false, data: nodes, links: links,
        emphasis: { focus: "adjacency" },
        lineStyle: { opacity: 0.35, curveness: 0.5 },
        label: {
          position: "insideLeft", distance: 8, fontSize: 11, lineHeight: 13, width: g.nodeWidth - 16, overflow: "break", lineOverflow: "truncate", color: "#1d2433",
          formatter: function (p) { return shortText(p.data.label_, 90) + (p.data.date ? "\n" + day(p.data.date) : ""); },
        },
      }],
    };
  }
  function layerTitle(i) {
    var t = FR ? ["Espaces de dialogue", "Livrables", "Relais", "Cibles et événements"] : ["Dialogue spaces", "Deliverables", "Relays", "Targets and events"];
    return t[i];
  }

  // One row per item, grouped by kind (a series per kind, so the legend names the kinds).
  function timelineRows() {
    return data.items.slice().sort(function (a, b) { return a.lane - b.lane || (a.date < b.date ? -1 : a.date > b.date ? 1 : 0); });
  }
  // The first day of each month from the first date's to the last's, and the one after (UTC ms).
  function monthEdges(first, last) {
    var d = new Date(first + "T00:00:00Z"), end = new Date(last + "T00:00:00Z"), out = [];
    d = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    while (d <= end.getTime()) {
      out.push(d);
      var m = new Date(d);
      d = Date.UTC(m.getUTCFullYear(), m.getUTCMonth() + 1, 1);
    }
    return out.concat([d]);
  }
  // Every month of the covered range is labelled over its own span, the year on the first and on
  // January (a custom series: the time axis would thin its labels out); an item's date goes after
  // its bar (or point), in the right margin kept for it, never on a bar.
  function timelineOption() {
    var rows = timelineRows();
    var dates = rows.map(function (i) { return i.date; }).concat(rows.map(function (i) { return i.end; }).filter(Boolean)).sort();
    var edges = dates.length ? monthEdges(dates[0], dates[dates.length - 1]) : [];
    var series = data.lanes.map(function (lane, k) {
      return {
        type: "scatter", name: lane.label, symbolSize: 12, z: 3,
        itemStyle: { color: PALETTE[k % PALETTE.length], borderColor: "#fff", borderWidth: 1.5 },
        data: rows.map(function (i, row) { return [i, row]; }).filter(function (p) { return p[0].lane === k; }).map(function (p) {
          var i = p[0], spans = i.end && i.end > i.date;
          return { value: [i.date, p[1]], href: i.href, label_: i.label, kindLabel: i.kindLabel, rawDate: i.rawDate, end: i.end, label: { show: !spans } };
        }),
        label: { show: true, position: "right", distance: 6, fontSize: 10, color: "#5b6475", formatter: function (p) { return p.data.rawDate || p.data.value[0]; } },
        emphasis: { scale: 1.5 },
      };
    });
    var spans = rows.map(function (i, row) { return i.end && i.end > i.date ? { value: [i.date, i.end, row], text: (i.rawDate || i.date) + " → " + i.end, itemStyle: { color: PALETTE[i.lane % PALETTE.length] } } : null; }).filter(Boolean);
    series.push({
      type: "custom", name: "spans", silent: true, z: 1, legendHoverLink: false, clip: false, data: spans,
      renderItem: function (params, api) {
        var start = api.coord([api.value(0), api.value(2)]);
        var end = api.coord([api.value(1), api.value(2)]);
        var item = spans[params.dataIndex];
        return {
          type: "group", children: [
            { type: "rect", shape: { x: start[0], y: start[1] - 3, width: Math.max(end[0] - start[0], 1), height: 6 }, style: { fill: api.visual("color"), opacity: 0.4 } },
            { type: "text", x: end[0] + 5, y: end[1], style: { text: item.text, fill: "#5b6475", font: "10px " + FONT, verticalAlign: "middle" } },
          ],
        };
      },
      encode: { x: [0, 1], y: 2 },
    });
    series.push({
      type: "custom", name: "months", silent: true, z: 0, legendHoverLink: false, clip: false,
      data: edges.map(function (ms) { return { value: [ms, 0] }; }),
      renderItem: function (params, api) {
        var edge = edges[params.dataIndex], d = new Date(edge), rect = params.coordSys;
        var x = api.coord([edge, 0])[0];
        var line = { type: "line", shape: { x1: x, y1: rect.y, x2: x, y2: rect.y + rect.height }, style: { stroke: "#dde2ea", lineWidth: 1 } };
        if (params.dataIndex === edges.length - 1) return line;  // the end of the last month: no label
        var name = MONTHS[d.getUTCMonth()] + (params.dataIndex === 0 || d.getUTCMonth() === 0 ? " " + d.getUTCFullYear() : "");
        var next = api.coord([edges[params.dataIndex + 1], 0])[0];
        return {
          type: "group", children: [line, {
            type: "text", x: (x + next) / 2, y: rect.y + rect.height + 8,
            style: { text: name, fill: "#1d2433", font: "11px " + FONT, align: "center", verticalAlign: "top" },
          }],
        };
      },
      encode: { x: 0, y: 1 },
    });
    return {
      aria: { enabled: true, label: { description: el.getAttribute("aria-label") } },
      textStyle: { fontFamily: FONT },
      legend: { data: data.lanes.map(function (l) { return l.label; }), bottom: 0, textStyle: { fontSize: 12 } },
      tooltip: {
        trigger: "item", confine: true,
        formatter: function (p) {
          var d = p.data;
          if (!d || !d.label_) return "";
          return "<b>" + esc(d.kindLabel) + "</b><br>" + esc(d.label_) + "<br>" + esc(d.rawDate || "") + (d.end ? " → " + esc(d.end) : "");
        },
      },
      useUTC: true,
      grid: { left: 360, right: 150, top: 10, bottom: 60 },
      xAxis: {
        type: "time",
        min: edges.length ? edges[0] : null,
        max: edges.length ? edges[edges.length - 1] : null,
        axisLabel: { show: false }, axisTick: { show: false }, splitLine: { show: false },
      },
      yAxis: {
        type: "category", inverse: true, data: rows.map(function (i) { return i.label; }),
        axisLabel: { interval: 0, width: 340, overflow: "truncate", fontSize: 11, color: "#1d2433" },
        axisTick: { show: false },
        splitLine: { show: true, interval: function (index) { return index + 1 < rows.length && rows[index + 1].lane !== rows[index].lane; }, lineStyle: { color: "#5b6475" } },
      },
      series: series,
    };
  }

  // Coverage: needs (rows, grouped by phase then volet) × the programmes covering at least one of
  // them, plus a first "gap" column where the needs no programme of their phase covers get a red
  // cell. Only covered pairs and gaps are cells (not the cross product); with many rows or
  // columns the grid scrolls with dataZoom sliders, and long labels are cut, whole in the tooltips.
  var COVERAGE_ROWS = 40, COVERAGE_COLUMNS = 45, COVERAGE_ROW = 20;
  var zoomIndex = { x: -1, y: -1 };
  function programmeName(p) { return p.code.length <= 8 ? p.code : p.label; }
  function coverageColumn(c) { return c.x == null ? 0 : c.x + 1; }
  function coverageOption() {
    var needs = data.needs, programmes = data.programmes;
    var T = FR
      ? { covers: "couvre", no: "non couvert", gap: "trou dans la raquette", gapCol: "⚠ trou", gapTip: "aucun programme de sa phase ne le couvre", click: "clic : page du besoin", none: "sans volet" }
      : { covers: "covers", no: "not covered", gap: "gap (trou dans la raquette)", gapCol: "⚠ gap", gapTip: "no programme of its phase covers it", click: "click: the need's page", none: "no volet" };
    var cells = data.cells.map(function (c) {
      var n = needs[c.y], p = c.x == null ? null : programmes[c.x];
      return { value: [coverageColumn(c), c.y, c.covers ? 1 : -1], href: n.href, need: n, programme: p, covers: c.covers };
    });
    // Separators: a line above each volet group (thicker between phases), one after the gap
    // column and one between the programmes of two phases; a custom series, so it follows the zoom.
    var lines = [];
    needs.forEach(function (n, i) {
      if (i && n.group !== needs[i - 1].group) lines.push({ value: [0, i], axis: "y", strong: n.phase !== needs[i - 1].phase });
    });
    lines.push({ value: [1, 0], axis: "x", strong: false });
    programmes.forEach(function (p, i) {
      if (i && p.phase !== programmes[i - 1].phase) lines.push({ value: [i + 1, 0], axis: "x", strong: true });
    });
    var zoomRows = needs.length > COVERAGE_ROWS, zoomColumns = programmes.length + 1 > COVERAGE_COLUMNS;
    var dataZoom = [];
    if (zoomColumns) {
      zoomIndex.x = dataZoom.length;
      dataZoom.push({ type: "slider", xAxisIndex: 0, filterMode: "none", startValue: 0, endValue: COVERAGE_COLUMNS - 1, height: 16, bottom: 38, showDetail: false, brushSelect: false });
      dataZoom.push({ type: "inside", xAxisIndex: 0, filterMode: "none", zoomOnMouseWheel: false, moveOnMouseWheel: "shift", moveOnMouseMove: false });
    }
    if (zoomRows) {
      zoomIndex.y = dataZoom.length;
      dataZoom.push({ type: "slider", orient: "vertical", yAxisIndex: 0, filterMode: "none", startValue: 0, endValue: COVERAGE_ROWS - 1, width: 16, right: 8, showDetail: false, brushSelect: false });
      dataZoom.push({ type: "inside", yAxisIndex: 0, filterMode: "none", zoomOnMouseWheel: false, moveOnMouseWheel: true, moveOnMouseMove: false });
    }
    return {
      aria: { enabled: true, label: { description: el.getAttribute("aria-label") } },
      textStyle: { fontFamily: FONT },
      animation: false,
      tooltip: {
        confine: true, extraCssText: "max-width:440px;white-space:normal;",
        formatter: function (p) {
          var d = p.data;
          if (!d || !d.need) return "";
          var head = d.programme ? "<b>" + esc(d.programme.code) + "</b> " + esc(d.programme.label) + " (" + esc(d.programme.phaseLabel) + ")" : "<b>" + esc(T.gap) + "</b>: " + esc(T.gapTip);
          var state = d.covers ? T.covers : T.gap;
          return head + "<br><b>" + esc(state) + "</b><br><b>" + esc(d.need.code) + "</b> " + esc(d.need.label) + "<br>" + esc(d.need.phaseLabel) + " · " + esc(d.need.voletCode || T.none) + "<br><i>" + esc(T.click) + "</i>";
        },
      },
      grid: { left: 330, right: zoomRows ? 40 : 20, top: 120, bottom: zoomColumns ? 84 : 56, show: true, backgroundColor: "#eef1f5", borderWidth: 0 },
      dataZoom: dataZoom,
      xAxis: {
        type: "category", position: "top", triggerEvent: true,
        data: [{ value: "gap", code: T.gapCol }].concat(programmes.map(function (p) { return { value: p.id, code: p.code }; })),
        axisLabel: {
          // the name is cut, never the count: the label is short enough for its width
          rotate: 60, interval: 0, fontSize: 10, width: 140, overflow: "truncate",
          formatter: function (v, i) { return i === 0 ? "{gap|" + T.gapCol + "}" : shortText(programmeName(programmes[i - 1]), 16) + " (" + programmes[i - 1].covers + ")"; },
          rich: { gap: { color: "#b3261e", fontWeight: "bold", fontSize: 10 } },
        },
        axisTick: { show: false }, splitArea: { show: false },
      },
      yAxis: {
        type: "category", inverse: true, triggerEvent: true,
        data: needs.map(function (n) { return n.id; }),
        axisLabel: {
          interval: 0, fontSize: 11, width: 315, overflow: "truncate",
          formatter: function (v, i) {
            var n = needs[i];
            // a long code is a slug of the label: the label alone says more in the same width
            var code = n.code.length <= 8 ? n.code + " " : "";
            var text = (n.voletCode || "—") + " · " + code + (n.status === "illustrative" ? "† " : "") + "(" + n.coveredBy.length + ") " + shortText(n.label, 48);
            return n.gap ? "{gap|⚠ " + text + "}" : text;
          },
          rich: { gap: { color: "#b3261e", fontWeight: "bold", fontSize: 11 } },
        },
        axisTick: { show: false },
      },
      visualMap: {
        type: "piecewise", orient: "horizontal", left: "center", bottom: 6, dimension: 2, seriesIndex: 0,
        pieces: [{ value: 1, label: T.covers, color: "#2b8a5a" }, { value: 0, label: T.no, color: "#eef1f5" }, { value: -1, label: T.gap, color: "#d9534f" }],
        textStyle: { fontSize: 12 },
      },
      series: [{
        type: "heatmap", name: "coverage", data: cells,
        itemStyle: { borderColor: "#ffffff", borderWidth: 1 },
        emphasis: { itemStyle: { borderColor: "#1d2433", borderWidth: 2 } },
      }, {
        type: "custom", name: "groups", silent: true, z: 5, clip: true, data: lines, encode: { x: 0, y: 1 },
        renderItem: function (params, api) {
          var line = lines[params.dataIndex], rect = params.coordSys, size = api.size([1, 1]);
          var at = api.coord([api.value(0), api.value(1)]);
          var style = { stroke: line.strong ? "#1d2433" : "#8a93a3", lineWidth: line.strong ? 2 : 1 };
          if (line.axis === "y") {
            var y = at[1] - size[1] / 2;
            if (y < rect.y - 0.5 || y > rect.y + rect.height + 0.5) return null;
            return { type: "line", shape: { x1: rect.x, y1: y, x2: rect.x + rect.width, y2: y }, style: style };
          }
          var x = at[0] - size[0] / 2;
          if (x < rect.x - 0.5 || x > rect.x + rect.width + 0.5) return null;
          return { type: "line", shape: { x1: x, y1: rect.y, x2: x, y2: rect.y + rect.height }, style: style };
        },
      }],
    };
  }
  // Scroll the coverage grid so that the index-th cell is inside the visible window.
  function revealCell(index) {
    var c = data.cells[index];
    if (!c) return;
    var targets = [["x", coverageColumn(c), COVERAGE_COLUMNS], ["y", c.y, COVERAGE_ROWS]];
    targets.forEach(function (t) {
      var which = zoomIndex[t[0]];
      if (which < 0) return;
      var axis = chart.getModel().getComponent(t[0] + "Axis", 0).axis;
      var extent = axis.scale.getExtent();
      if (t[1] >= extent[0] && t[1] <= extent[1]) return;
      var size = t[0] === "x" ? data.programmes.length + 1 : data.needs.length;
      var start = Math.max(0, Math.min(t[1] - 3, size - t[2]));
      chart.dispatchAction({ type: "dataZoom", dataZoomIndex: which, startValue: start, endValue: start + t[2] - 1 });
    });
  }
  // Axis labels are cut: their whole text shows in a small tooltip of their own.
  var axisTip = null;
  function showAxisTip(p) {
    var list = p.componentType === "yAxis" ? data.needs : data.programmes;
    var found = list.filter(function (x) { return x.id === p.value; })[0];
    if (!found || !p.event) return;
    if (!axisTip) {
      axisTip = document.createElement("div");
      axisTip.setAttribute("role", "tooltip");
      axisTip.style.cssText = "position:absolute;z-index:10;max-width:420px;padding:6px 8px;background:#fff;border:1px solid #5b6475;border-radius:4px;font:12px " + FONT + ";color:#1d2433;pointer-events:none;box-shadow:0 2px 6px rgba(0,0,0,.15)";
      el.appendChild(axisTip);
    }
    axisTip.innerHTML = "<b>" + esc(found.code) + "</b> " + esc(found.label) + "<br>" + esc(found.phaseLabel) + (found.voletCode ? " · " + esc(found.voletCode) : "");
    axisTip.style.left = Math.min(p.event.offsetX + 12, el.clientWidth - 300) + "px";
    axisTip.style.top = p.event.offsetY + 12 + "px";
    axisTip.style.display = "block";
  }

  // The picture grows with its rows, so labels stay readable.
  function height() {
    if (data.view === "timeline") return data.items.length * 24 + 90;
    if (data.view === "coverage") return Math.min(data.needs.length, COVERAGE_ROWS) * COVERAGE_ROW + 120 + (data.programmes.length + 1 > COVERAGE_COLUMNS ? 84 : 56);
    var slots = Math.max.apply(null, [1].concat(data.layout.columns.map(function (c) { return c.length; })));
    return slots * TRACE.slot + TRACE.top + TRACE.bottom;
  }
  el.style.height = Math.max(320, height()) + "px";
  var build = { trace: traceOption, timeline: timelineOption, coverage: coverageOption }[data.view];
  var option = build();
  // Each drawn SVG element says what it draws (ecmeta_series_index, _data_index, _data_type node or
  // edge, _part item or label), for the tests and for whoever edits an exported SVG.
  echarts.zrender.registerSSRDataGetter(function (shape) {
    var host = shape, part = "item";
    while (host && echarts.helper.getECData(host).dataIndex == null) {
      if (host.__hostTarget) { part = "label"; host = host.__hostTarget; } else host = host.parent;
    }
    if (!host) return null;
    var d = echarts.helper.getECData(host);
    var meta = { series_index: d.seriesIndex, data_index: d.dataIndex, data_type: d.dataType || "", part: part };
    return { each: function (f) { Object.keys(meta).forEach(function (k) { f(meta[k], k); }); } };
  });
  var chart = echarts.init(el, null, { renderer: "svg" });
  // 'finished' fires once the picture is drawn and its animation is over (possibly during setOption).
  var ready = false;
  chart.on("finished", function () { ready = true; });
  chart.on("click", function (p) {
    var href = p.data && p.data.href;
    if (!href && (p.componentType === "yAxis" || p.componentType === "xAxis") && data.view === "coverage") {
      var list = p.componentType === "yAxis" ? data.needs : data.programmes;
      var found = list.filter(function (x) { return x.id === p.value; })[0];
      href = found && found.href;
    }
    if (href && p.dataType !== "edge") window.location.assign(href);
  });
  window.addEventListener("resize", function () { chart.resize(); });


  function download(url, filename) {
    var a = document.createElement("a");
    a.href = url;
    a.download = filename;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }
  document.getElementById("download-svg").addEventListener("click", function (e) {
    var svg = chart.renderToSVGString();
    download(URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" })), e.currentTarget.dataset.filename);
  });
  document.getElementById("download-png").addEventListener("click", function (e) {
    // The page draws SVG; PNG comes from a canvas twin of the same picture (the chart's current
    // option, phase lines included) at twice the resolution, read once it has finished drawing and
    // disposed only afterwards (disposing mid-draw breaks the canvas painter).
    var filename = e.currentTarget.dataset.filename;
    var box = document.createElement("div");
    box.style.cssText = "position:absolute;left:-10000px;top:0;width:" + el.clientWidth + "px;height:" + el.clientHeight + "px";
    document.body.appendChild(box);
    var twin = echarts.init(box, null, { renderer: "canvas" });
    var done = false;
    twin.on("finished", function () {
      if (done) return;
      done = true;
      var url = twin.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#ffffff" });
      setTimeout(function () { twin.dispose(); box.remove(); }, 0);
      download(url, filename);
    });
    twin.setOption(Object.assign(chart.getOption(), { animation: false }));
  });

  // For tests and curious readers: the chart, its data, and where each drawn item sits in the viewport.
  var MAIN = { trace: "sankey", timeline: "scatter", coverage: "heatmap" }[data.view];
  function drawn() {
    var els = [];
    chart.getModel().getSeriesByType(MAIN).forEach(function (series) {
      var d = series.getData();
      for (var i = 0; i < d.count(); i++) {
        var raw = d.getRawDataItem(i);
        if (raw && raw.waypoint) continue;  // a long link's run across a column, not an item
        els.push({ el: d.getItemGraphicEl(i), item: raw, seriesIndex: series.seriesIndex, dataIndex: i });
      }
    });
    return els;
  }

  // Keyboard: Tab to the picture, arrows move from item to item (its tooltip shows and a live
  // region reads it), Enter opens its page, Escape hides the tooltip.
  var current = -1;
  var status = document.getElementById("chart-status");
  function describe(item) {
    if (data.view === "coverage") {
      var state = item.covers ? (FR ? "couvre" : "covers") : (item.need.gap ? (FR ? "trou dans la raquette" : "gap") : (FR ? "non couvert" : "not covered"));
      return (item.programme ? item.programme.code : (FR ? "aucun programme de sa phase" : "no programme of its phase")) + " · " + state + " · " + item.need.code + " " + item.need.label;
    }
    return (item.kindLabel ? item.kindLabel + " : " : "") + (item.label_ || "") + (item.date || item.rawDate ? " (" + (item.rawDate || item.date) + ")" : "");
  }
  function focusItem(index) {
    var items = drawn();
    if (!items.length) return;
    if (current >= 0) chart.dispatchAction({ type: "downplay", seriesIndex: items[current].seriesIndex, dataIndex: items[current].dataIndex });
    current = (index + items.length) % items.length;
    var it = items[current];
    if (data.view === "coverage") revealCell(it.dataIndex);
    chart.dispatchAction({ type: "highlight", seriesIndex: it.seriesIndex, dataIndex: it.dataIndex });
    chart.dispatchAction({ type: "showTip", seriesIndex: it.seriesIndex, dataIndex: it.dataIndex });
    if (status) status.textContent = describe(it.item);
  }
  el.tabIndex = 0;
  el.addEventListener("keydown", function (e) {
    var step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
    if (step) { e.preventDefault(); focusItem(current < 0 && step < 0 ? -1 : current + step); }
    else if (e.key === "Home") { e.preventDefault(); focusItem(0); }
    else if (e.key === "End") { e.preventDefault(); focusItem(-1); }
    else if (e.key === "Enter" && current >= 0) {
      var href = drawn()[current].item.href;
      if (href) window.location.assign(href);
    } else if (e.key === "Escape") { chart.dispatchAction({ type: "hideTip" }); }
  });
  window.relaisView = {
    chart: chart,
    data: data,
    count: function () { return drawn().length; },
    rendered: function () { return drawn().filter(function (x) { return !!x.el; }).length; },
    ready: function () { return ready; },
    hrefs: function () { return drawn().map(function (x) { return x.item.href || null; }); },
    // Coverage: scroll the grid to the index-th cell (nothing to do for the other views).
    reveal: function (index) { if (data.view === "coverage") revealCell(index); },
    drawnAt: function (index) { var x = drawn()[index]; return !!(x && x.el); },
    centre: function (index) {
      var g = drawn()[index].el;
      var r = g.getBoundingRect().clone();
      r.applyTransform(g.getComputedTransform());
      var box = el.getBoundingClientRect();
      return { x: box.left + r.x + r.width / 2, y: box.top + r.y + r.height / 2 };  // viewport coordinates
    },
  };
  if (data.view === "coverage") {
    chart.on("mouseover", function (p) { if (p.componentType === "yAxis" || p.componentType === "xAxis") showAxisTip(p); });
    chart.on("mouseout", function (p) { if (axisTip && (p.componentType === "yAxis" || p.componentType === "xAxis")) axisTip.style.display = "none"; });
  }
  chart.setOption(option);
})();
