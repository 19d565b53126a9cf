// Move inline rows up and down without retyping them: the script swaps rows in the page and
// renumbers their "position" inputs, which Django saves with the form.
"use strict";
(function () {
  function rows(group) {
    return Array.from(group.querySelectorAll(".inline-related:not(.empty-form), tr.form-row:not(.empty-form)"))
      .filter(function (row) { return row.querySelector("input[name$='-position']"); });
  }
  function renumber(group) {
    rows(group).forEach(function (row, index) {
      row.querySelector("input[name$='-position']").value = String(index);
    });
  }
  function move(row, group, direction) {
    var list = rows(group);
    var index = list.indexOf(row);
    var other = list[index + direction];
    if (!other) { return; }
    if (direction < 0) { other.parentNode.insertBefore(row, other); }
    else { other.parentNode.insertBefore(other, row); }
    renumber(group);
  }
  function button(label, text, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.addEventListener("click", onClick);
    return b;
  }
  function enhance(group) {
    rows(group).forEach(function (row) {
      if (row.querySelector(".reorder-buttons")) { return; }
      var holder = document.createElement("span");
      holder.className = "reorder-buttons";
      holder.appendChild(button("Move up", "↑", function () { move(row, group, -1); }));
      holder.appendChild(button("Move down", "↓", function () { move(row, group, 1); }));
      var anchor = row.querySelector("h3, td.original, td");
      (anchor || row).appendChild(holder);
    });
  }
  function start() {
    document.querySelectorAll(".inline-group").forEach(function (group) {
      if (group.querySelector(".reorderable, fieldset.reorderable") || group.querySelector("input[name$='-position']")) {
        enhance(group);
      }
    });
  }
  document.addEventListener("formset:added", function (event) {
    var group = event.target.closest(".inline-group");
    if (group) { enhance(group); renumber(group); }
  });
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
