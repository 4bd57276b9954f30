/* Website chat widget, the iframe's app. Nothing is stored in the browser (the visitor token
   lives in memory), and nothing is requested before the visitor interacts but the config.
   Its words come with the config, in the language the server picked from the visitor's
   preferences (the embed option and the page's <html lang>, passed by the loader, then the
   browser's languages; else the chat's own); dates, times and plurals are the browser's Intl
   in that language and the visitor's time zone. */
(function () {
  "use strict";
  var root = document.documentElement;
  var channel = root.getAttribute("data-channel"), host = root.getAttribute("data-host");
  /* The server says whether host is the deployment's own page (this origin or the agents' app):
     only such a page may preview settings. */
  var previewable = root.getAttribute("data-preview") === "true";
  var api = "/chat/" + encodeURIComponent(channel);
  var cfg = null, token = null, cursor = "", conv = "", unread = 0, open = false, consented = false;
  var pending = {}, shown = {}, files = [], linkedAt = 0, ws = null, wsTries = 0, retry = 0, poll = null, loading = false, typedAt = 0, typingTimer = 0;
  var langs = (root.getAttribute("data-langs") || "").split(",").concat(navigator.languages || [navigator.language]).filter(Boolean);
  var lang = "en", texts = {};
  var $ = function (id) { return document.getElementById(id); };
  /* t is the text of key with its {placeholders} filled; plural picks key.one, key.other…
     by the language's plural rules. */
  function t(key, vars) {
    var s = texts[key] || key;
    Object.keys(vars || {}).forEach(function (k) { s = s.split("{" + k + "}").join(vars[k]); });
    return s;
  }
  function plural(key, n, vars) {
    var form = key + "." + new Intl.PluralRules(lang).select(n);
    return t(texts[form] ? form : key + ".other", vars);
  }
  function translate() {
    root.lang = lang;
    Array.prototype.forEach.call(document.querySelectorAll("[data-t]"), function (e) { e.textContent = t(e.getAttribute("data-t")); });
    Array.prototype.forEach.call(document.querySelectorAll("[data-t-label]"), function (e) { e.setAttribute("aria-label", t(e.getAttribute("data-t-label"))); });
    Array.prototype.forEach.call(document.querySelectorAll("[data-t-placeholder]"), function (e) { e.placeholder = t(e.getAttribute("data-t-placeholder")); });
    if (cfg.emailPrompt) $("email").placeholder = cfg.emailPrompt;
  }
  /* why is what went wrong in the visitor's words: the catalogue's for the error's code, else
     the server's message. */
  function why(e) {
    var key = "widget.error." + (e.status ? e.code : "network");
    return texts[key] ? t(key) : e.message;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function tell(msg) { if (host && parent !== window) parent.postMessage(msg, host); }
  function req(method, path, body) {
    var h = { "Content-Type": "application/json" };
    if (token) h.Authorization = "Bearer " + token;
    return fetch(api + path, { method: method, headers: h, body: body ? JSON.stringify(body) : undefined, credentials: "omit" })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (j) {
          if (!r.ok) { var e = new Error((j.error && j.error.message) || r.statusText); e.status = r.status; e.code = j.error && j.error.code; throw e; }
          return j;
        });
      });
  }
  function id() {
    var a = new Uint8Array(12);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function ensureToken() {
    if (token) return Promise.resolve();
    return req("POST", "/visitors").then(function (t) { token = t.token; });
  }
  function status(line) { $("status").textContent = line; }
  /* when is an instant as the visitor says it, in their time zone: "today at 8:00 AM",
     "Monday at 8:00 AM", "i morgen kl. 08.00"; days counted from the server's clock. */
  function when(d) {
    var now = new Date(cfg.now || Date.now());
    var days = Math.round((new Date(d.getFullYear(), d.getMonth(), d.getDate()) - new Date(now.getFullYear(), now.getMonth(), now.getDate())) / 864e5);
    var day = days < 2 ? new Intl.RelativeTimeFormat(lang, { numeric: "auto" }).format(days, "day")
      : new Intl.DateTimeFormat(lang, days < 7 ? { weekday: "long" } : { weekday: "long", day: "numeric", month: "long" }).format(d);
    return t("widget.offline.at", { day: day, time: new Intl.DateTimeFormat(lang, { timeStyle: "short" }).format(d) });
  }
  function availability() {
    var a = cfg.availability, line = a.text || "";
    if (a.nextOpening) line = t("widget.offline.back", { when: when(new Date(a.nextOpening)) });
    status(line);
    $("email").hidden = !a.emailCapture;
    $("emaillabel").hidden = !a.emailCapture;
  }
  function add(m) {
    if (shown[m.id]) return;
    shown[m.id] = true;
    var p = m.clientMessageId && pending[m.clientMessageId];
    if (p) {
      p.querySelector("small").textContent = t(m.status === "read" ? "widget.status.read" : "widget.status.delivered");
      p.setAttribute("data-id", m.id);
      links(p, m.attachments);
      delete pending[m.clientMessageId];
      return;
    }
    var b = el("div", "m " + m.direction, m.text);
    b.setAttribute("data-id", m.id);
    if (m.direction === "out") {
      typing(false);
      b.appendChild(el("small", "", m.authorName || cfg.name));
      tell({ type: "message", message: { id: m.id, text: m.text, author: m.authorName || "" } });
      if (!open) { unread++; badge(); }
    } else {
      b.appendChild(el("small", "", t("widget.status.delivered")));
    }
    links(b, m.attachments);
    $("log").appendChild(b);
    $("log").scrollTop = $("log").scrollHeight;
  }
  /* Files: picked ones wait as chips (name, size, a remove button) under the text; sending
     uploads each through a presigned link (POST uploads, then a PUT straight to storage) and
     names them in the message. Messages show their files as links with name and size, never
     inline (a visitor's or agent's file is downloaded, not rendered here). */
  function size(n) {
    var u = n >= 1048576 ? ["megabyte", n / 1048576] : n >= 1024 ? ["kilobyte", n / 1024] : ["byte", n];
    return new Intl.NumberFormat(lang, { style: "unit", unit: u[0], unitDisplay: "short", maximumFractionDigits: u[0] !== "byte" && u[1] < 10 ? 1 : 0 }).format(u[1]);
  }
  function fileError(msg) { $("fileerror").textContent = msg || ""; $("fileerror").hidden = !msg; }
  function pick(list) {
    var lim = cfg.files, err = "";
    fileError("");
    Array.prototype.forEach.call(list, function (f) {
      if (files.length >= lim.maxFiles) err = t("widget.files.tooMany", { max: lim.maxFiles });
      else if (lim.types.indexOf((f.type || "").toLowerCase()) < 0) err = t("widget.files.type", { name: f.name });
      else if (f.size > lim.maxBytes) err = t("widget.files.tooLarge", { name: f.name, max: size(lim.maxBytes) });
      else if (!f.size) err = t("widget.files.empty", { name: f.name });
      else files.push(f);
    });
    fileError(err);
    chips();
  }
  function chips() {
    var box = $("files");
    box.textContent = "";
    files.forEach(function (f, i) {
      var c = el("div", "chip"), x = el("button", "", "×");
      c.setAttribute("role", "listitem");
      c.appendChild(el("span", "", f.name + " (" + size(f.size) + ")"));
      x.type = "button";
      x.setAttribute("aria-label", t("widget.files.remove", { name: f.name }));
      x.onclick = function () { files.splice(i, 1); chips(); $("text").focus(); };
      c.appendChild(x);
      box.appendChild(c);
    });
    box.hidden = !files.length;
  }
  function fileList(b, items) {
    var old = b.querySelector(".att");
    if (old) b.removeChild(old);
    if (!items.length) return;
    var ul = el("ul", "att");
    ul.setAttribute("aria-label", t("widget.files.attached"));
    items.forEach(function (li) { ul.appendChild(li); });
    b.insertBefore(ul, b.querySelector("small"));
  }
  function links(b, atts) {
    if (!atts || !atts.length) return;
    if (!linkedAt) linkedAt = Date.now();
    fileList(b, atts.filter(function (a) { return /^https?:\/\//i.test(a.url || ""); }).map(function (a) {
      var li = el("li"), l = el("a", "", a.name + (a.size ? " (" + size(a.size) + ")" : ""));
      l.href = a.url;
      l.target = "_blank";
      l.rel = "noopener noreferrer";
      li.appendChild(l);
      return li;
    }));
  }
  function bubble(mid) { return document.querySelector('[data-id="' + CSS.escape(mid) + '"]'); }
  /* Download links work for an hour: opening the chat later reads them again. */
  function refresh() {
    if (!token || !linkedAt || Date.now() - linkedAt < 45 * 60000) return;
    linkedAt = Date.now();
    req("GET", "/messages?after=").then(function (h) {
      h.items.forEach(function (m) { var b = bubble(m.id); if (b) links(b, m.attachments); });
    }, function () {});
  }
  function upload(f) {
    return req("POST", "/uploads", { name: f.name, contentType: f.type, size: f.size, consent: consented }).then(function (tk) {
      var h = {};
      Object.keys(tk.headers || {}).forEach(function (k) { if (!/^(host|content-length)$/i.test(k)) h[k] = tk.headers[k]; });
      return fetch(tk.url, { method: tk.method || "PUT", headers: h, body: f, credentials: "omit" }).then(function (r) {
        if (!r.ok) { var e = new Error(r.statusText); e.status = r.status; throw e; }
        return tk.uploadId;
      });
    }).catch(function (e) { e.file = f.name; throw e; });
  }
  /* uploadAll uploads the files not uploaded yet (a retried send keeps the others' ids). */
  function uploadAll(sel, ids) {
    var p = Promise.resolve();
    sel.forEach(function (f, i) { p = p.then(function () { return ids[i] || upload(f).then(function (u) { ids[i] = u; }); }); });
    return p;
  }
  function badge() {
    var n = $("badge");
    n.hidden = unread === 0;
    n.textContent = unread;
    $("launcher").setAttribute("aria-label", unread ? plural("widget.openUnread", unread, { count: new Intl.NumberFormat(lang).format(unread) }) : t("widget.open"));
    tell({ type: "unread", count: unread });
  }
  function catchUp() {
    if (!token || loading) return Promise.resolve();
    loading = true;
    return req("GET", "/messages?after=" + encodeURIComponent(cursor)).then(function (h) {
      loading = false;
      if (h.conversationId && h.conversationId !== conv) {
        /* The live connection hears one conversation: (re)connect for this one. */
        conv = h.conversationId;
        hangUp();
        wsTries = 0;
        connect();
      }
      h.items.forEach(add);
      cursor = h.cursor || cursor;
    }, function () { loading = false; });
  }
  /* Live: the realtime backbone's WebSocket (the config's liveUrl, the WebSocket API's own host
     in AWS; else /ws here), with a catch-up by cursor at every (re)connect so that nothing sent
     meanwhile is lost. A dropped connection is reopened with backoff (1 s, doubling to 30 s, at
     once when the browser is back online); after three failures in a row the widget also reads
     the conversation every 2 s, for networks that block WebSockets. */
  function connect() {
    if (!token || !conv || ws) return;
    if (!window.WebSocket) { startPoll(); return; }
    var url = (cfg.liveUrl || ((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws")) + "?token=" + encodeURIComponent(token);
    var s;
    try { s = new WebSocket(url); } catch (e) { failed(); return; }
    ws = s;
    s.onopen = function () { wsTries = 0; live(true); stopPoll(); catchUp(); };
    s.onmessage = function (e) {
      var f; try { f = JSON.parse(e.data); } catch (x) { return; }
      if (f.type === "event" && f.event && (f.event.kind === "message" || f.event.kind === "conversation")) catchUp();
      if (f.type === "typing" && f.from !== "visitor") typing(true);
    };
    s.onclose = function () {
      if (ws !== s) return;
      ws = null;
      live(false);
      failed();
    };
  }
  function failed() {
    wsTries++;
    if (wsTries >= 3) startPoll();
    clearTimeout(retry);
    retry = setTimeout(connect, Math.min(30000, 500 * Math.pow(2, wsTries)));
  }
  function hangUp() {
    clearTimeout(retry);
    if (ws) { var w = ws; ws = null; w.onclose = null; w.close(); live(false); }
  }
  function live(on) { root.setAttribute("data-live", on ? "on" : "off"); }
  window.addEventListener("online", function () { if (!ws && token && conv) { clearTimeout(retry); connect(); } });
  /* Typing, both ways: an agent's shows for 5 s (or until their message arrives); the visitor's
     goes out at most every 3 s while they type, only over a live connection. */
  function typing(on) {
    clearTimeout(typingTimer);
    $("typing").textContent = on ? t("widget.typing", { name: cfg.name || "" }) : "";
    if (on) typingTimer = setTimeout(function () { typing(false); }, 5000);
  }
  function typed() {
    var now = Date.now();
    if (!ws || ws.readyState !== 1 || !conv || now - typedAt < 3000) return;
    typedAt = now;
    ws.send(JSON.stringify({ action: "typing", conversationId: conv }));
  }
  function startPoll() { if (!poll) poll = setInterval(catchUp, 2000); }
  function stopPoll() { if (poll) { clearInterval(poll); poll = null; } }
  function send() {
    var box = $("text"), text = box.value.trim(), sel = files.slice(), ids = [];
    if (!text && !sel.length) return;
    if (cfg.consent && !consented) { $("accept").focus(); return; }
    var cid = id(), email = $("email").hidden ? "" : $("email").value.trim();
    var b = el("div", "m in", text);
    b.appendChild(el("small", "", t(sel.length ? "widget.files.uploading" : "widget.status.sending")));
    fileList(b, sel.map(function (f) { return el("li", "", f.name + " (" + size(f.size) + ")"); }));
    $("log").appendChild(b);
    $("log").scrollTop = $("log").scrollHeight;
    pending[cid] = b;
    box.value = "";
    files = [];
    chips();
    fileError("");
    /* The language the visitor reads the widget in becomes the contact's: replies use it. */
    var body = { clientMessageId: cid, text: text, consent: consented, language: lang };
    if (email) body.email = email;
    var attempt = function (n) {
      ensureToken().then(function () { return uploadAll(sel, ids); }).then(function () {
        if (ids.length) body.attachments = ids;
        return req("POST", "/messages", body);
      }).then(function () {
        if (pending[cid]) b.querySelector("small").textContent = t("widget.status.sent");
        /* Until the router has stored it (and the live connection carries the rest). */
        (function settle(wait) {
          setTimeout(function () { catchUp().then(function () { if (pending[cid] && wait < 8000) settle(wait * 2); }); }, wait);
        })(250);
      }, function (e) {
        if (!e.status && n < 3) return setTimeout(function () { attempt(n + 1); }, 1000 * (n + 1));
        /* A file the server finds too large is named (the text cannot be: the box stops at the
           server's limit), never reported as a message too long. */
        var big = e.code === "too_large" && (e.file || sel.length);
        var reason = big ? (e.file || sel.length === 1 ? t("widget.files.refused", { name: e.file || sel[0].name }) : t("widget.files.someRefused"))
          : e.file ? t("widget.files.failed", { name: e.file, reason: why(e) }) : why(e);
        b.querySelector("small").textContent = t("widget.status.failed", { reason: reason });
        b.setAttribute("data-failed", "true");
      });
    };
    attempt(0);
  }
  function show(v) {
    open = v;
    $("panel").hidden = !v;
    $("launcher").hidden = v || (cfg && cfg.availability.hideLauncher);
    tell({ type: v ? "open" : "close" });
    if (v) {
      unread = 0; badge();
      (cfg.consent && !consented ? $("accept") : $("text")).focus();
      catchUp();
      refresh();
    } else {
      $("launcher").focus();
    }
  }
  function identify(u) {
    ensureToken().then(function () {
      return req("POST", "/identify", { id: String(u.id || ""), email: u.email || "", name: u.name || "", hash: u.hash || "" });
    }).then(function (t) {
      token = t.token;
      hangUp();
      stopPoll();
      cursor = ""; conv = ""; return catchUp();
    }, function (e) {
      var m = el("div", "m sys", t("widget.identifyFailed", { reason: why(e) }));
      m.setAttribute("data-identify-error", "true");
      $("log").appendChild(m);
    });
  }
  function reset() {
    token = null; cursor = ""; conv = ""; pending = {}; shown = {}; unread = 0; files = []; linkedAt = 0;
    chips();
    fileError("");
    hangUp();
    stopPoll();
    $("log").textContent = "";
    welcome();
    badge();
  }
  function welcome() {
    var w = $("welcome");
    if (!w && cfg.welcomeMessage) {
      w = el("div", "m sys");
      w.id = "welcome";
      $("log").insertBefore(w, $("log").firstChild);
    }
    if (w) w.textContent = cfg.welcomeMessage;
  }
  window.addEventListener("message", function (e) {
    if (e.origin !== host || e.source !== parent || !e.data) return;
    var t = e.data.type;
    if (t === "open") show(true);
    else if (t === "close") show(false);
    else if (t === "toggle") show(!open);
    else if (t === "identify") identify(e.data.user || {});
    else if (t === "reset") reset();
    else if (t === "language") { langs.unshift(String(e.data.lang || "")); load(); }
    /* The settings screen previews unsaved settings: only from the deployment's own pages (the
       agents' app, whose origin the server checked), never from a site that embeds the chat. */
    else if (t === "preview" && previewable && e.data.config && e.data.config.availability) {
      apply(e.data.config, false);
      $("gate").hidden = !e.data.config.consent || consented;
      root.setAttribute("data-state", e.data.config.availability.state);
      root.setAttribute("data-preview", "true");
      $("launcher").hidden = open || !!e.data.config.availability.hideLauncher;
      tell({ type: "preview", state: e.data.config.availability.state });
    }
  });
  /* load reads the config (again after setLanguage) and shows it. */
  function load() {
    var first = !cfg;
    var q = "?lang=" + encodeURIComponent(langs.filter(Boolean).join(","));
    return fetch(api + "/config" + q, { credentials: "omit" }).then(function (r) { return r.json(); }).then(function (c) { apply(c, first); });
  }
  /* apply shows config c: the server's, or (preview) the settings screen's unsaved one. */
  function apply(c, first) {
    cfg = c;
    lang = c.language || "en";
    texts = c.texts || {};
    translate();
    root.style.setProperty("--c", c.color);
    $("title").textContent = c.name;
    var ppl = $("people");
    ppl.textContent = "";
    c.header.forEach(function (p) { var s = el("span", "", p.initials); s.title = p.name; ppl.appendChild(s); });
    availability();
    welcome();
    if (c.consent) {
      $("gate").hidden = consented;
      $("consenttext").textContent = c.consent.text;
      if (c.consent.privacyUrl) { var a = $("privacy"); a.href = c.consent.privacyUrl; a.hidden = false; }
    }
    root.setAttribute("data-lang", lang);
    if (!first) { badge(); tell({ type: "title", title: t("widget.title") }); return; }
    $("launcher").hidden = !!c.availability.hideLauncher;
    $("attach").hidden = !c.files;
    root.setAttribute("data-state", c.availability.state);
    tell({ type: "ready", state: c.availability.state, hideLauncher: !!c.availability.hideLauncher, title: t("widget.title") });
  }
  load();
  $("launcher").onclick = function () { show(true); };
  $("close").onclick = function () { show(false); };
  $("accept").onclick = function () { consented = true; $("gate").hidden = true; $("text").focus(); };
  $("form").onsubmit = function (e) { e.preventDefault(); send(); };
  $("text").oninput = typed;
  $("attach").onclick = function () { $("file").click(); };
  $("file").onchange = function () { pick(this.files); this.value = ""; $("text").focus(); };
  $("text").onkeydown = function (e) { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); send(); } };
  document.addEventListener("keydown", function (e) { if (e.key === "Escape" && open) show(false); });
})();
