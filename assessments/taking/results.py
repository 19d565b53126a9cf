"""A response's result: frozen when its last step is submitted, read back as a `FrozenResult`.

The result (profile, outcome, ranked products with their reasons, the insights the answers
revealed) is computed once, in the transaction that completes the response, and stored on it as
JSON. Pages and messages read the frozen copy: what the customer was told stays what they were
told, even if the catalogue or the brand's texts change later. Editing answers and finishing
again freezes anew.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from django.db import transaction
from django.utils import timezone

from assessments import engine
from assessments.engine.text import localized as t
from assessments.events import event_announce
from assessments.models import (
    Product,
    ProductReference,
    Response,
    WebhookEvent,
)

# The shape of the stored JSON. Reading tolerates older rows (a key missing, a value of another
# type): a result frozen once is shown for good, so it is never refused for its age.
RESULT_FORMAT = 1

NO_REFS: Mapping[str, str] = MappingProxyType({})


# -- the frozen result -------------------------------------------------------------------


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0.0
    return value


def _entries(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


@dataclass(frozen=True, slots=True)
class FrozenOutcome:
    key: str
    title: str
    description: str
    image: str = ""  # a storage name, "" for none

    @classmethod
    def from_json(cls, data: Any) -> FrozenOutcome | None:
        if not isinstance(data, Mapping):
            return None
        return cls(
            _text(data.get("key")),
            _text(data.get("title")),
            _text(data.get("description")),
            _text(data.get("image")),
        )


@dataclass(frozen=True, slots=True)
class FrozenTrait:
    key: str
    label: str
    description: str
    score: float
    band: str  # the band's key, "" when the score is in no band
    band_label: str
    insight: str  # the band's insight
    # False when none of the trait's questions was answered; it then has no band or insight.
    # Results frozen before this was recorded read as assessed, as they were shown.
    assessed: bool = True

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FrozenTrait:
        return cls(
            _text(data.get("key")),
            _text(data.get("label")),
            _text(data.get("description")),
            _number(data.get("score")),
            _text(data.get("band")),
            _text(data.get("band_label")),
            _text(data.get("insight")),
            data.get("assessed") is not False,
        )


@dataclass(frozen=True, slots=True)
class FrozenProduct:
    sku: str
    rank: int | None  # 1 for the best; None where an old row did not say
    score: float
    ref: str  # the attribution reference its link carries, "" for none (previews)
    reasons: tuple[str, ...]
    # On the top pick: why it comes before the runner-up; "" elsewhere and in older rows.
    edge: str = ""
    # The sku of the product's variant that fits (a women's fit, a size); "" for none.
    variant: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FrozenProduct:
        rank = data.get("rank")
        reasons = data.get("reasons")
        return cls(
            _text(data.get("sku")),
            rank if isinstance(rank, int) and not isinstance(rank, bool) else None,
            _number(data.get("score")),
            _text(data.get("ref")),
            tuple(r for r in reasons if isinstance(r, str)) if isinstance(reasons, list) else (),
            _text(data.get("edge")),
            _text(data.get("variant")),
        )


@dataclass(frozen=True, slots=True)
class FrozenInsight:
    question: str
    prompt: str
    answer: str
    insight: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FrozenInsight:
        return cls(
            _text(data.get("question")),
            _text(data.get("prompt")),
            _text(data.get("answer")),
            _text(data.get("insight")),
        )


@dataclass(frozen=True, slots=True)
class FrozenResult:
    """What a customer was shown when they finished, texts already in their language."""

    language: str
    computed_at: str  # ISO 8601
    outcome: FrozenOutcome | None
    traits: tuple[FrozenTrait, ...]
    recommended: tuple[FrozenProduct, ...]
    alternatives: tuple[FrozenProduct, ...]
    fallback_message: str = ""
    insights: tuple[FrozenInsight, ...] = ()
    # Every reference issued to this response, by sku: kept across re-freezes, so a link the
    # customer already followed stays valid when a product drops out of the ranking.
    refs: Mapping[str, str] = NO_REFS
    format: int = RESULT_FORMAT
    # Fewer products matched what the customer said than the assessment recommends.
    fewer: bool = False

    @property
    def products(self) -> tuple[FrozenProduct, ...]:
        """The products shown, recommended first."""
        return (*self.recommended, *self.alternatives)

    @property
    def skus(self) -> list[str]:
        return [product.sku for product in self.products]

    @property
    def variants(self) -> list[str]:
        """The skus of the variants shown (a product once, as the variant that fits)."""
        return [product.variant for product in self.products if product.variant]

    @property
    def ranks(self) -> dict[str, int]:
        """sku → rank among the recommended products."""
        return {p.sku: p.rank for p in self.recommended if p.rank is not None}

    @classmethod
    def from_json(cls, data: Any) -> FrozenResult | None:
        """Read a stored result, of this format or an older one; None when there is none."""
        if not isinstance(data, Mapping):
            return None
        refs = data.get("refs")
        fmt = data.get("format")
        return cls(
            language=_text(data.get("language")) or "en",
            computed_at=_text(data.get("computed_at")),
            outcome=FrozenOutcome.from_json(data.get("outcome")),
            traits=tuple(FrozenTrait.from_json(e) for e in _entries(data.get("traits"))),
            recommended=tuple(
                FrozenProduct.from_json(e) for e in _entries(data.get("recommended"))
            ),
            alternatives=tuple(
                FrozenProduct.from_json(e) for e in _entries(data.get("alternatives"))
            ),
            fallback_message=_text(data.get("fallback_message")),
            insights=tuple(FrozenInsight.from_json(e) for e in _entries(data.get("insights"))),
            refs=MappingProxyType(
                {k: v for k, v in refs.items() if isinstance(k, str) and isinstance(v, str)}
                if isinstance(refs, Mapping)
                else {}
            ),
            format=fmt if isinstance(fmt, int) and not isinstance(fmt, bool) else RESULT_FORMAT,
            fewer=data.get("fewer") is True,
        )

    def as_json(self) -> dict[str, Any]:
        """The result as stored on the response (format `RESULT_FORMAT`)."""
        outcome = self.outcome

        def product(p: FrozenProduct) -> dict[str, Any]:
            return {
                "sku": p.sku,
                "rank": p.rank,
                "score": p.score,
                "ref": p.ref,
                "reasons": list(p.reasons),
                **({"edge": p.edge} if p.edge else {}),
                **({"variant": p.variant} if p.variant else {}),
            }

        return {
            "format": RESULT_FORMAT,
            "language": self.language,
            "computed_at": self.computed_at,
            "outcome": {
                "key": outcome.key,
                "title": outcome.title,
                "description": outcome.description,
                "image": outcome.image,
            }
            if outcome is not None
            else None,
            "traits": [
                {
                    "key": trait.key,
                    "label": trait.label,
                    "description": trait.description,
                    "score": trait.score,
                    "band": trait.band,
                    "band_label": trait.band_label,
                    "insight": trait.insight,
                    "assessed": trait.assessed,
                }
                for trait in self.traits
            ],
            "recommended": [product(p) for p in self.recommended],
            "alternatives": [product(p) for p in self.alternatives],
            "fallback_message": self.fallback_message,
            "insights": [
                {
                    "question": i.question,
                    "prompt": i.prompt,
                    "answer": i.answer,
                    "insight": i.insight,
                }
                for i in self.insights
            ],
            "refs": dict(self.refs),
            "fewer": self.fewer,
        }


def result_read(response: Response) -> FrozenResult | None:
    """The result frozen on a response; None when it has none (not finished, or finished
    before results were frozen)."""
    return FrozenResult.from_json(response.result)


# -- computing and freezing --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Catalogue:
    products: list[engine.Product]
    names: dict[str, Any]  # sku: localised name, for the top pick's comparison


def catalogue_read(brand_id: int) -> _Catalogue:
    """The brand's active products (with their active variants) as the engine ranks them, and
    their names, in one query: a product row per variant (one with none for a product without),
    in the variants' order."""
    rows = (
        Product.objects.filter(brand_id=brand_id, active=True)
        .order_by("pk", "variants__position", "variants__pk")
        .values_list(
            "sku",
            "attributes",
            "priority",
            "name",
            "tags",
            "variants__sku",
            "variants__attributes",
            "variants__active",
        )
    )
    found: dict[str, tuple[Any, int, Any, list[engine.Variant]]] = {}
    names: dict[str, Any] = {}
    for sku, attrs, priority, name, tags, v_sku, v_attrs, v_active in rows:
        entry = found.setdefault(sku, (attrs, priority, tags, []))
        names[sku] = name
        if v_sku is not None and v_active:
            entry[3].append(engine.Variant(v_sku, v_attrs if isinstance(v_attrs, dict) else {}))
    products = []
    for sku, (attrs, priority, tags, variants) in found.items():
        products.append(
            engine.Product(
                sku,
                attrs if isinstance(attrs, dict) else {},
                priority,
                frozenset(t for t in tags if isinstance(t, str))
                if isinstance(tags, list)
                else frozenset(),
                tuple(variants),
            )
        )
    return _Catalogue(products, names)


