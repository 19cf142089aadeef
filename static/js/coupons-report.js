/* The coupons usage report's bar chart. Data comes from the page's JSON block
   (rendered with Django's json_script), so no inline script is needed (CSP). */
(function () {
  "use strict";
  var canvas = document.getElementById("coupons-report-chart");
  var source = document.getElementById("coupons-report-data");
  if (!canvas || !source || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var money = function (value, decimals) {
    return window.ElectroPluz.moneyFormat(value, data.money, decimals);
  };
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: data.discountLabel, data: data.discount.map(Number), backgroundColor: "#ffc107" },
        { label: data.revenueLabel, data: data.revenue.map(Number), backgroundColor: "#0d6efd" }
      ]
    },
    options: {
      responsive: true,
      maintainAspectRatio: true,
      scales: {
        y: {
          beginAtZero: true,
          ticks: {
            callback: function (value) { return money(value, Number.isInteger(value) ? 0 : 2); }
          }
        }
      },
      plugins: {
        legend: { position: "bottom" },
        tooltip: {
          callbacks: {
            label: function (context) { return context.dataset.label + ": " + money(context.parsed.y); }
          }
        }
      }
    }
  });
})();
