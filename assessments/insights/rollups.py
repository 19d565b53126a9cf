"""Rollups: the Insights page's counts summed once per (version, UTC day), so a page over a
million responses sums a few thousand stored rows instead of reading them all.

Figures stay exact. A bucket is summed from `facts` like the live page; it records when
(`computed_at`, a little before the computation read, see SLACK). A response updated after its
bucket was summed (every service that changes a figure moves `updated_at`, `response_touch`),
or deleted (`dirtied_at`), makes the bucket stale, and the page computes stale and never-summed
buckets live. `rollups_refresh` (beat, every minute; `manage.py insights_refresh`) re-sums the
stale buckets, each in one transaction that replaces its rows only if no newer computation
already did, so concurrent passes and concurrent writes never leave wrong counts behind.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

from assessments.insights.facts import TREND_METRICS, Key, counts_sum, facts_for
from assessments.insights.figures import Filters
from assessments.models import (
    Assessment,
    AssessmentVersion,
    InsightsBucket,
    InsightsCount,
    InsightsCoverage,
    Response,
)

# How long a write may take between stamping `updated_at` and committing. A computation counts
# itself as made SLACK before it read, so a write stamped just before and committed just after
# the read makes the bucket stale, never silently missing.
SLACK = dt.timedelta(minutes=2)
NEVER = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
DIMS = ("channel", "language", "origin", "utm_source", "utm_campaign", "outcome")
COARSE = ("channel", "language", "outcome")
Level = InsightsCount.Level
Counts = Counter[Key]
ByDay = dict[dt.date, Counter[Key]]


def _day_range(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
    return start, start + dt.timedelta(days=1)


def _days_changed(version_id: int, since: dt.datetime | None) -> dict[dt.date, dt.datetime]:
    """UTC day → the latest `updated_at` of the version's responses updated after `since`."""
    responses = Response.objects.filter(version_id=version_id, is_preview=False)
    if since is not None:
        responses = responses.filter(updated_at__gt=since)
    rows = (
        responses.annotate(day=TruncDate("created_at", tzinfo=dt.UTC))
        .values("day")
        .annotate(last=Max("updated_at"))
        .values_list("day", "last")
    )
    return dict(rows)


def stale_days(version_id: int) -> set[dt.date] | None:
    """The version's days whose stored counts are missing or out of date; None when the
    version was never summed (every day is)."""
    coverage = InsightsCoverage.objects.filter(version_id=version_id).first()
    if coverage is None:
        return None
    buckets = {
        day: (computed, dirtied)
        for day, computed, dirtied in InsightsBucket.objects.filter(
            version_id=version_id
        ).values_list("day", "computed_at", "dirtied_at")
    }
    stale = {d for d, (computed, dirtied) in buckets.items() if dirtied and dirtied > computed}
    for day, last in _days_changed(version_id, coverage.through).items():
        if day not in buckets or last > buckets[day][0]:
            stale.add(day)
    return stale


# -- summing one bucket ----------------------------------------------------------------------


def _insert_levels(bucket_id: int) -> None:
    """Add the coarse and the no-dims rows of a bucket, summed from its every-dims rows."""
    table = connection.ops.quote_name(InsightsCount._meta.db_table)
    q = connection.ops.quote_name
    kept = ["bucket_id", "version_id", "day", "metric", "key", "value"]
    for level, dims in ((Level.COARSE, COARSE), (Level.NONE, ())):
        grouped = [q(c) for c in (*kept, *dims)]
        columns = [*grouped, q("level"), *(q(d) for d in DIMS if d not in dims), q("n")]
        blanks = ["''" for d in DIMS if d not in dims]
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"SELECT {', '.join(grouped)}, %s, {', '.join([*blanks, 'SUM(' + q('n') + ')'])} "
            f"FROM {table} WHERE {q('bucket_id')} = %s AND {q('level')} = %s "
            f"GROUP BY {', '.join(grouped)}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [int(level), bucket_id, int(Level.DIMS)])


