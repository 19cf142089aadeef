/* The system page's chart: requests per minute (bars) and p95 latency (line) over the
   last hour. Data comes from the page's JSON block (json_script): no inline script (CSP). */
(function () {
  "use strict";
  var canvas = document.getElementById("system-traffic-chart");
  var source = document.getElementById("system-traffic-data");
  if (!canvas || !source || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  new window.Chart(canvas, {
    data: {
      labels: data.labels,
      datasets: [
        { type: "bar", label: data.requestsLabel, data: data.requests, backgroundColor: "#0d6efd", yAxisID: "y" },
        { type: "line", label: data.p95Label, data: data.p95, borderColor: "#dc3545", spanGaps: true, yAxisID: "latency" }
      ]
    },
    options: {
      responsive: true,
      maintainAspectRatio: true,
      animation: false,
      scales: {
        y: { beginAtZero: true, position: "left" },
        latency: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } }
      },
      plugins: { legend: { position: "bottom" } }
    }
  });
})();
