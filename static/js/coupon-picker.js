/* The coupon form's product picker: search as you type, tick to add. Without this file the
   picker still works: its "Buscar" button asks the server, which shows the results. */
(function () {
  "use strict";
  var picker = document.querySelector(".product-picker");
  if (!picker || !window.fetch) { return; }
  var box = picker.querySelector("[data-product-search]");
  var chosen = document.getElementById("product-picker-chosen");
  var results = document.getElementById("product-picker-results");
  var name = "product_ids";
  var timer = null;

  function present(id) {
    return picker.querySelector("input[name='" + name + "'][value='" + id + "']") !== null;
  }

  function option(item) {
    var wrap = document.createElement("div");
    wrap.className = "form-check";
    var input = document.createElement("input");
    input.className = "form-check-input";
    input.type = "checkbox";
    input.name = name;
    input.value = String(item.id);
    input.id = "product-pick-" + item.id;
    var label = document.createElement("label");
    label.className = "form-check-label";
    label.htmlFor = input.id;
    label.textContent = item.label;
    wrap.appendChild(input);
    wrap.appendChild(label);
    return wrap;
  }

  function search() {
    var q = box.value.trim();
    if (q.length < 2) { return; }
    fetch(picker.dataset.searchUrl + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (body) {
        Array.prototype.slice.call(results.querySelectorAll("input:not(:checked)")).forEach(
          function (input) { results.removeChild(input.parentNode); }
        );
        Array.prototype.slice.call(results.children).forEach(function (child) {
          if (!child.querySelector("input")) { results.removeChild(child); }
        });
        body.results.forEach(function (item) {
          if (!present(item.id)) { results.appendChild(option(item)); }
        });
      });
  }

  box.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 250);
  });
  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); search(); }
  });
  // A ticked result joins the chosen ones, so the next search keeps it.
  results.addEventListener("change", function (event) {
    if (event.target.checked) {
      var none = chosen.querySelector(".product-picker-none");
      if (none) { chosen.removeChild(none); }
      chosen.appendChild(event.target.parentNode);
    }
  });
})();
