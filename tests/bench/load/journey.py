"""A customer without JavaScript: reads each page's form, fills it in, posts it, follows the 303.

Used by the locustfile (load) and the fault drills. Each customer journals what the app said it
accepted, so the drills can check afterwards that the database has every answer, once.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

# Both demo assessments: the shoe finder (English) and the skincare finder (Spanish).
ASSESSMENTS = ("/a/stride-lab/shoe-finder/", "/a/botica-clara/skincare-finder/")
STEP_URL = re.compile(r"^/r/(?P<token>[^/]+)/s/(?P<step>[^/]+)/")
RESULTS_URL = re.compile(r"^/r/(?P<token>[^/]+)/results/")
MAX_STEPS = 30


@dataclass
class Form:
    action: str = ""
    method: str = "get"
    hidden: dict[str, str] = field(default_factory=dict)
    radios: dict[str, list[str]] = field(default_factory=dict)
    checkboxes: dict[str, list[str]] = field(default_factory=dict)
    selects: dict[str, list[str]] = field(default_factory=dict)
    numbers: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    texts: dict[str, bool] = field(default_factory=dict)  # name -> required
    photos: list[str] = field(default_factory=list)  # file inputs: footprint photo questions

    def photo_controls(self) -> set[str]:
        """The boxes that go with a photo ("keep my photo", "choose a drawing instead"): a
        customer with no photo to send leaves them alone, and they are not answers."""
        keys = [name.removeprefix("photo-") for name in self.photos]
        return {f"{prefix}{key}" for key in keys for prefix in ("keep-photo-", "drawings-")}

    def fill(self, rng: random.Random) -> dict[str, Any]:
        """A valid-looking answer to every question on the form (no photo: the drawings
        that follow are answered instead)."""
        data: dict[str, Any] = dict(self.hidden)
        for name, values in self.radios.items():
            data[name] = rng.choice(values)
        controls = self.photo_controls()
        for name, values in self.checkboxes.items():
            if name not in controls:
                data[name] = [rng.choice(values)]
        for name, values in self.selects.items():
            if values:
                data[name] = rng.choice(values)
        for name, (low, high, step) in self.numbers.items():
            steps = max(0, int((high - low) / step)) if step else 0
            value = low + step * rng.randint(0, steps) if steps else low
            data[name] = str(int(value)) if float(value).is_integer() else str(value)
        for name, required in self.texts.items():
            if required:
                data[name] = "Load test"
        return data


class _FormParser(HTMLParser):
    """The first form posting to `wanted` (a regex on its action), and its fields."""

    def __init__(self, wanted: re.Pattern[str]) -> None:
        super().__init__()
        self.wanted, self.form, self.inside, self.done = wanted, None, False, False
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if self.done:
            return
        if tag == "form" and self.form is None and self.wanted.search(a.get("action", "")):
            self.form, self.inside = Form(a["action"], a.get("method", "get").lower()), True
            return
        if not self.inside or self.form is None:
            return
        name = a.get("name", "")
        kind = a.get("type", "text").lower()
        if tag == "input" and name and "disabled" not in a:
            if kind == "hidden":
                self.form.hidden[name] = a.get("value", "")
            elif kind == "radio":
                self.form.radios.setdefault(name, []).append(a.get("value", ""))
            elif kind == "checkbox":
                self.form.checkboxes.setdefault(name, []).append(a.get("value", ""))
            elif kind in ("number", "range"):
                low, high = float(a.get("min") or 0), float(a.get("max") or 10)
                step = a.get("step", "1")
                self.form.numbers[name] = (low, high, 1.0 if step in ("", "any") else float(step))
            elif kind == "text" and a.get("inputmode") in ("numeric", "decimal"):
                # A number question as a plain text box (the app checks its range).
                self.form.numbers[name] = (1.0, 15.0, 1.0)
            elif kind == "file":
                self.form.photos.append(name)
            elif kind in ("text", "email", "tel", "url"):
                self.form.texts[name] = "required" in a
        elif tag == "select" and name:
            self._select = name
            self.form.selects[name] = []
        elif tag == "option" and self._select and a.get("value"):
            self.form.selects[self._select].append(a["value"])
        elif tag == "textarea" and name:
            self.form.texts[name] = "required" in a

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def form_of(html: str, action: str) -> Form | None:
    """The form on `html` whose action matches the regex `action`."""
    parser = _FormParser(re.compile(action))
    parser.feed(html)
    return parser.form


class Journal:
    """Lines of JSON, one per accepted step or finished journey, shared by every customer."""

    def __init__(self, path: str | Path | None) -> None:
        self.path, self.lock = (Path(path) if path else None), threading.Lock()

    def write(self, **entry: Any) -> None:
        if self.path is None:
            return
        line = json.dumps(entry)
        with self.lock, self.path.open("a") as out:
            out.write(line + "\n")


class JourneyFailed(Exception):
    pass


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def _no_pause() -> None:
    return None


def walk(
    client: Any,
    base: str,
    journal: Journal,
    rng: random.Random,
    assessment: str | None = None,
    pause: Callable[[], None] = _no_pause,
) -> str:
    """One customer from the landing page to the results; returns the response's token.

    `client` is a requests-like session (locust's HttpSession): requests are named by route so
    the figures group per endpoint; redirects are followed by hand, so each is its own request.
    `pause` is called whenever a page with a form has arrived: the customer reading it.
    """
    assessment = assessment or rng.choice(ASSESSMENTS)
    journey = uuid.uuid4().hex
    # Each customer comes from an address of its own (a trusted X-Forwarded-For), as on a
    # launch day, so per-client rate limits count per customer, not for the whole load.
    address = f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    headers = {"Origin": base, "X-Forwarded-For": address}
    page = _get(client, f"{assessment}?utm_content={journey}", "GET landing", headers)
    start = form_of(page.text, r"^/a/")
    if start is None:
        raise JourneyFailed(f"no start form on {assessment}")
    pause()
    reply = _post(client, start.action, start.fill(rng), "POST start", headers)
    url = _redirect(reply, "POST start")
    token = ""
    for _ in range(MAX_STEPS):
        found = RESULTS_URL.match(path_of(url))
        if found:
            _get(client, url, "GET results", headers)
            journal.write(kind="finished", journey=journey, token=found["token"])
            return found["token"]
        match = STEP_URL.match(path_of(url))
        if match is None:
            raise JourneyFailed(f"redirected to {url}, neither a step nor the results")
        token = match["token"]
        page = _get(client, url, "GET step", headers)
        form = form_of(page.text, r"^/r/[^/]+/s/")
        if form is None:
            raise JourneyFailed(f"no step form on {url}")
        pause()
        for _attempt in range(3):
            data = form.fill(rng)
            reply = _post(client, form.action, data, "POST step", headers)
            if reply.status_code != 200:
                break
            # Refused, with the step shown again and what to fix: answer it again, as a
            # person would, on the form the page now holds.
            form = form_of(reply.text, r"^/r/[^/]+/s/")
            if form is None:
                raise JourneyFailed(f"no step form after the step {match['step']} refused")
        else:
            raise JourneyFailed(f"the step {match['step']} refused the answers {data}")
        url = _redirect(reply, "POST step")
        answered = {k: v for k, v in data.items() if k not in form.hidden}
        journal.write(
            kind="step",
            journey=journey,
            token=token,
            step=match["step"],
            submission_id=data.get("submission_id", ""),
            answers=answered,
        )
    raise JourneyFailed(f"no results after {MAX_STEPS} steps ({token})")


# "Back in a moment" (a 503 while the database or an instance is away): wait as the page asks,
# then reload or press the button again, as a person would, this many times.
UNAVAILABLE = (502, 503, 504)
PATIENCE = 15


def _again(send: Any) -> Any:
    for _attempt in range(PATIENCE):
        reply = send()
        if reply.status_code not in UNAVAILABLE:
            return reply
        try:
            wait = float(reply.headers.get("Retry-After") or 1)
        except ValueError:
            wait = 1.0
        time.sleep(min(wait, 2.0))
    return reply


def _get(client: Any, url: str, name: str, headers: dict[str, str]) -> Any:
    reply = _again(lambda: client.get(url, name=name, headers=headers, allow_redirects=False))
    if reply.status_code != 200:
        raise JourneyFailed(f"{name} {url}: {reply.status_code}")
    return reply


def _post(client: Any, url: str, data: dict[str, Any], name: str, headers: dict[str, str]) -> Any:
    # Encoded here, as a browser does (a checkbox group is the name repeated), so any client
    # sends the same body.
    body = urlencode(data, doseq=True)
    form = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
    return _again(
        lambda: client.post(url, data=body, name=name, headers=form, allow_redirects=False)
    )


def _redirect(reply: Any, name: str) -> str:
    if reply.status_code != 303:
        raise JourneyFailed(f"{name}: {reply.status_code} instead of a 303")
    return reply.headers["Location"]
