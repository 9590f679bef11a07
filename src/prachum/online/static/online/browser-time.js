// Where the browser's time zone is neither the meeting's nor the one guessed from the delegation,
// add the session's time in the browser's zone (progressive enhancement: without it the page still
// shows the meeting's time and the delegation's).
(function () {
  var section = document.querySelector("[data-meeting-zone]");
  if (!section || !window.Intl) return;
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone || zone === section.dataset.meetingZone || zone === section.dataset.ownZone) return;
  var lang = document.documentElement.lang || "en";
  var time = new Intl.DateTimeFormat(lang, {hour: "2-digit", minute: "2-digit", hour12: false, timeZone: zone});
  var day = new Intl.DateTimeFormat(lang, {weekday: "short", day: "numeric", month: "short", timeZone: zone});
  var name = new Intl.DateTimeFormat(lang, {timeZone: zone, timeZoneName: "short"});
  section.querySelectorAll("[data-browser-time]").forEach(function (el) {
    var start = new Date(el.dataset.start), end = new Date(el.dataset.end);
    var zoneName = (name.formatToParts(start).find(function (p) { return p.type === "timeZoneName"; }) || {}).value || zone;
    el.textContent = " · " + day.format(start) + ", " + time.format(start) + "–" + time.format(end) + " " + zone.split("/").pop().replace(/_/g, " ") + " (" + zoneName + ")";
    el.hidden = false;
  });
})();
