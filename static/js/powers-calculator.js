// Discretion calculator (自由裁量计算), progressive enhancement: the form works without JavaScript
// (GET ?standard=&fact= is answered by the server); with it, the band is found in the page's own table.
(function () {
  "use strict";
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
      var hit = Discretion.find(table, fact);
      output.textContent = "";
      if (!hit) { output.appendChild(Discretion.noBand(fact)); return; }
      output.textContent = Discretion.describe(table, fact, hit);
    });
  });
})();
