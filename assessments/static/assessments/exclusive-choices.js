// Exclusive choices ("None of these") work without this file: the server refuses them combined
// with other choices. This only saves the customer that round trip: ticking an exclusive choice
// unticks the question's other choices, and ticking another choice unticks the exclusive ones.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.checked || input.type !== "checkbox" || !input.form) return;
    var exclusive = input.hasAttribute("data-exclusive");
    var others = input.form.querySelectorAll('input[type="checkbox"]');
    for (var i = 0; i < others.length; i++) {
      var other = others[i];
      if (other === input || other.name !== input.name || !other.checked) continue;
      if (exclusive || other.hasAttribute("data-exclusive")) other.checked = false;
    }
  });
})();