def _ranked(
    assessment: engine.Assessment,
    items: Iterable[engine.RankedProduct],
    refs: Mapping[str, str],
    language: str,
    names: Mapping[str, Any],
) -> tuple[FrozenProduct, ...]:
    def edge(item: engine.RankedProduct) -> str:
        if item.edge is None:
            return ""
        name = t(names.get(item.edge.runner_up), language, (assessment.default_language,))
        return item.edge.text(assessment, language, name)

    return tuple(
        FrozenProduct(
            sku=item.sku,
            rank=item.rank,
            score=item.score,
            ref=refs.get(item.sku, ""),
            reasons=tuple(reason.text(assessment, language) for reason in item.reasons),
            edge=edge(item),
            variant=item.variant or "",
        )
        for item in items
    )


def result_compute(
    *,
    walk: engine.Walk,
    evaluated: engine.Result,
    language: str,
    refs: Mapping[str, str] = NO_REFS,
    names: Mapping[str, Any] | None = None,
) -> FrozenResult:
    """The result of a walk's answers, texts in `language`; products link with `refs`;
    `names` (sku to localised name) names the runner-up the top pick is compared with."""
    names = names or {}
    assessment = walk.assessment
    traits = []
    for trait in assessment.traits:
        score = evaluated.scores.get(trait.key)
        assessed = score.assessed if score else False
        band = score.band if score and assessed else None
        traits.append(
            FrozenTrait(
                key=trait.key,
                label=t(trait.label, language),
                description=t(trait.description, language),
                score=score.value if score else 0,
                band=band.key if band else "",
                band_label=t(band.label, language) if band else "",
                insight=t(band.insight, language) if band else "",
                assessed=assessed,
            )
        )
    outcome = evaluated.outcome
    recommendation = evaluated.recommendation
    return FrozenResult(
        language=language,
        computed_at=timezone.now().isoformat(),
        outcome=FrozenOutcome(
            outcome.key,
            t(outcome.title, language),
            t(outcome.description, language),
            outcome.image or "",
        )
        if outcome
        else None,
        traits=tuple(traits),
        recommended=_ranked(assessment, recommendation.recommended, refs, language, names),
        alternatives=_ranked(assessment, recommendation.alternatives, refs, language, names),
        fallback_message=t(recommendation.fallback_message, language)
        if recommendation.fallback_used
        else "",
        insights=tuple(
            FrozenInsight(i.question, i.prompt, i.answer, i.insight)
            for i in walk.insights(language)
        ),
        refs=MappingProxyType(dict(refs)),
        fewer=recommendation.fewer and not recommendation.fallback_used,
    )


