"""JSON settings edited as rows: a table of selects and inputs in place of a JSON textarea.

The widget speaks JSON text with its form field both ways (as Django's JSONField expects), so
it drops into any ModelForm, inline or not; the field's own cleaning and the form's checks stay
where they are. A stored value the rows cannot show is kept as it is and shown as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

EXTRA_ROWS = 2


@dataclass(frozen=True)
class Column:
    """One cell of a row: its key in the stored dict, its heading, and what it offers."""

    key: str
    label: Any
    choices: tuple[tuple[str, str], ...] | None = None  # None: typed text
    number: bool = False


def _number(text: str) -> Any:
    """A typed number as JSON keeps it; other text stays text, for cleaning to refuse."""
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() else value


class RowsWidget(forms.Widget):
    """A table with one row per stored entry and a few empty rows for new ones."""

    template_name = "admin/assessments/widgets/rows.html"

    def __init__(
        self,
        columns: list[Column],
        *,
        to_rows: Callable[[Any], list[dict[str, str]] | None] | None = None,
        from_rows: Callable[[list[dict[str, str]]], Any] | None = None,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(attrs)
        self.columns = columns
        self.to_rows = to_rows or _list_rows(columns)
        self.from_rows = from_rows or _list_value(columns)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        try:
            stored = json.loads(value) if isinstance(value, str) and value else value
        except json.JSONDecodeError:
            stored = None
        rows = self.to_rows(stored if stored is not None else [])
        fits = rows is not None
        rows = (rows or []) + [{} for _ in range(EXTRA_ROWS)]
        cells = []
        for index, row in enumerate(rows):
            line = []
            for column in self.columns:
                current = str(row.get(column.key, ""))
                options = list(column.choices or ())
                if column.choices is not None and current and current not in dict(options):
                    options.append((current, f"{current} ({_('not found')})"))
                line.append(
                    {
                        "name": f"{name}-{index}-{column.key}",
                        "label": column.label,
                        "value": current,
                        "options": [("", "—"), *options] if column.choices is not None else None,
                        "number": column.number,
                    }
                )
            cells.append(line)
        context["widget"].update(
            {
                "columns": self.columns,
                "rows": cells,
                "count": len(rows),
                "fits": fits,
                "json": value if not fits else "",
            }
        )
        return context

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        # The project's templates, not the form renderer's (which sees only Django's own).
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if name in data:  # the JSON the rows could not show, sent back unchanged
            return data.get(name)
        if f"{name}-rows" not in data:
            return None
        rows = []
        for index in range(500):  # as many rows as were sent
            cells = {
                column.key: data.get(f"{name}-{index}-{column.key}") for column in self.columns
            }
            if all(value is None for value in cells.values()):
                break
            row = {key: (value or "").strip() for key, value in cells.items()}
            if row[self.columns[0].key]:
                rows.append(row)
        return json.dumps(self.from_rows(rows), ensure_ascii=False)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and f"{name}-rows" not in data


def _list_rows(columns: list[Column]) -> Callable[[Any], list[dict[str, str]] | None]:
    keys = {column.key for column in columns}

    def to_rows(value: Any) -> list[dict[str, str]] | None:
        if not isinstance(value, list):
            return None
        rows = []
        for entry in value:
            if not isinstance(entry, dict) or not set(entry) <= keys:
                return None
            if any(isinstance(v, dict | list | bool) for v in entry.values()):
                return None
            rows.append({k: "" if v is None else str(v) for k, v in entry.items()})
        return rows

    return to_rows


def _list_value(columns: list[Column]) -> Callable[[list[dict[str, str]]], Any]:
    def from_rows(rows: list[dict[str, str]]) -> Any:
        return [
            {
                column.key: _number(row[column.key]) if column.number else row[column.key]
                for column in columns
                if row[column.key] != ""
            }
            for row in rows
        ]

    return from_rows


def string_rows(value: Any, key: str) -> list[dict[str, str]] | None:
    """A list of texts (skus, language codes) as one-cell rows."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return None
    return [{key: item} for item in value]


# -- product attributes: name, kind, value --------------------------------------------------

TEXT, NUMBER, YES_NO, LIST = "text", "number", "yes-no", "list"
ATTRIBUTE_KINDS = (
    (TEXT, str(_("text"))),
    (NUMBER, str(_("number"))),
    (YES_NO, str(_("yes or no"))),
    (LIST, str(_("list (comma-separated)"))),
)


def attribute_rows(value: Any) -> list[dict[str, str]] | None:
    """A product's attributes as rows of name, kind and value."""
    if not isinstance(value, dict):
        return None
    rows = []
    for name, item in value.items():
        if isinstance(item, bool):
            rows.append({"name": name, "kind": YES_NO, "value": "yes" if item else "no"})
        elif isinstance(item, int | float):
            rows.append({"name": name, "kind": NUMBER, "value": str(item)})
        elif isinstance(item, list) and all(isinstance(v, str) and "," not in v for v in item):
            rows.append({"name": name, "kind": LIST, "value": ", ".join(item)})
        elif isinstance(item, str):
            rows.append({"name": name, "kind": TEXT, "value": item})
        else:
            return None
    return rows


def attribute_value(rows: list[dict[str, str]]) -> Any:
    """The attributes the rows say. A value not of its kind becomes {"not": kind}, which no
    attribute may be, so the form refuses it and says which kind was expected."""
    attributes: dict[str, Any] = {}
    for row in rows:
        kind, text = row.get("kind") or TEXT, row.get("value", "")
        value: Any = text
        if kind == NUMBER:
            value = _number(text)
            value = {"not": NUMBER} if isinstance(value, str) else value
        elif kind == YES_NO:
            answer = text.lower()
            value = answer in ("yes", "true", "1")
            if not value and answer not in ("no", "false", "0"):
                value = {"not": YES_NO}
        elif kind == LIST:
            value = [v.strip() for v in text.split(",") if v.strip()]
        attributes[row["name"]] = value
    return attributes


def attributes_widget() -> RowsWidget:
    return RowsWidget(
        [
            Column("name", _("Name")),
            Column("kind", _("Kind"), choices=ATTRIBUTE_KINDS),
            Column("value", _("Value")),
        ],
        to_rows=attribute_rows,
        from_rows=attribute_value,
    )


def languages_widget() -> RowsWidget:
    """A list of language codes (the first the default) picked from the site's languages."""
    return RowsWidget(
        [Column("code", _("Language"), choices=tuple((c, str(n)) for c, n in settings.LANGUAGES))],
        to_rows=lambda value: string_rows(value, "code"),
        from_rows=lambda rows: [row["code"] for row in rows],
    )
