"""Reading admin pages as a browser would: what a form posts back when nothing is changed."""

from __future__ import annotations

import html
import re


def form_data(page: str, opening: str = r'<form [^>]*id="\w+_form"') -> dict[str, str]:
    """The fields of the first form whose opening tag matches `opening`, as they would post."""
    form = re.search(opening + r".*?</form>", page, re.S).group(0)
    data: dict[str, str] = {}
    for tag in re.findall(r"<input [^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name or re.search(r'type="(submit|file|button)"', tag):
            continue
        if re.search(r'type="(checkbox|radio)"', tag) and "checked" not in tag:
            continue
        if re.search(r"\sdisabled", tag):
            continue
        value = re.search(r'value="([^"]*)"', tag)
        default = "on" if 'type="checkbox"' in tag else ""
        data[name.group(1)] = html.unescape(value.group(1)) if value else default
    for name, body in re.findall(
        r'<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', form, re.S
    ):
        data[name] = html.unescape(body.removeprefix("\n"))
    for name, body in re.findall(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = chosen.group(1) if chosen else ""
    return data


def errors(page: str) -> list[str]:
    """The texts of every error list on the page."""
    found = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", " ", item)).strip() for item in found]