def _insert_dims(bucket: InsightsBucket, summed: Mapping[tuple[str, ...], int]) -> None:
    """Store a bucket's every-dims rows: with COPY on PostgreSQL (a busy day has tens of
    thousands), else in batches."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(InsightsCount._meta.db_table)
        columns = ["bucket_id", "version_id", "day", "level", *DIMS, "metric", "key", "value", "n"]
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy,
        ):
            for key, n in summed.items():
                copy.write_row((bucket.pk, bucket.version_id, bucket.day, int(Level.DIMS), *key, n))
        return
    InsightsCount.objects.bulk_create(
        (
            InsightsCount(
                bucket=bucket,
                version_id=bucket.version_id,
                day=bucket.day,
                level=Level.DIMS,
                **dict(zip(DIMS, key[:6], strict=True)),
                metric=key[6],
                key=key[7],
                value=key[8],
                n=n,
            )
            for key, n in summed.items()
        ),
        batch_size=2000,
    )


def _bucket(version_id: int, day: dt.date) -> InsightsBucket:
    """The bucket row, locked; created as never computed if there is none."""
    try:
        with transaction.atomic():
            InsightsBucket.objects.get_or_create(
                version_id=version_id, day=day, defaults={"computed_at": NEVER}
            )
    except IntegrityError:
        pass  # another pass created it at the same moment
    return InsightsBucket.objects.select_for_update().get(version_id=version_id, day=day)


def bucket_refresh(*, version_id: int, day: dt.date) -> bool:
    """Sum one (version, day) of responses from their facts and store it; False when a
    computation newer than this one had already stored it (nothing written)."""
    computed_at = timezone.now() - SLACK
    start, end = _day_range(day)
    responses = Response.objects.filter(
        version_id=version_id, created_at__gte=start, created_at__lt=end
    )
    summed: Counter[tuple[str, ...]] = Counter()
    counted = 0
    for dims, counts in facts_for(responses):
        counted += 1
        combo = tuple(getattr(dims, name) for name in DIMS)
        for key, n in counts.items():
            summed[(*combo, *key)] += n
    with transaction.atomic():
        bucket = _bucket(version_id, day)
        if bucket.computed_at > computed_at:
            return False
        InsightsCount.objects.filter(bucket=bucket).delete()
        _insert_dims(bucket, summed)
        _insert_levels(bucket.pk)
        bucket.computed_at = computed_at
        bucket.responses = counted
        bucket.save(update_fields=["computed_at", "responses"])
    return True


# -- a pass ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RefreshPass:
    """What a pass did: buckets summed, buckets a newer computation had already stored."""

    versions: int
    refreshed: int
    superseded: int


def rollups_refresh(*, version_ids: Iterable[int] | None = None) -> RefreshPass:
    """Re-sum every stale or never-summed bucket (of the given versions, else all), then mark
    the versions fresh up to this pass's start. Safe to run twice, or twice at once."""
    versions = AssessmentVersion.objects.order_by("pk")
    if version_ids is not None:
        versions = versions.filter(pk__in=list(version_ids))
    refreshed = superseded = 0
    ids = list(versions.values_list("pk", flat=True))
    for version_id in ids:
        through = timezone.now() - SLACK
        stale = stale_days(version_id)
        days = sorted(_days_changed(version_id, None)) if stale is None else sorted(stale)
        for day in days:
            if bucket_refresh(version_id=version_id, day=day):
                refreshed += 1
            else:
                superseded += 1
        # Every response updated before `through` is now in a bucket summed after it.
        with transaction.atomic():
            coverage, created = InsightsCoverage.objects.select_for_update().get_or_create(
                version_id=version_id, defaults={"through": through}
            )
            if not created and coverage.through < through:
                coverage.through = through
                coverage.save(update_fields=["through"])
    return RefreshPass(len(ids), refreshed, superseded)


def bucket_dirty(*, version_id: int, day: dt.date) -> None:
    """Mark a bucket stale whatever its responses' updates say (one of them was deleted, or
    moved to another day)."""
    InsightsBucket.objects.filter(version_id=version_id, day=day).update(dirtied_at=timezone.now())


@receiver(post_delete, sender=Response, dispatch_uid="insights_rollups_response_deleted")
def _response_deleted(sender: type[Response], instance: Response, **kwargs: object) -> None:
    if instance.version_id is not None and instance.created_at is not None:
        day = instance.created_at.astimezone(dt.UTC).date()
        bucket_dirty(version_id=instance.version_id, day=day)


# -- reading ---------------------------------------------------------------------------------


def _level(filters: Filters) -> Level:
    if filters.origin or filters.utm_source or filters.utm_campaign:
        return Level.DIMS
    if filters.channel or filters.language or filters.outcome:
        return Level.COARSE
    return Level.NONE


def _stored(version_days: Mapping[int, set[dt.date]], filters: Filters) -> tuple[Counts, ByDay]:
    """The stored counts of the versions' fresh buckets (all but `version_days[v]`)."""
    total: Counts = Counter()
    by_day: ByDay = defaultdict(Counter)
    if not version_days:
        return total, dict(by_day)
    level = _level(filters)
    rows = InsightsCount.objects.filter(level=level)
    scope = Q()
    for version_id, stale in version_days.items():
        scope |= Q(version_id=version_id) & ~Q(day__in=sorted(stale))
    rows = rows.filter(scope)
    if filters.since is not None:
        rows = rows.filter(day__gte=filters.since)
    if filters.until is not None:
        rows = rows.filter(day__lte=filters.until)
    for name in DIMS:
        wanted = getattr(filters, name)
        if wanted:
            rows = rows.filter(**{name: wanted})
    summed = rows.values_list("day", "metric", "key", "value").annotate(total=Sum("n"))
    for day, metric, key, value, n in summed.order_by():
        total[metric, key, value] += n
        if metric in TREND_METRICS:
            by_day[day][metric, key, value] += n
    return total, dict(by_day)


def counts_for(
    assessment: Assessment, filters: Filters, responses: QuerySet[Response]
) -> tuple[Counts, ByDay]:
    """The page's counts under `filters`: stored sums of fresh buckets, plus `responses` (the
    filtered ones) of stale or never-summed buckets counted live; the same as all live."""
    versions = AssessmentVersion.objects.filter(assessment=assessment)
    if filters.version is not None:
        versions = versions.filter(number=filters.version)
    fresh: dict[int, set[dt.date]] = {}
    live = Q(pk__in=[])
    for version_id in versions.values_list("pk", flat=True):
        stale = stale_days(version_id)
        if stale is None:
            live |= Q(version_id=version_id)
            continue
        fresh[version_id] = stale
        for day in stale:
            start, end = _day_range(day)
            live |= Q(version_id=version_id, created_at__gte=start, created_at__lt=end)
    total, by_day = _stored(fresh, filters)
    live_total, live_by_day = counts_sum(facts_for(responses.filter(live)))
    total.update(live_total)
    for day, counts in live_by_day.items():
        by_day.setdefault(day, Counter()).update(counts)
    return total, by_day
