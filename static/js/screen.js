// The hall's display: refresh the figures from screen.json; on failure keep the last figures and say so.
(function () {
  "use strict";
  var body = document.body;
  var source = body.dataset.source;
  var seconds = parseInt(body.dataset.refresh, 10) || 30;

  function text(id, value) {
    var el = document.getElementById(id);
    if (el) { el.textContent = value; }
  }

  function cell(row, value, cls) {
    var td = document.createElement("td");
    td.textContent = value;
    if (cls) { td.className = cls; }
    row.appendChild(td);
  }

  function render(data) {
    text("screen-date", data.date);
    text("screen-time", data.generated_at);
    text("accepted_today", data.accepted_today);
    text("completed_today", data.completed_today);
    text("waiting", data.waiting);
    text("on_time_rate", data.on_time_rate === null ? "—" : Math.round(data.on_time_rate * 100) + "%");
    var windows = document.getElementById("windows");
    if (windows && data.windows.length) {
      windows.textContent = "";
      data.windows.forEach(function (w) {
        var row = document.createElement("tr");
        cell(row, w.windows); cell(row, w.department);
        cell(row, w.accepted, "num"); cell(row, w.completed, "num"); cell(row, w.waiting, "num");
        windows.appendChild(row);
      });
    }
    var results = document.getElementById("results");
    if (results && data.results.length) {
      results.textContent = "";
      data.results.forEach(function (r) {
        var li = document.createElement("li");
        ["matter", "party", "result"].forEach(function (key) {
          var span = document.createElement("span");
          span.className = key; span.textContent = r[key]; li.appendChild(span);
        });
        results.appendChild(li);
      });
    }
  }

  function refresh() {
    fetch(source, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (data) { render(data); document.getElementById("screen-stale").hidden = true; })
      .catch(function () { document.getElementById("screen-stale").hidden = false; });
  }

  setInterval(refresh, seconds * 1000);
  window.addEventListener("screen-refresh", refresh);  // an operator (or a test) can refresh at once
})();
