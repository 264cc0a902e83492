// The web chat page: renders replies from POST /api/chat. Everything from the server is put in
// the page with textContent / createElement, never innerHTML, so no reply can inject markup.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const messages = $("messages");
  const askForm = $("ask");
  const input = $("text");
  const sendButton = $("send");
  const lookupForm = $("lookup");
  const codeInput = $("code");
  const largeToggle = $("large-text");
  const lookupToggle = $("open-lookup");
  const URL_RE = /(https?:\/\/[^\s<>"'()]+[^\s<>"'().,;:!?])/g;
  let busy = false;

  // -- small storage helpers (private browsing may refuse localStorage) ----------------------
  const memory = {};
  function load(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return memory[key] || null; }
  }
  function store(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { memory[key] = value; }
  }

  function newSessionId() {
    const bytes = new Uint8Array(18);
    window.crypto.getRandomValues(bytes);
    let text = "";
    bytes.forEach((b) => { text += String.fromCharCode(b); });
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  let session = load("tthc-session");
  if (!session || !/^[A-Za-z0-9_-]{8,64}$/.test(session)) {
    session = newSessionId();
    store("tthc-session", session);
  }

  // -- large text ------------------------------------------------------------------------------
  function applyLarge(on) {
    document.documentElement.classList.toggle("large", on);
    largeToggle.setAttribute("aria-pressed", on ? "true" : "false");
  }
  applyLarge(load("tthc-large") === "1");
  largeToggle.addEventListener("click", () => {
    const on = !document.documentElement.classList.contains("large");
    applyLarge(on);
    store("tthc-large", on ? "1" : "0");
  });

  // -- demo banner: dismissible, remembered ---------------------------------------------------------
  $("hide-banner").addEventListener("click", () => {
    $("demo-banner").hidden = true;
    store("tthc-banner", "hidden");
    input.focus();
  });

  // -- dossier lookup: folded behind the 🔎 button so the conversation keeps the screen -------------
  function showLookup(open, focus = true) {
    lookupForm.hidden = !open;
    lookupToggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (open && focus) codeInput.focus();
  }
  lookupToggle.addEventListener("click", () => showLookup(lookupForm.hidden));
  codeInput.addEventListener("keydown", (event) => {
    if (event.key === "Escape") { showLookup(false); lookupToggle.focus(); }
  });

  // -- rendering -------------------------------------------------------------------------------
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function textWithLinks(text) {
    const span = el("div", "text");
    let last = 0;
    text.replace(URL_RE, (url, _m, offset) => {
      if (offset > last) span.appendChild(document.createTextNode(text.slice(last, offset)));
      const a = el("a", null, url);
      a.href = url;
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      span.appendChild(a);
      last = offset + url.length;
      return url;
    });
    if (last < text.length) span.appendChild(document.createTextNode(text.slice(last)));
    return span;
  }

  function scrollDown() {
    messages.scrollTop = messages.scrollHeight;
  }

  // A new answer is read from its first line: scroll so that it starts at the top of the view
  // (a short answer simply ends up at the bottom, as the list cannot scroll further).
  function scrollToStart(bubble) {
    messages.scrollTop = Math.max(0, bubble.offsetTop - 8);  // offsetParent is the (positioned) list
  }

  function addUser(text) {
    const bubble = el("div", "msg user", text);
    messages.appendChild(bubble);
    scrollDown();
    return bubble;
  }

  function addNote(text, className) {
    const bubble = el("div", "msg " + (className || "system"), text);
    bubble.setAttribute("role", className === "error" ? "alert" : "status");
    messages.appendChild(bubble);
    scrollDown();
    return bubble;
  }

  function fillBot(bubble, reply) {
    bubble.replaceChildren();
    bubble.className = "msg bot " + (reply.status || "");
    if (reply.status === "handoff") {
      // A civil servant answers through /api/updates: ask more often while the request is open.
      const state = reply.data && reply.data.handoff ? reply.data.handoff.state : null;
      handoffOpen = state === "opened" || state === "open" || state === "relayed" || state === "position";
    }
    let body = reply.reply || "";
    if (reply.title && body.startsWith(reply.title)) {
      bubble.appendChild(el("strong", "title", reply.title));
      body = body.slice(reply.title.length).replace(/^\n/, "");
    }
    bubble.appendChild(textWithLinks(body));
    const buttons = Array.isArray(reply.buttons) ? reply.buttons : [];
    const folded = reply.data && reply.data.menu === "fields" && buttons.length > 6;
    if (buttons.length) {
      const row = el("div", "actions");
      if (folded) {
        row.classList.add("compact");
        row.hidden = true;
        const open = el("button", "chip more", "📂 Xem thủ tục theo lĩnh vực (" + buttons.length + ")");
        open.type = "button";
        open.setAttribute("aria-expanded", "false");
        open.addEventListener("click", () => {
          row.hidden = !row.hidden;
          open.setAttribute("aria-expanded", row.hidden ? "false" : "true");
        });
        const line = el("div", "actions");
        line.appendChild(open);
        bubble.appendChild(line);
      }
      if (reply.status === "clarify" || (reply.data && reply.data.menu && reply.data.menu !== "fields")) {
        row.classList.add("list");
      }
      buttons.forEach((button) => {
        const chip = el("button", "chip", button.label);
        chip.type = "button";
        if (button.action.startsWith("k:") && button.action.split(":")[1] !== "-1") {
          chip.classList.add("check");
          if (button.label.startsWith("✅")) chip.classList.add("on");
          chip.setAttribute("aria-pressed", button.label.startsWith("✅") ? "true" : "false");
        }
        chip.addEventListener("click", () => press(button, bubble));
        row.appendChild(chip);
      });
      bubble.appendChild(row);
    }
    if (reply.voted) {
      const row = el("div", "feedback");
      row.appendChild(el("span", "thanks", reply.voted));
      bubble.appendChild(row);
    } else if (Array.isArray(reply.feedback) && reply.feedback.length) {
      const row = el("div", "feedback");
      row.appendChild(el("span", null, "Câu trả lời có hữu ích không?"));
      reply.feedback.forEach((button) => {
        const chip = el("button", "chip", button.label);
        chip.type = "button";
        chip.addEventListener("click", () => vote(button, row));
        row.appendChild(chip);
      });
      bubble.appendChild(row);
    }
    return bubble;
  }

  function addBot(reply, keepScroll) {
    const bubble = el("div", "msg bot");
    messages.appendChild(fillBot(bubble, reply));
    if (!keepScroll) scrollToStart(bubble);
    return bubble;
  }

  function addSuggestions(config) {
    const box = el("div", "msg suggest");
    if (config.suggestions && config.suggestions.length) {
      box.appendChild(el("p", null, "Thử hỏi:"));
      const row = el("div", "actions");
      config.suggestions.forEach((question) => {
        const chip = el("button", "chip", question);
        chip.type = "button";
        chip.addEventListener("click", () => ask(question));
        row.appendChild(chip);
      });
      box.appendChild(row);
    }
    if (config.demo_codes && config.demo_codes.length) {
      box.appendChild(el("p", null, "Mã hồ sơ mẫu để thử tra cứu:"));
      const row = el("div", "actions");
      config.demo_codes.forEach((code) => {
        const chip = el("button", "chip code", code);
        chip.type = "button";
        chip.addEventListener("click", () => lookup(code));
        row.appendChild(chip);
      });
      box.appendChild(row);
    }
    if (box.childNodes.length) messages.appendChild(box);
  }

  // -- talking to the server -------------------------------------------------------------------
  async function post(payload) {
    let response;
    try {
      response = await fetch("/api/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(Object.assign({ session_id: session }, payload)),
      });
    } catch (e) {
      addNote("Không kết nối được máy chủ. Bạn kiểm tra mạng rồi thử lại nhé.", "error");
      return null;
    }
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!response.ok || !data) {
      addNote((data && data.message) || "Hệ thống đang gặp sự cố. Bạn vui lòng thử lại sau ít phút.", "error");
      return null;
    }
    return data;
  }

  async function withTyping(payload) {
    busy = true;
    sendButton.disabled = true;
    const typing = addNote("Trợ lý đang trả lời…", "system typing");
    try {
      return await post(payload);
    } finally {
      typing.remove();
      busy = false;
      sendButton.disabled = false;
    }
  }

  // -- dossier notifications ("theo dõi <mã>") ---------------------------------------------------
  // The server keeps them until the page confirms it showed them; the page asks on load, every
  // POLL_MS while visible, and when the tab comes back to the front.
  const POLL_MS = 30000;
  const HANDOFF_POLL_MS = 5000;
  let handoffOpen = false;
  const shown = new Set();
  let polling = false;

  async function pollUpdates() {
    if (polling || document.visibilityState === "hidden") return;
    polling = true;
    try {
      const response = await fetch("/api/updates?session_id=" + encodeURIComponent(session));
      if (!response.ok) return;
      const data = await response.json();
      const items = Array.isArray(data.notifications) ? data.notifications : [];
      const ids = [];
      for (const item of items) {
        if (typeof item.id !== "number") continue;
        ids.push(item.id);
        if (shown.has(item.id)) continue;
        shown.add(item.id);
        const bubble = el("div", "msg bot notification");
        bubble.setAttribute("role", "status");
        bubble.appendChild(textWithLinks(String(item.text || "")));
        messages.appendChild(bubble);
        scrollToStart(bubble);
      }
      if (ids.length) {
        await fetch("/api/updates/ack", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ session_id: session, ids: ids }),
        });
      }
    } catch (e) {
      // Offline for a moment: the notifications wait on the server for the next poll.
    } finally {
      polling = false;
    }
  }

  function followNote(reply) {
    // On Telegram and Zalo the bot writes first; a web page can only show news while it is open.
    const dossier = reply && reply.data && reply.data.dossier;
    if (dossier && dossier.need_code) {
      // "tra cứu hồ sơ" without a code: open and point at the lookup box (no focus: it would pop the keyboard).
      showLookup(true, false);
      lookupForm.classList.add("attention");
      window.setTimeout(() => lookupForm.classList.remove("attention"), 4000);
    }
    if (dossier && dossier.newly_subscribed) {
      addNote("Thông báo về hồ sơ sẽ hiện ngay trong trang này khi bạn mở lại trên trình duyệt này. "
        + "Muốn nhận tin nhắn cả khi không mở trang, bạn có thể theo dõi qua Zalo hoặc Telegram.");
    }
  }

  async function ask(text) {
    const question = text.trim();
    if (!question || busy) return;
    addUser(question);
    const reply = await withTyping({ text: question });
    if (reply) { addBot(reply); followNote(reply); }
  }

  async function lookup(code) {
    const value = code.trim();
    if (!value || busy) return;
    addUser("Tra cứu hồ sơ " + value);
    const reply = await withTyping({ text: value });
    if (reply) addBot(reply);
  }

  async function press(button, bubble) {
    if (busy) return;
    const action = button.action;
    const isToggle = action.startsWith("k:") && action.split(":")[1] !== "-1";
    if (isToggle) {
      // Ticking a document edits the checklist in place, as the Telegram bot edits its message.
      busy = true;
      const reply = await post({ action: action });
      busy = false;
      if (reply && reply.data && reply.data.checklist) fillBot(bubble, reply);
      else if (reply) addBot(reply);
      return;
    }
    addUser(button.label);
    const reply = await withTyping({ action: action });
    if (reply) { addBot(reply); followNote(reply); }
  }

  async function vote(button, row) {
    row.querySelectorAll("button").forEach((b) => { b.disabled = true; });
    const reply = await post({ action: button.action });
    if (!reply) {
      row.querySelectorAll("button").forEach((b) => { b.disabled = false; });
      return;
    }
    row.replaceChildren(el("span", "thanks", reply.reply));
    // A second unhelpful turn in a row: the offer of a civil servant comes with its button.
    if (reply.data && reply.data.handoff_offer) addBot(reply);
  }

  // -- wiring ----------------------------------------------------------------------------------
  // "🙋 Gặp cán bộ" in the header: the same request as typing "gặp cán bộ" (assistant/handoff).
  $("handoff").addEventListener("click", () => {
    if (!busy) press({ label: "🙋 Gặp cán bộ", action: "ho:open" }, null);
  });
  askForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value;
    input.value = "";
    input.style.height = "";
    ask(text);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      askForm.requestSubmit();
    }
  });
  input.addEventListener("input", () => {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 160) + "px";
  });
  lookupForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const code = codeInput.value;
    codeInput.value = "";
    showLookup(false);
    lookup(code);
  });

  async function history() {
    try {
      const response = await fetch("/api/history?session_id=" + encodeURIComponent(session));
      if (!response.ok) return [];
      const data = await response.json();
      return Array.isArray(data.turns) ? data.turns : [];
    } catch (e) {
      return [];
    }
  }

  async function start() {
    let config = {};
    try {
      const response = await fetch("/api/config");
      if (response.ok) config = await response.json();
    } catch (e) { config = {}; }
    if (config.locality) $("place").textContent = config.locality;
    if (config.contact && config.contact.text) {
      // The locality's one-stop (verified values only), not only the national hotline.
      // Phone numbers ("1800 1096") never break across lines.
      $("contact").textContent = config.contact.text.replace(/(\d) (?=\d)/g, "$1\u00a0");
      $("contact").hidden = false;
    }
    if (config.demo && load("tthc-banner") !== "hidden") $("demo-banner").hidden = false;
    const procedure = new URLSearchParams(window.location.search).get("p");
    const earlier = procedure ? [] : await history();
    if (earlier.length) {
      // A reload: draw what the page showed before, and carry on at the end of it.
      earlier.forEach((turn) => {
        if (turn.role === "user" && turn.text) addUser(turn.text);
        else if (turn.role === "bot" && turn.reply) addBot(turn.reply, true);
      });
      scrollDown();
    } else {
      const first = procedure ? await post({ procedure_id: procedure.slice(0, 128) }) : await post({ menu: true });
      if (first) addBot(first, true);
      if (!procedure) addSuggestions(config);
      messages.scrollTop = 0;
    }
    await pollUpdates();
    document.body.dataset.ready = "1";
    window.setInterval(pollUpdates, POLL_MS);
    window.setInterval(() => { if (handoffOpen) pollUpdates(); }, HANDOFF_POLL_MS);
    document.addEventListener("visibilitychange", pollUpdates);
  }
  start();
})();
