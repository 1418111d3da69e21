// Formset rows for the flowchart and discretion-standard editors, progressive enhancement:
// without JavaScript the page offers blank rows and an "order" number; with it, rows can be
// added and moved. Reordering rewrites the ORDER inputs, so the server sees the same fields.
(function () {
  "use strict";
  document.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
  document.querySelectorAll(".no-js-hint").forEach(function (el) { el.hidden = true; });

  function renumber(container) {
    var rows = container.querySelectorAll("[data-row]");
    rows.forEach(function (row, i) {
      var order = row.querySelector("input[name$='-ORDER']");
      if (order) order.value = i + 1;
      var legend = row.querySelector("legend");
      if (legend) legend.textContent = legend.textContent.replace(/\d+|__num__/, String(i + 1));
    });
  }

  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    var prefix = button.getAttribute("data-add-row");
    var container = document.querySelector("[data-formset='" + prefix + "']");
    var template = document.getElementById(prefix + "-empty");
    var total = document.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = document.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    if (!container || !template || !total) return;
    button.addEventListener("click", function () {
      var index = Number(total.value);
      if (max && index >= Number(max.value)) return;
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      container.insertAdjacentHTML("beforeend", html);
      total.value = index + 1;
      container.querySelectorAll(".js-only").forEach(function (el) { el.hidden = false; });
      renumber(container);
      var added = container.lastElementChild;
      var first = added && added.querySelector("input, select, textarea");
      if (first) first.focus();
    });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-move]");
    if (!button) return;
    var row = button.closest("[data-row]");
    var container = row && row.parentElement;
    if (!container) return;
    if (button.dataset.move === "up" && row.previousElementSibling) {
      container.insertBefore(row, row.previousElementSibling);
    } else if (button.dataset.move === "down" && row.nextElementSibling) {
      container.insertBefore(row.nextElementSibling, row);
    }
    renumber(container);
    button.focus();
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("input[name$='-DELETE']")) {
      var row = event.target.closest("[data-row]");
      if (row) row.classList.toggle("deleted", event.target.checked);
    }
  });
})();
