/* Website chat loader: one <script src=".../chat/loader.js" data-channel="ID" async>
   (data-lang="da" picks the widget's language; else the page's <html lang>, then the
   browser's languages, then the chat's own). It only adds an iframe (the site's CSS cannot
   reach the widget) and the JS API window.InboxChat: open, close, toggle, identify, reset,
   setLanguage(tag), on(event, fn) with the events ready, message, unread. Messages with the
   frame are checked by origin and source. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.InboxChat) return;
  var channel = script.getAttribute("data-channel");
  var origin = new URL(script.src).origin;
  var frame = document.createElement("iframe");
  var handlers = {}, queue = [], ready = false, isOpen = false, hidden = false;
  var langs = [script.getAttribute("data-lang"), document.documentElement.lang].filter(Boolean).join(",");
  frame.src = origin + "/chat/" + encodeURIComponent(channel) + "/frame?host=" + encodeURIComponent(location.origin) +
    (langs ? "&lang=" + encodeURIComponent(langs) : "");
  frame.title = "Chat";
  frame.setAttribute("allow", "clipboard-write");
  var base = "position:fixed;z-index:2147483000;border:0;background:transparent;color-scheme:normal;";
  function size() {
    var phone = window.innerWidth < 480;
    if (hidden && !isOpen) frame.style.cssText = base + "display:none";
    else if (!isOpen) frame.style.cssText = base + "right:16px;bottom:16px;width:72px;height:72px";
    else if (phone) frame.style.cssText = base + "left:0;top:0;width:100%;height:100%";
    else frame.style.cssText = base + "right:16px;bottom:16px;width:380px;height:min(640px,calc(100% - 32px))";
  }
  size();
  window.addEventListener("resize", size);
  function post(msg) {
    if (ready) frame.contentWindow.postMessage(msg, origin);
    else queue.push(msg);
  }
  function emit(name, data) {
    (handlers[name] || []).forEach(function (fn) { try { fn(data); } catch (e) { setTimeout(function () { throw e; }); } });
  }
  window.addEventListener("message", function (e) {
    if (e.origin !== origin || e.source !== frame.contentWindow || !e.data || typeof e.data.type !== "string") return;
    var d = e.data;
    if (d.type === "ready") {
      ready = true;
      hidden = !!d.hideLauncher;
      if (d.title) frame.title = d.title;
      size();
      queue.splice(0).forEach(post);
      emit("ready", { state: d.state });
    } else if (d.type === "title") {
      frame.title = d.title;
    } else if (d.type === "open" || d.type === "close") {
      isOpen = d.type === "open";
      size();
    } else if (d.type === "message") {
      emit("message", d.message);
    } else if (d.type === "unread") {
      emit("unread", { count: d.count });
    }
  });
  window.InboxChat = {
    open: function () { isOpen = true; size(); post({ type: "open" }); },
    close: function () { post({ type: "close" }); },
    toggle: function () { post({ type: "toggle" }); },
    identify: function (user) { post({ type: "identify", user: user || {} }); },
    reset: function () { post({ type: "reset" }); },
    setLanguage: function (tag) { post({ type: "language", lang: String(tag || "") }); },
    on: function (name, fn) { (handlers[name] = handlers[name] || []).push(fn); }
  };
  (document.body || document.documentElement).appendChild(frame);
})();
