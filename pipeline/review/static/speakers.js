// The speaker lane (templates/_speaker_lane.html): take a split's time range from the sentence
// chosen in the transcript, and keep the lane's editing panel open and focused across the page's
// refresh after a change (review.js re-renders the lane; this script is loaded once).
"use strict";
(function () {
  const lane = document.getElementById("speaker-lane");
  if (!lane) return;
  const OPEN_KEY = "speaker-edit-open";
  let lastForm = null;

  function seconds(value) { return String(Math.round(parseFloat(value) * 1000) / 1000); }

  lane.addEventListener("click", (event) => {
    if (!event.target.closest("#spk-from-sentence")) return;
    const chosen = document.querySelector(".sent.chosen") || document.querySelector(".sent.current");
    const hint = document.getElementById("spk-split-hint");
    if (!chosen) {
      if (hint) { hint.textContent = hint.dataset.none; hint.setAttribute("role", "status"); }
      return;
    }
    document.getElementById("spk-split-start").value = seconds(chosen.dataset.start);
    document.getElementById("spk-split-end").value = seconds(chosen.dataset.end);
    document.getElementById("spk-split-to").focus();
  });
  lane.addEventListener("toggle", (event) => {
    if (event.target.id === "speaker-edit") sessionStorage.setItem(OPEN_KEY, event.target.open ? "1" : "");
  }, true);
  lane.addEventListener("submit", (event) => { lastForm = event.target.id || "speaker-lane-h"; }, true);

  // After review.js replaced the lane's content: same panel state, focus back on the form used.
  function restore() {
    const details = document.getElementById("speaker-edit");
    if (details && sessionStorage.getItem(OPEN_KEY)) details.open = true;
    if (!lastForm) return;
    const where = document.getElementById(lastForm);  // the form used, or (an undo) the lane's heading
    lastForm = null;
    if (!where) return;
    const target = where.tagName === "FORM" ? where.querySelector("select, input:not([type=hidden])") : where;
    if (target === where) target.tabIndex = -1;
    if (target) target.focus();
  }
  new MutationObserver(restore).observe(lane, { childList: true });
  restore();
})();
