/* The check-in desk: camera scanning, search, offline queue. docs/checkin-api.md describes the API.
 *
 * Online, every check-in is sent at once (POST redeem). When the network is down, or the server does not
 * answer (an error 5xx, an answer that is not JSON, no answer within LIVE_SECONDS), the page decides from
 * the meeting's bundle (kept in localStorage, dropped after the meeting) and queues the check-in: a server
 * in trouble must never turn an approved delegate away. A 429 is the server saying it is too busy to look,
 * not a word about the person: the desk decides itself then too, and waits as long as Retry-After asks.
 * Only an answer of the server about the person (an unknown code, a cancelled registration) is "Do not let
 * in". The server is asked again after 2, 4, 8 … up to RETRY_MAX_SECONDS, and the queue is sent (POST sync)
 * once it answers again, and what the server found then (the person was let in at another desk meanwhile, or was
 * cancelled) is shown. Every check-in carries a UUID made here, so a check-in sent twice counts once. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("checkin-config").textContent);
  var S = config.strings;
  var BUNDLE_KEY = "prachum.checkin.bundle." + config.slug;
  var QUEUE_KEY = "prachum.checkin.queue." + config.slug;
  var $ = function (id) { return document.getElementById(id); };
  // A person waits at the door while the desk asks: after this long the desk decides from its own list.
  var LIVE_SECONDS = 4;
  // The bundle and a sync batch are bigger, and nobody waits for them.
  var BULK_SECONDS = 30;
  // While the server is not answering: the first retry after RETRY_FIRST_SECONDS, doubling up to the max.
  var RETRY_FIRST_SECONDS = 2;
  var RETRY_MAX_SECONDS = 30;
  var last = null; // the last green check-in: {client_id, code, session, queued}
  var shown = null; // the client_id of the queued check-in the result box speaks of
  var recent = {}; // code -> time it was last scanned (a code held in front of the camera is read once)
  var bundle = null;
  var byCode = {};

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function fmt(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, k) { return values[k]; });
  }
  function session() { var v = $("session").value; return v === "0" ? null : parseInt(v, 10); }
  function sessionKey() { return String(session() || 0); }
  function timeOf(iso) {
    try {
      return new Date(iso).toLocaleTimeString(config.lang === "lo" ? "lo-LA" : "en-GB",
        { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: config.time_zone });
    } catch (e) { return iso.slice(11, 16); }
  }

  // ------------------------------------------------------------------ storage
  function load(key, fallback) {
    try { var v = localStorage.getItem(key); return v ? JSON.parse(v) : fallback; } catch (e) { return fallback; }
  }
  function save(key, value) { try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* full */ } }
  function queue() { return load(QUEUE_KEY, []); }
  function setQueue(items) { save(QUEUE_KEY, items); showNet(); }

  function useBundle(data) {
    bundle = data; byCode = {};
    if (!data) return;
    data.people.forEach(function (row) { byCode[row[0]] = row; });
  }
  function dropBundleAfterMeeting() {
    // The bundle holds personal data: it leaves the device once the meeting is over.
    if (new Date() > new Date(config.ends_at)) {
      localStorage.removeItem(BUNDLE_KEY);
      if (!queue().length) localStorage.removeItem(QUEUE_KEY);
      return true;
    }
    return false;
  }
  function refreshBundle() {
    if (dropBundleAfterMeeting()) return Promise.resolve();
    return api("GET", config.api.bundle, undefined, BULK_SECONDS).then(function (data) {
      setState("online"); save(BUNDLE_KEY, data); useBundle(data);
    }).catch(function (err) { if (err.unreachable) lostServer(err); /* and keep what we have */ });
  }

  // ------------------------------------------------------------------ network
  // An error's `unreachable` is true when the server could not decide (no network, no answer in time,
  // 5xx, 408 or 429, not JSON): the desk decides then. Otherwise the server refused the request itself
  // (another 4xx, in JSON).
  function api(method, url, body, seconds) {
    var options = { method: method, credentials: "same-origin", headers: { "Accept": "application/json",
      "Accept-Language": config.lang } };
    if (body !== undefined) {
      options.body = JSON.stringify(body);
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRFToken"] = config.csrf_token;
    }
    var controller = window.AbortController ? new AbortController() : null;
    var timer = null;
    if (controller) {
      options.signal = controller.signal;
      timer = setTimeout(function () { controller.abort(); }, (seconds || LIVE_SECONDS) * 1000);
    }
    function fail(status, data, retryAfter) {
      var err = new Error("http"); err.status = status; err.data = data;
      err.unreachable = !status || status >= 500 || status === 408 || status === 429 || data === null;
      err.retryAfter = retryAfter || 0;
      throw err;
    }
    return fetch(url, options).then(function (response) {
      var isJson = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      return (isJson ? response.json() : Promise.reject()).catch(function () { return null; }).then(function (data) {
        clearTimeout(timer);
        if (!response.ok || data === null) {
          fail(response.status, data, parseInt(response.headers.get("Retry-After") || "0", 10));
        }
        return data;
      });
    }, function () { clearTimeout(timer); fail(0, null); });
  }
  // "online": the server answers; "offline": the device has no network; "unreachable": it has, but the
  // server does not answer. Only "online" asks the server before deciding.
  var state = navigator.onLine ? "online" : "offline";
  var retryDelay = RETRY_FIRST_SECONDS; // the next wait, while the server is not answering
  var retryAt = 0; // when to ask it again (ms)
  function setState(value) {
    if (value === "online") retryDelay = RETRY_FIRST_SECONDS;
    state = value; showNet();
  }
  function lostServer(err) {
    var wait = Math.max(retryDelay, (err && err.retryAfter) || 0);
    retryAt = Date.now() + wait * 1000;
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX_SECONDS);
    setState(navigator.onLine ? "unreachable" : "offline");
  }
  function showNet() {
    var n = queue().length;
    var text = S[state];
    if (n) text += " · " + fmt(S.pending, { n: n });
    $("net").textContent = text;
    $("net").className = "desk__net desk__net--" + state;
    $("net").dataset.state = state;
  }

  // ------------------------------------------------------------------ result
  var audio = null;
  function beep(colour) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var tones = { green: [880], amber: [660, 660], red: [220, 180] }[colour] || [440];
      tones.forEach(function (freq, i) {
        var osc = audio.createOscillator(), gain = audio.createGain();
        osc.frequency.value = freq; osc.type = colour === "red" ? "square" : "sine";
        gain.gain.value = 0.2; osc.connect(gain); gain.connect(audio.destination);
        var t = audio.currentTime + i * 0.2; osc.start(t); osc.stop(t + 0.15);
      });
    } catch (e) { /* no sound on this device */ }
  }
  function show(data) {
    var colour = data.colour || (data.outcome === "ok" ? "green" : data.outcome === "refused" ? "red" : "amber");
    var box = $("result");
    box.className = "result result--" + colour;
    box.dataset.outcome = data.outcome;
    $("result-title").textContent = S[data.outcome] || data.outcome;
    var p = data.person || {};
    $("result-name").textContent = p.name || "";
    $("result-name-lo").textContent = p.name_lo || "";
    $("result-meta").textContent = [p.delegation, p.category].filter(Boolean).join(" · ");
    var message = data.message || "";
    if (data.queued) message = data.queued === "server" ? S.queued_server : S.queued;
    $("result-message").textContent = message;
    shown = data.queued ? data.client_id : null;
    var link = $("print-badge");
    if (config.badge_url && p.id) {
      link.href = config.badge_url.replace("999999999", String(p.id));
      link.textContent = S.print_badge; link.hidden = false;
    } else { link.hidden = true; }
    beep(colour);
  }
  function setCounter(c) {
    if (!c) return;
    $("count-in").textContent = c.checked_in; $("count-expected").textContent = c.expected;
  }
  function localCounter() {
    if (!bundle) return;
    var key = sessionKey(), seen = {};
    (bundle.checked_in[key] || []).forEach(function (e) { seen[e[0]] = 1; });
    queue().forEach(function (q) { if (String(q.session || 0) === key) seen[q.code] = 1; });
    var expected = bundle.people.filter(function (r) { return r[5] === "a"; }).length;
    setCounter({ checked_in: Object.keys(seen).length, expected: expected });
  }
  function refreshCounter() {
    var url = config.api.counter + "?session=" + sessionKey();
    return api("GET", url).then(function (data) { setState("online"); setCounter(data); })
      .catch(function (err) { if (err.unreachable) lostServer(err); localCounter(); });
  }

  // ------------------------------------------------------------------ offline decision, from the bundle
  // As the server compares names (prachum.core.identity.search_key): ຳ and ໍ + າ are one, invisible
  // joiners and soft hyphens hide nothing.
  function searchKey(text) {
    return String(text).replace(/[\u200b-\u200d\u2060\ufeff\u00ad]/g, "").normalize("NFKC").toLowerCase();
  }
  function personOf(row) {
    var names = typeof row[3] === "number" ? bundle.delegations[row[3]] : [row[3]];
    var category = bundle.categories[row[4]] || ["", ""];
    return { id: row[6], name: row[1], name_lo: row[2], delegation: names[0], category: category[0], colour: category[1],
      searchable: searchKey([row[1], row[2]].concat(names).join(" ")) };
  }
  var REFUSAL_OF_STATUS = { c: "cancelled", r: "rejected", p: "not_approved", w: "waitlisted", o: "online" };
  function decideLocally(code, clientId) {
    // Without a list, or a code missing from it (registered after it was loaded?), nothing is known
    // about the person: not "do not let in", which only the server, or its list, may say.
    if (!bundle) return { outcome: "failed", colour: "amber", message: S.bundle_missing };
    var row = byCode[code];
    if (!row) return { outcome: "failed", colour: "amber", message: S.not_in_list };
    var person = personOf(row);
    if (row[5] !== "a") {
      return { outcome: "refused", colour: "red", person: person, message: S.refusals[REFUSAL_OF_STATUS[row[5]]] };
    }
    var key = sessionKey();
    var earlier = (bundle.checked_in[key] || []).filter(function (e) { return e[0] === code; })[0];
    var queued = queue().filter(function (q) { return q.code === code && String(q.session || 0) === key; })[0];
    if (earlier || queued) {
      var at = earlier ? new Date(earlier[1] * 1000).toISOString() : queued.checked_in_at;
      return { outcome: "already", colour: "amber", person: person, message: fmt(S.already_at, { time: timeOf(at) }) };
    }
    var item = { client_id: clientId, code: code, session: session(), checked_in_at: new Date().toISOString() };
    var items = queue(); items.push(item); setQueue(items);
    last = { client_id: clientId, code: code, session: session(), queued: true };
    $("undo").disabled = false;
    return { outcome: "ok", colour: "green", person: person, client_id: clientId,
      queued: state === "offline" ? "network" : "server" };
  }

  // ------------------------------------------------------------------ check in
  var CODE = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{12}$/;
  function checkIn(raw) {
    var code = String(raw || "").replace(/[\s-]/g, "").toUpperCase();
    if (!CODE.test(code)) {
      show({ outcome: "failed", colour: "amber", message: S.refusals.unreadable }); return Promise.resolve();
    }
    var clientId = uuid();
    if (state !== "online") {
      // The server was not answering a moment ago: the person is not kept waiting for it again.
      show(decideLocally(code, clientId)); localCounter(); return Promise.resolve();
    }
    var body = { code: code, session: session(), client_id: clientId };
    return api("POST", config.api.redeem, body).then(function (data) {
      setState("online");
      if (data.outcome === "ok") {
        last = { client_id: clientId, code: code, session: session(), queued: false };
        $("undo").disabled = false;
        rememberCheckedIn(code, session(), Date.now() / 1000);
      }
      show(data); setCounter(data.counter);
    }).catch(function (err) {
      if (err.unreachable) {
        // The same client_id: if the server did store it before failing, the sync counts it once.
        lostServer(err); show(decideLocally(code, clientId)); localCounter();
      } else {
        // The server refused the request (not the person): say so, without "do not let in".
        var message = (err.data && err.data.error && err.data.error.message) || S.error;
        show({ outcome: "failed", colour: "amber", message: message });
      }
    });
  }
  function rememberCheckedIn(code, sessionId, at) {
    if (!bundle) return;
    var key = String(sessionId || 0);
    (bundle.checked_in[key] = bundle.checked_in[key] || []).push([code, at]);
    save(BUNDLE_KEY, bundle);
  }

  function undo() {
    if (!last) { setResultMessage(S.nothing_to_undo); return; }
    var target = last;
    var items = queue();
    var left = items.filter(function (q) { return q.client_id !== target.client_id; });
    if (left.length !== items.length) {
      setQueue(left); last = null; $("undo").disabled = true;
      setResultMessage(S.undone); localCounter(); return;
    }
    api("POST", config.api.undo, { client_id: target.client_id }).then(function (data) {
      last = null; $("undo").disabled = true;
      if (bundle) {
        var key = sessionKey();
        bundle.checked_in[key] = (bundle.checked_in[key] || []).filter(function (e) { return e[0] !== target.code; });
        save(BUNDLE_KEY, bundle);
      }
      setResultMessage(S.undone); setCounter(data.counter);
    }).catch(function () { setResultMessage(S.error); });
  }
  function setResultMessage(text) {
    $("result").className = "result result--idle"; $("result-title").textContent = text;
    ["result-name", "result-name-lo", "result-meta", "result-message"].forEach(function (id) { $(id).textContent = ""; });
    $("print-badge").hidden = true;
  }

  // ------------------------------------------------------------------ sync
  var syncing = false;
  function syncQueue() {
    var items = queue();
    if (syncing || !items.length) return Promise.resolve();
    syncing = true;
    var batch = items.slice(0, 500);
    var sent = {};
    batch.forEach(function (q) { sent[q.client_id] = q; });
    return api("POST", config.api.sync, { sent_at: new Date().toISOString(), items: batch }, BULK_SECONDS)
      .then(function (data) {
        setState("online");
        var done = {}, refusedNow = {};
        (data.results || []).forEach(function (r) {
          var item = r.client_id && sent[r.client_id];
          if (!item) return;
          done[r.client_id] = 1;
          if (r.outcome === "refused") refusedNow[r.client_id] = 1;
          if (r.outcome === "ok") rememberCheckedIn(item.code, item.session, Date.parse(item.checked_in_at) / 1000);
          var note = syncNote(r, item);
          if (note) addSyncNote(note);
          if (shown === r.client_id) settleShown(r, note);
        });
        setQueue(queue().filter(function (q) { return !done[q.client_id]; }));
        if (last && done[last.client_id]) last.queued = false;
        if (last && refusedNow[last.client_id]) { last = null; $("undo").disabled = true; } // nothing stored to undo
        syncing = false;
        if (queue().length) return syncQueue();
        refreshBundle(); refreshCounter();
      }).catch(function (err) {
        syncing = false;
        if (err.unreachable) lostServer(err); else showNet();
      });
  }
  // What the server found about one queued check-in, in the page's language; "" when it was stored as is.
  function syncNote(result, item) {
    var name = (result.person && result.person.name) || item.code;
    if (result.outcome === "conflict" && result.checkin) {
      var values = { name: name, time: timeOf(result.checkin.checked_in_at), by: result.checkin.by };
      return fmt(values.by ? S.sync_conflict_by : S.sync_conflict, values);
    }
    if (result.outcome === "refused") {
      return fmt(S.sync_refused, { name: name, reason: S.refusals[result.code] || result.message });
    }
    return "";
  }
  // The result box still speaks of a queued check-in: it says now what the server made of it.
  function settleShown(result, note) {
    shown = null;
    $("result-message").textContent = note || S.sent;
    if (!note) return;
    var box = $("result");
    box.className = "result result--" + (result.outcome === "refused" ? "red" : "amber");
    box.dataset.outcome = result.outcome;
    $("result-title").textContent = S[result.outcome] || result.outcome;
  }
  function addSyncNote(text) {
    var li = document.createElement("li");
    li.textContent = text;
    $("sync-notes-list").appendChild(li);
    $("sync-notes").hidden = false;
  }

  // ------------------------------------------------------------------ search
  var searchTimer = null;
  function renderResults(people) {
    var list = $("search-results");
    list.textContent = "";
    if (!people.length) { var li = document.createElement("li"); li.className = "muted"; li.textContent = S.no_results; list.appendChild(li); return; }
    people.forEach(function (p) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button"; button.className = "search-result";
      button.dataset.code = p.code;
      var name = document.createElement("strong"); name.textContent = p.name; button.appendChild(name);
      if (p.name_lo) { var lo = document.createElement("span"); lo.lang = "lo"; lo.textContent = " " + p.name_lo; button.appendChild(lo); }
      var meta = document.createElement("span"); meta.className = "small";
      meta.textContent = " · " + [p.delegation, p.category].filter(Boolean).join(" · ");
      button.appendChild(meta);
      button.addEventListener("click", function () { checkIn(p.code); });
      li.appendChild(button); list.appendChild(li);
    });
  }
  function searchLocally(q) {
    if (!bundle) return [];
    var words = searchKey(q).split(/\s+/).filter(Boolean);
    return bundle.people.filter(function (row) {
      var hay = personOf(row).searchable;
      return words.every(function (w) { return hay.indexOf(w) >= 0; });
    }).slice(0, 20).map(function (row) { var p = personOf(row); p.code = row[0]; return p; });
  }
  function search() {
    var q = $("search-input").value.trim();
    if (q.length < 2) { $("search-results").textContent = ""; return; }
    if (state !== "online") { renderResults(searchLocally(q)); return; }
    api("GET", config.api.search + "?q=" + encodeURIComponent(q) + "&session=" + sessionKey()).then(function (data) {
      renderResults(data.results || []);
    }).catch(function (err) {
      if (err.unreachable) { lostServer(err); renderResults(searchLocally(q)); }
    });
  }

  // ------------------------------------------------------------------ camera
  var reader = null;
  function makeReader() {
    if ("BarcodeDetector" in window) {
      // The browser's own detector, where it has one (Android, macOS): no WebAssembly to load.
      return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        if (formats.indexOf("qr_code") < 0) throw new Error("no qr");
        var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        return function (canvas) { return detector.detect(canvas).then(function (r) { return r.length ? r[0].rawValue : null; }); };
      }).catch(zxingReader);
    }
    return Promise.resolve(zxingReader());
  }
  function zxingReader() {
    // zxing-wasm, vendored: the .wasm comes from this server, never from a CDN.
    window.ZXingWASM.prepareZXingModule({
      overrides: { locateFile: function (path, prefix) { return path.endsWith(".wasm") ? config.decoder.wasm : prefix + path; } },
      fireImmediately: true,
    });
    return function (canvas, context) {
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      return window.ZXingWASM.readBarcodes(image, { formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 1 })
        .then(function (r) { return r.length && r[0].isValid ? r[0].text : null; });
    };
  }
  function startCamera() {
    var video = $("video"), canvas = $("frame");
    var context = canvas.getContext("2d", { willReadFrequently: true });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (stream) {
      video.srcObject = stream; video.hidden = false; video.play();
      $("camera-start").hidden = true;
      return makeReader();
    }).then(function (read) {
      reader = read;
      var busy = false;
      setInterval(function () {
        if (busy || !video.videoWidth) return;
        busy = true;
        canvas.width = video.videoWidth; canvas.height = video.videoHeight;
        context.drawImage(video, 0, 0);
        reader(canvas, context).then(function (text) {
          busy = false;
          if (!text) return;
          var now = Date.now();
          if (recent[text] && now - recent[text] < 4000) return;
          recent[text] = now;
          checkIn(text);
        }).catch(function () { busy = false; });
      }, 300);
    }).catch(function () { setResultMessage(S.camera_failed); });
  }

  // ------------------------------------------------------------------ start
  function probe() {
    if (state === "offline" && !navigator.onLine) return;
    if (queue().length) syncQueue(); else refreshCounter();
  }

  function start() {
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(config.service_worker, { scope: config.scope }).catch(function () { });
    }
    if (window.caches && navigator.onLine) {
      // The decoder's .wasm is loaded only when the camera starts: keep it now, while there is a network.
      caches.open("prachum-checkin-v1").then(function (c) {
        return c.addAll([location.pathname, config.decoder.script, config.decoder.wasm, config.decoder.app,
          config.decoder.css, config.decoder.site_css]);
      }).catch(function () { });
    }
    if (!dropBundleAfterMeeting()) useBundle(load(BUNDLE_KEY, null));
    showNet(); localCounter();
    refreshBundle().then(function () { if (!queue().length) refreshCounter(); syncQueue(); });
    $("camera-start").addEventListener("click", startCamera);
    $("code-form").addEventListener("submit", function (e) {
      e.preventDefault(); var v = $("code-input").value; $("code-input").value = ""; checkIn(v);
    });
    $("search-input").addEventListener("input", function () { clearTimeout(searchTimer); searchTimer = setTimeout(search, 250); });
    $("undo").addEventListener("click", undo);
    $("session").addEventListener("change", function () { last = null; $("undo").disabled = true; refreshCounter(); });
    window.addEventListener("online", probe);
    window.addEventListener("offline", function () { setState("offline"); });
    // While the server is not answering it is asked again (a sync, or the counter) when lostServer's
    // backoff says; while it answers, every ten seconds (the counter moves with the other desks).
    var lastProbe = Date.now();
    setInterval(function () {
      var now = Date.now();
      if (state === "online" ? now - lastProbe >= 10000 : now >= retryAt) { lastProbe = now; probe(); }
    }, 1000);
    document.body.dataset.checkinReady = "1";
  }
  start();
})();
