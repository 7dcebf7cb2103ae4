/*!
 * Switchboard web chat widget.
 * Plain ES2020, no dependencies, no build step. Embed with one tag:
 *   <script src="https://support.example.com/webchat/widget.js" defer></script>
 * Optional attributes: data-open="true" (start opened), data-locale="es".
 * On a site other than the server's own, list the site in WEBCHAT_ALLOWED_ORIGINS.
 * Wire protocol: README.md, "Web chat protocol"
 */
(() => {
  "use strict";

  // Must be read synchronously at top level: document.currentScript is null
  // once this first run of the script is over.
  const SCRIPT =
    document.currentScript ||
    Array.from(document.querySelectorAll("script[src]"))
      .reverse()
      .find((s) => /\/widget\.js(?:[?#]|$)/.test(s.src)) ||
    null;

  if (!SCRIPT || window.SwitchboardChat || document.getElementById("sb-root")) return;

  // ---------------------------------------------------------------- config

  const SCRIPT_URL = new URL(SCRIPT.src, document.baseURI);
  const BASE_URL = new URL(".", SCRIPT_URL); // ".../webchat/"
  const CSS_URL = new URL("widget.css" + SCRIPT_URL.search, BASE_URL).href;
  const WS_URL = (() => {
    const u = new URL("ws", BASE_URL); // ".../webchat/ws"
    u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
    return u.href;
  })();
  const LOCALE = SCRIPT.dataset.locale || navigator.language || "en";
  const START_OPEN = SCRIPT.dataset.open === "true";

  const SESSION_KEY = "switchboard.session";
  const PENDING_KEY = "switchboard.pending"; // per-tab, survives a reload
  // MAX_MESSAGE_CHARS until the welcome brings the server's own (the server checks too).
  const DEFAULT_MAX_CHARS = 4000;
  const BACKOFF_MIN = 500;
  const BACKOFF_MAX = 10000;
  const PING_EVERY = 25000;
  const TYPING_TIMEOUT = 30000;
  const ERROR_TIMEOUT = 12000;

  // Neutral English until the first welcome brings the customer's language.
  const FALLBACK_UI = Object.freeze({
    title: "Chat with us",
    placeholder: "Type your message…",
    send: "Send",
    close: "Close chat",
    open: "Open chat",
    connecting: "Connecting…",
    reconnecting: "Reconnecting…",
    typing: "Typing…",
    source: "Source",
    agent: "Agent",
    bot: "Assistant",
    too_long: "", // the welcome brings it, with the limit, in the customer's language
  });
  const FALLBACK_ERROR = "Something went wrong. Please try again.";
  const ROLES = new Set(["customer", "bot", "agent", "system"]);

  // --------------------------------------------------------------- helpers

  const storage = (area) => ({
    get(key) {
      try {
        return window[area].getItem(key);
      } catch {
        return null;
      }
    },
    set(key, value) {
      try {
        if (value == null) window[area].removeItem(key);
        else window[area].setItem(key, value);
      } catch {
        /* storage blocked or full: keep working in memory */
      }
    },
  });
  const local = storage("localStorage");
  const perTab = storage("sessionStorage");

  function newId() {
    try {
      if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
    } catch {
      /* insecure context */
    }
    const bytes = new Uint8Array(16);
    try {
      crypto.getRandomValues(bytes);
    } catch {
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  const str = (v) => (typeof v === "string" ? v : v == null ? "" : String(v));

  /** Create an element. Text always goes through textContent, never HTML. */
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value == null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) if (child != null) node.append(child);
    return node;
  }

  const SVG_NS = "http://www.w3.org/2000/svg";
  function icon(cls, paths, { stroke = false } = {}) {
    const svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "sb-icon " + cls);
    for (const d of paths) {
      const p = document.createElementNS(SVG_NS, "path");
      p.setAttribute("d", d);
      if (stroke) {
        p.setAttribute("fill", "none");
        p.setAttribute("stroke", "currentColor");
        p.setAttribute("stroke-width", "2.2");
        p.setAttribute("stroke-linecap", "round");
      } else {
        p.setAttribute("fill", "currentColor");
      }
      svg.append(p);
    }
    return svg;
  }
  const CHAT_PATH =
    "M5 3.5h14A2.5 2.5 0 0 1 21.5 6v9a2.5 2.5 0 0 1-2.5 2.5h-8.2L6 21.2v-3.7H5A2.5 2.5 0 0 1 2.5 15V6A2.5 2.5 0 0 1 5 3.5z";
  const CLOSE_PATH = "M6.5 6.5l11 11M17.5 6.5l-11 11";

  // Plain-text link detection: builds <a> elements with textContent, so server
  // text can never become markup. Only http(s) links are made clickable.
  const URL_RE = /\bhttps?:\/\/[^\s<>"']+/gi;
  function appendText(parent, text) {
    let last = 0;
    for (const match of text.matchAll(URL_RE)) {
      const raw = match[0].replace(/[.,;:!?)\]}»”’'"]+$/, "");
      if (!raw) continue;
      const start = match.index;
      if (start > last) parent.append(text.slice(last, start));
      let href = null;
      try {
        const u = new URL(raw);
        if (u.protocol === "http:" || u.protocol === "https:") href = u.href;
      } catch {
        /* not a URL after all */
      }
      parent.append(
        href ? el("a", { href, target: "_blank", rel: "noopener noreferrer nofollow", text: raw }) : raw,
      );
      last = start + raw.length;
    }
    if (last < text.length) parent.append(text.slice(last));
  }

  // ----------------------------------------------------------------- state

  let ui = { ...FALLBACK_UI };
  let maxChars = DEFAULT_MAX_CHARS;
  let tooLong = false; // the input holds more than maxChars: it is not sent
  let session = local.get(SESSION_KEY) || null;
  let ws = null;
  let welcomed = false; // current socket has received its welcome
  let everWelcomed = false; // any socket has: later drops say "reconnecting"
  let attempt = 0;
  let reconnectTimer = 0;
  let pingTimer = 0;
  let typingTimer = 0;
  let errorTimer = 0;
  let lastFrameAt = 0;
  let isOpen = false;
  let typingEl = null;
  let connection = "";

  /** Unacknowledged customer messages, in send order: id -> text. */
  const pending = new Map();
  /** Reply bubbles by reply id (history and live). */
  const replies = new Map();

  try {
    const saved = JSON.parse(perTab.get(PENDING_KEY) || "[]");
    if (Array.isArray(saved)) {
      for (const m of saved) {
        if (m && typeof m.id === "string" && typeof m.text === "string" && m.text) pending.set(m.id, m.text);
      }
    }
  } catch {
    /* ignore a corrupt entry */
  }
  function savePending() {
    perTab.set(PENDING_KEY, pending.size ? JSON.stringify(Array.from(pending, ([id, text]) => ({ id, text }))) : null);
  }

  // ------------------------------------------------------------------- DOM

  const root = el("div", { id: "sb-root", class: "sb-root", "data-open": "false", lang: "en" });
  root.style.display = "none"; // until widget.css has loaded: no flash of unstyled widget

  const launcher = el(
    "button",
    {
      id: "sb-launcher",
      class: "sb-launcher",
      type: "button",
      "aria-controls": "sb-panel",
      "aria-expanded": "false",
    },
    icon("sb-icon-chat", [CHAT_PATH]),
    icon("sb-icon-close", [CLOSE_PATH], { stroke: true }),
    el("span", { class: "sb-badge", "aria-hidden": "true" }),
  );

  const title = el("h2", { id: "sb-title", class: "sb-title" });
  const closeBtn = el("button", { id: "sb-close", class: "sb-close", type: "button" }, icon("", [CLOSE_PATH], { stroke: true }));
  const status = el("div", { id: "sb-status", class: "sb-status", role: "status" });
  const log = el("div", {
    id: "sb-log",
    class: "sb-log",
    role: "log",
    "aria-live": "polite",
    "aria-relevant": "additions",
    tabindex: "0",
  });
  const errorLine = el("div", { id: "sb-error", class: "sb-error", "aria-live": "polite" });
  const inputLabel = el("label", { for: "sb-input", class: "sb-visually-hidden" });
  const input = el("textarea", {
    id: "sb-input",
    class: "sb-input",
    rows: "1",
    // No maxlength: it would cut a pasted text silently. An over-long text stays whole
    // in the box, with a notice, and is not sent until it is short enough.
    "aria-describedby": "sb-error",
    dir: "auto",
    autocomplete: "off",
    enterkeyhint: "send",
  });
  const sendBtn = el("button", { id: "sb-send", class: "sb-send", type: "submit" });
  const form = el("form", { class: "sb-composer", novalidate: true }, inputLabel, input, sendBtn);

  const panel = el(
    "div",
    { id: "sb-panel", class: "sb-panel", role: "dialog", "data-state": "", "data-connection": "connecting" },
    el("div", { class: "sb-header" }, title, closeBtn),
    status,
    log,
    errorLine,
    form,
  );
  panel.hidden = true;
  root.append(launcher, panel);

  function applyLabels() {
    title.textContent = ui.title;
    panel.setAttribute("aria-label", ui.title);
    log.setAttribute("aria-label", ui.title);
    closeBtn.setAttribute("aria-label", ui.close);
    closeBtn.title = ui.close;
    const launcherLabel = isOpen ? ui.close : ui.open;
    launcher.setAttribute("aria-label", launcherLabel);
    launcher.title = launcherLabel;
    input.placeholder = ui.placeholder;
    inputLabel.textContent = ui.placeholder;
    sendBtn.textContent = ui.send;
    if (typingEl) typingEl.querySelector(".sb-visually-hidden").textContent = ui.typing;
    renderStatus();
  }

  function renderStatus() {
    const text = connection === "open" ? "" : connection === "reconnecting" ? ui.reconnecting : ui.connecting;
    if (status.textContent !== text) status.textContent = text; // do not re-announce the same text
  }

  function setConnection(value) {
    connection = value;
    panel.dataset.connection = value;
    renderStatus();
  }

  // ---------------------------------------------------------- open / close

  function setOpen(open, { focus = true } = {}) {
    if (open !== isOpen) {
      isOpen = open;
      root.dataset.open = String(open);
      panel.hidden = !open;
      launcher.setAttribute("aria-expanded", String(open));
      applyLabels();
      if (open) {
        delete root.dataset.unread;
        syncViewport();
        scrollToEnd();
      }
    }
    if (!focus) return;
    if (open) input.focus();
    else launcher.focus();
  }

  launcher.addEventListener("click", () => setOpen(!isOpen));
  closeBtn.addEventListener("click", () => setOpen(false));
  root.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && isOpen && !e.isComposing) {
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
    }
  });

  // Phones: keep the panel (and so the input) inside the visible area when the
  // on-screen keyboard shrinks the visual viewport.
  function syncViewport() {
    const vv = window.visualViewport;
    if (!vv) return;
    if (Math.abs(vv.scale - 1) > 0.01) {
      panel.style.removeProperty("--sb-vvh");
      panel.style.removeProperty("--sb-vvtop");
      return;
    }
    panel.style.setProperty("--sb-vvh", `${Math.round(vv.height)}px`);
    panel.style.setProperty("--sb-vvtop", `${Math.round(vv.offsetTop)}px`);
  }
  if (window.visualViewport) {
    window.visualViewport.addEventListener("resize", syncViewport);
    window.visualViewport.addEventListener("scroll", syncViewport);
  }

  // -------------------------------------------------------------- messages

  function nearBottom() {
    return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
  }
  function scrollToEnd() {
    log.scrollTop = log.scrollHeight;
  }

  /** Add a bubble at the end of the log, above the typing indicator. */
  function appendToLog(node, { force = false } = {}) {
    const stick = force || nearBottom();
    if (typingEl && typingEl.parentNode === log) log.insertBefore(node, typingEl);
    else log.append(node);
    if (stick) scrollToEnd();
  }

  function roleLabel(role) {
    if (role === "agent") return ui.agent;
    if (role === "bot") return ui.bot;
    return "";
  }

  function sourceLine(titleText) {
    const label = ui.source.trim();
    return /[:：]$/.test(label) ? `${label} ${titleText}` : `${label}: ${titleText}`;
  }

  /** (Re)build a bubble's children: role label, text, source line. */
  function fillBubble(node, role, text, source, { links = true, author = "" } = {}) {
    node.dataset.role = role;
    const children = [];
    // A person's reply names them ("Ada (support team)"); otherwise the role's label.
    const label = (role === "agent" && author) || roleLabel(role);
    if (label) {
      // Agents get a visible label; the bot's label is for screen readers only.
      children.push(el("span", { class: role === "agent" ? "sb-role" : "sb-role sb-visually-hidden", text: label }));
    }
    const body = el("div", { class: "sb-text", dir: "auto" });
    if (links) appendText(body, text);
    else body.textContent = text;
    children.push(body);
    if (source && typeof source === "object" && str(source.title)) {
      children.push(el("div", { class: "sb-source", dir: "auto", text: sourceLine(str(source.title)) }));
    }
    node.replaceChildren(...children);
  }

  function customerBubble(id, text, isPending) {
    const node = el("div", { class: "sb-msg", "data-role": "customer" });
    if (id) node.dataset.id = id;
    if (isPending) node.dataset.pending = "true";
    fillBubble(node, "customer", text, null);
    return node;
  }

  function replyBubble(id, role) {
    const node = el("div", { class: "sb-msg", "data-role": role });
    if (id) {
      node.dataset.replyId = id;
      replies.set(id, node);
    }
    return node;
  }

  function findCustomer(id) {
    for (const node of log.querySelectorAll('.sb-msg[data-role="customer"]')) {
      if (node.dataset.id === id) return node;
    }
    return null;
  }

  function showTyping() {
    clearTimeout(typingTimer);
    // The protocol has no "stopped typing" frame: give up after a while.
    typingTimer = setTimeout(hideTyping, TYPING_TIMEOUT);
    if (typingEl) return;
    typingEl = el(
      "div",
      { class: "sb-typing" },
      el("span", { class: "sb-visually-hidden", text: ui.typing }),
      el("span", { class: "sb-dots", "aria-hidden": "true" }, el("span"), el("span"), el("span")),
    );
    const stick = nearBottom();
    log.append(typingEl);
    if (stick) scrollToEnd();
  }

  function hideTyping() {
    clearTimeout(typingTimer);
    typingTimer = 0;
    if (typingEl) typingEl.remove();
    typingEl = null;
  }

  function showError(message) {
    clearTimeout(errorTimer);
    delete errorLine.dataset.kind;
    errorLine.textContent = message || FALLBACK_ERROR;
    errorTimer = setTimeout(clearError, ERROR_TIMEOUT);
  }
  function clearError() {
    clearTimeout(errorTimer);
    errorTimer = 0;
    delete errorLine.dataset.kind;
    if (errorLine.textContent) errorLine.textContent = "";
  }

  // Characters as the server counts them (code points: an emoji is one, not two).
  function charCount(text) {
    if (text.length <= maxChars) return text.length; // never more code points than units
    let n = 0;
    for (const _ of text) n++;
    return n;
  }

  function tooLongText() {
    return ui.too_long || `That message is too long. Please keep it under ${maxChars} characters.`;
  }

  /** Whether the input is over the limit; shows or clears the notice when that changes. */
  function checkLength({ force = false } = {}) {
    const count = charCount(input.value.trim());
    const over = count > maxChars;
    if (over) {
      if (force || !tooLong || errorLine.dataset.kind !== "too-long") {
        // Stays until the text is short enough. The count is for the eyes: screen
        // readers hear the notice once, not at every key.
        clearTimeout(errorTimer);
        errorLine.dataset.kind = "too-long";
        errorLine.replaceChildren(tooLongText(), " ", el("span", { class: "sb-count", "aria-hidden": "true" }));
      }
      errorLine.querySelector(".sb-count").textContent = `(${count} / ${maxChars})`;
      input.setAttribute("aria-invalid", "true");
    } else if (tooLong) {
      input.removeAttribute("aria-invalid");
      if (errorLine.dataset.kind === "too-long") clearError();
    }
    tooLong = over;
    return over;
  }

  function renderHistory(history) {
    hideTyping();
    replies.clear();
    const items = [];
    const seen = new Set();
    for (const m of history) {
      if (!m || typeof m !== "object") continue;
      const role = ROLES.has(m.role) ? m.role : "system";
      const id = str(m.id);
      const text = str(m.text);
      if (role === "customer") {
        if (id) seen.add(id);
        items.push(customerBubble(id, text, false));
      } else {
        const node = replyBubble(id, role);
        fillBubble(node, role, text, m.source, { author: str(m.author) });
        node.dataset.complete = "true";
        if (m.at) node.dataset.at = str(m.at);
        items.push(node);
      }
    }
    // A message the server already stored counts as acknowledged.
    let changed = false;
    for (const id of seen) changed = pending.delete(id) || changed;
    if (changed) savePending();
    for (const [id, text] of pending) items.push(customerBubble(id, text, true));

    // Re-rendering is not news: keep screen readers from reading it all again.
    log.setAttribute("aria-live", "off");
    log.replaceChildren(...items);
    scrollToEnd();
    setTimeout(() => log.setAttribute("aria-live", "polite"), 300);
  }

  // -------------------------------------------------------------- protocol

  function sendFrame(frame) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    try {
      ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  let retryTimer = 0;
  let retryDelay = 0;
  function scheduleRetry() {
    if (retryTimer) return;
    retryDelay = Math.min(30000, retryDelay ? retryDelay * 2 : 2000);
    retryTimer = setTimeout(() => {
      retryTimer = 0;
      if (welcomed) flushPending();
    }, retryDelay * (0.75 + Math.random() * 0.5));
  }

  function flushPending() {
    for (const [id, text] of pending) sendFrame({ type: "message", id, text });
  }

  const handlers = {
    welcome(f) {
      if (typeof f.session === "string" && f.session) {
        session = f.session;
        local.set(SESSION_KEY, session);
      }
      if (f.ui && typeof f.ui === "object") {
        const next = { ...FALLBACK_UI };
        for (const key of Object.keys(FALLBACK_UI)) {
          if (typeof f.ui[key] === "string" && f.ui[key].trim()) next[key] = f.ui[key];
        }
        ui = next;
      }
      if (typeof f.language === "string" && f.language) root.lang = f.language;
      if (Number.isInteger(f.max_message_chars) && f.max_message_chars > 0) maxChars = f.max_message_chars;
      if (typeof f.state === "string") panel.dataset.state = f.state;
      welcomed = true;
      everWelcomed = true;
      attempt = 0;
      setConnection("open");
      applyLabels();
      renderHistory(Array.isArray(f.history) ? f.history : []);
      checkLength({ force: tooLong }); // the limit or the notice's language may have changed
      flushPending();
    },

    ack(f) {
      const id = str(f.id);
      if (!id) return;
      retryDelay = 0;
      if (pending.delete(id)) savePending();
      const node = findCustomer(id);
      if (node) delete node.dataset.pending;
    },

    typing() {
      showTyping();
    },

    delta(f) {
      const id = str(f.reply);
      if (!id) return;
      hideTyping();
      let node = replies.get(id);
      if (!node) {
        node = replyBubble(id, "bot");
        node.dataset.complete = "false";
        // Streaming text is hidden from screen readers; "done" adds the whole
        // reply as new nodes so it is announced once, not piece by piece.
        node.setAttribute("aria-hidden", "true");
        fillBubble(node, "bot", "", null, { links: false });
        appendToLog(node);
      }
      if (node.dataset.complete === "true") return; // late piece of a finished reply
      const stick = nearBottom();
      const text = node.querySelector(".sb-text");
      // A reply streamed again from its start (the server retried the turn) replaces
      // what the earlier attempt showed.
      if (f.first === true) text.textContent = "";
      text.append(str(f.text));
      if (stick) scrollToEnd();
    },

    done(f) {
      const id = str(f.reply);
      const role = f.role === "agent" || f.role === "system" ? f.role : "bot";
      hideTyping();
      let node = id ? replies.get(id) : null;
      const isNew = !node;
      if (isNew) node = replyBubble(id, role);
      const stick = nearBottom();
      node.removeAttribute("aria-hidden");
      fillBubble(node, role, str(f.text), f.source, { author: str(f.author) });
      node.dataset.complete = "true";
      if (isNew) appendToLog(node);
      else if (stick) scrollToEnd();
      if (!isOpen) root.dataset.unread = "true";
    },

    state(f) {
      if (typeof f.state === "string") panel.dataset.state = f.state;
    },

    error(f) {
      const code = str(f.code);
      const id = str(f.id);
      let givenBack = false;
      if (id && pending.has(id) && code === "unavailable") {
        // Refused for now ("busy"): keep it queued and try again a bit later.
        scheduleRetry();
      } else if (id && pending.has(id)) {
        const text = pending.get(id);
        pending.delete(id);
        savePending();
        const node = findCustomer(id);
        if (code === "too_large" && !input.value) {
          // Give the text back so the customer can shorten it.
          if (node) node.remove();
          input.value = text;
          autosize();
          givenBack = true;
        } else if (node) {
          delete node.dataset.pending;
          node.dataset.failed = "true";
        }
        hideTyping();
      }
      if (!(givenBack && checkLength({ force: true }))) showError(str(f.message));
    },

    pong() {},
  };

  // ------------------------------------------------------------ connection

  function connect() {
    clearTimeout(reconnectTimer);
    reconnectTimer = 0;
    if (ws) return;
    setConnection(everWelcomed ? "reconnecting" : "connecting");
    let sock;
    try {
      sock = new WebSocket(WS_URL);
    } catch {
      scheduleReconnect();
      return;
    }
    ws = sock;
    welcomed = false;
    sock.onopen = () => {
      if (ws !== sock) return;
      lastFrameAt = Date.now();
      sendFrame({ type: "hello", session: session || null, locale: LOCALE });
      startPing();
    };
    sock.onmessage = (event) => {
      if (ws !== sock) return;
      lastFrameAt = Date.now();
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (!frame || typeof frame !== "object") return;
      const handler = Object.prototype.hasOwnProperty.call(handlers, frame.type) ? handlers[frame.type] : null;
      if (handler) handler(frame); // unknown types: ignore (forward compatible)
    };
    sock.onclose = () => {
      if (ws !== sock) return;
      dropSocket();
    };
    sock.onerror = () => {
      /* a close event follows */
    };
  }

  function dropSocket() {
    const sock = ws;
    ws = null;
    welcomed = false;
    stopPing();
    hideTyping();
    if (sock) {
      sock.onopen = sock.onmessage = sock.onclose = sock.onerror = null;
      try {
        sock.close();
      } catch {
        /* already closed */
      }
    }
    scheduleReconnect();
  }

  function scheduleReconnect() {
    if (reconnectTimer) return;
    setConnection(everWelcomed ? "reconnecting" : "connecting");
    const base = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** attempt);
    attempt = Math.min(attempt + 1, 16);
    const delay = Math.min(BACKOFF_MAX, base * (0.75 + Math.random() * 0.5)); // +-25% jitter
    reconnectTimer = setTimeout(connect, delay);
  }

  function startPing() {
    stopPing();
    pingTimer = setInterval(() => {
      if (!ws) return;
      if (Date.now() - lastFrameAt > PING_EVERY * 2.5) {
        dropSocket(); // silent connection: start over
        return;
      }
      if (welcomed) sendFrame({ type: "ping" });
    }, PING_EVERY);
  }
  function stopPing() {
    clearInterval(pingTimer);
    pingTimer = 0;
  }

  // Back online or back from the bfcache: do not wait for the backoff timer.
  function reconnectNow() {
    if (ws) return;
    attempt = 0;
    connect();
  }
  window.addEventListener("online", reconnectNow);
  window.addEventListener("pageshow", (e) => {
    if (e.persisted) reconnectNow();
  });

  // ------------------------------------------------------------------ input

  function autosize() {
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight + 2, 160)}px`;
  }

  function submit() {
    const text = input.value.trim();
    if (!text) return;
    if (checkLength({ force: true })) return; // the notice says why; the text stays whole
    const id = newId();
    pending.set(id, text);
    savePending();
    appendToLog(customerBubble(id, text, true), { force: true });
    input.value = "";
    autosize();
    clearError();
    if (welcomed) sendFrame({ type: "message", id, text });
    else if (!ws) connect(); // try now; otherwise it goes out right after the welcome
  }

  input.addEventListener("keydown", (e) => {
    if (e.key !== "Enter" || e.shiftKey || e.isComposing || e.keyCode === 229) return;
    e.preventDefault();
    submit();
  });
  input.addEventListener("input", () => {
    autosize();
    checkLength();
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    submit();
    input.focus();
  });

  // ------------------------------------------------------------------ start

  function showRoot() {
    root.style.removeProperty("display");
  }

  function start() {
    let link = Array.from(document.querySelectorAll('link[rel="stylesheet"]')).find((l) => l.href === CSS_URL);
    if (link && link.sheet) {
      showRoot();
    } else {
      if (!link) {
        link = el("link", { rel: "stylesheet", href: CSS_URL });
        document.head.append(link);
      }
      link.addEventListener("load", showRoot, { once: true });
      link.addEventListener("error", showRoot, { once: true });
      setTimeout(showRoot, 4000);
    }

    applyLabels();
    document.body.append(root);
    if (pending.size) {
      for (const [id, text] of pending) log.append(customerBubble(id, text, true));
    }
    // Starting opened must not steal focus from the host page.
    if (START_OPEN) setOpen(true, { focus: false });
    connect();
  }

  window.SwitchboardChat = Object.freeze({
    open() {
      setOpen(true);
    },
    close() {
      setOpen(false, { focus: panel.contains(document.activeElement) });
    },
  });

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start, { once: true });
})();
