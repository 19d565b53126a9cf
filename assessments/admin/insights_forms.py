"""The Insights page's GET form: the filters every figure obeys, and the two versions to compare."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.insights.figures import Filters
from assessments.insights.options import FilterOptions
from assessments.models import Response

ANY = [("", _("Any"))]
# The earliest day a filter accepts: nothing was answered before the product existed, and a
# year-1 date only makes the database's date arithmetic fail.
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2999, 12, 31)


def _strings(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [*ANY, *((value, value) for value in values)]


class DateInput(forms.DateInput):
    input_type = "date"


class InsightsFilterForm(forms.Form):
    """Every field is optional; a blank one means "any"."""

    since = forms.DateField(label=_("From"), required=False, widget=DateInput)
    until = forms.DateField(label=_("Until"), required=False, widget=DateInput)
    version = forms.TypedChoiceField(label=_("Version"), required=False, coerce=int)
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[*ANY, *Response.Channel.choices]
    )
    origin = forms.ChoiceField(label=_("Partner page"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    utm_source = forms.ChoiceField(label=_("UTM source"), required=False)
    utm_campaign = forms.ChoiceField(label=_("UTM campaign"), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False)
    # The A/B view: two versions side by side. Shown in the comparison section of the page.
    a = forms.TypedChoiceField(label=_("Version A"), required=False, coerce=int)
    b = forms.TypedChoiceField(label=_("Version B"), required=False, coerce=int)

    FILTER_FIELDS = (
        "since",
        "until",
        "version",
        "channel",
        "origin",
        "language",
        "utm_source",
        "utm_campaign",
        "outcome",
    )

    def __init__(self, *args: Any, options: FilterOptions, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "insights-%s")
        super().__init__(*args, **kwargs)
        versions = [*ANY, *((str(number), label) for number, label in options.versions)]
        for name in ("version", "a", "b"):
            self.fields[name].choices = versions
        # The comparison's pickers sit in their own section of the page, outside the <form>
        # element, and still belong to it, so one GET carries the filters and the comparison.
        for name in ("a", "b"):
            self.fields[name].widget.attrs["form"] = "insights-filters"
        self.fields["origin"].choices = _strings(options.origins)
        self.fields["language"].choices = _strings(options.languages)
        self.fields["utm_source"].choices = _strings(options.utm_sources)
        self.fields["utm_campaign"].choices = _strings(options.utm_campaigns)
        self.fields["outcome"].choices = [*ANY, *options.outcomes]

    def _clean_day(self, name: str) -> dt.date | None:
        day = self.cleaned_data.get(name)
        if day is not None and not EARLIEST <= day <= LATEST:
            raise forms.ValidationError(
                _("Pick a day between %(first)s and %(last)s.")
                % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()}
            )
        return day

    def clean_since(self) -> dt.date | None:
        return self._clean_day("since")

    def clean_until(self) -> dt.date | None:
        return self._clean_day("until")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("“Until” is before “From”: pick a later day."))
        a, b = data.get("a"), data.get("b")
        if (a in (None, "")) != (b in (None, "")):
            self.add_error("b" if b in (None, "") else "a", _("Pick both versions to compare."))
        elif a not in (None, "") and a == b:
            self.add_error("b", _("Pick two different versions to compare."))
        return data

    def filter_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.FILTER_FIELDS]

    def filters(self) -> Filters:
        """The filters that passed validation; a field with an error is left at "any"."""
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        version = data.get("version")
        return Filters(
            since=data.get("since"),
            until=data.get("until"),
            version=version if isinstance(version, int) else None,
            channel=data.get("channel") or "",
            origin=data.get("origin") or "",
            language=data.get("language") or "",
            utm_source=data.get("utm_source") or "",
            utm_campaign=data.get("utm_campaign") or "",
            outcome=data.get("outcome") or "",
        )

    def versions_compared(self) -> tuple[int, int] | None:
        """Versions A and B when both were picked and differ, else None."""
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        a, b = data.get("a"), data.get("b")
        if isinstance(a, int) and isinstance(b, int) and a != b and not self.has_error("b"):
            return a, b
        return None

    def filter_query(self) -> str:
        """The valid filters as a query string, for the CSV links (without the comparison)."""
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        pairs = []
        for name in self.FILTER_FIELDS:
            value = data.get(name)
            if value not in (None, ""):
                pairs.append((name, value.isoformat() if isinstance(value, dt.date) else value))
        return urlencode(pairs)
