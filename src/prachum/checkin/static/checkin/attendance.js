/* The attendance page: choosing another session shows it at once (without script, the Show button does). */
document.addEventListener("DOMContentLoaded", function () {
  var select = document.getElementById("session");
  if (select && select.form) {
    select.addEventListener("change", function () { select.form.submit(); });
  }
});
