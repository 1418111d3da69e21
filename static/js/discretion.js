// The discretion calculator's band lookup, shared by the power page and the penalty form. The band
// table is the page's own (rows with data-min, data-max, data-severity, data-amount-min/max); the
// server's calculator (powers/discretion.py) stays the authority. Texts come from Django's
// JavaScript catalogue (/jsi18n/), so they follow the page's language.
window.Discretion = (function () {
  "use strict";
  var gettext = window.gettext || function (s) { return s; };
  var fill = window.interpolate || function (s, o) {
    return s.replace(/%\((\w+)\)s/g, function (_, k) { return o[k]; });
  };
  function fmt(value) {
    var n = Number(value);
    var lang = document.documentElement.lang || "zh-CN";
    return isFinite(n) ? n.toLocaleString(lang, { maximumFractionDigits: 2 }) : value;
  }
  // The first band whose [min, max) holds value: {row, order} or null.
  function find(table, value) {
    var hit = null;
    table.querySelectorAll("tbody tr").forEach(function (row, i) {
      row.classList.remove("hit");
      var min = Number(row.dataset.min);
      var max = row.dataset.max === "" ? Infinity : Number(row.dataset.max);
      if (!hit && value >= min && value < max) { hit = { row: row, order: i + 1 }; }
    });
    if (hit) hit.row.classList.add("hit");
    return hit;
  }
  function noBand(value) {
    var err = document.createElement("span");
    err.className = "error";
    err.textContent = fill(gettext("录入的情节 %(fact)s 不在任何裁量档次之内。"), { fact: fmt(value) }, true);
    return err;
  }
  function describe(table, value, hit) {
    var d = hit.row.dataset;
    return fill(gettext("%(fact)s %(unit)s 属第 %(order)s 档（%(severity)s）：处罚幅度 %(min)s – %(max)s %(amountUnit)s"), {
      fact: fmt(value), unit: table.dataset.unit || "", order: hit.order, severity: d.severity,
      min: fmt(d.amountMin), max: fmt(d.amountMax), amountUnit: table.dataset.amountUnit || ""
    }, true);
  }
  return { fmt: fmt, find: find, noBand: noBand, describe: describe };
})();
