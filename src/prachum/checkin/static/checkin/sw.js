/* The check-in desk's service worker: keeps the app (its page, script, styles and the QR decoder) so
 * that the desk opens and scans without the network. It never touches /api/: check-ins and the
 * participant bundle go to the network, and the page keeps its own offline copy and queue. */
"use strict";
var CACHE = "prachum-checkin-v1";

self.addEventListener("install", function (event) { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("prachum-checkin-") === 0 && k !== CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function isAppAsset(url) {
  return url.pathname.indexOf("/static/") === 0 && (
    url.pathname.indexOf("/checkin/") >= 0 || url.pathname.indexOf("/prachum/css/") >= 0 ||
    url.pathname.indexOf("/prachum/fonts/") >= 0);
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) return;
  if (request.mode === "navigate") {
    // The page: the network first (fresh CSRF token, sessions), the last copy when offline.
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok) { var copy = response.clone(); caches.open(CACHE).then(function (c) { c.put(request, copy); }); }
      return response;
    }).catch(function () {
      return caches.match(request, { ignoreSearch: true }).then(function (hit) { return hit || Response.error(); });
    }));
    return;
  }
  if (isAppAsset(url)) {
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) { var copy = response.clone(); caches.open(CACHE).then(function (c) { c.put(request, copy); }); }
        return response;
      });
    }));
  }
});
