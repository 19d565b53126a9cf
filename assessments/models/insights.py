"""Rollups of the Insights page: each (version, UTC day) of responses, summed once by dims.

The page sums these instead of reading a million responses; buckets whose responses changed
since they were summed are computed live instead (see assessments/insights/rollups.py).
"""

from __future__ import annotations

from django.db import models

from .versions import AssessmentVersion


class InsightsBucket(models.Model):
    """The responses of one version started on one UTC day, as last summed."""

    version = models.ForeignKey(AssessmentVersion, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    # Responses updated after this may be missing from the counts: the bucket is then stale.
    computed_at = models.DateTimeField()
    # A response of this day was deleted: stale, whatever the updates say.
    dirtied_at = models.DateTimeField(null=True, blank=True)
    responses = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "day"], name="insights_bucket_unique_day"),
        ]

    def __str__(self) -> str:
        return f"{self.version_id} {self.day}"


class InsightsCoverage(models.Model):
    """How far a version's buckets are known fresh: every response updated up to `through`
    is in a bucket that was summed after that update."""

    version = models.OneToOneField(
        AssessmentVersion, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    through = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.version_id} through {self.through:%Y-%m-%d %H:%M}"


class InsightsCount(models.Model):
    """One summed count of a bucket, for one combination of dims at one grouping level.

    Like SQL's GROUPING SETS: level `dims` keeps every dim, `coarse` only channel, language
    and outcome (the others ""), `none` none; the page reads the coarsest level its filters
    allow, so an unfiltered page sums one row per day and count.
    """

    class Level(models.IntegerChoices):
        DIMS = 0, "every dim"
        COARSE = 1, "channel, language and outcome"
        NONE = 2, "no dim"

    bucket = models.ForeignKey(InsightsBucket, on_delete=models.CASCADE, related_name="counts")
    # The bucket's version and day, repeated so the page's query needs no join.
    version = models.ForeignKey(AssessmentVersion, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    channel = models.CharField(max_length=16, blank=True)
    language = models.CharField(max_length=8, blank=True)
    origin = models.TextField(blank=True)
    utm_source = models.TextField(blank=True)
    utm_campaign = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    metric = models.CharField(max_length=32)
    key = models.TextField(blank=True)
    value = models.TextField(blank=True)
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["version", "level", "day"], name="insights_count_read"),
            models.Index(fields=["bucket", "level"], name="insights_count_bucket"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__in=[0, 1, 2]), name="insights_level"),
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.key} {self.value}: {self.n}"
