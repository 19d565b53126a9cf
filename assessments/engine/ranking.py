"""Filtering, weighing and ranking the brand's products for one customer."""

from __future__ import annotations

import functools
import heapq
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .reasons import Edge, Reason

if TYPE_CHECKING:
    from .model import Filter, Outcome, RecommendationSpec, Trait, TraitScore


@dataclass(frozen=True, slots=True)
class Variant:
    """One version of a product (a size, a gender's fit, a colour) with its own sku.

    `attributes` are the variant's own; `Product` lays them over its own once, when it is made,
    so that ranking reads a variant's full attributes without merging anything.
    """

    sku: str
    attributes: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class Product:
    """A catalogue item as the engine sees it: a sku, matchable attributes, the tags that put it
    in an assessment's catalogue and its variants, if it has any."""

    sku: str
    attributes: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    priority: int = 0  # the brand's: among equal scores, higher comes first (then the sku)
    tags: frozenset[str] = frozenset()
    variants: tuple[Variant, ...] = ()
    # The attribute names any variant sets: when none is weighed, one score serves every variant.
    varied: frozenset[str] = field(default=frozenset(), init=False, compare=False)
    # For each varied attribute, which variants have each value: a bit per variant, so that a
    # filter finds the variants that pass it with a lookup per wanted value.
    by_value: Mapping[str, Mapping[Any, int]] = field(
        default_factory=dict, init=False, compare=False
    )
    everyone: int = field(default=0, init=False, compare=False)  # a bit for each variant

    def __post_init__(self) -> None:
        if self.variants:
            varied = frozenset(name for v in self.variants for name in v.attributes)
            # What filters read of the variants, by attribute: each variant's values.
            layout = tuple(
                (name, tuple(_values(self.merged(i).get(name)) for i in range(len(self.variants))))
                for name in sorted(varied)
            )
            shared = _variant_index(layout)
            object.__setattr__(self, "varied", shared[0])
            object.__setattr__(self, "by_value", shared[1])
            object.__setattr__(self, "everyone", (1 << len(self.variants)) - 1)

    def merged(self, index: int) -> Mapping[str, Any]:
        """The full attributes of the variant at `index`: the product's, with its own over them.
        Made when asked (for the few products shown), not kept: a catalogue of thousands stays
        small enough for ranking to run through it from the processor's cache."""
        return {**self.attributes, **self.variants[index].attributes}

    def in_catalogue(self, tags: frozenset[str], skus: frozenset[str]) -> bool:
        """Whether an assessment whose catalogue is these tags and skus offers this product."""
        if self.sku in skus or not tags.isdisjoint(self.tags):
            return True
        return any(v.sku in skus for v in self.variants) if skus else False


@functools.lru_cache(maxsize=4096)
def _variant_index(
    layout: tuple[tuple[str, tuple[tuple[Any, ...], ...]], ...],
) -> tuple[frozenset[str], Mapping[str, Mapping[Any, int]]]:
    """The varied attribute names and, for each, which variants (a bit each) have each value.

    Shared by every product whose variants are laid out alike (a women's and a men's fit, the
    same sizes): a catalogue of thousands then holds a few of these, not one per product, and
    ranking reads them from the processor's cache.
    """
    by_value: dict[str, dict[Any, int]] = {}
    for name, values in layout:
        index = by_value[name] = {}
        for bit, held in enumerate(values):
            for value in held:
                index[value] = index.get(value, 0) | 1 << bit
    return frozenset(name for name, _values in layout), MappingProxyType(by_value)


@dataclass(frozen=True, slots=True)
class RankedProduct:
    sku: str
    rank: int  # 1-based
    score: float
    reasons: tuple[Reason, ...]
    # On the top pick only: why it comes before the runner-up.
    edge: Edge | None = None
    # The sku of the product's variant that fits the customer (the first that passes the
    # filters, the best scoring where variants are weighed differently); None without variants.
    variant: str | None = None


