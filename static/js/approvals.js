// Service-centre pages, progressive enhancement only: every form works without this file.
(function () {
  "use strict";
  var gettext = window.gettext || function (s) { return s; };

  // "打印" buttons.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // The penalty form's discretion calculator: as the officer types the fact, find the band of the
  // chosen standard in the page's own table and say whether the amount is inside it. The server
  // still decides ("计算档次" and the decision itself).
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
      chosen.querySelectorAll("tbody tr.hit").forEach(function (row) { row.classList.remove("hit"); });
      if (fact.value === "") { output.textContent = ""; return; }
      var value = Number(fact.value);
      if (!isFinite(value) || value < 0) { output.textContent = ""; return; }
      var hit = Discretion.find(chosen, value);
      output.textContent = "";
      if (!hit) { output.appendChild(Discretion.noBand(value)); return; }
      var d = hit.row.dataset;
      var text = Discretion.describe(chosen, value, hit);
      if (amount && amount.value !== "" && outside) {
        var a = Number(amount.value);
        var out = a < Number(d.amountMin) || a > Number(d.amountMax);
        outside.classList.toggle("active", out);
        if (out) {
          text += chosen.dataset.collective === "1"
            ? gettext("。决定金额超出幅度：须说明理由并附集体讨论记录")
            : gettext("。决定金额超出幅度：须说明理由");
        }
      }
      output.textContent = text;
    }
    standard.addEventListener("change", update);
    fact.addEventListener("input", update);
    if (amount) amount.addEventListener("input", update);
    update();
  });
})();
