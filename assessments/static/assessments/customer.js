// Customer pages work without this file; it only makes htmx swaps accessible.
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
})();
