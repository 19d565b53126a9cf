"""Lighthouse (mobile) on the landing page, a step with picture choices and the results of the
demo shoe finder, served by a local server with its images; prints one JSON line per page and
exits non-zero when a score is under its budget.

    make audit            # or: .venv/bin/python tests/bench/lighthouse.py [--port 8099]

It uses a throwaway database and media folder, so it never touches the demo you run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROME = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync"
)
# The budgets: accessibility and best practices perfect, performance at least 95.
BUDGETS = {"accessibility": 100, "best-practices": 100, "performance": 95}


def _prepare(var_dir: str) -> dict[str, str]:
    """Load the demo and walk it through the services: the URLs of the three pages audited."""
    os.environ["DJANGO_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "core.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.urls import reverse

    from assessments.models import Assessment
    from assessments.taking.services import answer_submit, response_definition, response_start
    from tests.taking.generated import first_answers

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    assessment = Assessment.objects.get(brand__slug="stride-lab", key="shoe-finder")

    def begin():
        return response_start(
            version=assessment.live_version, brand=assessment.brand, language="en"
        )

    def answer(response, step_key: str) -> None:
        raw = first_answers(response, step_key)
        answer_submit(response=response, step_key=step_key, raw=raw, submission_id=uuid.uuid4().hex)
        response.refresh_from_db()

    # A step whose question is answered with pictures.
    on_step = begin()
    definition = response_definition(on_step)
    while on_step.current_step:
        step = definition.step(on_step.current_step)
        if any(q.kind == "image" for q in step.questions):
            break
        answer(on_step, on_step.current_step)
    finished = begin()
    while finished.current_step:
        answer(finished, finished.current_step)
    return {
        "landing": reverse("taking:landing", args=["stride-lab", "shoe-finder"]),
        "step": reverse("taking:step", args=[on_step.token, on_step.current_step]),
        "results": reverse("taking:results", args=[finished.token]),
    }


def _serve(var_dir: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_VAR_DIR": var_dir, "DJANGO_DEBUG": "1"}
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("The local server did not start.")


def _audit(url: str, out: Path) -> dict:
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            "--only-categories=performance,accessibility,best-practices",
            f"--chrome-flags={CHROME_FLAGS}",
        ],
        check=True,
        env={**os.environ, "CHROME_PATH": CHROME},
    )
    report = json.loads(out.read_text())
    audits = report["audits"]
    return {
        **{name: round(c["score"] * 100) for name, c in report["categories"].items()},
        "bytes": int(audits["total-byte-weight"]["numericValue"]),
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "cls": round(audits["cumulative-layout-shift"]["numericValue"], 3),
        "failing": sorted(
            name
            for name, a in audits.items()
            if a.get("score") is not None
            and a["score"] < 1
            and a.get("scoreDisplayMode") == "binary"
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("AUDIT_PORT", "8099")))
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is not installed: run `npm ci` (make setup).")
    var_dir = tempfile.mkdtemp(prefix="audit-")
    try:
        pages = _prepare(var_dir)
        server = _serve(var_dir, args.port)
        below = 0
        try:
            for name, path in pages.items():
                scores = _audit(f"http://127.0.0.1:{args.port}{path}", Path(var_dir) / "lh.json")
                ok = all(scores[c] >= budget for c, budget in BUDGETS.items())
                below += not ok
                print(json.dumps({"page": name, **scores, "within_budget": ok}), flush=True)
        finally:
            server.terminate()
            server.wait(timeout=10)
        return 1 if below else 0
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
