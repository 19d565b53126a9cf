"""make drills: faults under load on the running stack, each checked against the database.

Every drill runs customers through nginx (the locustfile, journaling each step the app
accepted) while something fails, then reports one JSON line: requests, errors (answers other
than a page or a 303, the "back in a moment" 503 included), answers lost (accepted by the app,
not in the database: must be 0) and duplicates (a customer's start stored twice, a submission
stored twice, a follow-up e-mailed twice: must be 0).

  web_killed        one gunicorn instance SIGKILLed mid-load, started again 15 s later
  postgres_restart  PostgreSQL stopped for a few seconds and started; the app is not restarted
  redis_down        Redis stopped (120 s, --redis-seconds); follow-ups fall due meanwhile
  beat_down         beat stopped while follow-ups fall due, then started: it catches up
  worker_killed     a worker SIGKILLed mid-batch (tests/followups/test_live_worker.py)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")

from tests.bench.load.run import locust_run  # noqa: E402

STACK = str(ROOT / "deploy" / "stack.sh")
STACK_DIR = Path(os.environ.get("STACK_DIR", ROOT / "var" / "stack"))
PG_VERSION = os.environ.get("PG_CLUSTER_VERSION", "15")
REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
    "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis",
    "--logfile", "/var/log/redis/ci.log",
]  # fmt: skip


def emit(**line: object) -> None:
    print(json.dumps(line), flush=True)


def say(text: str) -> None:
    print(f"# {time.strftime('%H:%M:%S')} {text}", file=sys.stderr, flush=True)


# -- load in the background -------------------------------------------------------------


class Load:
    """A locust run in a thread of its own while the drill breaks something."""

    def __init__(self, host: str, users: int, seconds: int) -> None:
        import threading

        self.folder = Path(tempfile.mkdtemp(prefix="drill-"))
        self.journal = self.folder / "journal.jsonl"
        self.rows: dict[str, dict[str, str]] = {}
        self.thread = threading.Thread(
            target=lambda: self.rows.update(
                locust_run(host, users, seconds, self.folder, self.journal)
            )
        )
        self.thread.start()

    def wait(self) -> dict[str, int]:
        self.thread.join()
        http = [row for name, row in self.rows.items() if name not in ("finished", "failed")]
        http = [row for row in http if row.get("Type") != "JOURNEY" and row["Name"] != "Aggregated"]
        return {
            "requests": sum(int(r["Request Count"]) for r in http),
            "errors": sum(int(r["Failure Count"]) for r in http),
            "journeys_finished": int(self.rows.get("finished", {}).get("Request Count", 0)),
            "journeys_failed": int(self.rows.get("failed", {}).get("Request Count", 0)),
        }

    def check(self) -> dict[str, int]:
        """Every answer the app accepted is stored, and nothing is stored twice."""
        from assessments.models import Response

        fresh_connections()

        entries = [json.loads(line) for line in self.journal.read_text().splitlines() if line]
        tokens = {e["token"] for e in entries if e.get("token")}
        journeys = {e["journey"] for e in entries if e.get("journey")}
        stored = {
            r.token: r
            for r in Response.objects.filter(token__in=tokens).only(
                "token", "answers", "status", "submissions"
            )
        }
        lost = 0
        for entry in entries:
            response = stored.get(entry.get("token", ""))
            if entry["kind"] == "step":
                answers = response.answers if response else {}
                lost += sum(1 for key in entry["answers"] if key not in answers)
            elif entry["kind"] == "finished" and (
                response is None or response.status != "completed"
            ):
                lost += 1
        starts = Counter(
            Response.objects.filter(attribution__utm_content__in=list(journeys)).values_list(
                "attribution__utm_content", flat=True
            )
        )
        duplicates = sum(n - 1 for n in starts.values() if n > 1)
        for response in stored.values():
            ids = Counter(s.get("id") for s in response.submissions or () if isinstance(s, dict))
            duplicates += sum(n - 1 for n in ids.values() if n > 1)
        return {
            "steps_accepted": sum(1 for e in entries if e["kind"] == "step"),
            "answers_lost": lost,
            "duplicates": duplicates,
        }


def fresh_connections() -> None:
    """Give this process's database connection back: the pool checks it before lending it
    again, so one broken by a PostgreSQL restart is replaced, as in the web processes."""
    from django.db import connections

    connections.close_all()


# -- follow-ups -------------------------------------------------------------------------


def followups_make(count: int, due_in: float) -> list[int]:
    """Purchases on finished responses, each with one follow-up due `due_in` seconds from now."""
    from django.utils import timezone

    from assessments.followups.purchases import ConsentInput, ItemInput, purchase_record
    from assessments.models import FollowUp, Response

    made: list[int] = []
    finished = (
        Response.objects.filter(status="completed", purchases__isnull=True, is_preview=False)
        .select_related("brand")
        .order_by("-completed_at")[: count * 3]
    )
    for response in finished:
        if len(made) == count:
            break
        refs = (response.result or {}).get("refs") or {}
        if not refs:
            continue
        purchase, _created = purchase_record(
            brand=response.brand,
            order_id=f"drill-{uuid.uuid4().hex[:12]}",
            items=[ItemInput(sku=next(iter(refs)))],
            source="webhook",
            purchased_at=timezone.now(),
            response=response,
            email=f"drill-{uuid.uuid4().hex[:8]}@example.com",
            first_name="Dee",
            consent=ConsentInput("checkout-v1", "checkout"),
        )
        first = FollowUp.objects.filter(purchase=purchase).order_by("scheduled_for").first()
        if first is None:
            continue
        FollowUp.objects.filter(pk=first.pk).update(
            scheduled_for=timezone.now() + dt.timedelta(seconds=due_in)
        )
        made.append(first.pk)
    return made


def followups_states(ids: list[int]) -> Counter[str]:
    from assessments.models import FollowUp

    return Counter(FollowUp.objects.filter(pk__in=ids).values_list("state", flat=True))


def followups_wait(ids: list[int], timeout: float) -> tuple[Counter[str], float]:
    """Until every one of `ids` is final (sent, skipped, failed); the states and seconds taken."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        fresh_connections()
        states = followups_states(ids)
        if sum(states[s] for s in ("sent", "skipped", "failed", "cancelled")) == len(ids):
            break
        time.sleep(1)
    return followups_states(ids), round(time.monotonic() - started, 1)


