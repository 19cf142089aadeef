// ElectroPluz cart: "add to cart" without a page reload. The form still works without it.
(function () {
  "use strict";

  function cookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  function notice(form, text, kind) {
    var box = form.parentNode.querySelector(".cart-notice");
    if (!box) {
      box = document.createElement("div");
      box.setAttribute("role", "status");
      form.parentNode.insertBefore(box, form.nextSibling);
    }
    box.className = "cart-notice alert alert-" + kind + " mt-3 mb-0";
    box.textContent = text;
  }

  function updateBadge(count) {
    var badge = document.getElementById("cart-count");
    if (!badge) { return; }
    badge.firstChild.nodeValue = String(count);
    badge.hidden = count === 0;
  }

  document.querySelectorAll("form.add-to-cart").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch) { return; }
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      fetch("/api/v1/cart/lines", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": cookie("csrftoken") },
        body: JSON.stringify({
          variant_id: parseInt(form.elements.variant_id.value, 10),
          quantity: parseInt(form.elements.quantity.value, 10) || 1
        })
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        if (result.ok) {
          updateBadge(result.body.item_count);
          notice(form, result.body.message || form.dataset.added, result.body.message ? "warning" : "success");
        } else {
          notice(form, (result.body.error && result.body.error.message) || form.dataset.failed, "danger");
        }
      }).catch(function () {
        form.submit();  // the network script failed: fall back to the plain form
      }).finally(function () {
        button.disabled = false;
      });
    });
  });
})();