@dataclass(frozen=True, slots=True)
class Recommendation:
    recommended: tuple[RankedProduct, ...]
    alternatives: tuple[RankedProduct, ...]
    fallback_used: bool = False
    fallback_message: Mapping[str, str] | None = None
    # Fewer products than `count` matched anything the customer said; none were added to pad.
    fewer: bool = False


def _values(value: Any) -> tuple[Any, ...]:
    """An attribute or answer as a tuple of hashable values."""
    if value is None:
        return ()
    if value.__class__ is str:
        return (value,)
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(v for v in value if isinstance(v, (str, int, float, bool)))
    if isinstance(value, (str, int, float, bool)):
        return (value,)
    return ()


_KIND_ORDER = {"trait": 0, "preference": 1, "outcome": 2, "fallback": 3}


def _hashable(value: Any) -> Any:
    """A list attribute as is when all its items can be looked up, else its clean values."""
    if value.__class__ is list:
        try:
            frozenset(value)
        except TypeError:
            return _values(value)
        return value
    return _values(value)


@dataclass(frozen=True, slots=True)
class _Fit:
    """One trait_fit rule prepared for this customer."""

    attribute: str
    weight: float
    fit_by_band: Mapping[str, float]
    reason: Reason


@dataclass(frozen=True, slots=True)
class _Pref:
    attribute: str
    weight: float
    question: str
    picks: tuple[Any, ...]


def rank(
    spec: RecommendationSpec,
    traits: Mapping[str, Trait],
    products: Sequence[Product],
    counted: Mapping[str, Any],
    scores: Mapping[str, TraitScore],
    outcome: Outcome | None,
) -> Recommendation:
    """Rank per FORMAT.md: the assessment's catalogue, hard filters (on each variant), then the
    sum of weight * fit, leaving out products that match nothing the customer said; score desc,
    the brand's priority desc, sku asc. A product is ranked once, with its fitting variant."""
    weighing = _Weighing(spec, traits, counted, scores, outcome)
    filters, score = weighing.filters, weighing.score
    if spec.scoped:
        tags, skus = spec.catalogue_tags, spec.catalogue_skus
        products = [p for p in products if p.in_catalogue(tags, skus)]
    # With something to weigh, a product that scores nothing matches nothing the customer
    # said: it is filler, not a recommendation.
    weighs = bool(weighing.fit_rules or weighing.pref_rules or weighing.outcome_attribute)
    weighed = weighing.weighed
    passed = []
    for product in products:
        if not product.variants:
            attributes = product.attributes
            if filters and not _passes(attributes, filters):
                continue
            points, variant = score(attributes), -1
        else:
            passing = _passing(product, filters) if filters else product.everyone
            if not passing:
                continue
            if product.varied.isdisjoint(weighed):
                # The variants score alike (they differ in a size, a fit, nothing weighed): the
                # product's own attributes give their score, and the first that passes is shown.
                points = score(product.attributes)
                variant = (passing & -passing).bit_length() - 1
            else:
                points, variant = _best_variant(product, passing, score)
        if weighs and points <= 0:
            continue
        passed.append((-points, -product.priority, product.sku, product, variant))
    if not passed:
        return _fallback(spec, products, filters)
    top = heapq.nsmallest(spec.count + spec.alternatives, passed, key=lambda row: row[:3])
    ranked = [weighing.explained(row[3], n, row[4]) for n, row in enumerate(top, start=1)]
    if len(ranked) > 1:
        first, second = ranked[0], ranked[1]
        by_priority = top[0][3].priority > top[1][3].priority
        ranked[0] = replace(first, edge=_edge(first, second, by_priority=by_priority))
    recommended = tuple(ranked[: spec.count])
    return Recommendation(
        recommended, tuple(ranked[spec.count :]), fewer=len(recommended) < spec.count
    )


