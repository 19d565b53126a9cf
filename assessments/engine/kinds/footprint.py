"""Questions answered by a photo of a wet footprint, measured to an arch band.

The page measures the photo (assessments/taking/footprint.py: the Arch Index of Cavanagh &
Rodgers, 1987) and hands the engine only the index; the engine stores the index and its band,
`{"band": "high", "index": 0.19}`, never the photo. Each band gives trait points and has a
recall phrase, as a choice does.

A photo question is always optional, and names a `fallback`: the picture-choice question (the
three drawings) on a later step that customers answer instead when they take no photo or the
photo cannot be read. That question must be asked only when no photo was measured
(`{"not": {"answered": "<this key>"}}`), so a print is never counted twice.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from ..answers import AnswerError
from ..model import (
    EMPTY_POINTS,
    Option,
    Phrase,
    Question,
    Say,
    Widget,
    frozen_map,
    optional_text,
)
from ..model import points_map as _points_map
from .base import Asked, Found, Parts, Possible, QuestionKind, Where, num, texts_of

# Cavanagh & Rodgers' bands: at or below HIGH_ARCH_MAX a high arch, at or above FLAT_MIN flat.
HIGH_ARCH_MAX = 0.21
FLAT_MIN = 0.26
BANDS = ("high", "normal", "flat")
# The kinds a fallback may be: the customer picks the drawing that looks like their print.
FALLBACK_KINDS = ("image", "single")
# A kept photo is deleted after at most this many days, whatever the definition says.
MOST_KEEP_DAYS = 365

_BAND_SCHEMA = {
    "type": "object",
    "properties": {
        "label": {"$ref": "#/$defs/text"},
        "points": {"$ref": "#/$defs/points"},
        "recall": {"$ref": "#/$defs/text"},
    },
    "required": ["label"],
    "additionalProperties": False,
}


def band_of(index: float) -> str:
    """The Cavanagh & Rodgers band of an arch index: high, normal or flat."""
    if index <= HIGH_ARCH_MAX:
        return "high"
    if index >= FLAT_MIN:
        return "flat"
    return "normal"


class NotAPhoto(AnswerError):
    """Something other than a measured photo was sent for a photo question."""

    code = "not_a_photo"
    template = "Please take a photo of your footprint, or continue without one."


class FootprintKind(QuestionKind):
    """A photo of a wet footprint, measured to a band (high, normal or flat arch)."""

    name = "footprint"
    members = ("fallback", "bands", "keep_photo_days")
    # `fallback` is required too, but by `problems`, which says what it is for.
    required_members = ("bands",)
    member_schemas = {
        "fallback": {"$ref": "#/$defs/slug"},
        "bands": {
            "type": "object",
            "properties": {band: _BAND_SCHEMA for band in BANDS},
            "required": list(BANDS),
            "additionalProperties": False,
            "x-error": "must name the three arch bands: high, normal and flat",
        },
        "keep_photo_days": {"type": "integer", "minimum": 1, "maximum": MOST_KEEP_DAYS},
    }
    always_optional = True
    compares_stored = False
    template = "assessments/taking/kinds/footprint.html"

    # -- compiling ----------------------------------------------------------------------

    def compile(self, data: Mapping[str, Any], *, required: bool) -> dict[str, Any]:
        bands = data["bands"]
        return {
            "settings": frozen_map(
                {
                    "fallback": data["fallback"],
                    "keep_photo_days": data.get("keep_photo_days"),
                    "bands": frozen_map(
                        {
                            band: frozen_map(
                                {
                                    "label": frozen_map(bands[band]["label"]),
                                    "points": _points_map(bands[band].get("points")),
                                    "recall": optional_text(bands[band], "recall"),
                                }
                            )
                            for band in BANDS
                        }
                    ),
                }
            )
        }

    # -- answers -------------------------------------------------------------------------

    def clean(self, question: Question, raw: Any) -> dict[str, Any] | None:
        """A measured photo (`{"index": 0.19}`, from the page) as index and band; nothing sent
        is no answer (the customer goes on to the fallback), whatever `required` says."""
        if raw is None or raw == "" or (isinstance(raw, (list, tuple)) and not any(raw)):
            return None
        if not isinstance(raw, Mapping):
            raise NotAPhoto(question.key)
        index = num(raw.get("index"))
        if index is None or not math.isfinite(index) or not 0 <= index <= 1:
            raise NotAPhoto(question.key)
        return {"band": band_of(index), "index": round(index, 3)}

    def stored(self, question: Question, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return None
        index, band = num(value.get("index")), value.get("band")
        if index is None or not 0 <= index <= 1 or band not in BANDS:
            return None
        return {"band": band, "index": index}

    def compared(self, question: Question, value: Any) -> Any:
        """Conditions compare the band: `{"answer": "arch_photo", "equals": "flat"}`."""
        return value.get("band") if isinstance(value, Mapping) else None

    def tallies(self, question: Question) -> tuple[tuple[str, Any], ...]:
        """Insights counts photos by the band they measured: how many high, normal, flat."""
        return tuple((band, question.settings["bands"][band]["label"]) for band in BANDS)

    def tallied(self, question: Question, value: Any) -> tuple[str, ...]:
        band = self.compared(question, value)
        return (band,) if band in BANDS else ()

    def points(self, question: Question, value: Any) -> Mapping[str, float]:
        band = question.settings["bands"].get(value.get("band"))
        return band["points"] if band else EMPTY_POINTS

    def scored_traits(self, question: Question) -> frozenset[str]:
        return frozenset(t for band in question.settings["bands"].values() for t in band["points"])

    def phrases(self, question: Question, value: Any, say: Say) -> tuple[Phrase, ...]:
        band = (
            question.settings["bands"].get(value.get("band"))
            if isinstance(value, Mapping)
            else None
        )
        if band is None:
            return ()
        return (Phrase(say(band["label"]), "choice", say(band["recall"])),)

    # -- checking a definition ----------------------------------------------------------

    def problems(self, data: Mapping[str, Any], parts: Parts, where: Where) -> Iterator[Found]:
        if "fallback" not in data:
            yield (
                (*parts, "fallback"),
                f"{where(parts)} has no fallback. Name the picture question (the drawings of "
                f"a wet print) that customers answer when they take no photo or it cannot be "
                f'read: "fallback": "<its key>".',
                "footprint_fallback",
            )
        if data.get("required") is True:
            yield (
                (*parts, "required"),
                f"{where(parts)} is a photo question, which is always optional: a customer "
                f"who takes no photo answers its fallback question instead. Remove "
                f'"required".',
                "footprint_required",
            )

    def reference_problems(
        self,
        data: Mapping[str, Any],
        parts: Parts,
        where: Where,
        asked: Mapping[str, Asked],
    ) -> Iterator[Found]:
        key, fallback = data.get("key"), data.get("fallback")
        if not isinstance(fallback, str):
            return
        at = (*parts, "fallback")
        found = asked.get(fallback)
        if found is None:
            yield (
                at,
                f"{where(parts)} falls back to question '{fallback}', which does not exist. "
                f"Name the picture question (the drawings of a wet print) that customers "
                f"answer when they take no photo or it cannot be read.",
                "footprint_fallback",
            )
            return
        kind = found.data.get("kind")
        if kind not in FALLBACK_KINDS:
            yield (
                at,
                f"{where(parts)} falls back to question '{fallback}', a {kind} question; the "
                f"fallback must be a picture-choice question (kind image or single) showing "
                f"the prints to choose from.",
                "footprint_fallback",
            )
            return
        here = parts[1] if len(parts) > 1 and isinstance(parts[1], int) else -1
        if found.step <= here:
            yield (
                at,
                f"{where(parts)} falls back to question '{fallback}', which is not on a later "
                f"step: customers are sent on to the fallback when their photo cannot be read, "
                f"so it must come after the photo question, on a step of its own.",
                "footprint_fallback",
            )
            return
        guard = {"not": {"answered": key}}
        if not (
            _guarded(found.data.get("condition"), guard) or _guarded(found.step_condition, guard)
        ):
            yield (
                (*found.parts, "condition"),
                f"{where(found.parts)} is the fallback of photo question '{key}', so it must be "
                f"asked only when no photo was measured: give it (or its step) the condition "
                f'{{"not": {{"answered": "{key}"}}}}, or a measured print and a picked drawing '
                f"would both count.",
                "footprint_fallback",
            )

    def texts(self, data: Mapping[str, Any], parts: Parts) -> Iterator[tuple[Parts, Any]]:
        bands = data.get("bands")
        if isinstance(bands, dict):
            for band in BANDS:
                if isinstance(bands.get(band), dict):
                    yield from texts_of(bands[band], (*parts, "bands", band), ("label", "recall"))

    def point_sources(self, data: Mapping[str, Any], parts: Parts) -> Iterator[tuple[Parts, Any]]:
        for band, entry in _raw_bands(data):
            yield (*parts, "bands", band), entry.get("points")

    def possible_points(self, data: Mapping[str, Any], trait: str) -> Possible | None:
        values = [
            num(entry["points"].get(trait)) or 0.0 if isinstance(entry.get("points"), dict) else 0.0
            for _, entry in _raw_bands(data)
        ]
        if not any(values):
            return None
        # No photo is always possible: the question then gives nothing.
        found = {*values, 0.0}
        return found, (min(found), max(found))

    def comparison_problem(
        self, data: Mapping[str, Any], value: Any, owner: str
    ) -> tuple[str, str] | None:
        if value in BANDS:
            return None
        return (
            f"{owner} compares question '{data.get('key')}' (a photo question) with "
            f"'{value}', which is not an arch band: use high, normal or flat.",
            "unknown_choice",
        )

    # -- showing ------------------------------------------------------------------------

    def widget(self, question: Question, value: Any) -> Widget:
        """A file input; with a measurement already stored (or just sent), its band as the one
        option and its index as the value, so the page can say what the last photo showed."""
        index = num(value.get("index")) if isinstance(value, Mapping) else None
        if index is None or not 0 <= index <= 1:
            return Widget(self.template_for(question), "file")
        band = band_of(index)
        label = question.settings["bands"][band]["label"]
        return Widget(
            self.template_for(question),
            "file",
            options=(Option(band, label, checked=True),),
            value=f"{index:.2f}",
        )


def _raw_bands(data: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    bands = data.get("bands")
    if not isinstance(bands, dict):
        return
    for band in BANDS:
        entry = bands.get(band)
        if isinstance(entry, dict):
            yield band, entry


def _guarded(condition: Any, guard: dict[str, Any]) -> bool:
    """Whether a condition is `guard`, or an `all` of which it is one part."""
    if condition == guard:
        return True
    if isinstance(condition, dict) and isinstance(condition.get("all"), list):
        return guard in condition["all"]
    return False
