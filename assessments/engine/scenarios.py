"""Scenario tests: saved personas run through a compiled assessment, checked against expectations.

A scenario (FORMAT.md, "Scenarios") is a name, the answers a customer would give, optionally
hidden field values, and what the author expects to come out: the outcome, a band per trait,
the top products (in order or as a set), products that must never be shown. Running one walks
the flow exactly as a customer's response would and says, in plain words, what differed.

A scenario whose answers no longer fit the assessment (a question or choice was removed, a
number is out of range) fails with that reason instead of being run on half its answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .answers import AnswerError, AnswerRequired, OutOfRange, TooFewPicks, TooManyPicks
from .assessment import Assessment
from .problems import Problem
from .ranking import Product

__all__ = [
    "Check",
    "ScenarioResult",
    "scenario_problems",
    "scenario_run",
    "scenarios_run",
]


@dataclass(frozen=True, slots=True)
class Check:
    """One expectation of a scenario and how it went, worded for the author."""

    passed: bool
    message: str


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    """What one scenario produced and whether it met every expectation."""

    index: int
    name: str
    # Why the scenario could not be run as written (answers that no longer fit, names of things
    # the assessment or catalogue no longer has). Any of these fails the scenario.
    misfits: tuple[str, ...]
    checks: tuple[Check, ...]
    outcome: str  # what came out, in words ("" when nothing ran)
    bands: tuple[tuple[str, str], ...]  # (trait, band) in words
    products: tuple[str, ...]  # recommended, then alternatives, in words

    @property
    def passed(self) -> bool:
        return not self.misfits and all(check.passed for check in self.checks)

    @property
    def failures(self) -> tuple[str, ...]:
        """Every reason the scenario fails, in plain words; empty when it passes."""
        return self.misfits + tuple(c.message for c in self.checks if not c.passed)


class _Words:
    """Names of the assessment's things and the catalogue's products in the default language."""

    def __init__(self, assessment: Assessment, product_names: Mapping[str, str]) -> None:
        self.assessment = assessment
        self.product_names = product_names

    def text(self, localised: Mapping[str, str] | None, fallback: str) -> str:
        return self.assessment.text(localised, self.assessment.default_language) or fallback

    def outcome(self, key: str | None) -> str:
        if key is None:
            return "no outcome"
        found = next((o for o in self.assessment.outcomes if o.key == key), None)
        return self.text(found.title, key) if found else key

    def trait(self, key: str) -> str:
        trait = self.assessment.trait(key)
        return self.text(trait.label, key) if trait else key

    def band(self, trait_key: str, band_key: str | None) -> str:
        if band_key is None:
            return "no band"
        trait = self.assessment.trait(trait_key)
        band = next((b for b in trait.bands if b.key == band_key), None) if trait else None
        return self.text(band.label, band_key) if band else band_key

    def product(self, sku: str) -> str:
        return self.product_names.get(sku) or sku

    def products(self, skus: Sequence[str]) -> str:
        return ", ".join(self.product(s) for s in skus) if skus else "no products"


def _answer_misfit(assessment: Assessment, key: str, value: Any) -> tuple[Any, str | None]:
    """The answer as stored for a customer, or why it does not fit the question."""
    question = assessment.question(key)
    if question is None:
        return None, f"it answers question '{key}', which the assessment no longer has"
    if not question.answerable:
        return None, f"it answers '{key}', which is information only and takes no answer"
    raw = value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raw = repr(value)
    try:
        cleaned = assessment.clean_answer(key, raw)
    except AnswerRequired:
        return None, None  # an empty answer is no answer; the path check below decides
    except TooFewPicks as error:
        return None, f"its answer to '{key}' picks fewer than {error.params['min_picks']}"
    except TooManyPicks as error:
        return None, f"its answer to '{key}' picks more than {error.params['max_picks']}"
    except OutOfRange as error:
        return None, (
            f"its answer to '{key}' ({value}) is outside {error.params['min']} "
            f"to {error.params['max']}"
        )
    except AnswerError as error:
        if error.code == "unknown_choice":
            offered = ", ".join(c.key for c in question.choices) or "none"
            picked = error.params.get("choice") or value
            return None, (
                f"its answer to '{key}' is '{picked}', which is not one of that question's "
                f"choices ({offered})"
            )
        return None, f"its answer to '{key}' ({value!r}) is not accepted: {error.message}"
    return cleaned, None


def _reference_misfits(
    assessment: Assessment, expect: Mapping[str, Any], catalogue: set[str]
) -> list[str]:
    """Expectations naming outcomes, traits, bands or products that no longer exist."""
    misfits = []
    outcome = expect.get("outcome")
    if outcome is not None and all(o.key != outcome for o in assessment.outcomes):
        misfits.append(f"it expects outcome '{outcome}', which the assessment no longer has")
    for trait_key, band_key in (expect.get("bands") or {}).items():
        trait = assessment.trait(trait_key)
        if trait is None:
            misfits.append(f"it expects a band of trait '{trait_key}', which no longer exists")
        elif all(b.key != band_key for b in trait.bands):
            misfits.append(
                f"it expects band '{band_key}' of trait '{trait_key}', which has no such band"
            )
    for member in ("top_products", "never_products"):
        for sku in expect.get(member) or ():
            if sku not in catalogue:
                misfits.append(
                    f"it names product '{sku}', which is not in the brand's active catalogue"
                )
    return misfits


def scenario_run(
    assessment: Assessment,
    scenario: Mapping[str, Any],
    products: Sequence[Product],
    *,
    index: int = 0,
    product_names: Mapping[str, str] | None = None,
) -> ScenarioResult:
    """Run one scenario (FORMAT.md form) against a compiled assessment and a catalogue."""
    words = _Words(assessment, product_names or {})
    name = str(scenario.get("name") or f"Scenario {index + 1}")
    expect: Mapping[str, Any] = scenario.get("expect") or {}
    fields: dict[str, str] = dict(scenario.get("fields") or {})

    misfits: list[str] = []
    answers: dict[str, Any] = {}
    unfit: set[str] = set()
    for key, value in (scenario.get("answers") or {}).items():
        cleaned, misfit = _answer_misfit(assessment, key, value)
        if misfit:
            misfits.append(misfit)
            unfit.add(key)
        elif cleaned is not None:
            answers[key] = cleaned
    known_fields = {h.key for h in assessment.hidden_fields}
    misfits += [
        f"it sets hidden field '{k}', which the assessment no longer has"
        for k in fields
        if k not in known_fields
    ]
    misfits += _reference_misfits(assessment, expect, {p.sku for p in products})

    walk = assessment.walk(answers, fields)
    # A customer cannot skip a required question on their path, so neither may a persona.
    for step_key in walk.path:
        for question in walk.visible[step_key]:
            if question.required and question.key not in walk.counted.keys() | unfit:
                misfits.append(f"it does not answer '{question.key}', which is required")
    if misfits:
        return ScenarioResult(index, name, tuple(misfits), (), "", (), ())

    result = walk.evaluate(products)
    rec = result.recommendation
    shown = [p.sku for p in rec.recommended] + [p.sku for p in rec.alternatives]
    checks: list[Check] = []

    got_outcome = result.outcome.key if result.outcome else None
    if "outcome" in expect:
        wanted = expect["outcome"]
        if wanted == got_outcome:
            checks.append(Check(True, f"outcome {words.outcome(wanted)}, as expected"))
        else:
            checks.append(
                Check(
                    False,
                    f"expected outcome {words.outcome(wanted)}, got {words.outcome(got_outcome)}",
                )
            )

    for trait_key, band_key in (expect.get("bands") or {}).items():
        score = result.scores[trait_key]
        got_band = score.band.key if score.band else None
        trait = words.trait(trait_key)
        if got_band == band_key:
            checks.append(Check(True, f"{trait} {words.band(trait_key, band_key)}, as expected"))
        else:
            checks.append(
                Check(
                    False,
                    f"expected {trait} {words.band(trait_key, band_key)}, got "
                    f"{words.band(trait_key, got_band)} (score {score.value:g})",
                )
            )

    top = list(expect.get("top_products") or ())
    if top:
        in_order = bool(expect.get("top_in_order", True))
        got = shown[: len(top)]
        matched = got == top if in_order else sorted(got) == sorted(top)
        how = "in that order" if in_order else "in any order"
        if matched:
            checks.append(Check(True, f"top products {words.products(top)}, as expected"))
        else:
            checks.append(
                Check(
                    False,
                    f"expected top products {words.products(top)} ({how}), "
                    f"got {words.products(got)}",
                )
            )

    for sku in expect.get("never_products") or ():
        if sku in shown:
            where = (
                f"recommended at rank {shown.index(sku) + 1}"
                if sku in {p.sku for p in rec.recommended}
                else "shown as an alternative"
            )
            checks.append(Check(False, f"expected never {words.product(sku)}, but it is {where}"))
        else:
            checks.append(Check(True, f"never {words.product(sku)}, as expected"))

    bands = tuple(
        (words.trait(t.key), words.band(t.key, result.scores[t.key].band.key))
        if result.scores[t.key].band
        else (words.trait(t.key), "no band")
        for t in assessment.traits
    )
    return ScenarioResult(
        index,
        name,
        (),
        tuple(checks),
        words.outcome(got_outcome),
        bands,
        tuple(words.product(s) for s in shown),
    )


def scenarios_run(
    assessment: Assessment,
    scenarios: Sequence[Mapping[str, Any]],
    products: Sequence[Product],
    *,
    product_names: Mapping[str, str] | None = None,
) -> list[ScenarioResult]:
    """Run every scenario of a definition, in order."""
    return [
        scenario_run(assessment, s, products, index=i, product_names=product_names)
        for i, s in enumerate(scenarios)
    ]


def scenario_problems(results: Sequence[ScenarioResult]) -> list[Problem]:
    """The failing scenarios as problems that stop publishing and importing."""
    return [
        Problem(
            f"$.scenarios[{r.index}]",
            f"Scenario “{r.name}” fails: {'; '.join(r.failures)}.",
            "scenario_failed",
        )
        for r in results
        if not r.passed
    ]