def _passing(product: Product, filters: list[tuple[str, frozenset[Any]]]) -> int:
    """The product's variants that pass every filter, a bit each (0: none does)."""
    mask = product.everyone
    by_value = product.by_value
    for attribute, wanted in filters:
        index = by_value.get(attribute)
        if index is None:  # no variant changes it: the product's own value decides for all
            value = product.attributes.get(attribute)
            if value.__class__ is str:
                if value not in wanted:
                    return 0
            elif wanted.isdisjoint(_hashable(value)):
                return 0
            continue
        found = 0
        for value in wanted:
            found |= index.get(value, 0)
        mask &= found
        if not mask:
            return 0
    return mask


def _best_variant(
    product: Product, passing: int, score: Callable[[Mapping[str, Any]], float]
) -> tuple[float, int]:
    """The score and index of the best scoring of the `passing` variants (the first of equals),
    for variants that differ in something weighed."""
    best = (0.0, -1)
    for index in range(len(product.variants)):
        if passing >> index & 1:
            points = score(product.merged(index))
            if best[1] < 0 or points > best[0]:
                best = (points, index)
    return best


class _Weighing:
    """The recommendation's rules prepared for one customer's answers, scores and outcome.

    `score` runs over the whole catalogue, so it builds no objects and takes fast paths for
    string and list attributes; `explained` runs only for the few products shown, and says why.
    """

    __slots__ = (
        "filters",
        "fit_rules",
        "fits",
        "outcome_attribute",
        "outcome_key",
        "outcome_weight",
        "pref_rules",
        "prefs",
        "weighed",
    )

    def __init__(
        self,
        spec: RecommendationSpec,
        traits: Mapping[str, Trait],
        counted: Mapping[str, Any],
        scores: Mapping[str, TraitScore],
        outcome: Outcome | None,
    ) -> None:
        self.filters: list[tuple[str, frozenset[Any]]] = []
        for rule in spec.filters:
            wanted = frozenset(_filter_values(rule, counted, scores, outcome))
            if wanted:
                self.filters.append((rule.attribute, wanted))
        self.fits = _prepare_fits(spec, traits, scores)
        prefs = [
            _Pref(rule.attribute, rule.weight, rule.answer, _values(counted.get(rule.answer)))
            for rule in spec.preferences
        ]
        self.prefs = [p for p in prefs if p.picks]
        self.outcome_key = outcome.key if outcome is not None else None
        self.outcome_attribute = (
            spec.outcome_attribute if self.outcome_key and spec.outcome_weight else None
        )
        self.outcome_weight = spec.outcome_weight
        self.fit_rules = [(f.attribute, f.weight, f.fit_by_band) for f in self.fits]
        self.pref_rules = [
            (p.attribute, p.weight, frozenset(p.picks), len(p.picks)) for p in self.prefs
        ]
        # Every attribute the score reads, to tell variants that score alike.
        self.weighed = frozenset(
            [a for a, _w, _t in self.fit_rules]
            + [a for a, _w, _p, _c in self.pref_rules]
            + ([self.outcome_attribute] if self.outcome_attribute else [])
        )

    def score(self, attributes: Mapping[str, Any]) -> float:
        """A product's score, the same as `explained` gives, without the reasons."""
        total = 0.0
        for attribute, weight, table in self.fit_rules:
            value = attributes.get(attribute)
            if value.__class__ is str:
                total += weight * table.get(value, 0.0)
            elif value is not None:
                best = 0.0
                for band_key in value if value.__class__ is list else _values(value):
                    fit = table.get(band_key, 0.0) if band_key.__class__ is str else 0.0
                    if fit > best:
                        best = fit
                total += weight * best
        for attribute, weight, picks, count in self.pref_rules:
            value = attributes.get(attribute)
            if value is None:
                continue
            if value.__class__ is str:
                if value in picks:
                    total += weight / count
            else:
                matched = len(picks.intersection(_hashable(value)))
                if matched:
                    total += weight * matched / count
        if self.outcome_attribute is not None:
            value = attributes.get(self.outcome_attribute)
            key = self.outcome_key
            if value is not None and (
                value == key if value.__class__ is str else key in _values(value)
            ):
                total += self.outcome_weight
        return round(total, 9)

    def explained(
        self, product: Product, position: int, variant: int | None = None
    ) -> RankedProduct:
        """The product ranked at `position` (as its variant at index `variant`, if it has one),
        with its score and its reasons, strongest first."""
        if variant is not None and variant < 0:
            variant = None
        attributes = product.attributes if variant is None else product.merged(variant)
        total = 0.0
        reasons: list[Reason] = []
        for fit in self.fits:
            best = 0.0
            for band_key in _values(attributes.get(fit.attribute)):
                best = max(best, fit.fit_by_band.get(band_key, 0.0))
            if best > 0:
                points = fit.weight * best
                total += points
                reasons.append(_with(fit.reason, points=points, fit=best))
        for pref in self.prefs:
            have = _values(attributes.get(pref.attribute))
            matched = tuple(p for p in pref.picks if p in have)
            if matched:
                share = len(matched) / len(pref.picks)
                points = pref.weight * share
                total += points
                cited = ((pref.question, list(matched) if len(pref.picks) > 1 else matched[0]),)
                reasons.append(
                    Reason("preference", pref.question, answers=cited, points=points, fit=share)
                )
        if self.outcome_attribute is not None and self.outcome_key in _values(
            attributes.get(self.outcome_attribute)
        ):
            total += self.outcome_weight
            reasons.append(Reason("outcome", self.outcome_key, points=self.outcome_weight))
        reasons.sort(key=lambda r: (-r.points, _KIND_ORDER.get(r.kind, 9), r.key or ""))
        return RankedProduct(
            product.sku,
            position,
            round(total, 9),
            tuple(reasons),
            variant=None if variant is None else product.variants[variant].sku,
        )


