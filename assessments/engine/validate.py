"""Semantic validation: what a JSON Schema cannot say about a definition.

Unknown references, questions used before they are asked, loops, steps and outcomes no answers
can reach, bands that overlap or leave gaps, missing translations, products without pictures.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .kinds import KINDS, QuestionKind
from .kinds.base import MAX_SCORE_SET, Asked, Parts, texts_of
from .kinds.base import dicts as _dicts
from .kinds.base import figure as _n
from .kinds.base import num as _num
from .problems import Problem, json_path, with_article
from .recall import PLACEHOLDER
from .structure import describe, structural_problems

ALWAYS, NEVER, MAYBE = "always", "never", "maybe"
# What the checker knows of a question whose kind is not registered (the schema reports it).
_UNKNOWN_KIND = QuestionKind()
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
# How many places a grouped message names before "and N more".
_PLACES_LISTED = 8
_LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "ca": "Catalan",
    "nl": "Dutch",
}


def validate_definition(data: Any) -> list[Problem]:
    """Every problem in a definition (structural, then semantic); [] when it can be published."""
    problems = structural_problems(data)
    if any(p.code in _UNREADABLE for p in problems) or not _sound_enough(data):
        return problems
    checker = _Checker(data)
    for check in checker.checks():
        try:
            check()
        except Exception:
            # A structurally broken definition may trip a semantic check; its structural
            # problems already explain what to fix. A sound one must never get here.
            if not problems:
                checker.add(("",), "The definition could not be fully checked.", "internal")
    return problems + checker.problems


# Compiling and publishing share one validator now that the schema check is fast; the old name
# stays for the compiler.
validate_fast = validate_definition


def definition_warnings(data: Any) -> list[Problem]:
    """What is worth a look but does not stop publishing (each `Problem.warning` is True): a
    filter that leaves no product for some answer, a `next` rule that can never fire. [] for a
    definition that has problems: those come first."""
    if validate_definition(data):
        return []
    checker = _Checker(data)
    checker.analyse()
    checker.warn_next_rules()
    checker.warn_empty_filters()
    return checker.warnings


def in_catalogue(recommendation: Mapping[str, Any], product: Mapping[str, Any]) -> bool:
    """Whether an assessment with this `recommendation` offers a product (both as in FORMAT.md):
    one with a tag it names or a sku (its own or a variant's) it lists; any product when it
    names neither."""
    catalogue = recommendation.get("catalogue")
    if not isinstance(catalogue, dict):
        return True
    tags = {t for t in catalogue.get("tags") or () if isinstance(t, str)}
    skus = {k for k in catalogue.get("skus") or () if isinstance(k, str)}
    if not tags and not skus:
        return True
    own = product.get("tags")
    if isinstance(own, list) and not tags.isdisjoint(t for t in own if isinstance(t, str)):
        return True
    return product.get("sku") in skus or any(
        v.get("sku") in skus for v in _dicts(product.get("variants"))
    )


def _matchable(value: Any) -> list[Any]:
    """An attribute's values as rules compare them: a text, each text of a list, or a number."""
    if isinstance(value, list):
        return [v for v in value if isinstance(v, (str, int, float, bool))]
    return [value] if isinstance(value, (str, int, float, bool)) else []


def _suggestion(value: Any, keys: list[str]) -> str | None:
    """The key an author most likely meant: the same but for case or spaces, else the closest."""
    text = str(value).strip().lower()
    for key in keys:
        if key.lower() == text:
            return key
    close = difflib.get_close_matches(text, [k.lower() for k in keys], n=1, cutoff=0.6)
    return next((k for k in keys if k.lower() == close[0]), None) if close else None


def _listed(names: list[str], limit: int = 3, joiner: str = "and") -> str:
    """'a', 'a' and 'b', 'a', 'b', 'c' and 2 more."""
    shown = [f"'{n}'" for n in names[:limit]]
    if len(names) > limit:
        return ", ".join(shown) + f" {joiner} {len(names) - limit} more"
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" {joiner} " + shown[-1]


# Structural problems after which the semantic checks must not run: a definition too deep to
# walk safely, or one holding what JSON cannot (NaN would make every band check about nan).
_UNREADABLE = ("depth", "json")


def _sound_enough(data: Any) -> bool:
    """Semantic checks need the skeleton: steps with question lists."""
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        return False
    return all(isinstance(s, dict) and isinstance(s.get("questions"), list) for s in data["steps"])


def _key(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@dataclass
class _Q:
    """A question as the checker sees it."""

    data: dict[str, Any]
    parts: Parts
    step: int  # step index
    index: int  # global position
    key: str | None
    kind: str | None
    behaviour: QuestionKind
    choice_keys: tuple[str, ...] = ()
    maybe_uncounted: bool = True
    # trait -> possible points (None: too many to list), and the interval they span.
    contributes: dict[str, set[float] | None] = field(default_factory=dict)
    spans: dict[str, tuple[float, float]] = field(default_factory=dict)


@dataclass
class _Bounds:
    """An interval with strictness, for spotting contradictions inside an `all`."""

    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False

    def narrow(
        self, low: float, high: float, low_open: bool = False, high_open: bool = False
    ) -> None:
        if low > self.low or (low == self.low and low_open):
            self.low, self.low_open = low, low_open
        if high < self.high or (high == self.high and high_open):
            self.high, self.high_open = high, high_open

    @property
    def empty(self) -> bool:
        return self.low > self.high or (self.low == self.high and (self.low_open or self.high_open))


# An operator a question's kind does not take, and how to put it right; checked in this order.
_MISUSED = {
    "contains": "which is {a_kind} question; 'contains' is only for multiple-choice questions "
    "(use 'equals' or 'in').",
    "range": "which is {a_kind} question; 'range' is only for scale and number questions.",
    "equals": "which takes several picks; use 'contains' (or 'in').",
}


class _Checker:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.problems: list[Problem] = []
        # Invalid language codes are reported by the schema; do not cascade them per text.
        languages = data.get("languages")
        self.languages = [
            lang
            for lang in (languages if isinstance(languages, list) else [])
            if isinstance(lang, str) and _LANGUAGE_CODE.search(lang)
        ]
        self.steps = _dicts(data.get("steps"))
        self.step_keys = [_key(s.get("key")) for s in self.steps]
        self.step_index = {}
        for i, key in enumerate(self.step_keys):
            if key is not None:
                self.step_index.setdefault(key, i)
        self.questions: list[_Q] = []
        self.step_first: list[int] = []  # global index of each step's first question
        for si, step in enumerate(self.steps):
            self.step_first.append(len(self.questions))
            for qi, q in enumerate(_dicts(step.get("questions"))):
                choices = tuple(
                    k for k in (_key(c.get("key")) for c in _dicts(q.get("choices"))) if k
                )
                self.questions.append(
                    _Q(
                        q,
                        ("steps", si, "questions", qi),
                        si,
                        len(self.questions),
                        _key(q.get("key")),
                        _key(q.get("kind")),
                        KINDS.get(_key(q.get("kind")) or "", _UNKNOWN_KIND),
                        choices,
                    )
                )
        self.step_first.append(len(self.questions))
        self.by_key: dict[str, _Q] = {}
        for q in self.questions:
            if q.key is not None:
                self.by_key.setdefault(q.key, q)
        self.traits: dict[str, dict[str, Any]] = {}
        for t in _dicts(data.get("traits")):
            key = _key(t.get("key"))
            if key is not None:
                self.traits.setdefault(key, t)
        self.fields = {
            k for k in (_key(h.get("key")) for h in _dicts(data.get("hidden_fields"))) if k
        }
        self.outcomes = _dicts(data.get("outcomes"))
        self.recommendation = (
            data["recommendation"] if isinstance(data.get("recommendation"), dict) else {}
        )
        self.products = _dicts(data.get("products")) if "products" in data else None
        self.warnings: list[Problem] = []
        self._prefix: dict[str, list[tuple[float, float]]] = {}
        self._analysed = False

    # -- helpers ------------------------------------------------------------------------

    def add(self, parts: Parts, message: str, code: str) -> None:
        parts = tuple(p for p in parts if p != "")
        self.problems.append(Problem(json_path(parts), message, code))

    def warn(self, parts: Parts, message: str, code: str) -> None:
        parts = tuple(p for p in parts if p != "")
        self.warnings.append(Problem(json_path(parts), message, code, warning=True))

    def offered(self) -> Iterator[tuple[Parts, str, Mapping[str, Any]]]:
        """What the recommendation ranks: each active product of the assessment's catalogue,
        as each of its active variants where it has some, with its path, sku and attributes."""
        for pi, p in enumerate(self.products or []):
            if p.get("active") is False or not in_catalogue(self.recommendation, p):
                continue
            own = p.get("attributes") if isinstance(p.get("attributes"), dict) else {}
            sku = p.get("sku") if isinstance(p.get("sku"), str) else str(pi + 1)
            variants = [
                (vi, v)
                for vi, v in enumerate(_dicts(p.get("variants")))
                if v.get("active") is not False
            ]
            if not variants:
                yield ("products", pi), sku, own
            for vi, v in variants:
                attributes = v.get("attributes") if isinstance(v.get("attributes"), dict) else {}
                yield ("products", pi, "variants", vi), sku, {**own, **attributes}

    def where(self, parts: Parts) -> str:
        return describe(self.data, parts)

    def checks(self) -> list[Callable[[], None]]:
        return [
            self.check_duplicates,
            self.check_translations,
            self.check_recalls,
            self.check_questions,
            self.check_traits_exist,
            self.check_conditions,
            self.check_next_rules,
            self.analyse,
            self.check_reachable_steps,
            self.check_outcomes,
            self.check_bands,
            self.check_recommendation,
            self.check_catalogue_values,
        ]

    # -- duplicates ---------------------------------------------------------------------

    def check_duplicates(self) -> None:
        def unique(
            items: list[tuple[Parts, Any]], noun: str, member: str = "key", scope: str = ""
        ) -> None:
            seen: dict[str, Parts] = {}
            for parts, key in items:
                if not isinstance(key, str):
                    continue
                if key in seen:
                    first = self.where(seen[key])
                    self.add(
                        (*parts, member),
                        f"{self.where(parts)} uses the {noun} {member} '{key}' again{scope}; "
                        f"{first} already has it. Keys must be unique.",
                        "duplicate",
                    )
                else:
                    seen[key] = parts

        unique([(("steps", i), s.get("key")) for i, s in enumerate(self.steps)], "step")
        unique(
            [(q.parts, q.key) for q in self.questions],
            "question",
            scope=" (question keys are unique across the whole assessment)",
        )
        for q in self.questions:
            unique(
                [
                    ((*q.parts, "choices", i), c.get("key"))
                    for i, c in enumerate(_dicts(q.data.get("choices")))
                ],
                "choice",
                scope=f" in question '{q.key}'",
            )
        traits = _dicts(self.data.get("traits"))
        unique([(("traits", i), t.get("key")) for i, t in enumerate(traits)], "trait")
        for ti, t in enumerate(traits):
            unique(
                [
                    (("traits", ti, "bands", i), b.get("key"))
                    for i, b in enumerate(_dicts(t.get("bands")))
                ],
                "band",
            )
        unique([(("outcomes", i), o.get("key")) for i, o in enumerate(self.outcomes)], "outcome")
        unique(
            [
                (("hidden_fields", i), h.get("key"))
                for i, h in enumerate(_dicts(self.data.get("hidden_fields")))
            ],
            "hidden field",
        )
        unique(
            [
                (("scenarios", i), s.get("name"))
                for i, s in enumerate(_dicts(self.data.get("scenarios")))
            ],
            "scenario",
            member="name",
        )
        if self.products is not None:
            # A variant's sku names it in orders and links as a product's does: one namespace.
            unique(
                [
                    item
                    for i, p in enumerate(self.products)
                    for item in [
                        (("products", i), p.get("sku")),
                        *(
                            (("products", i, "variants", vi), v.get("sku"))
                            for vi, v in enumerate(_dicts(p.get("variants")))
                        ),
                    ]
                ],
                "product or variant",
                member="sku",
            )

    # -- translations -------------------------------------------------------------------

    def check_translations(self) -> None:
        """One problem per language, listing the texts that lack it (an assessment translated
        later lacks a language in every text: one line says so, not one per text)."""
        if not self.languages:
            return
        missing: dict[str, list[Parts]] = {lang: [] for lang in self.languages}
        for parts, text in self._texts():
            if not isinstance(text, dict):
                continue
            for lang in self.languages:
                if not isinstance(text.get(lang), str):
                    missing[lang].append(parts)
        for lang, places in missing.items():
            if not places:
                continue
            name = f"{_LANGUAGE_NAMES[lang]} ('{lang}')" if lang in _LANGUAGE_NAMES else f"'{lang}'"
            listed = "; ".join(self._text_place(parts) for parts in places[:_PLACES_LISTED])
            more = len(places) - _PLACES_LISTED
            count = "1 text" if len(places) == 1 else f"{len(places)} texts"
            self.add(
                places[0],
                f"{count} {'has' if len(places) == 1 else 'have'} no {name} version: {listed}"
                + (f"; and {more} more" if more > 0 else "")
                + ".",
                "translation",
            )

    def _text_place(self, parts: Parts) -> str:
        """ "the prompt of Question 'gender' in step 'use'"."""
        member = parts[-1]
        owner = self.where(parts[:-1]) if len(parts) > 1 else "the assessment"
        return f"the {str(member).replace('_', ' ')} of {owner[:1].lower() + owner[1:]}"

    def _texts(self) -> Iterator[tuple[Parts, Any]]:
        d = self.data
        yield from texts_of(d, (), ("title", "intro", "learn"))
        for i, h in enumerate(_dicts(d.get("hidden_fields"))):
            yield from texts_of(h, ("hidden_fields", i), ("label",))
        for ti, t in enumerate(_dicts(d.get("traits"))):
            yield from texts_of(t, ("traits", ti), ("label", "description"))
            for bi, b in enumerate(_dicts(t.get("bands"))):
                yield from texts_of(b, ("traits", ti, "bands", bi), ("label", "insight"))
        for si, s in enumerate(self.steps):
            yield from texts_of(s, ("steps", si), ("title", "section", "why"))
        for q in self.questions:
            yield from texts_of(q.data, q.parts, ("prompt", "help"))
            yield from q.behaviour.texts(q.data, q.parts)
        for oi, o in enumerate(self.outcomes):
            yield from texts_of(o, ("outcomes", oi), ("title", "description"))
        fallback = self.recommendation.get("fallback")
        if isinstance(fallback, dict):
            yield from texts_of(fallback, ("recommendation", "fallback"), ("message",))
        for pi, p in enumerate(self.products or []):
            yield from texts_of(p, ("products", pi), ("name", "description"))
            for vi, v in enumerate(_dicts(p.get("variants"))):
                yield from texts_of(v, ("products", pi, "variants", vi), ("name",))

    # -- recalled answers ({answer:key} in prompts, help and why) -------------------------

    def check_recalls(self) -> None:
        step_of = {q.key: q.step for q in self.questions if q.key}

        def check(parts: Parts, text: Any, step: int) -> None:
            if not isinstance(text, dict):
                return
            keys = sorted(
                {
                    k
                    for value in text.values()
                    if isinstance(value, str)
                    for k in PLACEHOLDER.findall(value)
                }
            )
            for key in keys:
                if key not in step_of:
                    self.add(
                        parts,
                        f"{self.where(parts)} recalls {{answer:{key}}}, but there is no "
                        f"question '{key}'.",
                        "unknown_question",
                    )
                elif step_of[key] >= step:
                    self.add(
                        parts,
                        f"{self.where(parts)} recalls {{answer:{key}}}, which is only asked "
                        "on this step or later; recall answers from earlier steps.",
                        "recall_order",
                    )

        for si, s in enumerate(self.steps):
            check(("steps", si, "why"), s.get("why"), si)
        for q in self.questions:
            for member in ("prompt", "help"):
                check((*q.parts, member), q.data.get(member), q.step)

    # -- questions ----------------------------------------------------------------------

    def check_questions(self) -> None:
        asked = {
            key: Asked(q.parts, q.data, q.step, self.steps[q.step].get("condition"))
            for key, q in self.by_key.items()
        }
        for q in self.questions:
            for parts, message, code in q.behaviour.problems(q.data, q.parts, self.where):
                self.add(parts, message, code)
            found = q.behaviour.reference_problems(q.data, q.parts, self.where, asked)
            for parts, message, code in found:
                self.add(parts, message, code)

    def check_traits_exist(self) -> None:
        for q in self.questions:
            for parts, points in q.behaviour.point_sources(q.data, q.parts):
                self._points_exist(points, parts)

    def _points_exist(self, points: Any, parts: Parts) -> None:
        if not isinstance(points, dict):
            return
        for trait in points:
            if trait not in self.traits:
                self.add(
                    (*parts, "points", trait),
                    f"{self.where(parts)} gives points to trait '{trait}', which does not exist.",
                    "unknown_trait",
                )

    # -- conditions ---------------------------------------------------------------------

    def _guards(self) -> Iterator[tuple[Parts, Any, int, str]]:
        """Every condition with its path, the question-limit it may name, and what it guards.

        The limit is a global question position: a condition may only name questions before it.
        """
        total = len(self.questions)
        for si, s in enumerate(self.steps):
            if "condition" in s:
                yield ("steps", si, "condition"), s["condition"], self.step_first[si], "step"
            for ri, rule in enumerate(_dicts(s.get("next"))):
                if "when" in rule:
                    yield (
                        ("steps", si, "next", ri, "when"),
                        rule["when"],
                        self.step_first[si + 1],
                        "next",
                    )
        for q in self.questions:
            if "condition" in q.data:
                yield (*q.parts, "condition"), q.data["condition"], q.index, "question"
        for oi, o in enumerate(self.outcomes):
            if "rule" in o:
                yield ("outcomes", oi, "rule"), o["rule"], total, "outcome"

    def check_conditions(self) -> None:
        for parts, condition, limit, guard in self._guards():
            self._check_condition(condition, parts, limit, guard, self.where(parts[:-1]))

    def _check_condition(self, c: Any, parts: Parts, limit: int, guard: str, owner: str) -> None:
        if not isinstance(c, dict):
            return
        for group in ("all", "any"):
            if isinstance(c.get(group), list):
                for i, part in enumerate(c[group]):
                    self._check_condition(part, (*parts, group, i), limit, guard, owner)
                return
        if "not" in c:
            self._check_condition(c["not"], (*parts, "not"), limit, guard, owner)
        elif "answer" in c or "answered" in c:
            self._check_answer_condition(c, parts, limit, guard, owner)
        elif "trait" in c:
            self._check_trait_condition(c, parts, owner)
        elif "field" in c:
            key = _key(c.get("field"))
            if key is not None and key not in self.fields:
                self.add(
                    (*parts, "field"),
                    f"{owner} has a condition on hidden field '{key}', which does not exist.",
                    "unknown_field",
                )

    def _check_answer_condition(
        self, c: dict[str, Any], parts: Parts, limit: int, guard: str, owner: str
    ) -> None:
        member = "answer" if "answer" in c else "answered"
        key = _key(c.get(member))
        if key is None:
            return
        q = self.by_key.get(key)
        if q is None:
            self.add(
                (*parts, member),
                f"{owner} has a condition on question '{key}', which does not exist.",
                "unknown_question",
            )
            return
        if q.index >= limit:
            placement = {
                "step": "on an earlier step",
                "question": "earlier (on an earlier step or above it on the same step)",
                "next": "on this step or an earlier one",
            }.get(guard, "before it")
            self.add(
                (*parts, member),
                f"{owner} has a condition on question '{key}' (in step "
                f"'{self.step_keys[q.step]}'), which is not asked before it: a condition may "
                f"only use questions asked {placement}.",
                "question_order",
            )
        if not q.behaviour.answerable:
            self.add(
                (*parts, member),
                f"{owner} has a condition on question '{key}', which is information "
                f"only and has no answer.",
                "operator_kind",
            )
            return
        if member == "answer":
            self._check_operator(c, parts, q, owner)

    def _check_trait_condition(self, c: dict[str, Any], parts: Parts, owner: str) -> None:
        key = _key(c.get("trait"))
        if key is None:
            return
        trait = self.traits.get(key)
        if trait is None:
            self.add(
                (*parts, "trait"),
                f"{owner} has a condition on trait '{key}', which does not exist.",
                "unknown_trait",
            )
        elif "band" in c:
            bands = {_key(b.get("key")) for b in _dicts(trait.get("bands"))}
            if c["band"] not in bands:
                self.add(
                    (*parts, "band"),
                    f"{owner} refers to band '{c['band']}', which trait '{key}' does not have.",
                    "unknown_band",
                )
        self._check_range(c, parts, owner)

    def _check_range(self, c: dict[str, Any], parts: Parts, owner: str) -> None:
        bounds = c.get("range")
        if isinstance(bounds, dict):
            low, high = _num(bounds.get("min")), _num(bounds.get("max"))
            if low is not None and high is not None and low > high:
                self.add(
                    (*parts, "range"),
                    f"{owner} has a range whose minimum is above its maximum, so it never holds.",
                    "range",
                )

    def _check_operator(self, c: dict[str, Any], parts: Parts, q: _Q, owner: str) -> None:
        kind = q.behaviour
        for operator, misuse in _MISUSED.items():
            if operator in c and operator not in kind.operators:
                self.add(
                    (*parts, operator),
                    f"{owner} uses '{operator}' on question '{q.key}', "
                    + misuse.format(a_kind=with_article(q.kind or "unknown")),
                    "operator_kind",
                )
                return
        self._check_range(c, parts, owner)
        if "equals" in c:
            values = [("equals", c["equals"])]
        elif isinstance(c.get("in"), list):
            values = [(("in", i), v) for i, v in enumerate(c["in"])]
        elif "contains" in c:
            values = [("contains", c["contains"])]
        else:
            values = []
        for member, value in values:
            found = kind.comparison_problem(q.data, value, owner)
            if found is not None:
                path = (*parts, *(member if isinstance(member, tuple) else (member,)))
                self.add(path, *found)

    # -- next rules ---------------------------------------------------------------------

    def check_next_rules(self) -> None:
        for si, s in enumerate(self.steps):
            for ri, rule in enumerate(_dicts(s.get("next"))):
                goto = _key(rule.get("goto"))
                if goto is None:
                    continue
                target = self.step_index.get(goto)
                parts = ("steps", si, "next", ri, "goto")
                name = self.step_keys[si]
                if target is None:
                    self.add(
                        parts,
                        f"Step '{name}' jumps to step '{goto}', which does not exist.",
                        "unknown_step",
                    )
                elif target <= si:
                    self.add(
                        parts,
                        f"Step '{name}' jumps back to '{goto}': a flow must only "
                        f"move forward so that it always ends.",
                        "loop",
                    )

    # -- static analysis ----------------------------------------------------------------

    def analyse(self) -> None:
        """Work out which questions may go uncounted and what points each can give."""
        skippable = [False] * len(self.steps)
        for si, s in enumerate(self.steps):
            if "condition" in s:
                skippable[si] = True
            for rule in _dicts(s.get("next")):
                target = self.step_index.get(_key(rule.get("goto")) or "")
                if target is not None and target > si:
                    for skipped in range(si + 1, target):
                        skippable[skipped] = True
        for q in self.questions:
            required = q.data.get("required", True) is not False
            q.maybe_uncounted = (
                skippable[q.step]
                or "condition" in q.data
                or not required
                or not q.behaviour.answerable
            )
            for trait in self.traits:
                values = q.behaviour.possible_points(q.data, trait)
                if values is None:
                    continue
                points, span = values
                if q.maybe_uncounted:
                    if points is not None:
                        points = points | {0.0}
                    span = (min(span[0], 0.0), max(span[1], 0.0))
                q.contributes[trait] = points
                q.spans[trait] = span
        for trait in self.traits:
            sums = [(0.0, 0.0)]
            for q in self.questions:
                low, high = q.spans.get(trait, (0.0, 0.0))
                sums.append((sums[-1][0] + low, sums[-1][1] + high))
            self._prefix[trait] = sums
        self._analysed = True

    def trait_range(self, trait: str, limit: int) -> tuple[float, float]:
        """The scores a trait can have counting only questions before global position `limit`."""
        sums = self._prefix.get(trait)
        if sums is None:
            return (-math.inf, math.inf)
        return sums[min(limit, len(sums) - 1)]

    def tri(self, c: Any, limit: int) -> str:
        """Whether a condition always, never or maybe holds for answers before `limit`."""
        if not isinstance(c, dict):
            return MAYBE
        if isinstance(c.get("all"), list):
            parts = [self.tri(p, limit) for p in c["all"]]
            if NEVER in parts or self._contradictory(c["all"], limit):
                return NEVER
            return ALWAYS if all(p == ALWAYS for p in parts) else MAYBE
        if isinstance(c.get("any"), list):
            parts = [self.tri(p, limit) for p in c["any"]]
            if ALWAYS in parts:
                return ALWAYS
            return NEVER if parts and all(p == NEVER for p in parts) else MAYBE
        if "not" in c:
            inner = self.tri(c["not"], limit)
            return {ALWAYS: NEVER, NEVER: ALWAYS}.get(inner, MAYBE)
        if "answer" in c:
            return self._tri_answer(c)
        if "trait" in c:
            return self._tri_trait(c, limit)
        return MAYBE

    def _tri_answer(self, c: dict[str, Any]) -> str:
        q = self.by_key.get(_key(c.get("answer")) or "")
        if q is None:
            return MAYBE
        if not q.behaviour.answerable or q.behaviour.never_holds(q.data, c):
            return NEVER
        # Unknown choices are reported on their own; they do not cascade into "unreachable".
        return MAYBE

    def _trait_bounds(self, c: dict[str, Any]) -> _Bounds | None:
        trait = self.traits.get(_key(c.get("trait")) or "")
        if trait is None:
            return None
        b = _Bounds()
        if _num(c.get("gt")) is not None:
            b.narrow(c["gt"], math.inf, low_open=True)
        elif _num(c.get("gte")) is not None:
            b.narrow(c["gte"], math.inf)
        elif _num(c.get("lt")) is not None:
            b.narrow(-math.inf, c["lt"], high_open=True)
        elif _num(c.get("lte")) is not None:
            b.narrow(-math.inf, c["lte"])
        elif _num(c.get("equals")) is not None:
            b.narrow(c["equals"], c["equals"])
        elif isinstance(c.get("range"), dict):
            low, high = _num(c["range"].get("min")), _num(c["range"].get("max"))
            b.narrow(-math.inf if low is None else low, math.inf if high is None else high)
        elif "band" in c:
            band = next((x for x in _dicts(trait.get("bands")) if x.get("key") == c["band"]), None)
            if band is None:
                return None
            low, high = _num(band.get("min")), _num(band.get("max"))
            b.narrow(-math.inf if low is None else low, math.inf if high is None else high)
        else:
            return None
        return b

    def _tri_trait(self, c: dict[str, Any], limit: int) -> str:
        key = _key(c.get("trait")) or ""
        bounds = self._trait_bounds(c)
        if bounds is None:
            return MAYBE
        low, high = self.trait_range(key, limit)
        within = _Bounds(bounds.low, bounds.high, bounds.low_open, bounds.high_open)
        within.narrow(low, high)
        if within.empty:
            return NEVER
        inside_low = bounds.low < low or (bounds.low == low and not bounds.low_open)
        inside_high = bounds.high > high or (bounds.high == high and not bounds.high_open)
        if inside_low and inside_high and "band" not in c:
            return ALWAYS
        return MAYBE

    def _contradictory(self, parts: list[Any], limit: int) -> bool:
        """An `all` that asks for two different answers to one question, or impossible scores."""
        allowed: dict[str, set[Any]] = {}
        traits: dict[str, _Bounds] = {}
        for c in parts:
            if not isinstance(c, dict):
                continue
            if "answer" in c:
                q = self.by_key.get(_key(c.get("answer")) or "")
                if q is None or q.behaviour.several:
                    continue
                if "equals" in c:
                    values = {c["equals"]}
                elif isinstance(c.get("in"), list):
                    values = set(v for v in c["in"] if isinstance(v, (str, int, float)))
                else:
                    continue
                key = q.key or ""
                allowed[key] = allowed[key] & values if key in allowed else values
                if not allowed[key]:
                    return True
            elif "trait" in c:
                bounds = self._trait_bounds(c)
                key = _key(c.get("trait")) or ""
                if bounds is None:
                    continue
                joined = traits.setdefault(key, _Bounds(*self.trait_range(key, limit)))
                joined.narrow(bounds.low, bounds.high, bounds.low_open, bounds.high_open)
                if joined.empty:
                    return True
        return False

    # -- reachability -------------------------------------------------------------------

    def check_reachable_steps(self) -> None:
        count = len(self.steps)
        if not count:
            return
        # arrive[i]: the flow can arrive at step i (shown or passed over).
        arrive = [False] * (count + 1)
        shown = [False] * count
        arrive[0] = True
        for si in range(count):
            if not arrive[si]:
                continue
            s = self.steps[si]
            first = self.step_first[si]
            condition = self.tri(s["condition"], first) if "condition" in s else ALWAYS
            question_states = [
                self.tri(q.data["condition"], q.index) if "condition" in q.data else ALWAYS
                for q in self.questions[first : self.step_first[si + 1]]
            ]
            can_show = condition != NEVER and any(x != NEVER for x in question_states)
            may_pass = condition != ALWAYS or all(x != ALWAYS for x in question_states)
            if may_pass:
                arrive[si + 1] = True
            if not can_show:
                continue
            shown[si] = True
            falls_through = True
            for rule in _dicts(s.get("next")):
                target = self.step_index.get(_key(rule.get("goto")) or "")
                if target is None or target <= si:
                    continue
                when = self.tri(rule["when"], self.step_first[si + 1]) if "when" in rule else ALWAYS
                if when == NEVER:
                    continue
                arrive[target] = True
                if when == ALWAYS:
                    falls_through = False
                    break
            if falls_through:
                arrive[si + 1] = True
        for si in range(count):
            if shown[si] or self.step_first[si] == self.step_first[si + 1]:
                continue  # a step without questions is a structural problem already
            s = self.steps[si]
            name = self.step_keys[si]
            first = self.step_first[si]
            if not arrive[si]:
                why = (
                    "earlier 'next' rules always jump past it, so no path through the flow "
                    "leads to it"
                )
            elif "condition" in s and self.tri(s["condition"], first) == NEVER:
                why = "its condition can never hold"
            else:
                why = "none of its questions can ever be shown"
            self.add(
                ("steps", si), f"Step '{name}' can never be reached: {why}.", "unreachable_step"
            )

    def check_outcomes(self) -> None:
        if not self.outcomes:
            self.add(
                ("outcomes",),
                "The assessment has no outcomes: add at least one, so every customer lands "
                "on a result (an outcome without a rule is the fallback).",
                "no_outcome",
            )
            return
        total = len(self.questions)
        order = sorted(
            range(len(self.outcomes)),
            key=lambda i: (
                -(self.outcomes[i].get("priority") or 0)
                if isinstance(self.outcomes[i].get("priority"), int)
                else 0,
                i,
            ),
        )
        catch_all: int | None = None
        for i in order:
            o = self.outcomes[i]
            name = _key(o.get("key"))
            state = self.tri(o["rule"], total) if "rule" in o else ALWAYS
            if catch_all is not None:
                other = self.outcomes[catch_all].get("key")
                self.add(
                    ("outcomes", i),
                    f"Outcome '{name}' can never be reached: outcome '{other}' always "
                    f"matches and comes first (higher priority, or the same priority and "
                    f"earlier in the list).",
                    "unreachable_outcome",
                )
            elif state == NEVER:
                self.add(
                    ("outcomes", i, "rule"),
                    f"Outcome '{name}' can never be reached: no answers can make its rule hold.",
                    "unreachable_outcome",
                )
            if state == ALWAYS and catch_all is None:
                catch_all = i

    # -- bands --------------------------------------------------------------------------

    def check_bands(self) -> None:
        total = len(self.questions)
        for ti, t in enumerate(_dicts(self.data.get("traits"))):
            key = _key(t.get("key"))
            bands = _dicts(t.get("bands"))
            if key is None or not bands or self.traits.get(key) is not t:
                continue
            intervals = []
            for bi, b in enumerate(bands):
                low, high = _num(b.get("min")), _num(b.get("max"))
                low = -math.inf if low is None else low
                high = math.inf if high is None else high
                if low > high:
                    self.add(
                        ("traits", ti, "bands", bi),
                        f"Band '{b.get('key')}' of trait '{key}' has its minimum above its "
                        f"maximum, so no score falls in it.",
                        "band_range",
                    )
                intervals.append((low, high, _key(b.get("key"))))
            low, high = self.trait_range(key, total)
            scores = self._score_set(key)
            integral = scores is None and self._integral(key)
            for i in range(len(intervals)):
                for j in range(i + 1, len(intervals)):
                    a, b = intervals[i], intervals[j]
                    o_low, o_high = max(a[0], b[0], low), min(a[1], b[1], high)
                    if o_low > o_high:
                        continue
                    if scores is not None:
                        hits = sorted(s for s in scores if o_low <= s <= o_high)
                        if not hits:
                            continue
                        example = _n(hits[0])
                    elif integral and math.floor(o_high) < o_low:
                        continue
                    else:
                        example = _n(o_low if integral is False else math.ceil(o_low))
                    self.add(
                        ("traits", ti, "bands", j),
                        f"Bands '{a[2]}' and '{b[2]}' of trait '{key}' overlap (a score of "
                        f"{example} is in both); each score must fall in exactly one band.",
                        "band_overlap",
                    )
            valid = [iv for iv in intervals if iv[0] <= iv[1]]
            if scores is not None:
                missing = sorted(s for s in scores if not any(a <= s <= b for a, b, _ in valid))
            else:
                missing = self._interval_gaps(valid, low, high, integral)
            if missing:
                shown = ", ".join(_n(s) for s in missing[:5]) + (", …" if len(missing) > 5 else "")
                self.add(
                    ("traits", ti, "bands"),
                    f"Trait '{key}' has no band for a score of {shown}; the bands must "
                    f"cover every score the answers can give (from {_n(low)} to "
                    f"{_n(high)}).",
                    "band_gap",
                )

    def _score_set(self, trait: str) -> set[float] | None:
        """Every score the trait can reach; None when there are too many to list."""
        options_list = [q.contributes[trait] for q in self.questions if trait in q.contributes]
        if any(options is None for options in options_list):
            return None
        integral = self._integral(trait)
        scores: set[Any] = {0}
        for options in options_list:
            assert options is not None
            if integral:
                ints = {int(v) for v in options}
                scores = {a + b for a in scores for b in ints}
            else:
                scores = {round(a + b, 9) for a in scores for b in options}
            if len(scores) > MAX_SCORE_SET:
                return None
        return {float(v) for v in scores}

    def _integral(self, trait: str) -> bool:
        for q in self.questions:
            options = q.contributes.get(trait, set())
            if options is None:
                return False
            if any(not float(v).is_integer() for v in options):
                return False
        return True

    @staticmethod
    def _interval_gaps(
        intervals: list[tuple[float, float, Any]], low: float, high: float, integral: bool
    ) -> list[float]:
        """The first score of each stretch of [low, high] that no interval covers."""
        gaps: list[float] = []
        point, covered = low, False  # the next score to cover; whether `point` itself is
        for a, b, _ in sorted(intervals, key=lambda iv: iv[0]):
            if point > high:
                break
            if b < point:
                continue
            if integral:
                if math.ceil(point) < a and math.ceil(point) <= high:
                    gaps.append(float(math.ceil(point)))
                point = math.inf if math.isinf(b) else math.floor(b) + 1
            else:
                if a > point and (not covered or a > point):
                    gaps.append(point)
                point, covered = max(point, b), True
        if integral and point <= high:
            gaps.append(float(math.ceil(point)))
        elif not integral and ((not covered and point <= high) or (covered and point < high)):
            gaps.append(point)
        return gaps

    # -- recommendation and products ----------------------------------------------------

    def check_recommendation(self) -> None:
        rec = self.recommendation
        base = ("recommendation",)
        for group in ("filters", "preferences"):
            for i, rule in enumerate(_dicts(rec.get(group))):
                key = _key(rule.get("answer"))
                if key is None:
                    continue
                q = self.by_key.get(key)
                noun = "filter" if group == "filters" else "preference"
                parts = (*base, group, i, "answer")
                if q is None:
                    self.add(
                        parts,
                        f"The recommendation has a {noun} on question '{key}', "
                        f"which does not exist.",
                        "unknown_question",
                    )
                elif not q.behaviour.answerable or (
                    group == "preferences" and not q.behaviour.has_choices
                ):
                    self.add(
                        parts,
                        f"The recommendation has a {noun} on question '{key}', "
                        f"{with_article(q.kind or 'unknown')} question; a {noun} needs a "
                        f"question with choices.",
                        "operator_kind",
                    )
        for i, rule in enumerate(_dicts(rec.get("filters"))):
            named = [m for m in ("answer", "trait", "outcome") if m in rule]
            if len(named) != 1:
                self.add(
                    (*base, "filters", i),
                    f"Filter {i + 1} of the recommendation must name exactly one of a question "
                    f"(`answer`), a trait (`trait`) or the outcome (`outcome: true`); it names "
                    f"{' and '.join(named) if named else 'none'}.",
                    "filter_source",
                )
            key = _key(rule.get("trait"))
            if key is not None and key not in self.traits:
                self.add(
                    (*base, "filters", i, "trait"),
                    f"The recommendation has a filter on trait '{key}', which does not exist.",
                    "unknown_trait",
                )
        for i, rule in enumerate(_dicts(rec.get("trait_fit"))):
            key = _key(rule.get("trait"))
            if key is None:
                continue
            parts = (*base, "trait_fit", i, "trait")
            trait = self.traits.get(key)
            if trait is None:
                self.add(
                    parts,
                    f"The recommendation fits products to trait '{key}', which does not exist.",
                    "unknown_trait",
                )
            elif not _dicts(trait.get("bands")):
                self.add(
                    parts,
                    f"The recommendation fits products to trait '{key}', which has "
                    f"no bands to match products against.",
                    "unknown_band",
                )
        fallback = rec.get("fallback")
        if self.products is not None and isinstance(fallback, dict):
            offered = {
                sku
                for p in self.products
                if p.get("active") is not False and in_catalogue(rec, p)
                for sku in (
                    _key(p.get("sku")),
                    *(_key(v.get("sku")) for v in _dicts(p.get("variants"))),
                )
            }
            for i, sku in enumerate(fallback.get("skus") or []):
                if isinstance(sku, str) and sku not in offered:
                    self.add(
                        (*base, "fallback", "skus", i),
                        f"The recommendation's fallback names product '{sku}', which is not "
                        f"among this assessment's active products.",
                        "unknown_sku",
                    )

    # -- catalogue values and the rules that match them ------------------------------------

    def _rule_keys(self) -> Iterator[tuple[Parts, str, str, list[str], str]]:
        """Each rule that matches product attributes against keys: its path, the attribute,
        what the rule is called, the keys it can match, and what holds those keys."""
        rec = self.recommendation
        base = ("recommendation",)
        outcomes = [k for k in (_key(o.get("key")) for o in self.outcomes) if k]

        def bands(trait: str | None) -> list[str] | None:
            found = self.traits.get(trait or "")
            if found is None:
                return None
            return [k for k in (_key(b.get("key")) for b in _dicts(found.get("bands"))) if k]

        def choices(question: str | None) -> list[str] | None:
            q = self.by_key.get(question or "")
            return list(q.choice_keys) if q is not None and q.behaviour.has_choices else None

        for i, rule in enumerate(_dicts(rec.get("filters"))):
            attribute = _key(rule.get("attribute"))
            if attribute is None:
                continue
            if "answer" in rule:
                keys = choices(_key(rule.get("answer")))
                holder = f"the choices of question '{rule.get('answer')}'"
            elif "trait" in rule:
                keys = bands(_key(rule.get("trait")))
                holder = f"the bands of trait '{rule.get('trait')}'"
            elif rule.get("outcome") is True:
                keys, holder = outcomes, "the outcomes"
            else:
                continue
            if keys is not None:
                yield (*base, "filters", i), attribute, "the filter", keys, holder
        for i, rule in enumerate(_dicts(rec.get("trait_fit"))):
            attribute, keys = _key(rule.get("attribute")), bands(_key(rule.get("trait")))
            if attribute is not None and keys:
                holder = f"the bands of trait '{rule.get('trait')}'"
                yield (*base, "trait_fit", i), attribute, "the trait fit", keys, holder
        for i, rule in enumerate(_dicts(rec.get("preferences"))):
            attribute, keys = _key(rule.get("attribute")), choices(_key(rule.get("answer")))
            if attribute is not None and keys is not None:
                holder = f"the choices of question '{rule.get('answer')}'"
                yield (*base, "preferences", i), attribute, "the preference", keys, holder
        attribute = _key(rec.get("outcome_attribute"))
        if attribute is not None and outcomes:
            yield (
                (*base, "outcome_attribute"),
                attribute,
                "the outcome match",
                outcomes,
                ("the outcomes"),
            )

    def check_catalogue_values(self) -> None:
        """Every value a product gives an attribute that a rule matches must be one of the keys
        the rule compares it with, case included: `female` for `women`, or `Plush` for
        `plush`, would silently never match."""
        if self.products is None:
            return
        seen: set[tuple[str, tuple[str, ...]]] = set()
        for _rule, attribute, noun, keys, holder in self._rule_keys():
            if (attribute, tuple(sorted(keys))) in seen:
                continue  # a filter and a preference on one question: one message
            seen.add((attribute, tuple(sorted(keys))))
            allowed = set(keys)
            wrong: dict[Any, tuple[Parts, list[str]]] = {}
            for parts, sku, attributes in self.offered():
                for value in _matchable(attributes.get(attribute)):
                    if isinstance(value, str) and value in allowed:
                        continue
                    _first, skus = wrong.setdefault(
                        (type(value).__name__, value), ((*parts, "attributes", attribute), [])
                    )
                    if sku not in skus:
                        skus.append(sku)
            for (_type, value), (parts, skus) in wrong.items():
                suggestion = _suggestion(value, keys)
                shown = f"'{value}'" if isinstance(value, str) else json_value(value)
                owners = (
                    f"Product {_listed(skus)} gives"
                    if len(skus) == 1
                    else (f"Products {_listed(skus)} give")
                )
                self.add(
                    parts,
                    f"{owners} attribute '{attribute}' the value {shown}, which is none of "
                    f"{holder} ({', '.join(keys)}), so {noun} on '{attribute}' never matches "
                    f"it" + (f". Did you mean '{suggestion}'?" if suggestion else "."),
                    "attribute_value",
                )

    # -- warnings -----------------------------------------------------------------------

    def warn_empty_filters(self) -> None:
        """A filter that no product passes for some answer sends everyone who gives it to the
        fallback: worth knowing before customers do."""
        if self.products is None:
            return
        offered = list(self.offered())
        if not offered:
            self.warn(
                ("recommendation", "catalogue") if "catalogue" in self.recommendation else (),
                "No active product is in this assessment's catalogue, so customers will be "
                "recommended nothing.",
                "empty_catalogue",
            )
            return
        for parts, attribute, noun, keys, _holder in self._rule_keys():
            if noun != "the filter":
                continue
            present = {
                value
                for _p, _s, attributes in offered
                for value in _matchable(attributes.get(attribute))
            }
            missing = [k for k in keys if k not in present]
            if not missing:
                continue
            rule = self.recommendation["filters"][parts[-1]]
            if "answer" in rule:
                when = f"the answer to question '{rule['answer']}' is"
            elif "trait" in rule:
                when = f"the customer's band of trait '{rule['trait']}' is"
            else:
                when = "the outcome is"
            self.warn(
                parts,
                f"No product passes the filter on '{attribute}' when {when} "
                f"{_listed(missing, 5, 'or')}: customers who get there see the fallback "
                f"products instead.",
                "filter_empty",
            )

    def warn_next_rules(self) -> None:
        """A `next` rule that can never fire: one after a rule that always jumps, one whose
        condition can never hold, or one that needs the answer to a question that no path to
        its step has asked."""
        count = len(self.steps)
        asked: list[set[int] | None] = [None] * (count + 1)  # steps shown on some path here
        asked[0] = set()

        def arrive(index: int, steps: set[int]) -> None:
            current = asked[index]
            asked[index] = set(steps) if current is None else current | steps

        for si in range(count):
            before = asked[si]
            if before is None:
                continue
            s = self.steps[si]
            first = self.step_first[si]
            condition = self.tri(s["condition"], first) if "condition" in s else ALWAYS
            states = [
                self.tri(q.data["condition"], q.index) if "condition" in q.data else ALWAYS
                for q in self.questions[first : self.step_first[si + 1]]
            ]
            if condition != ALWAYS or all(x != ALWAYS for x in states):
                arrive(si + 1, before)
            if condition == NEVER or all(x == NEVER for x in states):
                continue
            after = before | {si}
            name = self.step_keys[si]
            falls_through = True
            jumped_by: int | None = None
            for ri, rule in enumerate(_dicts(s.get("next"))):
                goto = _key(rule.get("goto"))
                target = self.step_index.get(goto or "")
                if target is None or target <= si:
                    continue  # reported as a problem
                parts = ("steps", si, "next", ri)
                if jumped_by is not None:
                    self.warn(
                        parts,
                        f"Step '{name}': the rule to go to '{goto}' can never fire, because "
                        f"rule {jumped_by + 1} before it always jumps.",
                        "next_never",
                    )
                    continue
                when = self.tri(rule["when"], self.step_first[si + 1]) if "when" in rule else ALWAYS
                unasked = self._unasked(rule.get("when"), after)
                if when == NEVER or unasked is not None:
                    why = (
                        f"its condition needs the answer to '{unasked}', which no path to "
                        f"this step asks"
                        if unasked is not None
                        else "its condition can never hold"
                    )
                    self.warn(
                        parts,
                        f"Step '{name}': the rule to go to '{goto}' can never fire: {why}.",
                        "next_never",
                    )
                    continue
                arrive(target, after)
                if when == ALWAYS:
                    falls_through, jumped_by = False, ri
            if falls_through:
                arrive(si + 1, after)

    def _unasked(self, c: Any, asked: set[int]) -> str | None:
        """A question the condition needs answered that is on none of the `asked` steps."""
        if not isinstance(c, dict):
            return None
        if isinstance(c.get("all"), list):
            return next((k for k in (self._unasked(p, asked) for p in c["all"]) if k), None)
        if isinstance(c.get("any"), list):
            keys = [self._unasked(p, asked) for p in c["any"]]
            return keys[0] if keys and all(keys) else None
        if "answer" in c:
            q = self.by_key.get(_key(c.get("answer")) or "")
            if q is not None and q.step not in asked:
                return q.key
        return None


def json_value(value: Any) -> str:
    """A number or true/false as an author typed it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _n(value) if isinstance(value, (int, float)) else repr(value)
