// A unit's appraisal over the years (/appraisal/units/<code>/): scores and rank, from the page's data.
(function () {
  "use strict";
  var data = document.getElementById("appraisal-chart");
  if (!data || !window.echarts) return;
  var d = JSON.parse(data.textContent);
  var L = d.labels;
  var scores = echarts.init(document.getElementById("appraisal-scores"));
  scores.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: [L.total, L.internal, L.public] },
    xAxis: { type: "category", data: d.years },
    yAxis: { type: "value", name: L.score, min: 0, max: 100 },
    series: [
      { name: L.total, type: "line", data: d.total, label: { show: true } },
      { name: L.internal, type: "line", data: d.internal },
      { name: L.public, type: "line", data: d.public }
    ]
  });
  var ranks = echarts.init(document.getElementById("appraisal-ranks"));
  ranks.setOption({
    tooltip: { trigger: "axis", formatter: function (p) { var i = p[0].dataIndex; return d.years[i] + ": " + d.rank[i] + " / " + d.size[i]; } },
    xAxis: { type: "category", data: d.years },
    yAxis: { type: "value", name: L.rank, inverse: true, minInterval: 1, min: 1 },
    series: [{ name: L.rank, type: "bar", data: d.rank, label: { show: true, position: "insideTop" } }]
  });
  window.addEventListener("resize", function () { scores.resize(); ranks.resize(); });
})();
