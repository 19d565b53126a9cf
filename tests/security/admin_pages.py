"""Sending an admin page's own form back, with a few values changed, as a browser would."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from django.test import Client


class _FormValues(HTMLParser):
    """The values a browser would send for the page's main form (no file inputs)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None
        self._option: str | None = None
        self._chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        name = attr.get("name", "")
        if tag == "input" and name:
            kind = attr.get("type", "text").lower()
            if kind in ("file", "submit", "button", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attr:
                return
            self.values.setdefault(name, []).append(attr.get("value", "on"))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            if "selected" in attr:
                self.values.setdefault(self._select, []).append(attr.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # A browser drops the one line break that may follow <textarea>.
            text = "".join(self._text)
            self.values.setdefault(self._textarea, []).append(text.removeprefix("\n"))
            self._textarea = None


def form_values(client: Client, url: str) -> dict[str, Any]:
    """What the admin page at `url` would send if saved unchanged."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    parser = _FormValues()
    parser.feed(page.content.decode())
    values = {k: v if len(v) > 1 else v[0] for k, v in parser.values.items()}
    values.pop("_addanother", None)
    values.pop("_continue", None)
    values.pop("_saveasnew", None)
    return values


def save(client: Client, url: str, **changes: Any):
    """Save the admin page at `url` with `changes`; the response (302 when saved)."""
    return client.post(url, {**form_values(client, url), **changes})
