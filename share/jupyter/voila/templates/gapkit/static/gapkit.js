// Keyboard and screen-reader semantics the widget library leaves out, added as widgets appear.
//
// A set of radio buttons becomes one radio group: a shared `name` (so the browser gives the group one Tab
// stop and moves between options with the arrow keys), role="radiogroup" and a label (the question above
// it, or the set's own description); a set of check boxes becomes a group labelled by its question.
// Nothing here fetches anything or changes a widget's value. It also keeps a reflection's last words from being
// lost when the page is left while they are being saved (below).
(function () {
  "use strict";
  var groups = 0;

  function labelFor(box) {
    var radio = box.closest(".widget-radio");
    var check = box.closest(".gapkit-check");
    var question = check && check.querySelector(".gapkit-question");
    var own = radio && radio.querySelector(":scope > .widget-label");
    var ids = [];
    [question, own].forEach(function (el) {
      if (el && el.textContent.trim()) {
        if (!el.id) { el.id = "gapkit-label-" + (++groups); }
        ids.push(el.id);
      }
    });
    return ids.join(" ");
  }

  function enhanceRadios(root) {
    root.querySelectorAll(".widget-radio-box").forEach(function (box) {
      if (!box.dataset.gapkitGroup) {
        box.dataset.gapkitGroup = "gapkit-radio-" + (++groups);
        box.setAttribute("role", "radiogroup");
        var labelled = labelFor(box);
        if (labelled) { box.setAttribute("aria-labelledby", labelled); }
      }
      box.querySelectorAll("input[type=radio]").forEach(function (input) {
        if (input.name !== box.dataset.gapkitGroup) { input.name = box.dataset.gapkitGroup; }
      });
    });
  }

  // A select-all-that-apply check: its boxes become one labelled group (each box keeps its own Tab stop).
  function enhanceCheckboxes(root) {
    root.querySelectorAll(".gapkit-check").forEach(function (check) {
      var first = check.querySelector(".widget-checkbox");
      var set = first && first.parentElement;
      if (!set || set.getAttribute("role") === "group") { return; }
      var question = check.querySelector(".gapkit-question");
      if (question && !question.id) { question.id = "gapkit-label-" + (++groups); }
      set.setAttribute("role", "group");
      if (question) { set.setAttribute("aria-labelledby", question.id); }
    });
  }

  // Saving an answer. Each keystroke in a reflection is saved by the page's kernel, which may be a few
  // keystrokes behind. The status line the kernel writes carries a stamp of the text it saved
  // (data-saved, `gapkit.widgets._common.text_stamp`); until that stamp is the stamp of what the box
  // holds, the line says "Saving…". Leaving the page while a save is pending would lose the last
  // words (Voila stops the kernel when the page is left): a link on the page waits for the save, and
  // closing the tab or typing an address asks first.
  var SAVING = "Saving\u2026";

  function stamp(text) {  // 32-bit FNV-1a over UTF-16 code units, as text_stamp in Python
    var h = 0x811c9dc5;
    for (var i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return ("0000000" + h.toString(16)).slice(-8);
  }

  function answers() {
    var out = [];
    document.querySelectorAll(".gapkit-reflection").forEach(function (widget) {
      var box = widget.querySelector("textarea");
      var status = widget.querySelector(".gapkit-status");
      if (box && status) { out.push({ box: box, status: status }); }
    });
    return out;
  }

  function unsaved(answer) {  // what the box holds is not yet what the kernel says it saved
    return answer.status.dataset.saved !== stamp(answer.box.value);
  }

  function showSaving(answer) {
    if (answer.status.getAttribute("role") === "alert" && !answer.status.dataset.saved) { return; }  // a problem
    if (answer.status.textContent !== SAVING) {
      answer.status.textContent = SAVING;
      answer.status.classList.remove("gapkit-status-saved");
    }
  }

  function markPending() {
    answers().forEach(function (answer) { if (unsaved(answer)) { showSaving(answer); } });
  }

  function pendingSaves() { return answers().filter(unsaved).length; }

  document.addEventListener("input", function (event) {
    if (event.target.closest && event.target.closest(".gapkit-reflection")) { markPending(); }
  }, true);

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey ||
        link.target === "_blank" || link.hasAttribute("download") || link.getAttribute("href").charAt(0) === "#" ||
        !pendingSaves()) { return; }
    event.preventDefault();
    var waited = 0;
    (function leaveWhenSaved() {
      if (!pendingSaves() || waited >= 20000) { window.location.href = link.href; return; }
      waited += 100;
      window.setTimeout(leaveWhenSaved, 100);
    })();
  }, true);

  // Before Voila's own handler (which stops the kernel): while a save is pending, ask, and keep the kernel.
  window.addEventListener("beforeunload", function (event) {
    if (!pendingSaves()) { return; }
    event.stopImmediatePropagation();
    event.preventDefault();
    event.returnValue = "";
  }, true);

  var pending = false;
  function schedule() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false; enhanceRadios(document); enhanceCheckboxes(document);
    });
  }

  function start() {
    enhanceRadios(document);
    enhanceCheckboxes(document);
    new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
    // A status line the kernel wrote for an older text says "Saving…" at once (before it is drawn).
    new MutationObserver(markPending).observe(document.body, { childList: true, subtree: true, characterData: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
