/* Assessment embed loader. Put this on a partner page:
 *   <script src="https://APP/embed.js" async></script>
 *   <div data-assessment="BRAND/KEY" data-lang="es"></div>
 * Optional: data-mode="popup" (a button opens the assessment in a dialog), data-label="…",
 * data-close-label="…" (otherwise the assessment's own word for "Close", in its language).
 * Each host element receives DOM CustomEvents: assessment:started, assessment:step,
 * assessment:completed and assessment:product-click, with details in event.detail.
 *
 * Styles are set through element.style (the CSS object model), which a partner's CSP allows;
 * nothing here adds a <style> element or a style attribute in markup.
 */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[src$='/embed.js']");
  if (!script) { return; }
  var appOrigin = new URL(script.src, window.location.href).origin;
  var frames = [];  // [{iframe, host, dialog, button, close}]
  var CLOSE_WORDS = { en: "Close", es: "Cerrar" };  // until the frame says its own word

  function css(node, rules) {
    for (var name in rules) { if (Object.prototype.hasOwnProperty.call(rules, name)) { node.style[name] = rules[name]; } }
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

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

  function makeFrame(host, src, entry) {
    var iframe = document.createElement("iframe");
    iframe.src = src;
    iframe.title = host.getAttribute("data-title") || "Assessment";
    iframe.setAttribute("scrolling", "no");
    css(iframe, { width: "100%", border: "0", display: "block", overflow: "hidden", height: "480px" });
    entry.iframe = iframe;
    entry.host = host;
    frames.push(entry);
    return iframe;
  }

  function inline(host, src) {
    var iframe = makeFrame(host, src, { dialog: null });
    iframe.setAttribute("loading", "lazy");
    host.appendChild(iframe);
  }

  // The popup: a themed button opening a modal dialog. The frame is made at once (hidden in
  // the closed dialog), so a click at any moment opens a dialog that is already loading or
  // loaded, and the frame can tell the button the brand's colours and its own words.
  function popup(host, src) {
    var lang = (host.getAttribute("data-lang") || document.documentElement.lang || "en").slice(0, 2);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "assessment-embed__open";
    button.textContent = host.getAttribute("data-label") || "Start the assessment";
    css(button, {
      font: "inherit", fontWeight: "600", fontSize: "1rem", lineHeight: "1.25",
      minHeight: "44px", padding: "0.7rem 1.4rem", cursor: "pointer",
      border: "2px solid #1d1d1f", borderRadius: "12px", background: "#1d1d1f", color: "#ffffff",
      touchAction: "manipulation"
    });

    var dialog = document.createElement("dialog");
    dialog.className = "assessment-embed__dialog";
    dialog.setAttribute("aria-label", host.getAttribute("data-title") || "Assessment");
    css(dialog, {
      width: "min(720px, 96vw)", maxWidth: "96vw", maxHeight: "92vh", padding: "0",
      border: "0", borderRadius: "12px", overflow: "auto", background: "#ffffff",
      boxShadow: "0 12px 48px rgba(0, 0, 0, 0.35)", overscrollBehavior: "contain"
    });

    var bar = document.createElement("div");
    css(bar, {
      position: "sticky", top: "0", zIndex: "1", display: "flex", justifyContent: "flex-end",
      padding: "8px", background: "inherit"
    });
    var close = document.createElement("button");
    close.type = "button";
    close.className = "assessment-embed__close";
    close.textContent = host.getAttribute("data-close-label") || CLOSE_WORDS[lang] || CLOSE_WORDS.en;
    css(close, {
      font: "inherit", fontSize: "0.95rem", fontWeight: "600", minHeight: "44px", minWidth: "44px",
      padding: "0.5rem 1rem", cursor: "pointer", borderRadius: "999px",
      border: "2px solid #1d1d1f", background: "#ffffff", color: "#1d1d1f"
    });
    close.addEventListener("click", function () { dialog.close(); });
    bar.appendChild(close);

    // Focus sentinels at both ends keep Tab and Shift+Tab cycling inside the dialog, even when
    // focus leaves the last control inside the frame.
    function sentinel(onFocus) {
      var node = document.createElement("span");
      node.tabIndex = 0;
      css(node, { position: "absolute", width: "1px", height: "1px", overflow: "hidden" });
      node.addEventListener("focus", onFocus);
      return node;
    }
    var entry = { dialog: dialog, button: button, close: close, closeFixed: host.hasAttribute("data-close-label") };
    var iframe = makeFrame(host, src, entry);
    dialog.appendChild(sentinel(function () { iframe.focus(); }));
    dialog.appendChild(bar);
    dialog.appendChild(iframe);
    dialog.appendChild(sentinel(function () { close.focus(); }));

    function fit() {
      // On a phone the dialog takes the whole screen, like an app's sheet.
      var small = window.matchMedia && window.matchMedia("(max-width: 600px)").matches;
      css(dialog, small
        ? { width: "100vw", maxWidth: "100vw", height: "100%", maxHeight: "100%", margin: "0", borderRadius: "0" }
        : { width: "min(720px, 96vw)", maxWidth: "96vw", height: "fit-content", maxHeight: "92vh", margin: "auto", borderRadius: entry.radius || "12px" });
    }
    function open(event) {
      if (dialog.open) { return; }
      if (event && event.type === "pointerdown") {
        // A mouse press opens at once: the button may move before the release (a frame above
        // it growing to its content), and a click would then land elsewhere and be lost.
        if (event.pointerType !== "mouse" || event.button !== 0) { return; }
        event.preventDefault();
      }
      fit();
      // A modal dialog makes the rest of the page inert (focus stays inside) and closes on Escape.
      dialog.showModal();
      close.focus();
    }
    button.addEventListener("pointerdown", open);
    button.addEventListener("click", function () { open(null); });
    dialog.addEventListener("close", function () { button.focus(); });
    // A press and release on the backdrop (outside the dialog's box) closes it, as on most
    // sites; the release of the very press that opened it does not.
    function outside(event) {
      var box = dialog.getBoundingClientRect();
      return event.target === dialog && (event.clientX < box.left || event.clientX > box.right || event.clientY < box.top || event.clientY > box.bottom);
    }
    var pressedOutside = false;
    dialog.addEventListener("pointerdown", function (event) { pressedOutside = outside(event); });
    dialog.addEventListener("click", function (event) {
      if (pressedOutside && outside(event)) { dialog.close(); }
      pressedOutside = false;
    });
    host.appendChild(button);
    host.appendChild(dialog);
  }

  function theme(entry, data) {
    var colour = /^#[0-9a-f]{6}$/i;
    var radius = /^\d{1,2}px$/;
    var t = (data.theme && typeof data.theme === "object") ? data.theme : {};
    if (entry.button && colour.test(t.primary || "") && colour.test(t.onPrimary || "")) {
      css(entry.button, { background: t.primary, borderColor: t.primary, color: t.onPrimary });
      css(entry.close, { borderColor: colour.test(t.link || "") ? t.link : t.primary, color: colour.test(t.link || "") ? t.link : t.primary });
    }
    if (entry.dialog && colour.test(t.background || "")) { css(entry.dialog, { background: t.background }); }
    if (radius.test(t.radius || "")) {
      entry.radius = t.radius;
      if (entry.button) { css(entry.button, { borderRadius: t.radius }); }
    }
    if (entry.close && !entry.closeFixed && typeof data.close === "string" && data.close.length > 0 && data.close.length < 40) {
      entry.close.textContent = data.close;
    }
  }

  // Bring the top of what the frame just showed (a new step, the results) into view: the
  // partner's page scrolls for an inline frame, the dialog for a popup.
  function scrollTo(entry, top) {
    var behavior = reducedMotion() ? "auto" : "smooth";
    if (entry.dialog) {
      if (entry.dialog.open) { entry.dialog.scrollTo({ top: Math.max(0, entry.iframe.offsetTop + top - 8), behavior: behavior }); }
      return;
    }
    var y = entry.iframe.getBoundingClientRect().top + top;
    if (y < 0 || y > window.innerHeight * 0.6) {
      window.scrollTo({ top: Math.max(0, window.pageYOffset + y - 8), behavior: behavior });
    }
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
    } else if (data.type === "assessment:theme") {
      theme(match, data);
    } else if (data.type === "assessment:scroll" && typeof data.top === "number" && data.top >= 0) {
      scrollTo(match, Math.min(data.top, 100000));
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
