// The risk heat map (/risks/heatmap/): likelihood (x) × harm (y) from the figures embedded in the page,
// drawn with the vendored ECharts. The table under the chart carries the same numbers without script.
(function () {
  "use strict";
  var el = document.getElementById("risk-heatmap");
  var data = document.getElementById("heatmap-figures");
  if (!el || !data || typeof echarts === "undefined") return;
  var figures = JSON.parse(data.textContent);
  var labelsEl = document.getElementById("heatmap-labels");
  var L = labelsEl ? JSON.parse(labelsEl.textContent) : {};
  var scale = figures.scale.map(String);
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: {
      formatter: function (p) {
        return (L.likelihood || "likelihood") + " " + p.value[0] + " · " + (L.harm || "harm") + " " + p.value[1] +
          "<br>" + (L.points || "points") + "：" + p.value[2];
      }
    },
    grid: { left: 60, right: 20, top: 20, bottom: 70 },
    xAxis: { type: "category", data: scale, name: L.likelihood, nameLocation: "middle", nameGap: 30, splitArea: { show: true } },
    yAxis: { type: "category", data: scale, name: L.harm, nameLocation: "middle", nameGap: 40, splitArea: { show: true } },
    visualMap: {
      min: 0, max: Math.max(1, figures.max), calculable: true, orient: "horizontal", left: "center", bottom: 0,
      inRange: { color: ["#eef4fb", "#f6d55c", "#e07b39", "#c0392b"] }
    },
    series: [{
      type: "heatmap",
      data: figures.cells.map(function (c) { return [String(c[0]), String(c[1]), c[2]]; }),
      label: { show: true }
    }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
