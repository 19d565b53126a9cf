"""Serve the sample partner page (another origin) that embeds both demo assessments."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from assessments.demo.partner import make_server


class Command(BaseCommand):
    help = "Serve a sample partner page on http://localhost:PORT embedding the demo assessments."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8001)
        parser.add_argument("--app", default="http://127.0.0.1:8000", help="the app's base URL")

    def handle(self, *args: Any, port: int, app: str, **options: Any) -> None:
        server = make_server(app, port=port)
        self.stdout.write(f"Partner page: http://localhost:{port}/ (embeds {app}/embed.js)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
