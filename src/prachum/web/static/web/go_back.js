// The "try again" page after a form could not be saved: going back in history, not loading the form afresh,
// brings the person's answers back (the browser keeps a form's state in its history entry).
document.querySelectorAll("[data-go-back]").forEach(function (link) {
  link.addEventListener("click", function (event) {
    if (window.history.length > 1) {
      event.preventDefault();
      window.history.back();
    }
  });
});
