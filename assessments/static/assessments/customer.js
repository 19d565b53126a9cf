// Customer pages work without this file; it makes htmx swaps accessible, and adds the copy and
// share buttons next to a share link.
(function () {
  "use strict";
  // After a step is swapped in, move focus to its heading (or to the error summary) so screen
  // readers announce the new step and keyboard users start at the top of it.
  document.addEventListener("htmx:afterSettle", function (event) {
    var step = document.getElementById("step");
    if (!step || !step.contains(event.target) && event.target !== step) return;
    var target = step.querySelector(".error-summary a") || document.getElementById("step-title");
    if (target) target.focus();
    var error = document.getElementById("htmx-error");
    if (error) error.hidden = true;
  });
  // A refused or failed request swaps nothing; say so rather than leaving the page silent.
  function failed() {
    var error = document.getElementById("htmx-error");
    if (error) error.hidden = false;
  }
  // Choosing reveals the choice's insight (CSS shows it); say it for screen-reader users too.
  document.addEventListener("change", function (event) {
    var input = event.target;
    var live = document.getElementById("insight-live");
    if (!live || !input.checked || !input.id) return;
    var insight = document.getElementById(input.id + "-insight");
    live.textContent = insight ? insight.textContent : "";
  });
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);

  // Copy and share buttons: the link is in a read-only field anyone can copy by hand; the
  // buttons do it in one tap. "Share…" is offered only where the browser has a share sheet.
  function shareStatus(box, key) {
    var status = box.querySelector("[data-share-status]");
    if (status) status.textContent = status.getAttribute(key) || "";
  }
  function copyLink(box) {
    var field = box.querySelector("[data-share-url]");
    if (!field) return;
    var done = function () { shareStatus(box, "data-copied"); };
    var fallback = function () {
      field.focus();
      field.select();
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
      shareStatus(box, copied ? "data-copied" : "data-copy-failed");
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, fallback);
    } else {
      fallback();
    }
  }
  function setUpShare(box) {
    var buttons = box.querySelector(".share__buttons");
    var field = box.querySelector("[data-share-url]");
    if (!buttons || !field || box.hasAttribute("data-share-ready")) return;
    box.setAttribute("data-share-ready", "1");
    buttons.hidden = false;
    var copy = box.querySelector("[data-share-copy]");
    if (copy) copy.addEventListener("click", function () { copyLink(box); });
    var native = box.querySelector("[data-share-native]");
    if (native && navigator.share) {
      native.hidden = false;
      native.addEventListener("click", function () {
        var data = { url: field.value, title: native.getAttribute("data-share-title") || document.title };
        // A closed share sheet rejects the promise; that is the customer's choice, not an error.
        navigator.share(data).catch(function () {});
      });
    }
  }
  function ready() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-share]"), setUpShare);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
  // Printing keeps everything: open the collapsed sections first.
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details.more, details.product__more"), function (details) {
      details.open = true;
    });
  });
})();
