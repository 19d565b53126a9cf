"""PostgreSQL mode: a real Celery worker and beat against Redis, delivering to a local SMTP server.

Started as subprocesses on the test database, so what is tested is what runs in production:
beat wakes the dispatcher, the dispatcher claims rows, the worker sends them over SMTP.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from assessments.followups.services import followups_claim_due, followups_recover_stale
from assessments.models import FollowUp

from .conftest import buy, make_brand, make_plan, make_published, make_response, postgres_only

pytestmark = [postgres_only, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


class Inbox:
    """An aiosmtpd handler that keeps every message it is given, optionally slowly."""

    def __init__(self, delay: float = 0.0) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.delay = delay
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def ids(self) -> Counter[str]:
        with self.lock:
            return Counter(str(m["Message-ID"]) for m in self.messages)


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}.")


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def stack_env(smtp: tuple[Inbox, int], tmp_path: Path) -> dict[str, str]:
    """The environment of the worker and beat: this test's database, Redis, the SMTP server."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    if db.get("PASSWORD"):
        url = url.replace(f"{db['USER']}@", f"{db['USER']}:{db['PASSWORD']}@")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DATABASE_POOL": "0",
        "CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"],
        "EMAIL_BACKEND": "smtp",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp[1]),
        "FOLLOWUPS_DISPATCH_EVERY": "1",
        "DJANGO_VAR_DIR": str(tmp_path / "var"),
        "PYTHONUNBUFFERED": "1",
    }
    from core.celery import app

    app.control.purge()  # nothing left over from an earlier run
    return env


class Processes:
    def __init__(self, env: dict[str, str], tmp_path: Path) -> None:
        self.env, self.tmp_path, self.running = env, tmp_path, []

    def start(self, *args: str, name: str) -> subprocess.Popen:
        log = open(self.tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [CELERY, "-A", "core", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running.append((process, log, name))
        return process

    def worker(self, name: str = "worker") -> subprocess.Popen:
        return self.start(
            "worker",
            "-P",
            "solo",
            "-l",
            "info",
            "-n",
            f"{name}-{uuid.uuid4().hex[:6]}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            name=name,
        )

    def beat(self) -> subprocess.Popen:
        schedule = self.tmp_path / "beat-schedule"
        return self.start("beat", "-l", "info", "-s", str(schedule), name="beat")

    def logs(self) -> str:
        return "\n".join(
            f"--- {name}\n{(self.tmp_path / f'{name}.log').read_text(errors='replace')[-3000:]}"
            for _p, _l, name in self.running
        )

    def stop_all(self) -> None:
        for process, _log, _name in self.running:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process, log, _name in self.running:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


@pytest.fixture
def processes(stack_env: dict[str, str], tmp_path: Path) -> Iterator[Processes]:
    running = Processes(stack_env, tmp_path)
    try:
        yield running
    finally:
        running.stop_all()


def test_beat_and_a_worker_deliver_a_due_follow_up_over_smtp(smtp, processes):
    inbox, _port = smtp
    brand = make_brand("live")
    published = make_published(brand)
    make_plan(published)
    purchase, _ = buy(make_response(published), when=timezone.now() - dt.timedelta(days=3))
    processes.worker()
    processes.beat()
    try:
        wait_for(lambda: len(inbox.messages) >= 1, 45, "the tip to arrive over SMTP")
    except AssertionError:
        raise AssertionError(processes.logs()) from None
    (message,) = inbox.messages
    assert message["To"] == "ana@example.com"
    assert message["Subject"] == "Day 2: Steady for Ana"
    unsubscribe = str(message["List-Unsubscribe"]).strip()  # long headers arrive folded
    assert unsubscribe.startswith("<http") and "/u/" in unsubscribe
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    assert {part.get_content_type() for part in message.iter_parts()} == {
        "text/plain",
        "text/html",
    }
    wait_for(lambda: purchase.followups.filter(state="sent").count() == 1, 10, "the row to be sent")
    # Only the step that was due went out; the later ones wait for their day.
    assert sorted(purchase.followups.values_list("state", flat=True)) == [
        "scheduled",
        "scheduled",
        "sent",
    ]


def test_a_worker_killed_mid_batch_leaves_no_row_both_unsent_and_lost(smtp, processes):
    from assessments.tasks import followup_send_task

    inbox, _port = smtp
    inbox.delay = 0.15  # a slow mail server, so the kill lands mid-batch
    brand = make_brand("killed")
    published = make_published(brand)
    make_plan(published)
    for n in range(30):
        buy(
            make_response(published),
            order_id=f"K-{n}",
            email=f"k{n}@example.com",
            when=timezone.now() - dt.timedelta(days=3),
        )
    worker = processes.worker("doomed")
    for claim in followups_claim_due(limit=100, worker="test"):
        followup_send_task.delay(claim.followup_id, claim.claim)
    try:
        wait_for(lambda: len(inbox.messages) >= 8, 45, "the first messages")
    except AssertionError:
        raise AssertionError(processes.logs()) from None
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    delivered = len(inbox.messages)
    rows = FollowUp.objects.filter(brand=brand, step__delay_days=2)  # the ones due now
    left = Counter(rows.values_list("state", flat=True))
    # Every message the server took has its row sent, or still "sending" when the kill landed
    # between the server's 250 and the worker's update (the solo worker has one such row).
    assert left["sent"] + left["sending"] >= delivered >= 8
    assert left["sending"] <= 1
    assert left["sent"] < 30, "the worker finished before it was killed; slow the server down"
    assert set(left) <= {"sent", "sending", "claimed"}

    # The next dispatch pass, once the claim timeout has passed, recovers what was left.
    recovered = followups_recover_stale(now=timezone.now() + dt.timedelta(hours=1))
    assert recovered["released"] == left["claimed"]
    assert recovered["abandoned"] == left["sending"]
    inbox.delay = 0
    processes.worker("successor")
    for claim in followups_claim_due(limit=100, worker="test"):
        followup_send_task.delay(claim.followup_id, claim.claim)
    wait_for(
        lambda: not rows.filter(state__in=["scheduled", "claimed", "sending"]).exists(),
        45,
        "every recovered row to be sent",
    )
    final = Counter(rows.values_list("state", flat=True))
    assert final["sent"] + final["failed"] == 30
    assert final["failed"] == left["sending"]  # outcome unknown: recorded, never repeated
    for row in rows.filter(state="failed"):
        assert "may or may not have been delivered" in row.reason
    ids = inbox.ids()
    assert max(ids.values()) == 1, "a follow-up was delivered twice"
    sent_ids = {
        f"<followup-{t[:32]}@127.0.0.1>"
        for t in rows.filter(state="sent").values_list("token", flat=True)
    }
    assert sent_ids <= set(ids), "a row marked sent never reached the server"
