/* Assessment embed loader. Put this on a partner page:
 *   <script src="https://APP/embed.js" async></script>
 *   <div data-assessment="BRAND/KEY" data-lang="es"></div>
 * Optional: data-mode="popup" (a button opens the assessment in a dialog), data-label="…".
 * Each host element receives DOM CustomEvents: assessment:started, assessment:step,
 * assessment:completed and assessment:product-click, with details in event.detail.
 */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[src$='/embed.js']");
  if (!script) { return; }
  var appOrigin = new URL(script.src, window.location.href).origin;
  var frames = [];  // [{iframe, host}]

  function frameUrl(host) {
    var parts = (host.getAttribute("data-assessment") || "").split("/");
    if (parts.length !== 2 || !parts[0] || !parts[1]) { return null; }
    var url = new URL("/e/a/" + encodeURIComponent(parts[0]) + "/" + encodeURIComponent(parts[1]) + "/", appOrigin);
    url.searchParams.set("origin", window.location.origin);
    var lang = host.getAttribute("data-lang");
    if (lang) { url.searchParams.set("lang", lang); }
    ["utm_source", "utm_medium", "utm_campaign", "partner", "ref"].forEach(function (name) {
      var value = host.getAttribute("data-" + name.replace("_", "-"));
      if (value) { url.searchParams.set(name, value); }
    });
    return url.toString();
  }

  function makeFrame(host, src, dialog) {
    var iframe = document.createElement("iframe");
    iframe.src = src;
    iframe.title = host.getAttribute("data-title") || "Assessment";
    iframe.setAttribute("loading", "lazy");
    iframe.setAttribute("scrolling", "no");
    iframe.style.width = "100%";
    iframe.style.border = "0";
    iframe.style.display = "block";
    iframe.style.overflow = "hidden";
    iframe.style.height = "480px";
    frames.push({ iframe: iframe, host: host, dialog: dialog || null });
    return iframe;
  }

  function inline(host, src) {
    host.appendChild(makeFrame(host, src));
  }

  function popup(host, src) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "assessment-embed__open";
    button.textContent = host.getAttribute("data-label") || "Start the assessment";
    var dialog = document.createElement("dialog");
    dialog.className = "assessment-embed__dialog";
    dialog.setAttribute("aria-label", host.getAttribute("data-title") || "Assessment");
    dialog.style.width = "min(720px, 96vw)";
    dialog.style.maxHeight = "92vh";
    dialog.style.padding = "0";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "assessment-embed__close";
    close.textContent = host.getAttribute("data-close-label") || "Close";
    close.addEventListener("click", function () { dialog.close(); });
    // Focus sentinels at both ends keep Tab and Shift+Tab cycling inside the dialog, even when
    // focus leaves the last control inside the frame.
    function sentinel(onFocus) {
      var node = document.createElement("span");
      node.tabIndex = 0;
      node.style.position = "absolute";
      node.style.width = "1px";
      node.style.height = "1px";
      node.style.overflow = "hidden";
      node.addEventListener("focus", onFocus);
      return node;
    }
    var iframe = null;
    dialog.appendChild(sentinel(function () { (iframe || close).focus(); }));
    dialog.appendChild(close);
    var end = sentinel(function () { close.focus(); });
    button.addEventListener("click", function () {
      if (!iframe) { iframe = makeFrame(host, src, dialog); dialog.appendChild(iframe); dialog.appendChild(end); }
      // A modal dialog makes the rest of the page inert (focus stays inside) and closes on Escape.
      dialog.showModal();
      close.focus();
    });
    dialog.addEventListener("close", function () { button.focus(); });
    host.appendChild(button);
    host.appendChild(dialog);
  }

  function mount(host) {
    if (host.getAttribute("data-assessment-mounted")) { return; }
    var src = frameUrl(host);
    if (!src) { return; }
    host.setAttribute("data-assessment-mounted", "1");
    if (host.getAttribute("data-mode") === "popup") { popup(host, src); } else { inline(host, src); }
  }

  window.addEventListener("message", function (event) {
    // Only our own app, and only from a frame this loader made, is listened to.
    if (event.origin !== appOrigin) { return; }
    var match = null;
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].iframe.contentWindow === event.source) { match = frames[i]; break; }
    }
    if (!match) { return; }
    var data = event.data;
    if (!data || typeof data !== "object" || typeof data.type !== "string") { return; }
    if (data.type === "assessment:height" && typeof data.height === "number" && data.height > 0) {
      match.iframe.style.height = Math.ceil(Math.min(data.height, 100000)) + "px";
    } else if (data.type === "assessment:escape") {
      // Escape pressed inside the frame: the page's dialog never sees that key itself.
      if (match.dialog && match.dialog.open) { match.dialog.close(); }
    } else if (/^assessment:(started|step|completed|product-click)$/.test(data.type)) {
      match.host.dispatchEvent(new CustomEvent(data.type, {
        bubbles: true, detail: (data.detail && typeof data.detail === "object") ? data.detail : {}
      }));
    }
  });

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-assessment]"), mount);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
