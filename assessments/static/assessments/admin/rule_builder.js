// The rule builder, enhanced: each row shows only the inputs its chosen condition uses (numbers
// for "between", a text for a hidden field). Without this script every input shows, and the
// server ignores the ones a condition does not use.
"use strict";
(function () {
  function needs(code) {
    if (/\|range$/.test(code)) { return "range"; }
    if (/^field\|/.test(code)) { return "text"; }
    return "";
  }
  function update(row) {
    var select = row.querySelector("select");
    var wanted = needs(select ? select.value : "");
    row.querySelectorAll("[data-needs]").forEach(function (extra) {
      extra.hidden = extra.getAttribute("data-needs") !== wanted;
    });
  }
  function start() {
    document.querySelectorAll("[data-rule-row]").forEach(function (row) {
      row.setAttribute("data-enhanced", "");
      var select = row.querySelector("select");
      if (select) { select.addEventListener("change", function () { update(row); }); }
      update(row);
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
