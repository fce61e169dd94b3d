/* The report page: draw each chart from the options the server built (vipdesk/reports/charts.py). */
(function () {
  "use strict";
  var source = document.getElementById("report-charts");
  if (!source || !window.echarts) { return; }
  var options = JSON.parse(source.textContent);
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var option = options[el.getAttribute("data-chart")];
    if (!option) { return; }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    // Tooltips drawn on the canvas: ECharts' HTML tooltips are markup with style="" attributes,
    // which the Content-Security-Policy refuses (config/settings.py).
    if (option.tooltip) { option.tooltip.renderMode = "richText"; }
    chart.setOption(option);
    el.setAttribute("data-drawn", "1");
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  document.documentElement.setAttribute("data-charts-drawn", String(charts.length));
})();
