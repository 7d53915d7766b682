/* The dashboard's charts: data from the page's json_script, ECharts from npm via staticfiles. */
(function () {
  "use strict";
  var holder = document.querySelector(".charts");
  var source = document.getElementById("report-data");
  if (!holder || !source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var L = { attendance: holder.dataset.labelAttendance, sessions: holder.dataset.labelSessions };
  var grid = { left: 8, right: 8, top: 36, bottom: 8, containLabel: true };
  var legend = { top: 0, data: [L.attendance, L.sessions] };
  function twoAxes() {
    return [{ type: "value", name: L.attendance }, { type: "value", name: L.sessions, splitLine: { show: false } }];
  }
  var options = {
    months: {
      tooltip: { trigger: "axis" }, legend: legend, grid: grid,
      xAxis: { type: "category", data: data.months }, yAxis: twoAxes(),
      series: [
        { name: L.attendance, type: "line", smooth: true, data: data.month_attendance },
        { name: L.sessions, type: "bar", yAxisIndex: 1, data: data.month_sessions }
      ]
    },
    types: {
      tooltip: { trigger: "axis" }, legend: legend, grid: grid,
      xAxis: { type: "category", data: data.types, axisLabel: { interval: 0, rotate: 30 } }, yAxis: twoAxes(),
      series: [
        { name: L.attendance, type: "bar", data: data.type_attendance },
        { name: L.sessions, type: "bar", yAxisIndex: 1, data: data.type_sessions }
      ]
    },
    children: {
      tooltip: { trigger: "axis" }, legend: legend, grid: grid,
      yAxis: { type: "category", data: data.children, inverse: true, axisLabel: { width: 96, overflow: "truncate" } },
      xAxis: { type: "value" },
      dataZoom: data.children.length > 12 ? [{ type: "slider", yAxisIndex: 0, right: 0, startValue: 0, endValue: 11 }] : [],
      series: [
        { name: L.attendance, type: "bar", data: data.child_attendance },
        { name: L.sessions, type: "bar", data: data.child_sessions }
      ]
    }
  };
  var charts = [];
  holder.querySelectorAll("[data-chart]").forEach(function (el) {
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(options[el.dataset.chart]);
    charts.push(chart);
  });
  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 100);
  });
})();