def _filter_values(
    rule: Filter,
    counted: Mapping[str, Any],
    scores: Mapping[str, TraitScore],
    outcome: Outcome | None,
) -> tuple[Any, ...]:
    """What a hard filter asks of the attribute; nothing (no filtering) when the customer said
    nothing it could go on: an unanswered question, a trait not assessed, no outcome."""
    if rule.trait is not None:
        score = scores.get(rule.trait)
        if score is None or not score.assessed or score.band is None:
            return ()
        return (score.band.key,)
    if rule.outcome:
        return (outcome.key,) if outcome is not None else ()
    return _values(counted.get(rule.answer)) if rule.answer else ()


def _edge(first: RankedProduct, second: RankedProduct, *, by_priority: bool) -> Edge:
    """What the top pick has over the runner-up: each of its reasons that adds more than the
    runner-up's same reason (a closer fit, picks the runner-up lacks, the outcome), biggest lead
    first. No leads when they fit equally: then the brand's priority or the sku decided."""
    theirs = {(r.kind, r.key): r for r in second.reasons}
    leads = []
    for reason in first.reasons:
        other = theirs.get((reason.kind, reason.key))
        lead = reason.points - (other.points if other is not None else 0.0)
        if lead <= 1e-9:
            continue
        answers = reason.answers
        if reason.kind == "preference" and other is not None:
            # Cite only the picks the runner-up does not have.
            answers = (
                tuple(
                    (question, _without(value, _values(other_value)))
                    for (question, value), (_, other_value) in zip(
                        reason.answers, other.answers, strict=False
                    )
                )
                or reason.answers
            )
        leads.append(Reason(reason.kind, reason.key, reason.band, answers, lead, reason.fit, None))
    leads.sort(key=lambda r: (-r.points, _KIND_ORDER.get(r.kind, 9), r.key or ""))
    return Edge(second.sku, tuple(leads), by_priority=by_priority and not leads)


def _without(value: Any, taken: tuple[Any, ...]) -> Any:
    if isinstance(value, list):
        left = [v for v in value if v not in taken]
        return left if len(left) > 1 else (left[0] if left else value)
    return value


