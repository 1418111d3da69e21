// Discretion calculator (自由裁量计算), progressive enhancement: the form works without JavaScript
// (GET ?standard=&fact= is answered by the server); with it, the band is found in the page's own table.
(function () {
  "use strict";
  function fmt(value) {
    var n = Number(value);
    return isFinite(n) ? n.toLocaleString("zh-CN", { maximumFractionDigits: 2 }) : value;
  }
  document.querySelectorAll("form[data-calculator]").forEach(function (form) {
    var article = form.closest(".standard");
    var table = article && article.querySelector("table.bands-table");
    var input = form.querySelector("input[name=fact]");
    var output = form.querySelector("output");
    if (!table || !input || !output) return;
    form.addEventListener("submit", function (event) {
      var fact = Number(input.value);
      if (input.value === "" || !isFinite(fact) || fact < 0) return; // let the server explain
      event.preventDefault();
      var rows = table.querySelectorAll("tbody tr");
      var hit = null;
      rows.forEach(function (row, i) {
        row.classList.remove("hit");
        var min = Number(row.dataset.min);
        var max = row.dataset.max === "" ? Infinity : Number(row.dataset.max);
        if (!hit && fact >= min && fact < max) { hit = { row: row, order: i + 1 }; }
      });
      output.textContent = "";
      if (!hit) {
        var err = document.createElement("span");
        err.className = "error";
        err.textContent = "录入的情节 " + fmt(fact) + " 不在任何裁量档次之内。";
        output.appendChild(err);
        return;
      }
      hit.row.classList.add("hit");
      var d = hit.row.dataset;
      output.textContent = fmt(fact) + " " + (table.dataset.unit || "") + " 属第" + hit.order + "档（" + d.severity +
        "）：处罚幅度 " + fmt(d.amountMin) + " – " + fmt(d.amountMax) + " " + (table.dataset.amountUnit || "");
    });
  });
})();
