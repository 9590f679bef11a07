/* Times of an online or hybrid meeting in the visitor's own time zone, beside the meeting's.
 *
 * The page always shows the times in the meeting's zone (rendered by the server). Each
 * [data-visitor-time] element holds two <time datetime="…Z"> elements (start and end, in UTC) and
 * one [data-visitor-zone] element; it stays hidden unless this script runs and the visitor's clock
 * reads differently from the meeting's (and from the zone in data-own-zone, where the participant's
 * private page shows their delegation's clock already). Then it reads, e.g.
 *   In your time zone: 10 September 2020, 16:00–18:30 (Tokyo, UTC+9)
 * The city is the one window.prachumZoneCities gives for the browser's zone id, in the page's language
 * (static/meetings/zone-cities/<language>.js, meetings/zone_cities.py), else the id's last part.
 * Dates are written by Intl.DateTimeFormat in the page's language where the browser has that
 * language's data; some builds of Chromium have no Lao dates, and there the month names the server
 * put on this script's data-months are used instead (never English dates on a Lao page). No library.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!window.Intl || !Intl.DateTimeFormat || !Date.prototype.getTimezoneOffset) { return; }

  var pageLanguage = document.documentElement.lang || "en";
  var locale = pageLanguage === "en" ? "en-GB" : pageLanguage;  // "10 September 2020", as the server writes
  var months = ((script && script.getAttribute("data-months")) || "").split(",");
  var intlDate = null;
  if (Intl.DateTimeFormat.supportedLocalesOf([locale]).length) {
    intlDate = new Intl.DateTimeFormat(locale, { day: "numeric", month: "long", year: "numeric" });
  }

  function two(n) { return (n < 10 ? "0" : "") + n; }

  function writeDate(date) {  // in the visitor's zone
    if (intlDate) { return intlDate.format(date); }
    if (months.length === 12) { return date.getDate() + " " + months[date.getMonth()] + " " + date.getFullYear(); }
    return date.getFullYear() + "-" + two(date.getMonth() + 1) + "-" + two(date.getDate());
  }

  function writeTime(date) { return two(date.getHours()) + ":" + two(date.getMinutes()); }

  function dayOf(date) { return date.getFullYear() * 10000 + date.getMonth() * 100 + date.getDate(); }

  function writeOffset(date) {  // UTC+7, UTC+5:30, UTC−4
    var minutes = -date.getTimezoneOffset();
    var sign = minutes < 0 ? "\u2212" : "+";
    minutes = Math.abs(minutes);
    return "UTC" + sign + Math.floor(minutes / 60) + (minutes % 60 ? ":" + two(minutes % 60) : "");
  }

  function visitorZoneName() {
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (error) { zone = ""; }
    if (!zone || zone === "UTC" || zone === "Etc/UTC") { return ""; }
    // The city in the page's language (zone-cities/<language>.js, loaded before this script), else from the id.
    var cities = window.prachumZoneCities || {};
    if (Object.prototype.hasOwnProperty.call(cities, zone)) { return cities[zone]; }
    return zone.split("/").pop().replace(/_/g, " ");
  }

  // The wall clock of a moment in a zone, locale-independent, to compare the two zones.
  function clockIn(date, timeZone) {
    var options = { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    if (timeZone) { options.timeZone = timeZone; }
    return new Intl.DateTimeFormat("en-GB", options).format(date);
  }

  function sameClock(start, end, meetingZone) {
    try {
      return clockIn(start) === clockIn(start, meetingZone) && clockIn(end) === clockIn(end, meetingZone);
    } catch (error) {  // a zone this browser does not know: show the visitor's times
      return false;
    }
  }

  function show(element) {
    var times = element.querySelectorAll("time[datetime]");
    var zone = element.querySelector("[data-visitor-zone]");
    if (times.length !== 2) { return; }
    var start = new Date(times[0].getAttribute("datetime"));
    var end = new Date(times[1].getAttribute("datetime"));
    if (isNaN(start.getTime()) || isNaN(end.getTime())) { return; }
    // Nothing to add where the page shows the visitor's clock already: the meeting's, or the participant's own.
    if (sameClock(start, end, element.getAttribute("data-meeting-zone"))) { return; }
    var ownZone = element.getAttribute("data-own-zone");
    if (ownZone && sameClock(start, end, ownZone)) { return; }

    times[0].textContent = writeDate(start) + ", " + writeTime(start);
    times[1].textContent = dayOf(start) === dayOf(end) ? writeTime(end) : writeDate(end) + ", " + writeTime(end);
    if (zone) {
      var name = visitorZoneName();
      zone.textContent = "(" + (name ? name + ", " : "") + writeOffset(start) + ")";
    }
    element.hidden = false;
  }

  function showAll() {
    var elements = document.querySelectorAll("[data-visitor-time]");
    for (var i = 0; i < elements.length; i++) { show(elements[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showAll);
  } else {
    showAll();
  }
})();
