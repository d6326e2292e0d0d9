// memberlens dashboard: charts from the JSON islands of each page, drawn with plotly.js.
(function () {
  "use strict";
  var palette = ["#1f4fd1", "#0f8a5f", "#e07b39", "#8a55d7", "#c8372d"];
  var layoutBase = {
    margin: { l: 56, r: 56, t: 8, b: 40 }, paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)", font: { size: 12, color: "#344054" },
    legend: { orientation: "h", y: -0.2 }, hovermode: "x unified",
    xaxis: { gridcolor: "#eef1f6" }, yaxis: { gridcolor: "#eef1f6", rangemode: "tozero" }
  };
  var config = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["lasso2d", "select2d"] };
  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  function clone(o) { return JSON.parse(JSON.stringify(o)); }
  function lines(el, spec, bars) {
    var layout = clone(layoutBase);
    var traces = spec.traces.map(function (t, i) {
      var ratio = t.unit === "ratio";
      var trace = { name: t.name, x: t.x, y: t.y, marker: { color: palette[i % 5] },
        line: { color: palette[i % 5], width: 2 } };
      if (bars) { trace.type = "bar"; } else { trace.type = "scatter"; trace.mode = "lines"; }
      if (!bars) { trace.connectgaps = true; }
      if (!bars && t.unit !== spec.traces[0].unit) { trace.yaxis = "y2"; }
      if (ratio) { trace.hovertemplate = "%{y:.1%}"; }
      return trace;
    });
    if (traces.some(function (t) { return t.yaxis === "y2"; })) {
      layout.yaxis2 = { overlaying: "y", side: "right", showgrid: false, rangemode: "tozero" };
    }
    if (bars) { layout.barmode = "group"; }
    layout.shapes = (spec.marks || []).map(function (m) {
      return { type: "line", xref: "x", yref: "paper", x0: m.day, x1: m.day, y0: 0, y1: 1,
        line: { color: "#e07b39", width: 1, dash: "dot" } };
    });
    layout.annotations = (spec.marks || []).map(function (m) {
      return { x: m.day, y: 1, xref: "x", yref: "paper", text: m.name, showarrow: false,
        font: { size: 11, color: "#e07b39" }, yanchor: "bottom" };
    });
    layout.margin.t = spec.marks && spec.marks.length ? 20 : 8;
    Plotly.newPlot(el, traces, layout, config);
  }
  function stack(el, spec) {
    var layout = clone(layoutBase);
    layout.barmode = "stack";
    layout.yaxis.tickformat = ".0%";
    var traces = spec.series.map(function (s, i) {
      return { type: "bar", name: s.name, x: spec.x, y: s.y, marker: { color: palette[i % 5] },
        hovertemplate: "%{y:.1%}" };
    });
    Plotly.newPlot(el, traces, layout, config);
  }
  function bar1(el, spec) {
    var layout = clone(layoutBase);
    layout.showlegend = false;
    layout.hovermode = "closest";
    layout.xaxis.automargin = true;
    layout.xaxis.type = "category";
    Plotly.newPlot(el, [{ type: "bar", x: spec.x, y: spec.y, marker: { color: palette[0] },
      hovertemplate: "%{x}: %{y:,}<extra></extra>" }], layout, config);
  }
  function heatmap(el, spec) {
    var layout = clone(layoutBase);
    layout.margin.l = 70;
    layout.xaxis.title = { text: el.getAttribute("data-xlabel") || "" };
    layout.yaxis = { autorange: "reversed", type: "category" };
    Plotly.newPlot(el, [{ type: "heatmap", x: spec.x, y: spec.y, z: spec.z, colorscale: [[0, "#f1f5ff"], [0.5, "#7aa2ff"], [1, "#1f3fa8"]],
      zmin: 0, zmax: 1, hovertemplate: "%{y} +%{x}: %{z:.1%}<extra></extra>",
      colorbar: { tickformat: ".0%" } }], layout, config);
  }
  function matrix(el, spec) {
    // colour: the share of the row (where members of a starting tier went); text: members
    var layout = clone(layoutBase);
    layout.hovermode = "closest";
    layout.xaxis = { type: "category", automargin: true, side: "top",
      title: { text: el.getAttribute("data-xlabel") || "", standoff: 6 } };
    layout.yaxis = { type: "category", autorange: "reversed", automargin: true,
      title: { text: el.getAttribute("data-ylabel") || "", standoff: 10 } };
    layout.margin = { l: 8, r: 8, t: 8, b: 8 };
    var shares = spec.z.map(function (row) {
      var total = row.reduce(function (a, b) { return a + b; }, 0) || 1;
      return row.map(function (v) { return v / total; });
    });
    var text = spec.z.map(function (row) { return row.map(function (v) { return v ? v.toLocaleString() : ""; }); });
    Plotly.newPlot(el, [{ type: "heatmap", x: spec.x, y: spec.y, z: shares, text: text,
      customdata: spec.z, texttemplate: "%{text}", showscale: false, zmin: 0, zmax: 1,
      colorscale: [[0, "#f5f7fb"], [0.5, "#7aa2ff"], [1, "#1f3fa8"]],
      hovertemplate: "%{y} → %{x}: %{customdata:,} (%{z:.1%})<extra></extra>" }], layout, config);
  }
  function hist(el, spec) {
    var layout = clone(layoutBase);
    layout.showlegend = false;
    layout.hovermode = "closest";
    layout.bargap = 0.05;
    layout.xaxis.tickformat = spec.ratio ? ".0%" : ",.0f";
    layout.xaxis.range = [spec.edges[0], spec.edges[spec.edges.length - 1]];
    var centers = spec.y.map(function (_, i) { return (spec.edges[i] + spec.edges[i + 1]) / 2; });
    var widths = spec.y.map(function (_, i) { return spec.edges[i + 1] - spec.edges[i]; });
    Plotly.newPlot(el, [{ type: "bar", x: centers, y: spec.y, width: widths, text: spec.x,
      textposition: "none", marker: { color: palette[0] },
      hovertemplate: "%{text}: %{y:,}<extra></extra>" }], layout, config);
  }
  function groupbar(el, spec) {
    var layout = clone(layoutBase);
    layout.barmode = "group";
    layout.hovermode = "closest";
    layout.yaxis.tickformat = ".0%";
    layout.xaxis.automargin = true;
    layout.legend = { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" };
    layout.margin.t = 28;
    var traces = spec.series.map(function (s, i) {
      return { type: "bar", name: s.name, x: spec.x, y: s.y, marker: { color: palette[i % 5] },
        hovertemplate: "%{x}: %{y:.1%}<extra>" + s.name + "</extra>" };
    });
    Plotly.newPlot(el, traces, layout, config);
  }
  function intervals(el, spec) {
    var layout = clone(layoutBase);
    layout.showlegend = false;
    layout.hovermode = "closest";
    layout.margin.l = 8;
    layout.xaxis.tickformat = ".0%";
    layout.xaxis.zeroline = true;
    layout.xaxis.zerolinecolor = "#98a2b3";
    layout.yaxis = { type: "category", autorange: "reversed", automargin: true };
    var plus = spec.x.map(function (x, i) { return spec.hi[i] - x; });
    var minus = spec.x.map(function (x, i) { return x - spec.lo[i]; });
    Plotly.newPlot(el, [{ type: "scatter", mode: "markers", x: spec.x, y: spec.y,
      marker: { color: palette[0], size: 9 },
      error_x: { type: "data", symmetric: false, array: plus, arrayminus: minus, color: palette[0], thickness: 2 },
      hovertemplate: "%{y}: %{x:+.1%}<extra></extra>" }], layout, config);
  }
  document.querySelectorAll(".chart").forEach(function (el) {
    var spec = data(el.getAttribute("data-source"));
    if (!spec || typeof Plotly === "undefined") { return; }
    var kind = el.getAttribute("data-kind");
    if (kind === "lines") { lines(el, spec, false); }
    else if (kind === "bars") { lines(el, spec, true); }
    else if (kind === "stack") { stack(el, spec); }
    else if (kind === "bar1") { bar1(el, spec); }
    else if (kind === "heatmap") { heatmap(el, spec); }
    else if (kind === "intervals") { intervals(el, spec); }
    else if (kind === "matrix") { matrix(el, spec); }
    else if (kind === "groupbar") { groupbar(el, spec); }
    else if (kind === "hist") { hist(el, spec); }
  });
  document.querySelectorAll("select.autosubmit").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
  document.querySelectorAll(".bar[data-share]").forEach(function (el) {
    var share = parseFloat(el.getAttribute("data-share")) || 0;
    el.style.width = Math.round(share * 80) + "px";
  });
})();
