// The kiosk's idle timer: after the kiosk's idle time without a touch, "Still there?" counts
// down, then the kiosk starts over. The reset is a POST that ends the visit on the server, and
// the welcome screen replaces this page in the history, so Back cannot bring it up again.
(function () {
  "use strict";
  const body = document.body;
  const welcome = body.dataset.kioskWelcome;

  // The welcome screen holds Back: the previous customer's pages are behind it.
  if (document.querySelector("[data-kiosk-home]")) {
    history.replaceState(null, "", welcome);
    history.pushState(null, "", welcome);
    window.addEventListener("popstate", function () {
      history.pushState(null, "", welcome);
    });
  }

  const idle = Number(body.dataset.kioskIdle || 0);
  const dialog = document.getElementById("kiosk-still-there");
  const form = document.getElementById("kiosk-reset");
  if (!idle || !dialog || !form) return;
  const counter = document.getElementById("kiosk-countdown");
  const countdown = Math.max(3, Math.min(15, Math.round(idle / 4)));
  let idleTimer = 0;
  let tick = 0;

  function startOver() {
    clearInterval(tick);
    // Clear what the customer typed before anything else happens on screen.
    document.querySelectorAll("input[type=email], input[type=text]").forEach(function (input) {
      input.value = "";
    });
    fetch(form.action, { method: "POST", credentials: "same-origin", redirect: "manual" })
      .catch(function () { /* The server ends the visit on its own; leave anyway. */ })
      .finally(function () { location.replace(welcome); });
  }

  function warn() {
    let left = countdown;
    counter.textContent = String(left);
    if (typeof dialog.showModal === "function") dialog.showModal();
    else dialog.setAttribute("open", "");
    tick = setInterval(function () {
      left -= 1;
      counter.textContent = String(Math.max(0, left));
      if (left <= 0) startOver();
    }, 1000);
  }

  function arm() {
    clearTimeout(idleTimer);
    clearInterval(tick);
    if (dialog.open) dialog.close();
    idleTimer = setTimeout(warn, idle * 1000);
  }

  ["pointerdown", "keydown", "input", "scroll"].forEach(function (name) {
    window.addEventListener(name, function () { if (!dialog.open) arm(); }, { passive: true });
  });
  document.getElementById("kiosk-stay").addEventListener("click", arm);
  arm();
})();
