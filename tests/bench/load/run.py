"""make load: customers walk both demo assessments through the stack's nginx, in stages.

Each stage is one headless locust run at a number of concurrent customers (no think time);
one JSON bench line per endpoint and stage (p50/p95/p99, throughput, errors), one per stage for
the whole, and one for what the load did to the responses table (HOT updates). The machine's
load average is printed beside the figures: other work on it skews them.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LOCUST = str(Path(sys.executable).with_name("locust"))
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
ENDPOINTS = ("GET landing", "POST start", "GET step", "POST step", "GET results")


def emit(**line: object) -> None:
    print(json.dumps(line), flush=True)


def loadavg() -> float:
    return round(os.getloadavg()[0], 2)


def locust_run(
    host: str, users: int, seconds: int, folder: Path, journal: Path | None = None
) -> dict[str, dict[str, str]]:
    """One headless run; its stats rows by name (locust's own CSV)."""
    prefix = folder / f"u{users}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if journal is not None:
        env["LOAD_JOURNAL"] = str(journal)
    command = [
        LOCUST, "-f", str(LOCUSTFILE), "--headless", "-u", str(users), "-r", str(users),
        "-t", f"{seconds}s", "-H", host, "--csv", str(prefix), "--only-summary",
        "--stop-timeout", "30", "--loglevel", "WARNING",
    ]  # fmt: skip
    subprocess.run(command, env=env, cwd=ROOT, check=False, capture_output=True, text=True)
    with open(f"{prefix}_stats.csv") as stats:
        return {row["Name"]: row for row in csv.DictReader(stats)}


# -- CPU per request: independent of what else the machine runs --------------------------

TICK = os.sysconf("SC_CLK_TCK")
STACK_DIR = Path(os.environ.get("STACK_DIR", ROOT / "var" / "stack"))


def _stats() -> dict[int, tuple[int, float, float]]:
    """pid -> (parent pid, own CPU seconds, CPU seconds of its reaped children)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        utime, stime, cutime, cstime = (int(f) for f in fields[11:15])
        found[int(stat.parent.name)] = (
            int(fields[1]),
            (utime + stime) / TICK,
            (cutime + cstime) / TICK,
        )
    return found


def cpu_seconds(root: int, stats: dict[int, tuple[int, float, float]]) -> float:
    """CPU a process tree has used: the root's own and reaped children's, and live children's."""
    if root not in stats:
        return 0.0
    total = stats[root][1] + stats[root][2]
    return total + sum(own for pid, (ppid, own, _) in stats.items() if ppid == root)


def _roots() -> dict[str, list[int]]:
    def pid(path: Path) -> list[int]:
        try:
            return [int(path.read_text().split()[0])]
        except (OSError, ValueError, IndexError):
            return []

    postmaster = [pid(p) for p in Path("/var/lib/postgresql").glob("*/main/postmaster.pid")]
    return {
        "web": pid(STACK_DIR / "run" / "web1.pid") + pid(STACK_DIR / "run" / "web2.pid"),
        "postgres": [p for found in postmaster for p in found],
        "nginx": pid(STACK_DIR / "run" / "nginx.pid"),
    }


def cpu_now() -> dict[str, float]:
    stats = _stats()
    return {
        name: sum(cpu_seconds(root, stats) for root in roots) for name, roots in _roots().items()
    }


def responses_updates() -> tuple[int, int] | None:
    """(updates, HOT updates) of the responses table since statistics were reset."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return None
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables "
            "WHERE relname = 'assessments_response'"
        ).fetchone()
    return (int(row[0]), int(row[1])) if row else None


def report(
    users: int,
    seconds: int,
    rows: dict[str, dict[str, str]],
    before: float,
    cpu: dict[str, float],
) -> None:
    total_requests = total_failures = 0
    rps = 0.0
    for name in ENDPOINTS:
        row = rows.get(name)
        if row is None:
            continue
        requests, failures = int(row["Request Count"]), int(row["Failure Count"])
        total_requests += requests
        total_failures += failures
        rps += float(row["Requests/s"])
        emit(
            bench="load",
            users=users,
            think_s=os.environ.get("LOAD_THINK", "0,0"),
            endpoint=name,
            requests=requests,
            errors=failures,
            p50_ms=float(row["50%"]),
            p95_ms=float(row["95%"]),
            p99_ms=float(row["99%"]),
            rps=round(float(row["Requests/s"]), 1),
        )
    finished = rows.get("finished", {})
    failed = rows.get("failed", {})
    emit(
        bench="load_total",
        users=users,
        think_s=os.environ.get("LOAD_THINK", "0,0"),
        seconds=seconds,
        requests=total_requests,
        errors=total_failures,
        rps=round(rps, 1),
        journeys_finished=int(finished.get("Request Count", 0)),
        journeys_failed=int(failed.get("Request Count", 0)),
        journeys_per_s=round(float(finished.get("Requests/s", 0) or 0), 2),
        journey_p50_ms=float(finished.get("50%", 0) or 0),
        loadavg_before=before,
        loadavg_after=loadavg(),
        **{
            f"cpu_ms_per_request_{name}": round(1000 * used / total_requests, 2)
            for name, used in cpu.items()
            if total_requests
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="http://127.0.0.1:8030")
    parser.add_argument("--stages", default="10:40,25:40,50:60,80:40", help="users:seconds,…")
    parser.add_argument(
        "--think",
        default=os.environ.get("LOAD_THINK", "0,0"),
        help="seconds each customer reads a page, as min,max (default 0,0: no reading)",
    )
    args = parser.parse_args()
    os.environ["LOAD_THINK"] = args.think
    updates_before = responses_updates()
    with tempfile.TemporaryDirectory(prefix="load-") as folder:
        for stage in args.stages.split(","):
            users, seconds = (int(part) for part in stage.split(":"))
            before, cpu_before = loadavg(), cpu_now()
            rows = locust_run(args.host, users, seconds, Path(folder))
            cpu = {name: used - cpu_before.get(name, 0.0) for name, used in cpu_now().items()}
            report(users, seconds, rows, before, cpu)
    updates_after = responses_updates()
    if updates_before and updates_after:
        updates = updates_after[0] - updates_before[0]
        hot = updates_after[1] - updates_before[1]
        emit(
            bench="load_responses_updates",
            updates=updates,
            hot_updates=hot,
            hot_share=round(hot / updates, 3) if updates else None,
        )


if __name__ == "__main__":
    main()
