/* The cadre's scanner: member codes (camera via BarcodeDetector when the browser has it, or typed
 * into the input) go into a queue kept in localStorage, each with a client nonce; the queue is
 * posted to the sync endpoint whenever the network is there. Offline, or when a post fails, the
 * scans stay queued and are retried on the 'online' event and every few seconds. The server is
 * idempotent on the nonce, so a retry after a lost answer never makes a second record. */
(function () {
  "use strict";
  var root = document.getElementById("scanner");
  if (!root) { return; }
  var syncUrl = root.dataset.syncUrl;
  var csrf = root.dataset.csrf;
  var key = "gonghui-checkin-" + root.dataset.session;
  var texts = {};
  document.getElementById("msg-texts").content.querySelectorAll("[data-k]").forEach(function (el) {
    texts[el.dataset.k] = el.textContent;
  });
  var $ = function (id) { return root.querySelector("[data-testid=" + id + "]"); };

  function load() {
    try {
      var s = JSON.parse(localStorage.getItem(key) || "null");
      if (s && Array.isArray(s.queue) && Array.isArray(s.results)) { return s; }
    } catch (e) { /* a damaged entry starts afresh */ }
    return { queue: [], results: [], counts: { created: 0, duplicate: 0, refused: 0 } };
  }
  var state = load();
  function save() { localStorage.setItem(key, JSON.stringify(state)); }

  function uuid() {
    if (window.crypto && typeof crypto.randomUUID === "function") { return crypto.randomUUID(); }
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function render() {
    $("pending").textContent = String(state.queue.length);
    $("synced").textContent = String(state.counts.created);
    $("duplicates").textContent = String(state.counts.duplicate);
    $("refused").textContent = String(state.counts.refused);
    var list = $("results");
    list.textContent = "";
    var rows = state.queue.map(function (q) { return { status: "pending", message: texts.queued, name: "", at: q.at.slice(11, 16) }; })
      .concat(state.results.slice(0, 50));
    rows.forEach(function (r) {
      var li = document.createElement("li");
      li.className = r.status;
      li.dataset.status = r.status;
      var who = document.createElement("span");
      who.textContent = (r.name ? r.name + " · " : "") + (r.at || "");
      var what = document.createElement("span");
      what.textContent = r.message;
      li.appendChild(who);
      li.appendChild(what);
      list.appendChild(li);
    });
  }

  function network(msg) { $("network").textContent = msg; }

  function enqueue(code) {
    code = (code || "").trim();
    if (!code) { return; }
    state.queue.push({ code: code, nonce: uuid(), at: new Date().toISOString() });
    save();
    render();
    flush();
  }

  var busy = false;
  function flush() {
    if (busy || state.queue.length === 0) { return; }
    if (!navigator.onLine) { network(texts.offline); return; }
    busy = true;
    var batch = state.queue.slice(0, 200);
    fetch(syncUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify({ scans: batch })
    }).then(function (resp) {
      if (resp.type === "opaqueredirect" || resp.status === 401 || resp.status === 403) { network(texts.login); return null; }
      if (!resp.ok) { network(texts.failed); return null; }
      return resp.json();
    }).then(function (data) {
      if (!data || !Array.isArray(data.results)) { return; }
      var answered = {};
      data.results.forEach(function (r) {
        answered[r.nonce] = true;
        state.counts[r.status] = (state.counts[r.status] || 0) + 1;
        state.results.unshift(r);
      });
      state.queue = state.queue.filter(function (q) { return !answered[q.nonce]; });
      state.results = state.results.slice(0, 200);
      save();
      network(texts.online);
    }).catch(function () {
      network(texts.failed);  // network loss mid-request: the scans stay queued
    }).finally(function () {
      busy = false;
      render();
    });
  }

  root.querySelector("[data-testid=code-form]").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var input = ev.target.elements.code;
    enqueue(input.value);
    input.value = "";
    input.focus();
  });
  window.addEventListener("online", function () { network(texts.online); flush(); });
  window.addEventListener("offline", function () { network(texts.offline); });
  setInterval(flush, 5000);

  // Camera scanning where the browser offers BarcodeDetector (Chrome on Android, for instance).
  var camButton = root.querySelector("[data-action=camera]");
  if ("BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    camButton.hidden = false;
    camButton.addEventListener("click", function () {
      var box = root.querySelector(".camera");
      var video = box.querySelector("video");
      var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      var last = { code: "", t: 0 };
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream;
        box.hidden = false;
        camButton.hidden = true;
        return video.play();
      }).then(function () {
        setInterval(function () {
          detector.detect(video).then(function (found) {
            found.forEach(function (f) {
              var now = Date.now();
              if (f.rawValue === last.code && now - last.t < 3000) { return; }  // the same code held in view
              last = { code: f.rawValue, t: now };
              enqueue(f.rawValue);
            });
          }).catch(function () { /* a frame that cannot be read */ });
        }, 300);
      }).catch(function () { network(texts.nocamera); });
    });
  }

  render();
  if (!navigator.onLine) { network(texts.offline); }
  flush();
})();
