/* Inside the embedded journey: report the page height and the journey's events to the partner
 * page that embedded it, and only to that page. The partner origin was checked against the
 * brand's allow-list by the server; without it nothing is ever posted (never to "*"). */
(function () {
  "use strict";
  var target = document.documentElement.getAttribute("data-partner-origin");
  if (!target || window.parent === window) { return; }
  var lastHeight = 0;
  var startedSent = false;

  function post(message) { window.parent.postMessage(message, target); }

  function reportHeight() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== lastHeight) {
      lastHeight = height;
      post({ type: "assessment:height", height: height });
    }
  }

  // Event markers are hidden elements the pages render: data-assessment-event names the event
  // and the other data-* attributes are its detail (data-products is a space-separated list).
  function detailOf(node) {
    var detail = {};
    Array.prototype.forEach.call(node.attributes, function (attribute) {
      var name = attribute.name;
      if (name.indexOf("data-") !== 0 || name === "data-assessment-event" || name === "data-reported" || name === "data-first") { return; }
      var key = name.slice(5).replace(/-([a-z])/g, function (_m, c) { return c.toUpperCase(); });
      detail[key] = key === "products" ? attribute.value.split(" ").filter(Boolean) : attribute.value;
    });
    return detail;
  }

  // Where the content a marker belongs to starts, in the frame's document: the partner page
  // scrolls there, so a new step or the results open at their top, not where the last page
  // was left.
  function topOf(node) {
    var section = node.closest("article, section, #step") || document.getElementById("main");
    var top = section ? section.getBoundingClientRect().top + (window.pageYOffset || 0) : 0;
    return Math.max(0, Math.floor(top));
  }

  function reportEvents() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-assessment-event]:not([data-reported])"), function (node) {
      node.setAttribute("data-reported", "1");
      var name = node.getAttribute("data-assessment-event");
      var detail = detailOf(node);
      if (name === "step" && node.hasAttribute("data-first") && !startedSent) {
        startedSent = true;
        post({ type: "assessment:started", detail: { step: detail.step } });
      }
      post({ type: "assessment:" + name, detail: detail });
      reportHeight();
      post({ type: "assessment:scroll", top: topOf(node) });
    });
  }

  // The brand's colours and corner radius as the page's theme set them, and the page's word
  // for "Close", so the partner's launch button and dialog match the assessment.
  function reportTheme() {
    var style = window.getComputedStyle(document.documentElement);
    function value(name) { return (style.getPropertyValue(name) || "").trim(); }
    post({
      type: "assessment:theme",
      theme: {
        primary: value("--brand-primary"), onPrimary: value("--brand-on-primary"),
        link: value("--brand-link"), background: value("--brand-background"),
        radius: value("--brand-radius")
      },
      close: document.documentElement.getAttribute("data-close-label") || ""
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-product-sku]");
    if (link) {
      post({ type: "assessment:product-click", detail: { sku: link.getAttribute("data-product-sku"), url: link.href } });
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { post({ type: "assessment:escape" }); }
  });

  if (window.ResizeObserver) { new ResizeObserver(reportHeight).observe(document.documentElement); }
  window.addEventListener("resize", reportHeight);
  document.addEventListener("htmx:afterSettle", function () { reportHeight(); reportEvents(); });
  function ready() { reportHeight(); reportTheme(); reportEvents(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", ready); }
  else { ready(); }
})();
