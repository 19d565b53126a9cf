"""What one response contributes to the Insights page: its dims and its counts.

Every figure on the page is a sum of these unit contributions over the responses the filters
keep, so the live page, the rollups (which store the sums by dims) and the test that recomputes
the page from the CSV export all add up the same numbers, then `build.insights_build` turns
them into the page.

**Dims** (`Dims`) are what the filters select on: the version's number, the UTC day the
response started, channel, language, partner origin, utm source and campaign, and the outcome.

**Counts** are a `Counter` of `(metric, key, value)` → int; `key` and `value` are text, ""
where the metric has none. The vocabulary:

====================  =============  ===================  ====================================
metric                key            value                one per
====================  =============  ===================  ====================================
started               ""             ""                   response
on_path               step key       ""                   step on its path as its answers walk it
reached               step key       ""                   step on its path up to where it is
dropped               step key       ""                   unfinished response: last step reached
step_seconds          step key       seconds bucket       step reached with time recorded
completed             ""             ""                   finished response
complete_seconds      ""             seconds bucket       finished response (start to finish)
emailed               ""             ""                   results e-mail sent
clicked               ""             ""                   any product link followed
purchased             ""             ""                   attributed purchase, not refunded
engaged               ""             ""                   check-in answered or follow-up opened
seen                  question key   ""                   answerable question on a step reached
answered              question key   ""                   … with a counted answer
answer                question key   choice key / bin     pick (each of several) or number bin
outcome               outcome key    ""                   finished response with an outcome
band                  trait key      band key             finished response, trait in a band
shown                 sku            ""                   product on its results
product_clicked       sku            ""                   product whose link was followed
product_purchased     sku            ""                   product bought (attributed)
rank_bought           sku            rank                 item bought that we had ranked
learned               ""             yes|a_little|no      answer to "did you learn…"
purchased_by_learned  ""             yes|a_little|no      … of those who also purchased
csat                  ""             "1"…"5"              check-in answer
ces                   ""             "1"…"7"              check-in answer
nps                   ""             "0"…"10"             check-in answer that gave one
delivered             ""             yes|partly|no        check-in answer
gap_product           sku            yes|partly|no        check-in answer about that product
gap_outcome           outcome key    yes|partly|no        check-in answer, by response outcome
====================  =============  ===================  ====================================

Seconds buckets are `figures.seconds_bucket`; number bins are `histogram.bin_key`. Previews are
never counted; anonymised responses are (they keep no personal data, only their answers).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, QuerySet

from assessments import engine
from assessments.insights.figures import Filters, seconds_bucket
from assessments.insights.histogram import bin_key
from assessments.models import CheckIn, Engagement, ProductReference, Purchase, Response
from assessments.taking.results import FrozenResult, result_read
from assessments.taking.services import response_definition

Key = tuple[str, str, str]

CHUNK_SIZE = 500
# What counts as engaging with a follow-up; changing preferences or unsubscribing does not.
ENGAGED_KINDS = (
    Engagement.Kind.TIP_OPENED,
    Engagement.Kind.CHECKIN_OPENED,
    Engagement.Kind.CHECKIN_ANSWERED,
)
# The metrics the trend series needs, kept per day.
TREND_METRICS = frozenset({"started", "completed", "learned", "csat", "nps"})


@dataclass(frozen=True, slots=True)
class Dims:
    """What the filters select a response by."""

    version: int
    day: dt.date
    channel: str
    language: str
    origin: str
    utm_source: str
    utm_campaign: str
    outcome: str

    def matches(self, filters: Filters) -> bool:
        """Whether a response with these dims is kept by `filters`."""
        wanted = (
            (filters.version, self.version),
            (filters.channel, self.channel),
            (filters.origin, self.origin),
            (filters.language, self.language),
            (filters.utm_source, self.utm_source),
            (filters.utm_campaign, self.utm_campaign),
            (filters.outcome, self.outcome),
        )
        if any(want not in (None, "") and want != have for want, have in wanted):
            return False
        if filters.since is not None and self.day < filters.since:
            return False
        return filters.until is None or self.day <= filters.until


@dataclass(frozen=True, slots=True)
class CheckInRow:
    csat: int | None
    ces: int | None
    nps: int | None
    delivered: str
    sku: str  # the product the check-in asked about, "" when unknown


@dataclass(frozen=True, slots=True)
class ItemRow:
    sku: str
    rank: int | None


@dataclass(slots=True)
class Loaded:
    """A response with what happened after it, as read in one chunk."""

    response: Response
    references: list[tuple[str, dt.datetime | None]] = field(default_factory=list)
    items: list[ItemRow] = field(default_factory=list)
    purchased: bool = False
    checkins: list[CheckInRow] = field(default_factory=list)
    engaged: bool = False

    @property
    def assessment(self) -> engine.Assessment:
        return response_definition(self.response)


def counted_responses(queryset: QuerySet[Response]) -> QuerySet[Response]:
    """`queryset` without previews, with the version's number and hash (the compiled
    definition is cached by it), and without the columns facts never read."""
    return (
        queryset.filter(is_preview=False, version__isnull=False)
        .annotate(version_hash=F("version__content_hash"), version_number=F("version__number"))
        .defer("preview_definition", "submissions", "token", "share_token")
        .order_by("pk")
    )


def _chunks(rows: Iterable[Response], size: int) -> Iterator[list[Response]]:
    chunk: list[Response] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _load(chunk: list[Response]) -> list[Loaded]:
    loaded = {r.pk: Loaded(r) for r in chunk}
    ids = list(loaded)
    references = ProductReference.objects.filter(response_id__in=ids).order_by("pk")
    for response_id, sku, clicked_at in references.values_list("response_id", "sku", "clicked_at"):
        loaded[response_id].references.append((sku, clicked_at))
    purchases = Purchase.objects.filter(
        response_id__in=ids, status=Purchase.Status.COMPLETED
    ).order_by("pk", "items__pk")
    for response_id, sku, rank in purchases.values_list("response_id", "items__sku", "items__rank"):
        one = loaded[response_id]
        one.purchased = True
        if sku is not None:
            one.items.append(ItemRow(sku, rank))
    checkins = CheckIn.objects.filter(response_id__in=ids).order_by("answered_at", "pk")
    for response_id, csat, ces, nps, delivered, sku in checkins.values_list(
        "response_id", "csat", "ces", "nps", "delivered", "followup__item__sku"
    ):
        one = loaded[response_id]
        one.checkins.append(CheckInRow(csat, ces, nps, delivered or "", sku or ""))
        one.engaged = True
    engaged = Engagement.objects.filter(response_id__in=ids, kind__in=ENGAGED_KINDS)
    for response_id in engaged.values_list("response_id", flat=True).distinct():
        loaded[response_id].engaged = True
    return list(loaded.values())


def responses_loaded(
    queryset: QuerySet[Response], *, chunk_size: int = CHUNK_SIZE
) -> Iterator[Loaded]:
    """Counted responses of `queryset` with their references, purchases and check-ins: one
    query per chunk for each, never all rows in memory."""
    rows = counted_responses(queryset).iterator(chunk_size=chunk_size)
    for chunk in _chunks(rows, chunk_size):
        yield from _load(chunk)


def reached_steps(walk: engine.Walk, response: Response) -> tuple[str, ...]:
    """The steps a response got to: its whole path when finished, else the path up to (and
    with) the step it is on. A step off its path is never reached."""
    path = walk.path
    if response.status == Response.Status.COMPLETED:
        return path
    current = response.current_step
    if current in path:
        return path[: path.index(current) + 1]
    assessment = walk.assessment
    here = assessment.step(current) if current else None
    if here is None:
        return ()
    # Not on the path as the answers now walk it (an old row): the steps before it that are.
    return tuple(k for k in path if (s := assessment.step(k)) is not None and s.index < here.index)


def answer_values(question: engine.Question, value: Any) -> list[str]:
    """The values an answer counts under: its picks, the bin of its number, or its kind's
    group (see `QuestionKind.tallied`); [] for text."""
    if isinstance(value, bool):
        return []
    if isinstance(value, (int, float)):
        return [bin_key(question, value)]
    if question.has_choices:
        picks = value if isinstance(value, list) else [value]
        return [pick for pick in picks if isinstance(pick, str)]
    # Other kinds say for themselves (a footprint photo: the arch band it measured).
    return list(question.behaviour.tallied(question, value))


def dims_of(response: Response, result: FrozenResult | None) -> Dims:
    attribution = response.attribution if isinstance(response.attribution, Mapping) else {}

    def text(name: str) -> str:
        value = attribution.get(name)
        return value if isinstance(value, str) else ""

    outcome = result.outcome.key if result is not None and result.outcome is not None else ""
    return Dims(
        version=getattr(response, "version_number", None) or response.version.number,
        day=response.created_at.astimezone(dt.UTC).date(),
        channel=response.channel,
        language=response.language,
        origin=text("embed_origin"),
        utm_source=text("utm_source"),
        utm_campaign=text("utm_campaign"),
        outcome=outcome,
    )


def facts_of(loaded: Loaded) -> tuple[Dims, Counter[Key]]:
    """A response's dims and its counts (see the module's docstring for the vocabulary)."""
    response = loaded.response
    walk = loaded.assessment.walk(response.answers or {}, response.fields or {})
    completed = response.status == Response.Status.COMPLETED
    result = result_read(response) if completed else None
    dims = dims_of(response, result)
    counts: Counter[Key] = Counter()
    counts["started", "", ""] = 1

    for step_key in walk.path:
        counts["on_path", step_key, ""] += 1
    reached = reached_steps(walk, response)
    seconds = response.step_seconds if isinstance(response.step_seconds, Mapping) else {}
    for step_key in reached:
        counts["reached", step_key, ""] += 1
        spent = seconds.get(step_key)
        if isinstance(spent, (int, float)) and not isinstance(spent, bool):
            counts["step_seconds", step_key, str(seconds_bucket(spent))] += 1
        for question in walk.questions(step_key):
            if not question.answerable:
                continue
            counts["seen", question.key, ""] += 1
            value = walk.counted.get(question.key)
            if value is None:
                continue
            counts["answered", question.key, ""] += 1
            for shown in answer_values(question, value):
                counts["answer", question.key, shown] += 1
    if not completed and reached:
        counts["dropped", reached[-1], ""] += 1

    if completed:
        counts["completed", "", ""] = 1
        if response.completed_at is not None:
            spent = (response.completed_at - response.created_at).total_seconds()
            counts["complete_seconds", "", str(seconds_bucket(spent))] += 1
    if response.results_emailed_at is not None:
        counts["emailed", "", ""] = 1
    clicked = {sku for sku, at in loaded.references if at is not None}
    if clicked:
        counts["clicked", "", ""] = 1
    if loaded.purchased:
        counts["purchased", "", ""] = 1
    if loaded.engaged:
        counts["engaged", "", ""] = 1

    if result is not None:
        if dims.outcome:
            counts["outcome", dims.outcome, ""] += 1
        for trait in result.traits:
            if trait.band:
                counts["band", trait.key, trait.band] += 1
        for sku in dict.fromkeys(result.skus):
            counts["shown", sku, ""] += 1
    for sku in clicked:
        counts["product_clicked", sku, ""] += 1
    for sku in {item.sku for item in loaded.items}:
        counts["product_purchased", sku, ""] += 1
    for item in loaded.items:
        if item.rank is not None:
            counts["rank_bought", item.sku, str(item.rank)] += 1

    if response.learned:
        counts["learned", "", response.learned] = 1
        if loaded.purchased:
            counts["purchased_by_learned", "", response.learned] = 1
    for checkin in loaded.checkins:
        for metric in ("csat", "ces", "nps"):
            value = getattr(checkin, metric)
            if value is not None:
                counts[metric, "", str(value)] += 1
        if checkin.delivered:
            counts["delivered", "", checkin.delivered] += 1
            if checkin.sku:
                counts["gap_product", checkin.sku, checkin.delivered] += 1
            if dims.outcome:
                counts["gap_outcome", dims.outcome, checkin.delivered] += 1
    return dims, counts


def facts_for(
    queryset: QuerySet[Response], *, chunk_size: int = CHUNK_SIZE
) -> Iterator[tuple[Dims, Counter[Key]]]:
    """(dims, counts) of each counted response of `queryset`, read in chunks."""
    for loaded in responses_loaded(queryset, chunk_size=chunk_size):
        yield facts_of(loaded)


def counts_sum(
    facts: Iterable[tuple[Dims, Counter[Key]]],
) -> tuple[Counter[Key], dict[dt.date, Counter[Key]]]:
    """All counts summed, and the trend metrics summed by day."""
    total: Counter[Key] = Counter()
    by_day: dict[dt.date, Counter[Key]] = defaultdict(Counter)
    for dims, counts in facts:
        total.update(counts)
        day = by_day[dims.day]
        for key, value in counts.items():
            if key[0] in TREND_METRICS:
                day[key] += value
    return total, dict(by_day)