def result_freeze(
    *, response: Response, assessment: engine.Assessment, walk: engine.Walk | None = None
) -> FrozenResult:
    """Compute and store the result of a response that has just been completed.

    Call inside the transaction that completes it, on the locked row, with the walk of its
    answers when the caller has one; the caller saves `result` and `share_token`. Product
    references already issued are kept (a link the customer followed stays valid); products
    new to the ranking get one. Previews get none.
    """
    previous = result_read(response)
    refs = dict(previous.refs) if previous is not None else {}
    if walk is None:
        walk = assessment.walk(response.answers, response.fields)
    catalogue = catalogue_read(response.brand_id)
    evaluated = walk.evaluate(catalogue.products)
    if not response.is_preview:
        recommendation = evaluated.recommendation
        shown = {
            p.sku: p.variant or ""
            for p in (*recommendation.recommended, *recommendation.alternatives)
        }
        new = [
            ProductReference(response=response, sku=sku, variant=variant)
            for sku, variant in shown.items()
            if sku not in refs
        ]
        if new:
            ProductReference.objects.bulk_create(new)
            refs.update({reference.sku: reference.ref for reference in new})
        _variants_follow(response, shown, set(refs) - {r.sku for r in new})
    result = result_compute(
        walk=walk,
        evaluated=evaluated,
        language=response.language,
        refs=refs if not response.is_preview else NO_REFS,
        names=catalogue.names,
    )
    response.result = result.as_json()
    if not response.share_token:
        response.share_token = secrets.token_urlsafe(32)
    return result


