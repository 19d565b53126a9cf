"""Run every benchmark in this folder; each prints one JSON line per figure on stdout."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failed = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"# {script.name}", file=sys.stderr, flush=True)
        failed |= subprocess.call([sys.executable, str(script)], cwd=HERE.parent.parent)
    return failed


if __name__ == "__main__":
    sys.exit(main())