def _passes(attributes: Mapping[str, Any], filters: list[tuple[str, frozenset[Any]]]) -> bool:
    for attribute, wanted in filters:
        value = attributes.get(attribute)
        if value.__class__ is str:
            if value not in wanted:
                return False
        elif wanted.isdisjoint(_hashable(value)):
            return False
    return True


def _prepare_fits(
    spec: RecommendationSpec, traits: Mapping[str, Trait], scores: Mapping[str, TraitScore]
) -> list[_Fit]:
    fits = []
    for rule in spec.trait_fit:
        trait = traits.get(rule.trait)
        score = scores.get(rule.trait)
        if trait is None or score is None or score.band is None or not trait.bands:
            continue
        if not score.assessed:
            continue  # nothing the customer said is about this trait: no fit to claim
        count = len(trait.bands)
        here = score.band.index
        fit_by_band = {
            band.key: (1.0 if count == 1 else 1.0 - abs(band.index - here) / (count - 1))
            for band in trait.bands
        }
        cited = tuple((c.question_key, c.value) for c in _strongest(score, count))
        reason = Reason(
            "trait", rule.trait, band=score.band.key, answers=cited, trait_score=score.value
        )
        fits.append(_Fit(rule.attribute, rule.weight, fit_by_band, reason))
    return fits


# Past this many answers a reason stops explaining and starts reciting the questionnaire.
CITED_ANSWERS = 3


def _strongest(score: TraitScore, bands: int) -> list[Any]:
    """The answers that moved the score towards its band, strongest first (ties in the order
    asked), at most `CITED_ANSWERS`: what raised it for an upper band, what held it down for a
    lower one. An answer pulling the other way is no reason for the band."""
    assert score.band is not None
    sign = -1 if score.band.index < (bands - 1) / 2 else 1
    toward = [c for c in score.contributions if c.points * sign > 0]
    return sorted(toward, key=lambda c: -abs(c.points))[:CITED_ANSWERS]


def _with(reason: Reason, *, points: float, fit: float) -> Reason:
    return Reason(
        reason.kind, reason.key, reason.band, reason.answers, points, fit, reason.trait_score
    )


def _fallback_variant(
    product: Product, named: Variant | None, filters: list[tuple[str, frozenset[Any]]]
) -> Variant | None:
    """The variant a fallback shows: the one passing the most filters (no variant passes them
    all, or there would be no fallback), so a woman sees the women's fit of a model made in no
    size of hers; the variant the author named first among equals, then in order. None, the
    model alone, when no variant passes any filter and the author named none."""
    best, passes = named, -1
    for index, variant in enumerate(product.variants):
        attributes = product.merged(index)
        count = sum(1 for rule in filters if _passes(attributes, [rule]))
        if count > passes or (count == passes and variant is named):
            best, passes = variant, count
    return best if passes > 0 or not filters else named


def _fallback(
    spec: RecommendationSpec,
    products: Sequence[Product],
    filters: list[tuple[str, frozenset[Any]]],
) -> Recommendation:
    """The author's fixed list, each model once (a sku naming a variant names its product), as
    the variant that fits the customer best (`_fallback_variant`)."""
    if not spec.fallback_skus and spec.fallback_message is None:
        return Recommendation((), ())
    wanted = set(spec.fallback_skus)
    found: dict[str, tuple[Product, Variant | None]] = {}
    for product in products:
        if product.sku in wanted:
            found[product.sku] = (product, None)
        for variant in product.variants:
            if variant.sku in wanted:
                found[variant.sku] = (product, variant)
    ranked: list[RankedProduct] = []
    shown: set[str] = set()
    for sku in spec.fallback_skus:
        if sku not in found:
            continue
        product, named = found[sku]
        if product.sku in shown:
            continue
        shown.add(product.sku)
        variant = _fallback_variant(product, named, filters)
        ranked.append(
            RankedProduct(
                product.sku,
                len(ranked) + 1,
                0.0,
                (Reason("fallback", None),),
                variant=variant.sku if variant is not None else None,
            )
        )
    return Recommendation(tuple(ranked), (), True, spec.fallback_message)
