/* Registration form: show only the questions that apply to the chosen category and whose condition
   is met; hidden questions are disabled, so they are neither sent nor checked by the browser.
   Without JavaScript every question is shown and the server ignores those that do not apply. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-registration-form]");
  if (form) {
    var values = function (name) {
      var out = [];
      form.querySelectorAll("[name]").forEach(function (el) {
        if (el.name !== name || el.disabled) { return; }
        if (el.type === "radio" || el.type === "checkbox") {
          if (el.checked) { out.push(el.value); }
        } else if (el.value) {
          out.push(el.value);
        }
      });
      return out;
    };
    var update = function () {
      var category = form.getAttribute("data-category") || values("category")[0] || "";
      var boxes = form.querySelectorAll("[data-question]");
      // Twice: a question may depend on one that comes after it.
      for (var pass = 0; pass < 2; pass += 1) {
        boxes.forEach(function (box) {
          var show = true;
          var categories = box.getAttribute("data-categories");
          if (categories) { show = categories.split(" ").indexOf(category) !== -1; }
          var field = box.getAttribute("data-show-if-field");
          if (show && field) {
            var wanted = (box.getAttribute("data-show-if-value") || "").toLowerCase();
            show = values(field).some(function (v) { return v.toLowerCase() === wanted; });
          }
          box.hidden = !show;
          box.querySelectorAll("input, select, textarea").forEach(function (el) { el.disabled = !show; });
        });
      }
    };
    form.addEventListener("change", update);
    form.addEventListener("input", update);
    update();
  }
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
}());
