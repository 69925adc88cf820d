// Review app: player sync, click-to-seek, keyboard, and form posts without page reloads.
// Plain JavaScript, no build step. Every change is a POST with the page's CSRF token; after a
// change the page's server-rendered parts are fetched again, so the HTML has one source.
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const editorInput = document.getElementById("editor-name");
  const player = document.getElementById("player");
  const flash = document.getElementById("flash");
  // Interface strings in the editor's language, from the same catalogue as the page (JSON, not code).
  const T = JSON.parse((document.getElementById("ui-strings") || {}).textContent || "{}");
  const t = (key, fallback) => T[key] || fallback;
  let lastUserScroll = 0;

  // ---- editor name, remembered in this browser
  editorInput.value = localStorage.getItem("review-editor") || "";
  editorInput.addEventListener("input", () => localStorage.setItem("review-editor", editorInput.value.trim()));

  function say(message, kind) {
    flash.textContent = message;
    flash.className = "flash " + (kind || "ok");
    flash.hidden = false;
    clearTimeout(say.timer);
    say.timer = setTimeout(() => { flash.hidden = true; }, kind === "error" ? 9000 : 3500);
  }

  // ---- seeking
  function seek(seconds) {
    if (!player || isNaN(seconds)) return;
    player.currentTime = Math.max(0, seconds);
    if (player.paused) player.play().catch(() => {});
  }
  document.addEventListener("click", (event) => {
    const target = event.target.closest(".seek, .sent");
    if (!target || event.target.closest("form, summary, details[open]")) return;
    if (String(window.getSelection() || "").trim()) return;  // the editor is selecting text
    seek(parseFloat(target.dataset.start));
    if (target.classList.contains("sent")) chooseSentence(target);
  });

  // ---- playback speed 0.75-2x, remembered in this browser
  const speed = document.getElementById("speed");
  const SPEEDS = [0.75, 1, 1.25, 1.5, 1.75, 2];
  function setSpeed(value) {
    if (!player || !speed) return;
    const rate = Math.min(2, Math.max(0.75, value));
    player.playbackRate = rate;
    speed.value = String(rate);
    localStorage.setItem("review-speed", String(rate));
  }
  if (speed) {
    speed.addEventListener("change", () => setSpeed(parseFloat(speed.value)));
    setSpeed(parseFloat(localStorage.getItem("review-speed")) || 1);
  }

  // ---- keyboard shortcuts. They never fire while a button, link or field has focus: Space
  // there must press the button or type a space, not play the media. Esc leaves the field.
  const help = document.getElementById("help"), helpOpen = document.getElementById("help-open");
  function toggleHelp(show) {
    if (!help) return;
    help.hidden = show === undefined ? !help.hidden : !show;
    helpOpen.setAttribute("aria-expanded", String(!help.hidden));
  }
  if (helpOpen) helpOpen.addEventListener("click", () => toggleHelp());
  function reviewItems() { return [...document.querySelectorAll("#drafts .item")]; }
  function currentItem() { return document.activeElement && document.activeElement.closest && document.activeElement.closest("#drafts .item"); }
  function moveItem(step) {
    const items = reviewItems(), here = currentItem();
    let i = here ? items.indexOf(here) : -1;
    for (let n = 0; n < items.length; n++) {
      i = (i + step + items.length) % items.length;
      if (!items[i].matches(".state-approved, .state-rejected")) break;  // next one still to review
    }
    if (items[i]) { items[i].focus(); items[i].scrollIntoView({ block: "nearest" }); }
  }
  // [ and ]: the previous or next speaker turn (the rectangles of the speaker lane)
  function moveTurn(step) {
    if (!player) return;
    const starts = [...document.querySelectorAll("#speaker-lane rect.seek")].map((r) => parseFloat(r.dataset.start))
      .filter((t) => !isNaN(t)).sort((a, b) => a - b);
    const now = player.currentTime;
    const to = step > 0 ? starts.find((t) => t > now + 0.25) : starts.reverse().find((t) => t < now - 1);
    if (to !== undefined) seek(to);
  }
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.key === "Escape") {
      toggleHelp(false);
      if (target.closest && target.closest("input, textarea, select, button, a, summary")) target.blur();
      return;
    }
    if (target.closest && target.closest("input, textarea, select, button, a, summary, [contenteditable]")) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target.classList && target.classList.contains("sent") && event.key === "Enter") {
      event.preventDefault(); seek(parseFloat(target.dataset.start)); chooseSentence(target, true); return;
    }
    const key = event.key.toLowerCase();
    const playPause = () => { if (player) { if (player.paused) player.play().catch(() => {}); else player.pause(); } };
    const act = {
      " ": playPause,
      k: playPause,
      j: () => { if (player) player.currentTime = Math.max(0, player.currentTime - 5); },
      l: () => { if (player) player.currentTime = player.currentTime + 5; },
      n: () => moveItem(1),
      p: () => moveItem(-1),
      a: () => { const item = currentItem(), button = item && item.querySelector("button[value=approve]"); if (button) button.click(); },
      "<": () => setSpeed(SPEEDS[Math.max(0, SPEEDS.indexOf(player.playbackRate) - 1)]),
      ">": () => setSpeed(SPEEDS[Math.min(SPEEDS.length - 1, SPEEDS.indexOf(player.playbackRate) + 1)]),
      "?": () => toggleHelp(),
      "[": () => moveTurn(-1),
      "]": () => moveTurn(1),
    }[key];
    if (!act) return;
    event.preventDefault();
    act();
  });

  // ---- follow along: highlight the sentence being spoken and keep it in view
  const transcript = document.getElementById("transcript");
  if (transcript) {
    ["wheel", "touchmove"].forEach((t) => transcript.addEventListener(t, () => { lastUserScroll = Date.now(); }, { passive: true }));
  }
  function follow() {
    if (!player || !transcript) return;
    const now = player.currentTime;
    let current = null;
    for (const el of transcript.querySelectorAll(".sent")) {
      if (parseFloat(el.dataset.start) <= now + 0.05) current = el; else break;
    }
    const previous = transcript.querySelector(".sent.current");
    if (previous === current) return;
    if (previous) previous.classList.remove("current");
    if (!current) return;
    current.classList.add("current");
    if (Date.now() - lastUserScroll > 4000) scrollIntoPane(current, transcript);
    document.querySelectorAll(".chapter-link").forEach((b) => b.classList.toggle("current",
      b.dataset.chapter === current.closest(".t-chapter").dataset.chapter));
  }
  function scrollIntoPane(el, pane) {
    const top = el.offsetTop - pane.offsetTop, bottom = top + el.offsetHeight;
    if (top < pane.scrollTop + 40 || bottom > pane.scrollTop + pane.clientHeight - 40) {
      pane.scrollTo({ top: top - pane.clientHeight / 3, behavior: "smooth" });
    }
  }
  if (player) ["timeupdate", "seeked"].forEach((t) => player.addEventListener(t, follow));

  // ---- links to a moment (e.g. from the search page): /r/<slug>?t=seconds
  const startAt = parseFloat(new URLSearchParams(location.search).get("t"));
  if (player && startAt >= 0) {
    const jump = () => { player.currentTime = startAt; follow(); };
    if (player.readyState >= 1) jump(); else player.addEventListener("loadedmetadata", jump, { once: true });
  }

  // ---- correcting a sentence: the form opens right after the chosen sentence, where the
  // editor is looking (on a phone the tools column is far away)
  const sentenceEditor = document.getElementById("fix-sentence");
  const sentenceHome = document.getElementById("sentence-home");
  function closeSentence() {
    const form = document.getElementById("sentence-form");
    if (!form || !sentenceEditor) return;
    form.hidden = true;
    document.getElementById("fix-hint").hidden = false;
    sentenceHome.appendChild(sentenceEditor);
    const chosen = document.querySelector(".sent.chosen");
    document.querySelectorAll(".sent.chosen").forEach((s) => s.classList.remove("chosen"));
    if (chosen) chosen.focus();
  }
  function chooseSentence(span, focus) {
    const form = document.getElementById("sentence-form");
    if (!form) return;
    const slug = document.querySelector(".workspace").dataset.slug;
    form.setAttribute("action", "/r/" + slug + "/sentences/" + span.dataset.id);
    form.querySelector('[name="version"]').value = span.dataset.version;
    form.querySelector("textarea").value = span.textContent;
    form.dataset.sentence = span.id;
    document.getElementById("sentence-when").textContent = t("sentenceAt", "Sentence at") + " " + span.dataset.when;
    document.getElementById("fix-hint").hidden = true;
    form.hidden = false;
    document.querySelectorAll(".sent.chosen").forEach((s) => s.classList.remove("chosen"));
    span.classList.add("chosen");
    if (sentenceEditor) span.after(sentenceEditor);
    const chapterButton = document.getElementById("sentence-chapter");
    if (chapterButton) chapterButton.hidden = !chapterFormFor(span);
    if (focus) form.querySelector("textarea").focus();
  }
  // "Start a chapter here": the chapter form whose start list offers this sentence and whose
  // current start is nearest to it (the boundary the editor means to move)
  function chapterFormFor(span) {
    let best = null;
    document.querySelectorAll("details.chapter-edit").forEach((details) => {
      const select = details.querySelector('select[name="start"]');
      if (!select || !Array.from(select.options).some((o) => o.value === span.dataset.id)) return;
      const distance = Math.abs(parseFloat(details.dataset.start) - parseFloat(span.dataset.start));
      if (!best || distance < best.distance) best = { details, select, distance };
    });
    return best;
  }
  const chapterHere = document.getElementById("sentence-chapter");
  if (chapterHere) chapterHere.addEventListener("click", () => {
    const chosen = document.querySelector(".sent.chosen");
    const found = chosen && chapterFormFor(chosen);
    if (!found) return;
    found.select.value = chosen.dataset.id;
    found.details.open = true;
    found.select.focus();
    found.details.scrollIntoView({ block: "nearest" });
  });
  const closeButton = document.getElementById("sentence-close");
  if (closeButton) closeButton.addEventListener("click", closeSentence);

  // ---- adding a quote from a transcript selection
  const addQuote = document.getElementById("add-quote");
  let pendingQuote = null;
  function offsetIn(span, node, offset) {
    const range = document.createRange();
    range.selectNodeContents(span);
    range.setEnd(node, offset);
    return range.toString().length;
  }
  document.addEventListener("selectionchange", () => {
    const sel = window.getSelection();
    if (!addQuote || !sel || sel.isCollapsed || !transcript || !transcript.contains(sel.anchorNode)) {
      if (addQuote && !(sel && !sel.isCollapsed)) addQuote.hidden = true;
      return;
    }
    const range = sel.getRangeAt(0);
    const node = (n) => (n.nodeType === 1 ? n : n.parentElement);
    const first = node(range.startContainer).closest(".sent"), last = node(range.endContainer).closest(".sent");
    if (!first || !last || !sel.toString().trim()) { addQuote.hidden = true; return; }
    pendingQuote = {
      text: sel.toString(), first: first.dataset.id, last: last.dataset.id,
      start_offset: offsetIn(first, range.startContainer, range.startOffset),
      end_offset: offsetIn(last, range.endContainer, range.endOffset),
    };
    const box = range.getBoundingClientRect();
    addQuote.style.top = Math.max(8, box.top - 44) + "px";
    addQuote.style.left = Math.min(window.innerWidth - 160, box.left) + "px";
    addQuote.hidden = false;
  });
  if (addQuote) addQuote.addEventListener("click", () => {
    if (!pendingQuote) return;
    const slug = document.querySelector(".workspace").dataset.slug;
    const body = new FormData();
    Object.entries(pendingQuote).forEach(([k, v]) => body.append(k, v));
    addQuote.hidden = true;
    window.getSelection().removeAllRanges();
    send("/r/" + slug + "/quotes", body, null);
  });

  // ---- posting forms and refreshing the server-rendered parts
  async function send(url, body, form) {
    body.set("csrf", csrf);
    body.set("editor", editorInput.value.trim());
    if (!editorInput.value.trim()) {
      editorInput.focus();
      say(t("needName", "Enter your name in the Editor field first: every change records who made it."), "error");
      return;
    }
    let response, data;
    try {
      response = await fetch(url, { method: "POST", body, headers: { Accept: "application/json" }, credentials: "same-origin" });
      data = await response.json();
    } catch (err) {
      say(t("noAnswer", "Not saved: the review app did not answer.") + " (" + err + ")", "error");
      return;
    }
    if (!response.ok) {
      const text = body.get("text");
      const card = form && form.closest(".item, .gap-mark");
      await refresh();
      let message = data.error || t("notSaved", "not saved");
      if (response.status === 409 && text) message += " " + t("yourText", "Your text was:") + " \u201c" + text + "\u201d";
      focusAfter = null;  // the form (and the editor's text) stays open; focus the message's card
      const fresh = card && document.getElementById(card.id);
      showError(fresh, message);
      if (fresh) fresh.focus();
      return;
    }
    await refresh();
    say(data.message || t("saved", "saved"));
    keepFocus(form);
  }
  // After a change the page parts are re-rendered: put focus back on the item just acted on
  // (its next action, or the card), not on the page body.
  let focusAfter = null;
  function rememberFocus(form, submitter) {
    const card = form && form.closest(".item, .gap-mark, #history li");
    const sentence = form && form.id === "sentence-form" ? form.dataset.sentence : null;
    focusAfter = { card: card && card.id, sentence, action: submitter && submitter.value };
  }
  function keepFocus() {
    const want = focusAfter;
    focusAfter = null;
    if (!want) return;
    if (want.sentence) { closeSentence(); const s = document.getElementById(want.sentence); if (s) s.focus(); return; }
    const card = want.card && document.getElementById(want.card);
    if (!card) return;
    // an undone history entry has no button left: the entry itself keeps the focus
    const target = card.querySelector(".actions button, .actions summary") || card;
    target.focus();
  }
  function showError(card, message) {
    const box = card && card.querySelector(".item-msg");
    if (box) { box.textContent = message; box.hidden = false; card.scrollIntoView({ block: "nearest" }); }
    say(message, "error");
  }
  async function refresh() {
    const response = await fetch(location.pathname, { headers: { Accept: "text/html" } });
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    const chosen = (document.querySelector(".sent.chosen") || {}).id;
    if (sentenceEditor && sentenceHome) sentenceHome.appendChild(sentenceEditor);  // keep it out of replaced parts
    document.querySelectorAll("[data-refresh]").forEach((el) => {
      const replacement = fresh.getElementById(el.id);
      if (replacement) el.innerHTML = replacement.innerHTML;
    });
    follow();
    if (chosen && document.getElementById(chosen)) chooseSentence(document.getElementById(chosen));
  }
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.classList.contains("js-post")) return;
    event.preventDefault();
    const body = new FormData(form);
    if (event.submitter && event.submitter.name) body.set(event.submitter.name, event.submitter.value);
    rememberFocus(form, event.submitter);
    send(form.getAttribute("action"), body, form);
  });
})();
