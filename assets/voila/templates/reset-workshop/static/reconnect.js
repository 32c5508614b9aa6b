/* When the page loses its kernel, say so and offer a one-tap reconnect.
 *
 * This runs in the browser because the kernel may be gone: a server restarted or stopped, a
 * kernel killed or reclaimed, a phone whose network dropped while it slept. It is loaded in
 * the page head, before Voila's own scripts, and watches the kernel websockets those scripts
 * open (the URL holds /api/kernels/<id>/channels):
 *
 * - the socket closes and no new kernel socket opens within a moment (a short network blip
 *   reconnects by itself and shows nothing);
 * - or the kernel reports on iopub that it is "restarting" or "dead": the server started a
 *   fresh kernel, or gave up, and what the page showed is no longer backed by anything.
 *
 * "Reconnect" first checks that the server answers (so a person never lands on the browser's
 * error page), then reloads the page; the participant page then resumes by itself with the
 * code this browser remembers (workshop/app/device.py).
 *
 * Kernel frames use the v1 websocket framing: an 8-byte little-endian count N, N 8-byte
 * offsets, then the channel name, header, parent header, metadata and content.
 */
(function () {
  "use strict";
  var Native = window.WebSocket;
  if (!Native || window.rrConnection) { return; }
  var GRACE_MS = 2000;
  var PROBE = (document.currentScript && document.currentScript.src) || window.location.href;
  var state = { lost: false, final: false, leaving: false, timer: null, notice: null };
  var decoder = window.TextDecoder ? new window.TextDecoder() : null;

  function isKernel(url) { return /\/api\/kernels\/[^/]+\/channels/.test(String(url)); }

  function part(data, view, count, i) {
    var start = view.getUint32(8 + 8 * i, true);
    var end = i + 1 < count ? view.getUint32(16 + 8 * i, true) : data.byteLength;
    return decoder.decode(new Uint8Array(data, start, Math.max(0, end - start)));
  }

  function kernelState(data) {  // execution_state of an iopub status message, else ""
    try {
      if (typeof data === "string") {
        var msg = JSON.parse(data);
        return msg.channel === "iopub" && msg.header && msg.header.msg_type === "status"
          ? String(msg.content.execution_state || "") : "";
      }
      if (!decoder || !(data instanceof ArrayBuffer) || data.byteLength < 56) { return ""; }
      var view = new DataView(data);
      var count = view.getUint32(0, true);
      if (count < 6 || count > 64 || 8 + 8 * count > data.byteLength) { return ""; }
      if (part(data, view, count, 0) !== "iopub") { return ""; }
      var header = part(data, view, count, 1);
      if (header.indexOf("status") < 0 || JSON.parse(header).msg_type !== "status") { return ""; }
      return String(JSON.parse(part(data, view, count, 4)).execution_state || "");
    } catch (e) {
      return "";
    }
  }

  function words() {
    var participant = document.querySelector(".rr-participant");
    return {
      title: participant ? "Connection lost — your answers up to now are saved."
                         : "Connection lost — everything saved so far is kept.",
      hint: participant ? "Tap Reconnect to carry on where you left off."
                        : "Reconnect to carry on."
    };
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    node.className = cls;
    if (text) { node.textContent = text; }
    return node;
  }

  function reconnect(button, hint) {
    button.disabled = true;
    button.textContent = "Reconnecting…";
    fetch(PROBE, { cache: "no-store", credentials: "same-origin" }).then(function (reply) {
      if (!reply.ok) { throw new Error(String(reply.status)); }
      state.leaving = true;
      window.location.reload();
    }).catch(function () {
      button.disabled = false;
      button.textContent = "Try again";
      hint.textContent = "The workshop server cannot be reached yet. " +
        "Check your network, then try again in a moment.";
    });
  }

  function show() {
    if (state.leaving || state.notice) { return; }
    state.lost = true;
    var said = words();
    var box = el("div", "rr-connection-lost");
    box.setAttribute("role", "alert");
    var text = el("div", "rr-connection-words");
    text.appendChild(el("p", "rr-connection-title", said.title));
    var hint = el("p", "rr-connection-hint", said.hint);
    text.appendChild(hint);
    var button = el("button", "rr-reconnect", "Reconnect");
    button.type = "button";
    button.addEventListener("click", function () { reconnect(button, hint); });
    box.appendChild(text);
    box.appendChild(button);
    document.body.appendChild(box);
    document.body.classList.add("rr-offline");
    state.notice = box;
  }

  function hide() {
    if (state.final || !state.notice) { return; }
    state.notice.parentNode.removeChild(state.notice);
    state.notice = null;
    state.lost = false;
    document.body.classList.remove("rr-offline");
  }

  function watch(socket) {
    socket.addEventListener("open", function () {
      clearTimeout(state.timer);
      hide();  // the same kernel answers again (a network blip): nothing was lost
    });
    socket.addEventListener("message", function (event) {
      var now = kernelState(event.data);
      if (now === "restarting" || now === "autorestarting" || now === "dead") {
        state.final = true;  // a fresh kernel knows nothing of this page
        show();
      }
    });
    socket.addEventListener("close", function () {
      if (state.leaving) { return; }
      clearTimeout(state.timer);
      state.timer = setTimeout(show, GRACE_MS);
    });
  }

  function Watched(url, protocols) {
    var socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
    if (isKernel(url)) { watch(socket); }
    return socket;
  }
  Watched.prototype = Native.prototype;
  ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (name) {
    Watched[name] = Native[name];
  });
  window.WebSocket = Watched;
  window.addEventListener("pagehide", function () { state.leaving = true; });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { state.leaving = false; }  // back from the browser's page cache
  });
  window.rrConnection = { lost: function () { return state.lost; } };
}());