def _variants_follow(response: Response, shown: Mapping[str, str], kept: set[str]) -> None:
    """A link issued before keeps its ref but leads to the variant shown now (the customer
    changed their answers from men's to women's, say). One read; a write only for a change."""
    again = kept & set(shown)
    if not again:
        return
    stored = ProductReference.objects.filter(response=response, sku__in=again)
    for sku, variant in stored.values_list("sku", "variant"):
        if variant != shown[sku]:
            stored.filter(sku=sku).update(variant=shown[sku])


def result_shown(*, response: Response, walk: engine.Walk) -> FrozenResult:
    """The result a finished customer sees: the frozen one.

    A response finished before results were frozen has none; it is shown one computed now and
    not stored, so looking at a page never writes. It has no product references and no share
    link until the customer finishes again.
    """
    frozen = result_read(response)
    if frozen is not None:
        return frozen
    catalogue = catalogue_read(response.brand_id)
    return result_compute(
        walk=walk,
        evaluated=walk.evaluate(catalogue.products),
        language=response.language,
        names=catalogue.names,
    )


# -- what the customer does with it ------------------------------------------------------


def response_touch(*, response_id: int | None) -> None:
    """Move a response's `updated_at` to now: something that changes its figures on the
    Insights page (a purchase, a check-in, an engagement) happened after it was written.
    Rollups refresh the responses updated since their last run."""
    if response_id is not None:
        Response.objects.filter(pk=response_id).update(updated_at=timezone.now())


def reference_click_record(*, reference: ProductReference) -> bool:
    """Note the first time a product link from the results page was followed; True if this
    was the first. One conditional UPDATE, so concurrent clicks record one time; the response's
    `updated_at` moves too, as its figures changed."""
    now = timezone.now()
    with transaction.atomic():
        first = ProductReference.objects.filter(pk=reference.pk, clicked_at__isnull=True).update(
            clicked_at=now
        )
        if first:
            response_touch(response_id=reference.response_id)
    return bool(first)


@transaction.atomic
def response_learned_record(*, response: Response, answer: str) -> bool:
    """Store the answer to "Did you learn something new about your needs?"; False if invalid."""
    if answer not in Response.Learned.values:
        return False
    updated = Response.objects.filter(pk=response.pk, status=Response.Status.COMPLETED).update(
        learned=answer, learned_at=timezone.now(), updated_at=timezone.now()
    )
    if updated and not response.is_preview:
        event_announce(
            event=WebhookEvent.LEARNED_ANSWERED, brand_id=response.brand_id, subject_id=response.pk
        )
    return bool(updated)
