// The complaint platform's small scripts: Ctrl+Enter submits the intake form, a duplicate's button
// fills the merge form, and the monthly report draws its chart with the vendored ECharts.
(function () {
  "use strict";
  document.querySelectorAll("form[data-submit-shortcut]").forEach(function (form) {
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
  });
  document.querySelectorAll("[data-fill]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.querySelector("#id_" + button.dataset.fill);
      if (input) { input.value = button.dataset.value; input.focus(); }
    });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  var chart = document.getElementById("complaint-chart");
  var source = document.getElementById("complaint-chart-data");
  if (chart && source && window.echarts) {
    var data = JSON.parse(source.textContent);
    var gettext = window.gettext || function (s) { return s; };
    window.echarts.init(chart).setOption({
      tooltip: { trigger: "axis" },
      legend: {},
      grid: { left: 48, right: 24, bottom: 80 },
      xAxis: { type: "category", data: data.departments, axisLabel: { rotate: 30 } },
      yAxis: { type: "value", max: 100, name: "%" },
      series: [
        { name: gettext("诉求办结率"), type: "bar", data: data.completion },
        { name: gettext("按时办结率"), type: "bar", data: data.on_time },
        { name: gettext("群众满意率"), type: "line", data: data.satisfaction }
      ]
    });
  }
})();
