// borderstrikes: reports, legend and time control of the interactive map.
// Reads the data written by borderstrikes.viz.interactive_reports.report_payload.
// Every text from a file is set with textContent or as an attribute value
// (never as HTML); symbols are built with createElementNS.
// No double braces, brace-percent or brace-hash may appear here: the
// script is read once more as a Jinja template by branca (under folium).
(function (map, reportsLayer, circlesLayer, D, C) {
  "use strict";
  var M = D.markers, R = D.reports, K = D.kinds, S = D.strings;
  var nMarkers = M.lat.length, nKinds = K.length, nDays = D.n_days;
  var SVGNS = "http://www.w3.org/2000/svg";
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
    "Nov", "Dec"];
  var OTHER = {label: C.other_label, color: C.other_color, marker: "o"};
  var kindOn = [];
  var k;
  for (k = 0; k <= nKinds; k += 1) { kindOn.push(true); }
  var lo = 0, hi = Math.max(nDays - 1, 0);
  var state = [];
  var countSpans = {};
  var windowText = null, summaryText = null;
  var day0 = null;
  if (D.day0) {
    day0 = Date.UTC(Number(D.day0.slice(0, 4)), Number(D.day0.slice(5, 7)) - 1,
      Number(D.day0.slice(8, 10)));
  }

  function kindOf(index) { return index < nKinds ? K[index] : OTHER; }
  function text(index) { return index >= 0 && index < S.length ? S[index] : ""; }
  function el(tag, parent, className) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function svgEl(tag, parent, attributes) {
    var node = document.createElementNS(SVGNS, tag);
    Object.keys(attributes).forEach(function (name) {
      node.setAttribute(name, String(attributes[name]));
    });
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function dayText(day) {
    if (day0 === null || day < 0) { return "undated"; }
    var date = new Date(day0 + day * 86400000);
    return date.getUTCDate() + " " + MONTHS[date.getUTCMonth()] + " " + date.getUTCFullYear();
  }
  function num(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  function plural(n, one, many) { return num(n) + " " + (n === 1 ? one : many); }
  function kmText(metres) {
    var km = metres / 1000;
    return (km >= 10 ? Math.round(km) : Math.round(km * 10) / 10) + " km";
  }

  // A symbol of an evidence kind: filled, hollow for stand-in points (hollow === true), or
  // filled inside a ring of the same shape when only some reports are at a stand-in point
  // (hollow === "mixed").
  function symbol(kind, size, hollow) {
    var svg = svgEl("svg", null, {width: size, height: size, viewBox: "0 0 20 20"});
    if (hollow === "mixed") {
      svgEl("path", svg, {
        d: C.shapes[kind.marker] || C.shapes.o, fill: "none", stroke: kind.color,
        "stroke-width": 1.6, "vector-effect": "non-scaling-stroke",
        transform: "translate(10 10) scale(1.45) translate(-10 -10)"
      });
      hollow = false;
    }
    svgEl("path", svg, {
      d: C.shapes[kind.marker] || C.shapes.o,
      fill: hollow ? "#ffffff" : kind.color,
      stroke: hollow ? kind.color : "#ffffff",
      "stroke-width": hollow ? 2.6 : 1.4,
      "vector-effect": "non-scaling-stroke",
      "stroke-linejoin": "round"
    });
    return svg;
  }
  function sizeOf(count) { return Math.round(C.size_px + C.size_per_decade_px * Math.log10(count)); }
  function icon(markerIndex, kindIndex, count, hollow) {
    var size = sizeOf(count);
    var box = el("div", null, "bs-symbol");
    box.setAttribute("data-count", String(count));
    box.setAttribute("data-kind", String(kindIndex));
    box.setAttribute("data-hollow", hollow === "mixed" ? "mixed" : (hollow ? "1" : "0"));
    box.appendChild(symbol(kindOf(kindIndex), size, hollow));
    if (count > 1) { el("span", box, "bs-count").textContent = num(count); }
    return L.divIcon({html: box, className: "bs-report-icon", iconSize: [size, size]});
  }

  function visible(j) {
    if (!kindOn[R.kind[j]]) { return false; }
    var start = R.start[j];
    if (start < 0) { return lo === 0 && hi === Math.max(nDays - 1, 0); }
    return start <= hi && start + R.span_days[j] >= lo;
  }
  function placeText(i) {
    var name = text(M.place[i]) || "Place not named";
    var others = M.n_places[i] - 1;
    return others > 0 ? name + " and " + plural(others, "other place", "other places") : name;
  }
  function shownAt(i) {
    var count = 0, j;
    for (j = M.first[i]; j < M.first[i] + M.n[i]; j += 1) { if (visible(j)) { count += 1; } }
    return count;
  }

  function popup(i) {
    var root = el("div", null, "bs-popup");
    el("b", root).textContent = placeText(i);
    var shown = shownAt(i);
    el("p", root).textContent = plural(M.n[i], "report", "reports") + " here; " + num(shown) +
      " in the dates and kinds chosen.";
    if (D.grid_step_deg !== null) {
      el("p", root).textContent = "Reports within one " + D.grid_step_deg + "\u00b0 cell are " +
        "merged; the symbol stands at their mean position.";
    }
    if (M.radius_m[i] > 0) {
      el("p", root).textContent = "Dashed circle: radius " + kmText(M.radius_m[i]) +
        ", covering the stated location precision of every report here.";
    }
    var rows = D.details[i], listed = 0, fields = D.detail_fields;
    rows.forEach(function (row, offset) {
      var j = M.first[i] + offset;
      if (!visible(j)) { return; }
      listed += 1;
      var table = el("table", root);
      function add(label, value) {
        if (!value) { return; }
        var tr = el("tr", table);
        el("th", tr).textContent = label;
        el("td", tr).textContent = value;
      }
      var get = function (name) { return text(row[fields.indexOf(name)]); };
      var start = R.start[j], end = start + R.span_days[j];
      add("Report", get("report_id"));
      add("Date", end > start ? dayText(start) + " \u2013 " + dayText(end) : dayText(start));
      add("Evidence", kindOf(R.kind[j]).label);
      add("Place", get("place"));
      add("Claimant", get("claimant"));
      add("Outlet", get("source_outlet"));
      var where = get("location_precision");
      var radius = row[fields.length];
      if (radius > 0) { where = (where ? where + ", " : "") + "within " + kmText(radius); }
      if (R.stand_in[j]) { where += " (stand-in point)"; }
      add("Location", where);
      var url = get("source_url");
      if (/^https?:\/\//i.test(url)) {
        var tr = el("tr", table);
        el("th", tr).textContent = "Source";
        var a = el("a", el("td", tr));
        a.href = url;
        a.target = "_blank";
        a.rel = "noopener noreferrer";
        a.textContent = url.length > 48 ? url.slice(0, 45) + "\u2026" : url;
      }
    });
    if (shown > listed) {
      el("p", root, "bs-more").textContent = plural(shown - listed, "more report", "more reports") +
        " here not listed; every report is in the tables that come with the map.";
    }
    return root;
  }

  function tooltip(i) {
    var div = el("div");
    div.textContent = placeText(i) + ": " + plural(state[i].count, "report", "reports");
    return div;
  }

  function apply() {
    var totals = [], shownReports = 0, shownMarkers = 0, i, j;
    for (k = 0; k <= nKinds; k += 1) { totals.push(0); }
    for (i = 0; i < nMarkers; i += 1) {
      var count = 0, best = nKinds + 1, standIns = 0, hollow;
      for (j = M.first[i]; j < M.first[i] + M.n[i]; j += 1) {
        if (!visible(j)) { continue; }
        count += 1;
        totals[R.kind[j]] += 1;
        if (R.kind[j] < best) { best = R.kind[j]; }
        if (R.stand_in[j]) { standIns += 1; }
      }
      hollow = standIns === 0 ? false : (standIns === count ? true : "mixed");
      var st = state[i];
      if (count === 0) {
        if (st.shown) {
          reportsLayer.removeLayer(st.marker);
          if (st.circle) { circlesLayer.removeLayer(st.circle); }
          st.shown = false;
        }
        continue;
      }
      shownReports += count;
      shownMarkers += 1;
      if (!st.marker) {
        st.marker = L.marker([M.lat[i], M.lon[i]], {icon: icon(i, best, count, hollow),
          riseOnHover: true});
        st.marker.bindTooltip(tooltip.bind(null, i), {direction: "top"});
        st.marker.bindPopup(popup.bind(null, i), {maxWidth: 320, maxHeight: 300});
        if (M.radius_m[i] > 0) {
          st.circle = L.circle([M.lat[i], M.lon[i]], {radius: M.radius_m[i],
            interactive: false, className: "bs-precision", color: kindOf(best).color, weight: 1.2, opacity: 0.8,
            dashArray: "4 3", fillColor: kindOf(best).color, fillOpacity: 0.05});
        }
      } else if (st.count !== count || st.kind !== best || st.hollow !== hollow) {
        st.marker.setIcon(icon(i, best, count, hollow));
        if (st.circle) {
          st.circle.setStyle({color: kindOf(best).color, fillColor: kindOf(best).color});
        }
      }
      st.count = count;
      st.kind = best;
      st.hollow = hollow;
      if (!st.shown) {
        reportsLayer.addLayer(st.marker);
        if (st.circle) { circlesLayer.addLayer(st.circle); }
        st.shown = true;
      }
    }
    Object.keys(countSpans).forEach(function (key) {
      countSpans[key].textContent = "(" + totals[Number(key)] + ")";
    });
    if (windowText) {
      var dates = nDays === 0 ? "No dates" : (lo === hi ? dayText(lo) :
        dayText(lo) + " \u2013 " + dayText(hi));
      windowText.textContent = dates + ": " + num(shownReports) + " of " +
        plural(D.n_reports, "report", "reports") + " shown";
    }
    if (summaryText) {
      summaryText.textContent = plural(shownReports, "report", "reports") + " behind " +
        plural(shownMarkers, "symbol", "symbols") + " shown (" + num(D.n_reports) +
        " located in all).";
    }
    labelCounts();
  }

  // Count labels only where few symbols are in view (a wall of numbers reads as nothing).
  function labelCounts() {
    var bounds = map.getBounds(), inView = 0;
    state.forEach(function (st, i) {
      if (st.shown && bounds.contains([M.lat[i], M.lon[i]])) { inView += 1; }
    });
    var hide = inView > C.max_count_labels;
    L.DomUtil[hide ? "addClass" : "removeClass"](map.getContainer(), "bs-no-counts");
  }
  map.on("zoomend moveend", labelCounts);

  for (var i0 = 0; i0 < nMarkers; i0 += 1) {
    state.push({marker: null, circle: null, shown: false, count: -1, kind: -1, hollow: null});
  }

  // ------------------------------------------------------------------ legend
  var legend = L.control({position: C.legend_position});
  legend.onAdd = function () {
    var div = el("div", null, "bs-panel bs-legend");
    div.id = "bs-legend";
    el("h2", div).textContent = C.title;
    el("p", div, "bs-note").textContent = C.note;
    function row(parent) { return el("div", parent, "bs-legend-row"); }
    var present = [];
    for (k = 0; k <= nKinds; k += 1) { present.push(false); }
    for (var j = 0; j < R.kind.length; j += 1) { present[R.kind[j]] = true; }
    present.forEach(function (isPresent, index) {
      if (!isPresent) { return; }
      var r = el("label", div, "bs-legend-row bs-kind");
      var box = el("input", r);
      box.type = "checkbox";
      box.checked = true;
      box.setAttribute("data-kind", String(index));
      box.addEventListener("change", function () { kindOn[index] = box.checked; apply(); });
      r.appendChild(symbol(kindOf(index), 16, false));
      el("span", r).textContent = kindOf(index).label + " ";
      countSpans[index] = el("span", r, "bs-kind-count");
    });
    // Overlays (fans, range rings, exposure rings): a swatch of each, its label as text.
    if (C.overlays && C.overlays.length) {
      el("p", div, "bs-overlays-title").textContent = C.overlays_title;
      C.overlays.forEach(function (overlay) {
        var r = row(div);
        r.className += " bs-overlay-row";
        var swatch = svgEl("svg", r, {width: 22, height: 14, viewBox: "0 0 22 14"});
        var attributes = overlay.kind === "line" ?
          {d: "M1 7H21", fill: "none", stroke: overlay.color, "stroke-width": 2} :
          {d: "M1.5 1.5H20.5V12.5H1.5Z", fill: overlay.color, "fill-opacity": overlay.alpha,
            stroke: overlay.color, "stroke-width": 1.5};
        if (overlay.dash) { attributes["stroke-dasharray"] = overlay.dash; }
        svgEl("path", swatch, attributes);
        el("span", r).textContent = overlay.label;
      });
    }
    var about = el("details", div);
    about.open = map.getSize().y >= 640;
    el("summary", about).textContent = "What the symbols mean";
    var standIn = row(about);
    standIn.appendChild(symbol(OTHER, 16, true));
    el("span", standIn).textContent = C.stand_in_text;
    var mixed = row(about);
    mixed.appendChild(symbol(OTHER, 16, "mixed"));
    el("span", mixed).textContent = C.mixed_text;
    var sized = row(about);
    var sample = el("span", sized, "bs-symbol bs-sample");
    sample.appendChild(symbol(OTHER, 20, false));
    el("span", sample, "bs-count bs-keep").textContent = "12";
    el("span", sized).textContent = C.count_text;
    var circle = row(about);
    var ring = svgEl("svg", circle, {width: 18, height: 18, viewBox: "0 0 20 20"});
    svgEl("circle", ring, {cx: 10, cy: 10, r: 8, fill: "#444444", "fill-opacity": 0.08,
      stroke: "#444444", "stroke-dasharray": "3 2", "stroke-width": 1.2});
    el("span", circle).textContent = C.circle_text;
    C.lines.forEach(function (line) {
      var r = row(about);
      var svg = svgEl("svg", r, {width: 22, height: 10, viewBox: "0 0 22 10"});
      var attributes = {x1: 0, y1: 5, x2: 22, y2: 5, stroke: line.color, "stroke-width": 2.5};
      if (line.dash) { attributes["stroke-dasharray"] = line.dash; }
      svgEl("line", svg, attributes);
      el("span", r).textContent = line.label;
    });
    summaryText = el("p", div, "bs-summary");
    C.summary.forEach(function (line) { el("p", div, "bs-summary").textContent = line; });
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  legend.addTo(map);

  // ------------------------------------------------------------- time control
  var time = L.control({position: C.time_position});
  time.onAdd = function () {
    var div = el("div", null, "bs-panel bs-time");
    div.id = "bs-time";
    el("h2", div).textContent = "Dates shown";
    if (nDays > 1) {
      [["From", "bs-from", 0], ["To", "bs-to", nDays - 1]].forEach(function (spec) {
        var label = el("label", div, "bs-range");
        el("span", label).textContent = spec[0] + " ";
        var input = el("input", label);
        input.type = "range";
        input.id = spec[1];
        input.min = "0";
        input.max = String(nDays - 1);
        input.step = "1";
        input.value = String(spec[2]);
        input.addEventListener("input", function () {
          var a = Number(document.getElementById("bs-from").value);
          var b = Number(document.getElementById("bs-to").value);
          lo = Math.min(a, b);
          hi = Math.max(a, b);
          apply();
        });
      });
    }
    windowText = el("p", div, "bs-window");
    el("p", div, "bs-hint").textContent = C.time_text;
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return div;
  };
  time.addTo(map);
  apply();
  // Frame the data in the part of the map the legend leaves free. A map in a frame that
  // is not laid out yet (an iframe of a longer page) has no size: frame it once it has one.
  map.options.zoomSnap = 0.25;
  var legendBox = legend.getContainer();
  var framed = false;
  function frame() {
    map.invalidateSize(false);
    var size = map.getSize();
    if (framed || !size.x || !size.y) { return; }
    framed = true;
    var free = size.x - legendBox.offsetWidth - 30;
    map.fitBounds(C.bounds, free > 200 ? {paddingTopLeft: [20, 20], animate: false,
      paddingBottomRight: [legendBox.offsetWidth + 20, 20]} : {padding: [10, 10], animate: false});
  }
  frame();
  if (!framed) {
    window.addEventListener("load", frame);
    window.addEventListener("resize", frame);
    if (window.ResizeObserver) { new ResizeObserver(frame).observe(map.getContainer()); }
  }
})
