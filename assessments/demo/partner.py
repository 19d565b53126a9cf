"""A sample partner page on another origin that embeds the demo assessments (inline and popup)."""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEMO_EMBEDS = (
    ("stride-lab/shoe-finder", "en", "inline", "Find your running shoe"),
    ("botica-clara/skincare-finder", "es", "popup", "Descubre tu rutina de cuidado"),
)


def partner_page(app_url: str, embeds: tuple[tuple[str, str, str, str], ...] = DEMO_EMBEDS) -> str:
    """The HTML of a partner's page: the loader script, one host element per assessment, and
    a small log of the events the assessments report (what a partner would send to analytics)."""
    app = html.escape(app_url.rstrip("/"), quote=True)
    blocks = []
    for target, language, mode, title in embeds:
        label = html.escape(title, quote=True)
        blocks.append(
            f"<section><h2>{label}</h2>"
            f'<div class="assessment" data-assessment="{html.escape(target, quote=True)}" '
            f'data-lang="{language}" data-mode="{mode}" data-title="{label}" '
            f'data-label="{label}" data-partner="run-club-demo"></div>'
            "</section>"
        )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Run Club Journal — a partner page</title>
<style>
  body {{ font-family: Georgia, serif; max-width: 760px; margin: 0 auto; padding: 1rem;
         background: #faf7f2; color: #222; }}
  header {{ border-bottom: 3px double #222; margin-bottom: 1rem; }}
  section {{ margin: 2rem 0; }}
  #events {{ font: 0.85rem ui-monospace, monospace; background: #fff; padding: 0.5rem;
            border: 1px solid #ccc; min-height: 3rem; }}
</style>
<script src="{app}/embed.js" async></script>
</head>
<body>
<header><h1>Run Club Journal</h1><p>This page lives on another site and embeds the
assessments with one script tag and one element each.</p></header>
{"".join(blocks)}
<h2>Events received</h2>
<ol id="events"></ol>
<script>
  window.assessmentEvents = [];
  ["started", "step", "completed", "product-click"].forEach(function (name) {{
    document.addEventListener("assessment:" + name, function (event) {{
      window.assessmentEvents.push({{type: event.type, detail: event.detail}});
      var item = document.createElement("li");
      item.textContent = event.type + " " + JSON.stringify(event.detail);
      document.getElementById("events").appendChild(item);
    }});
  }});
</script>
</body>
</html>
"""


def _handler(body: bytes) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


def make_server(app_url: str, host: str = "127.0.0.1", port: int = 8001, page: str | None = None):
    """An HTTP server that answers every GET with the partner page."""
    body = (page or partner_page(app_url)).encode()
    return ThreadingHTTPServer((host, port), _handler(body))


@contextmanager
def running_partner(app_url: str, page: str | None = None) -> Iterator[str]:
    """Serve a partner page on a free port in a thread; yields its localhost URL."""
    server = make_server(app_url, port=0, page=page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
