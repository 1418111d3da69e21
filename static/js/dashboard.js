// The inspectors' dashboard (/monitoring/): draws the charts from the figures embedded in the page
// and polls figures.json every 30 s to update numbers, tables and charts without reloading.
// Every number is a link rendered by the server; this file only keeps them current.
(function () {
  "use strict";

  var root = document.getElementById("dashboard");
  var embedded = document.getElementById("dashboard-figures");
  if (!root || !embedded) return;

  var casesUrl = root.dataset.casesUrl;
  var alertsUrl = root.dataset.alertsUrl;
  var figuresUrl = root.dataset.figuresUrl;
  var refreshMs = (Number(root.dataset.refreshSeconds) || 30) * 1000;
  var charts = {};

  var COLORS = { accepted: "#1e5fb3", completed: "#2e7d32", overdue: "#b3261e", reminders: "#e0a526", alarms: "#d9534f" };
  // Translated words, from the page (monitoring.dashboard_views.chart_labels).
  var labelsEl = document.getElementById("dashboard-labels");
  var NAMES = labelsEl ? JSON.parse(labelsEl.textContent) : {};
  function say(key, age) { return String(NAMES[key] || key).replace("{age}", age); }

  function get(obj, path) {
    return path.split(".").reduce(function (value, key) { return value == null ? value : value[key]; }, obj);
  }

  function format(value, kind) {
    if (kind === "percent") return value == null ? "—" : (value * 100).toFixed(1) + "%";
    // The server's local time as it sent it ("2025-06-15T10:00:00+08:00"), whatever the browser's zone.
    if (kind === "time") return String(value).slice(0, 19).replace("T", " ");
    return typeof value === "number" ? value.toLocaleString("zh-CN") : value;
  }

  function query(base, params) {
    var parts = [];
    Object.keys(params).forEach(function (key) {
      if (params[key]) parts.push(encodeURIComponent(key) + "=" + encodeURIComponent(params[key]));
    });
    return base + "?" + parts.join("&");
  }

  function cell(text, href, cls) {
    var td = document.createElement("td");
    if (cls !== undefined) td.className = "num";
    if (href) {
      var a = document.createElement("a");
      a.href = href;
      if (cls) a.className = cls;
      a.textContent = format(text);
      td.appendChild(a);
    } else {
      td.textContent = format(text);
    }
    return td;
  }

  // Rows of the department and level tables, with the same links the server renders.
  function countCells(tr, filter, alertFilter) {
    var linked = filter !== null;
    tr.appendChild(cell(this.in_progress, linked && query(casesUrl, Object.assign({ metric: "in_progress" }, filter)), ""));
    tr.appendChild(cell(this.overdue, linked && query(casesUrl, Object.assign({ metric: "overdue" }, filter)), "red"));
    tr.appendChild(cell(this.yellow, linked && query(alertsUrl, Object.assign({ level: "yellow" }, alertFilter)), "yellow"));
    tr.appendChild(cell(this.red, linked && query(alertsUrl, Object.assign({ level: "red" }, alertFilter)), "red"));
  }

  function renderTable(name, rows, build) {
    var body = root.querySelector('[data-table="' + name + '"]');
    if (!body) return;
    var fresh = document.createDocumentFragment();
    rows.forEach(function (row) { fresh.appendChild(build(row)); });
    if (!rows.length) {
      var tr = document.createElement("tr");
      var td = document.createElement("td");
      td.colSpan = 6; td.className = "muted"; td.textContent = say("no_rows");
      tr.appendChild(td); fresh.appendChild(tr);
    }
    body.replaceChildren(fresh);
  }

  function renderTables(figures) {
    renderTable("levels", figures.levels, function (row) {
      var tr = document.createElement("tr");
      tr.appendChild(cell(row.label));
      tr.appendChild(cell(row.departments, null, ""));
      countCells.call(row, tr, { level: row.level }, { department_level: row.level });
      return tr;
    });
    renderTable("departments", figures.departments, function (row) {
      var tr = document.createElement("tr");
      var name = cell(row.name);
      name.title = row.full_name;
      tr.appendChild(name);
      tr.appendChild(cell(row.level_display));
      countCells.call(row, tr, row.code ? { department: row.code } : null, { department: row.code });
      return tr;
    });
  }

  function renderNumbers(figures) {
    root.querySelectorAll("[data-figure]").forEach(function (el) {
      var value = get(figures, el.dataset.figure);
      if (value !== undefined) el.textContent = format(value, el.dataset.format);
    });
  }

  function renderHealth(health) {
    if (!health) return;
    var overall = root.querySelector("[data-health-overall]");
    if (overall) {
      var ok = health.status === "ok";
      overall.className = "badge " + (ok ? "green" : "red");
      overall.textContent = ok ? overall.dataset.ok : overall.dataset.error;
    }
    health.checks.forEach(function (check) {
      var item = root.querySelector('[data-check="' + check.name + '"]');
      if (!item) return;
      item.className = "health-check " + check.status;
      var state = item.querySelector(".state");
      if (state) state.textContent = say(check.status === "ok" || check.status === "error" ? check.status : "unknown");
      var detail = item.querySelector(".detail");
      if (detail) {
        if (check.name === "sweep") detail.textContent = check.last_run ? say("last_sweep", check.age_seconds) : say("never_ran");
        else if (check.name === "worker") detail.textContent = check.age_seconds != null ? say("heartbeat", check.age_seconds) : say("no_heartbeat");
        else detail.textContent = check.detail || "";
      }
    });
  }

  // --- charts -------------------------------------------------------------------------------

  function trendOption(trend, barWidth) {
    var series = ["accepted", "completed", "overdue"].map(function (key) {
      return { name: NAMES[key], type: "line", symbolSize: 4, data: trend[key], itemStyle: { color: COLORS[key] } };
    }).concat(["reminders", "alarms"].map(function (key) {
      return { name: NAMES[key], type: "bar", stack: "alerts", barMaxWidth: barWidth, yAxisIndex: 1, data: trend[key], itemStyle: { color: COLORS[key], opacity: 0.75 } };
    }));
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 44, right: 44, top: 60, bottom: 28 },
      xAxis: { type: "category", data: trend.labels.map(function (label) { return label.length > 7 ? label.slice(5) : label; }) },
      yAxis: [
        { type: "value", name: say("cases_axis"), minInterval: 1 },
        { type: "value", name: say("alerts_axis"), minInterval: 1, splitLine: { show: false } }
      ],
      series: series
    };
  }

  function topOption(figures) {
    var rows = figures.top_departments.slice().reverse();
    return {
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 30, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: rows.map(function (row) { return row.name; }) },
      series: [
        { name: NAMES.alarms, type: "bar", stack: "open", data: rows.map(function (row) { return row.red; }), itemStyle: { color: COLORS.alarms } },
        { name: NAMES.reminders, type: "bar", stack: "open", data: rows.map(function (row) { return row.yellow; }), itemStyle: { color: COLORS.reminders } }
      ],
      graphic: rows.length ? [] : [{ type: "text", left: "center", top: "middle", style: { text: say("no_alarms"), fill: "#5f6b76", fontSize: 14 } }]
    };
  }

  function chart(id) {
    var el = document.getElementById(id);
    if (!el || typeof echarts === "undefined") return null;
    if (!charts[id]) charts[id] = echarts.init(el, null, { renderer: "canvas" });
    return charts[id];
  }

  function renderCharts(figures) {
    var daily = chart("chart-daily"), monthly = chart("chart-monthly"), top = chart("chart-top");
    if (daily) daily.setOption(trendOption(figures.trends.daily, 10), true);
    if (monthly) monthly.setOption(trendOption(figures.trends.monthly, 24), true);
    if (top) {
      top.setOption(topOption(figures), true);
      top.off("click");
      top.on("click", function (params) {
        var row = figures.top_departments.slice().reverse()[params.dataIndex];
        if (row && row.code) window.location.href = query(alertsUrl, { level: params.seriesIndex === 0 ? "red" : "yellow", department: row.code });
      });
    }
  }

  function render(figures) {
    renderNumbers(figures);
    renderTables(figures);
    renderHealth(figures.health);
    renderCharts(figures);
  }

  // --- refresh ------------------------------------------------------------------------------

  var failed = root.querySelector("[data-refresh-state]");

  function refresh() {
    if (document.hidden) return;
    fetch(figuresUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (figures) {
        render(figures);
        if (failed) failed.hidden = true;
      })
      .catch(function () { if (failed) failed.hidden = false; });
  }

  renderCharts(JSON.parse(embedded.textContent));
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (id) { charts[id].resize(); });
  });
  setInterval(refresh, refreshMs);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
})();
