// The staff booking form: a free time picked from the finder fills in the practitioner, date
// and time fields.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-fill-time]");
    if (!button) return;
    var fields = { id_practitioner: "fillPractitioner", id_date: "fillDate", id_time: "fillTime" };
    Object.keys(fields).forEach(function (id) {
      var field = document.getElementById(id);
      if (field) field.value = button.dataset[fields[id]];
    });
    document.querySelectorAll("[data-fill-time][aria-pressed]").forEach(function (other) {
      other.removeAttribute("aria-pressed");
    });
    button.setAttribute("aria-pressed", "true");
  });
})();
