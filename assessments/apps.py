from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class AssessmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        checks.register(shared_cache_check, checks.Tags.caches, deploy=True)
        # Deleting a response marks its Insights rollup stale (a signal receiver).
        # The outgoing webhooks listen for events, and register their tasks with Celery.
        from assessments.api import outbox  # noqa: F401
        from assessments.insights import rollups  # noqa: F401


def shared_cache_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Rate limits count in the cache: in production every web process must share one."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            checks.Warning(
                "Rate limits are counted in a cache only this process sees, so each web process "
                "allows the full limit.",
                hint="Set CACHE_URL to a Redis database (see deploy/production.env.example).",
                id="assessments.W001",
            )
        ]
    return []
