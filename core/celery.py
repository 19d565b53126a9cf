"""The Celery app: configured from Django settings (CELERY_*), tasks found in each app."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")

app = Celery("core")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The request id travels with each task message and is back in place while the task runs.
from celery.signals import before_task_publish, task_postrun, task_prerun  # noqa: E402

from core import requestid  # noqa: E402

before_task_publish.connect(requestid.task_publishing, weak=False)
task_prerun.connect(requestid.task_starting, weak=False)
task_postrun.connect(requestid.task_finished, weak=False)
