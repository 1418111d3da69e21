// Service-centre pages, progressive enhancement only: every form works without this file.
(function () {
  "use strict";

  // "打印" buttons.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // The penalty form's discretion calculator: as the officer types the fact, find the band of the
  // chosen standard in the page's own table and say whether the amount is inside it. The server
  // still decides ("计算档次" and the decision itself).
  function fmt(value) {
    var n = Number(value);
    return isFinite(n) ? n.toLocaleString("zh-CN", { maximumFractionDigits: 2 }) : value;
  }
  document.querySelectorAll("form[data-penalty]").forEach(function (form) {
    var standard = form.querySelector("[name=standard]");
    var fact = form.querySelector("[name=fact]");
    var amount = form.querySelector("[name=amount]");
    var output = form.querySelector("[data-calc-output]");
    var outside = form.querySelector("[data-outside-band]");
    if (!standard || !fact || !output) return;

    function tables() { return form.querySelectorAll("table.bands-table"); }
    function update() {
      var chosen = null;
      tables().forEach(function (table) {
        var mine = table.dataset.standard === standard.value;
        table.hidden = !mine;
        if (mine) chosen = table;
      });
      if (!chosen) return;
      chosen.querySelectorAll("tbody tr").forEach(function (row) { row.classList.remove("hit"); });
      if (fact.value === "") { output.textContent = ""; return; }
      var value = Number(fact.value);
      if (!isFinite(value) || value < 0) { output.textContent = ""; return; }
      var hit = null;
      chosen.querySelectorAll("tbody tr").forEach(function (row, i) {
        var min = Number(row.dataset.min);
        var max = row.dataset.max === "" ? Infinity : Number(row.dataset.max);
        if (!hit && value >= min && value < max) { hit = { row: row, order: i + 1 }; }
      });
      output.textContent = "";
      if (!hit) {
        var err = document.createElement("span");
        err.className = "error";
        err.textContent = "录入的情节 " + fmt(value) + " 不在任何裁量档次之内。";
        output.appendChild(err);
        return;
      }
      hit.row.classList.add("hit");
      var d = hit.row.dataset;
      var text = fmt(value) + " " + (chosen.dataset.unit || "") + " 属第" + hit.order + "档（" + d.severity +
        "）：处罚幅度 " + fmt(d.amountMin) + " – " + fmt(d.amountMax) + " " + (chosen.dataset.amountUnit || "");
      if (amount && amount.value !== "" && outside) {
        var a = Number(amount.value);
        var out = a < Number(d.amountMin) || a > Number(d.amountMax);
        outside.classList.toggle("active", out);
        if (out) text += "。决定金额超出幅度：须说明理由" + (chosen.dataset.collective === "1" ? "并附集体讨论记录" : "");
      }
      output.textContent = text;
    }
    standard.addEventListener("change", update);
    fact.addEventListener("input", update);
    if (amount) amount.addEventListener("input", update);
    update();
  });
})();