def mail_ids() -> Counter[str]:
    """Message-IDs of every follow-up e-mail the stack wrote (EMAIL_BACKEND=file)."""
    found: Counter[str] = Counter()
    for path in (STACK_DIR / "var" / "mail").glob("*.log"):
        found.update(re.findall(r"^Message-ID: (<followup-[^>]+>)", path.read_text(), re.M))
    return found


def mail_duplicates() -> int:
    return sum(n - 1 for n in mail_ids().values() if n > 1)


# -- the drills -------------------------------------------------------------------------


def pid_of(name: str) -> int:
    return int((STACK_DIR / "run" / f"{name}.pid").read_text())


def stack(*args: str) -> None:
    subprocess.run([STACK, *args], check=True, cwd=ROOT, capture_output=True)


def drill_web_killed(host: str, users: int) -> dict[str, object]:
    load = Load(host, users, 45)
    time.sleep(12)
    say("SIGKILL to web1 and its workers")
    os.killpg(pid_of("web1"), signal.SIGKILL)
    time.sleep(15)
    say("web1 starting again")
    stack("restart-web", "1")
    return {**load.wait(), **load.check()}


def drill_postgres_restart(host: str, users: int, down: float = 5.0) -> dict[str, object]:
    cluster = ["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main"]
    load = Load(host, users, 45)
    time.sleep(12)
    say(f"PostgreSQL stopping for {down:.0f} s")
    subprocess.run([*cluster, "stop", "-m", "fast"], check=True)
    try:
        time.sleep(down)
    finally:
        subprocess.run([*cluster, "start"], check=True)
        say("PostgreSQL started")
    return {**load.wait(), **load.check(), "down_seconds": down}


