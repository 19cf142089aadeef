/* The reporting dashboards: charts and sparklines from the page's JSON block (rendered
   with Django's json_script, so no inline script is needed: CSP), and the progress of
   "refresh now". Every chart has the same numbers in a table beneath it. */
(function () {
  "use strict";
  var source = document.getElementById("report-charts");
  var charts = source ? JSON.parse(source.textContent) : {};
  var colours = ["#0d6efd", "#ffc107", "#198754", "#dc3545", "#6f42c1", "#20c997"];

  function draw(canvas, spec) {
    if (!spec || typeof window.Chart === "undefined") { return; }
    var spark = spec.kind === "spark";
    var datasets = spec.datasets.map(function (set, i) {
      var colour = set.compare ? "#adb5bd" : colours[i % colours.length];
      return {
        label: set.label,
        data: set.data.map(function (v) { return v === null ? null : Number(v); }),
        borderColor: colour,
        backgroundColor: colour,
        borderDash: set.compare ? [6, 4] : [],
        pointRadius: spark ? 0 : 2,
        tension: 0.2
      };
    });
    new window.Chart(canvas, {
      type: spark || spec.kind === "line" ? "line" : "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: spark,
        animation: false,
        indexAxis: spec.horizontal ? "y" : "x",
        plugins: { legend: { display: !spark, position: "bottom" }, tooltip: { enabled: !spark } },
        scales: spark ? { x: { display: false }, y: { display: false } } : {}
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), function (canvas) {
    draw(canvas, charts[canvas.getAttribute("data-chart")]);
  });

  var panel = document.getElementById("refresh-progress");
  if (!panel || !window.fetch) { return; }
  var bar = document.getElementById("refresh-bar");
  var text = document.getElementById("refresh-text");
  function poll() {
    window.fetch(panel.getAttribute("data-url"), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        bar.value = state.finished;
        bar.textContent = state.finished + " / " + state.total;
        text.textContent = state.sources.map(function (s) {
          return s.source + ": " + s.status + (s.read ? " (" + s.read + ")" : "");
        }).join(" · ");
        if (state.done) {
          text.textContent = panel.getAttribute("data-done");
          var url = new URL(window.location.href);
          url.searchParams.delete("actualizando");
          window.setTimeout(function () { window.location.assign(url.toString()); }, 800);
        } else {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  poll();
})();
