/* The check-in desk's service worker: keeps the app (its page, script, styles and the QR decoder) so
 * that the desk opens and scans without the network, and when the server is in trouble (an error 5xx, or
 * no answer within NAVIGATION_SECONDS): the desk then decides from its own list, and its last copy is
 * better than an error page at the door. It never touches /api/: check-ins and the participant bundle
 * go to the network, and the page keeps its own offline copy and queue. */
"use strict";
var CACHE = "prachum-checkin-v1";
var NAVIGATION_SECONDS = 5;

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
    event.respondWith(navigate(request));
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

// The page: the network first (fresh CSRF token, sessions); the last copy when the network fails, the
// server answers 5xx, or it takes too long. Without a copy, whatever the server says.
function navigate(request) {
  var network = fetch(request).then(function (response) {
    if (response.ok) { var copy = response.clone(); caches.open(CACHE).then(function (c) { c.put(request, copy); }); }
    return response;
  });
  var late = new Promise(function (resolve) { setTimeout(resolve, NAVIGATION_SECONDS * 1000, null); });
  return Promise.race([network.catch(function () { return null; }), late]).then(function (response) {
    if (response && response.status < 500) return response;
    return caches.match(request, { ignoreSearch: true }).then(function (hit) {
      return hit || response || network.catch(function () { return Response.error(); });
    });
  });
}
