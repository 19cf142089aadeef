// ElectroPluz: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // Submit a form when one of its [data-autosubmit] controls changes (sort, page size).
  document.querySelectorAll("[data-autosubmit]").forEach(function (control) {
    control.addEventListener("change", function () { control.form && control.form.submit(); });
  });
})();
