// Keyboard and screen-reader semantics the widget library leaves out, added as widgets appear.
//
// A set of radio buttons becomes one radio group: a shared `name` (so the browser gives the group one Tab
// stop and moves between options with the arrow keys), role="radiogroup" and a label (the question above
// it, or the set's own description); a set of check boxes becomes a group labelled by its question.
// Nothing here fetches anything or changes a widget's value.
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
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
