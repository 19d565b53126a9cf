// The step page's ordering, enhanced: each question and choice gets "Move up" / "Move down"
// buttons and can be dragged by its handle. Both only renumber the visible "position" inputs,
// which the form saves; without this script authors type the numbers themselves.
"use strict";
(function () {
  function items(list) {
    return Array.from(list.children).filter(function (el) { return el.hasAttribute("data-reorder-item"); });
  }
  function positionInput(item) {
    return item.querySelector("input[name$='-position']:not([name*='-choices-'])") ||
      item.querySelector("input[name$='-position']");
  }
  function ownPosition(item) {
    // A question's own position input, not one of its choices'.
    var inputs = Array.from(item.querySelectorAll("input[name$='-position']"));
    return inputs.find(function (input) { return input.closest("[data-reorder-item]") === item; }) || positionInput(item);
  }
  function nameOf(item) {
    var heading = item.querySelector(".sp-title, .sp-choice__name");
    return heading ? heading.textContent.replace("⠿", "").trim() : "";
  }
  function renumber(list) {
    items(list).forEach(function (item, index) {
      var input = ownPosition(item);
      if (input) { input.value = String(index); }
    });
  }
  function announce(text) {
    var live = document.getElementById("sp-live");
    if (live) { live.textContent = text; }
  }
  function move(item, direction, focusButton) {
    var list = item.parentNode;
    var all = items(list);
    var index = all.indexOf(item);
    var other = all[index + direction];
    if (!other) { return; }
    if (direction < 0) { list.insertBefore(item, other); } else { list.insertBefore(other, item); }
    renumber(list);
    announce(nameOf(item) + ": " + (items(list).indexOf(item) + 1) + " / " + all.length);
    if (focusButton) { focusButton.focus(); }
  }
  function button(text, label, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "sp-move";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.addEventListener("click", onClick);
    return b;
  }
  function enhance(list) {
    var noun = list.getAttribute("data-reorder");
    items(list).forEach(function (item) {
      var name = nameOf(item);
      var holder = document.createElement("span");
      holder.className = "sp-moves";
      var up = button("↑", "Move " + noun + " " + name + " up", function () { move(item, -1, up); });
      var down = button("↓", "Move " + noun + " " + name + " down", function () { move(item, 1, down); });
      holder.appendChild(up);
      holder.appendChild(down);
      var heading = item.querySelector(".sp-title, .sp-choice__head");
      (heading || item).appendChild(holder);
      var handle = item.querySelector(".sp-handle");
      if (handle && handle.closest("[data-reorder-item]") === item) {
        handle.setAttribute("draggable", "true");
        handle.addEventListener("dragstart", function (event) {
          list.dataset.dragging = String(items(list).indexOf(item));
          event.dataTransfer.effectAllowed = "move";
          event.dataTransfer.setData("text/plain", name);
          event.dataTransfer.setDragImage(item, 10, 10);
          item.classList.add("sp-dragging");
        });
        handle.addEventListener("dragend", function () {
          item.classList.remove("sp-dragging");
          delete list.dataset.dragging;
          renumber(list);
        });
      }
      item.addEventListener("dragover", function (event) {
        if (list.dataset.dragging === undefined) { return; }
        var dragged = items(list)[Number(list.dataset.dragging)];
        if (!dragged || dragged === item) { return; }
        event.preventDefault();
        var box = item.getBoundingClientRect();
        var after = event.clientY > box.top + box.height / 2;
        list.insertBefore(dragged, after ? item.nextSibling : item);
        list.dataset.dragging = String(items(list).indexOf(dragged));
      });
      item.addEventListener("drop", function (event) {
        if (list.dataset.dragging !== undefined) { event.preventDefault(); renumber(list); }
      });
    });
  }
  function reveal() {
    // A link from Validate names a field that may sit in a closed "More settings": open it.
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) { return; }
    for (var el = target.parentElement; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") { el.open = true; }
    }
    target.scrollIntoView({block: "center"});
    if (target.matches("input, select, textarea")) { target.focus(); }
  }
  function start() {
    document.querySelectorAll("[data-reorder]").forEach(enhance);
    var errors = document.getElementById("sp-errors");
    if (errors) { errors.focus(); } else { reveal(); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
