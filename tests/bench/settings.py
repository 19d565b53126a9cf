"""Production settings plus the benchmark's floor view (tests/bench/floor.py)."""

from pathlib import Path

from core.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.floor"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], Path(__file__).resolve().parent / "templates"]  # noqa: F405

# The load comes from one address; the limiter still counts every request, as in production,
# but never refuses one.
RATE_LIMITS = {name: "100000000/m" for name in RATE_LIMITS}  # noqa: F405
