#!/usr/bin/env bash
# Backup and restore drill: dump the stack's database (pg_dump, custom format), restore it into a
# new database, and prove the restored one serves the same results: the Insights figures of both
# demo assessments and a finished customer's results page, byte for byte.
#
#   deploy/restore-drill.sh [--keep]     (--keep leaves the restored database in place)
#
# Run it while nothing writes to the database (not during make load), or the two will differ by
# what was written in between.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
eval "$(deploy/stack.sh env)"
PY="$ROOT/.venv/bin/python"
SOURCE_URL="$DATABASE_URL"
SOURCE="${SOURCE_URL##*/}"
TARGET="${SOURCE}_restored"
TARGET_URL="${SOURCE_URL%/*}/$TARGET"
PG=(-h 127.0.0.1 -U postgres)
BACKUPS="$STACK_DIR/backups"
WORK="$(mktemp -d)"
trap '[[ -n "${KEEP_WORK:-}" ]] || rm -rf "$WORK"' EXIT
mkdir -p "$BACKUPS"
dump="$BACKUPS/$SOURCE-$(date -u +%Y%m%dT%H%M%SZ).dump"

started=$(date +%s.%N)
pg_dump "${PG[@]}" --format=custom --file="$dump" "$SOURCE"
dumped=$(date +%s.%N)
dropdb "${PG[@]}" --if-exists "$TARGET"
createdb "${PG[@]}" "$TARGET"
pg_restore "${PG[@]}" --no-owner --jobs=2 --dbname="$TARGET" "$dump"
restored=$(date +%s.%N)

same=true
for assessment in stride-lab/shoe-finder botica-clara/skincare-finder; do
  name=${assessment//\//-}
  DATABASE_URL="$SOURCE_URL" "$PY" manage.py insights "$assessment" --json > "$WORK/$name.source.json" 2>/dev/null
  DATABASE_URL="$TARGET_URL" "$PY" manage.py insights "$assessment" --json > "$WORK/$name.restored.json" 2>/dev/null
  if ! cmp -s "$WORK/$name.source.json" "$WORK/$name.restored.json"; then
    echo "Insights of $assessment differ after the restore:" >&2
    diff "$WORK/$name.source.json" "$WORK/$name.restored.json" | head -20 >&2
    same=false
  fi
done

# One finished customer's results page, rendered by the app from each database.
results_page() {
  DATABASE_URL="$1" DJANGO_SETTINGS_MODULE=core.settings DJANGO_LOG_LEVEL=ERROR "$PY" - "$2" <<'PYTHON'
import re
import sys

import django
from django.test import Client

django.setup()
page = Client().get(f"/r/{sys.argv[1]}/results/", HTTP_HOST="127.0.0.1")
# Each rendering gives its forms a fresh submission id; everything else comes from the data.
html = re.sub(r'name="submission_id" value="[^"]*"', 'name="submission_id"', page.content.decode())
sys.stdout.write(f"{page.status_code}\n{html}")
PYTHON
}
token=$(psql "${PG[@]}" -tAc "SELECT token FROM assessments_response WHERE status = 'completed' AND NOT is_preview ORDER BY completed_at DESC LIMIT 1" "$SOURCE")
results_page "$SOURCE_URL" "$token" > "$WORK/results.source.html"
results_page "$TARGET_URL" "$token" > "$WORK/results.restored.html"
head -1 "$WORK/results.source.html" | grep -qx 200 || { echo "The results page did not render (see above)." >&2; same=false; }
cmp -s "$WORK/results.source.html" "$WORK/results.restored.html" || { echo "The results page differs." >&2; same=false; }

responses=$(psql "${PG[@]}" -tAc "SELECT count(*) FROM assessments_response" "$TARGET")
[[ "${1:-}" == "--keep" ]] || dropdb "${PG[@]}" "$TARGET"
printf '{"bench": "restore_drill", "dump_bytes": %s, "dump_seconds": %.1f, "restore_seconds": %.1f, "responses": %s, "insights_equal_and_results_page_equal": %s}\n' \
  "$(stat -c %s "$dump")" "$(echo "$dumped - $started" | bc)" "$(echo "$restored - $dumped" | bc)" "$responses" "$same"
$same