def _redis_stop() -> None:
    subprocess.run(["redis-cli", "-p", "6379", "shutdown", "nosave"], check=False)


def _redis_start() -> None:
    subprocess.run(REDIS_START, check=True)


def drill_redis_down(host: str, users: int, seconds: float) -> dict[str, object]:
    mails_before = sum(mail_ids().values())
    due = followups_make(10, due_in=10)
    load = Load(host, users, int(seconds) + 25)
    time.sleep(10)
    say(f"Redis stopping for {seconds:.0f} s; {len(due)} follow-ups fall due meanwhile")
    _redis_stop()
    try:
        time.sleep(seconds)
        unsent_while_down = followups_states(due)["scheduled"]
    finally:
        _redis_start()
        say("Redis started")
    states, waited = followups_wait(due, timeout=180)
    result = {**load.wait(), **load.check()}
    result.update(
        down_seconds=seconds,
        followups_due=len(due),
        followups_unsent_while_down=unsent_while_down,
        followups_sent_after=states["sent"],
        followups_sent_within_seconds_of_redis_back=waited,
        followups_other_states=dict(states - Counter(sent=states["sent"])),
        mails=sum(mail_ids().values()) - mails_before,
    )
    result["duplicates"] = int(result["duplicates"]) + mail_duplicates()
    return result


def drill_beat_down(host: str, users: int, seconds: float = 30) -> dict[str, object]:
    mails_before = sum(mail_ids().values())
    say("beat stopping")
    stack("stop-beat")
    due = followups_make(10, due_in=0)
    time.sleep(seconds)
    unsent = followups_states(due)["scheduled"]
    say(f"beat starting after {seconds:.0f} s; {unsent} of {len(due)} due follow-ups waited")
    stack("start-beat")
    states, waited = followups_wait(due, timeout=180)
    return {
        "requests": 0,
        "errors": 0,
        "answers_lost": 0,
        "followups_due": len(due),
        "followups_unsent_while_down": unsent,
        "followups_sent_after": states["sent"],
        "followups_sent_seconds_after_start": waited,
        "mails": sum(mail_ids().values()) - mails_before,
        "duplicates": mail_duplicates(),
    }


def drill_worker_killed() -> dict[str, object]:
    """The live-worker test: a worker SIGKILLed mid-batch; no row both unsent and lost."""
    env = {
        **os.environ,
        "DATABASE_URL": os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/prod_drills",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/10",
        "DJANGO_DEBUG": "1",
    }
    for key in ("CACHE_URL", "DJANGO_SECRET_KEY", "DJANGO_LOG_FORMAT", "EMAIL_BACKEND"):
        env.pop(key, None)
    test = (
        "tests/followups/test_live_worker.py::"
        "test_a_worker_killed_mid_batch_leaves_no_row_both_unsent_and_lost"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", test],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    last = (done.stdout.strip().splitlines() or ["(no output)"])[-1]
    return {"test": "passed" if done.returncode == 0 else "failed", "pytest": last}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="http://127.0.0.1:8030")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--redis-seconds", type=float, default=120)
    parser.add_argument(
        "--only",
        default="web_killed,postgres_restart,redis_down,beat_down,worker_killed",
        help="comma-separated drill names",
    )
    args = parser.parse_args()
    import django

    django.setup()
    drills: dict[str, Callable[[], dict[str, object]]] = {
        "web_killed": lambda: drill_web_killed(args.host, args.users),
        "postgres_restart": lambda: drill_postgres_restart(args.host, args.users),
        "redis_down": lambda: drill_redis_down(args.host, args.users, args.redis_seconds),
        "beat_down": lambda: drill_beat_down(args.host, args.users),
        "worker_killed": drill_worker_killed,
    }
    for name in args.only.split(","):
        say(f"drill {name}")
        fresh_connections()
        started = time.monotonic()
        line = drills[name]()
        emit(bench="drill", drill=name, seconds=round(time.monotonic() - started), **line)


if __name__ == "__main__":
    main()
