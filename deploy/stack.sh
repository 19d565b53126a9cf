#!/usr/bin/env bash
# The production stack on one machine, as if on several hosts:
#   nginx (front) -> two gunicorn instances -> PostgreSQL; Celery worker and beat -> Redis.
# PostgreSQL and Redis are the machine's running services; everything else is started here,
# each process in a session of its own with a pid file, so `stop` leaves nothing behind.
#
#   deploy/stack.sh start | stop | status | restart-web N | stop-beat | start-beat | env
#
# Settings come from deploy/stack.env, then the environment (which wins). State, logs and pid
# files live in $STACK_DIR (var/stack).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
STACK_DIR="${STACK_DIR:-$ROOT/var/stack}"

# deploy/stack.env, without overriding what the caller set.
while IFS='=' read -r key value; do
  [[ -z "$key" || "$key" == \#* ]] && continue
  [[ -z "${!key:-}" ]] && export "$key=$value"
done < "$ROOT/deploy/stack.env"

export STACK_DIR
export DJANGO_VAR_DIR="$STACK_DIR/var"
export DJANGO_MEDIA_ROOT="${DJANGO_MEDIA_ROOT:-$STACK_DIR/var/media}"
export STACK_STATIC="$DJANGO_VAR_DIR/static" STACK_MEDIA="$DJANGO_MEDIA_ROOT"
export STACK_ERRORS="$ROOT/templates"
export PYTHONUNBUFFERED=1
PY="$ROOT/.venv/bin/python"
BIN="$ROOT/.venv/bin"
RUN="$STACK_DIR/run"
LOGS="$STACK_DIR/logs"

secret_key() {
  local file="$STACK_DIR/secret_key"
  [[ -s "$file" ]] || (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(50))' > "$file")
  cat "$file"
}

alive() { [[ -s "$RUN/$1.pid" ]] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }

# Start a long-running process in a new session; its pid (= its process group) in run/NAME.pid.
spawn() {
  local name=$1; shift
  if alive "$name"; then echo "  $name already running (pid $(cat "$RUN/$name.pid"))"; return; fi
  setsid "$@" >> "$LOGS/$name.log" 2>&1 < /dev/null &
  echo $! > "$RUN/$name.pid"
  echo "  $name started (pid $!)"
}

# Stop a process group: TERM, wait (gunicorn and Celery finish what they are doing), then KILL.
halt() {
  local name=$1 pid
  [[ -s "$RUN/$name.pid" ]] || return 0
  pid=$(cat "$RUN/$name.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 -- "-$pid" 2>/dev/null; then
      echo "  $name did not stop in 30 s: killed"; kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    echo "  $name stopped"
  fi
  rm -f "$RUN/$name.pid"
}

wait_ready() {
  local address=$1
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "http://$address/readyz" 2>/dev/null && return 0
    sleep 0.2
  done
  echo "  $address is not ready after 20 s; see $LOGS" >&2; return 1
}

web_start() {
  local n=$1 address
  address=$( [[ $n == 1 ]] && echo "$STACK_WEB1" || echo "$STACK_WEB2" )
  # Each instance adds up its own workers' metrics; a new instance starts from nothing.
  rm -rf "$RUN/prometheus-web$n" && mkdir -p "$RUN/prometheus-web$n"
  PROMETHEUS_MULTIPROC_DIR="$RUN/prometheus-web$n" GUNICORN_BIND="$address" \
    GUNICORN_NAME="assessments-web$n" GUNICORN_PIDFILE="$RUN/web$n.gunicorn.pid" \
    GUNICORN_CONTROL_SOCKET="$RUN/web$n.ctl" \
    spawn "web$n" "$BIN/gunicorn" core.wsgi -c deploy/gunicorn.conf.py
}

services_check() {
  pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL does not answer on 127.0.0.1:5432." >&2; exit 1; }
  redis-cli -h 127.0.0.1 -p 6379 ping > /dev/null || { echo "Redis does not answer on 127.0.0.1:6379." >&2; exit 1; }
}

database_prepare() {
  local name=${DATABASE_URL##*/}
  if ! psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$name'" | grep -q 1; then
    createdb -h 127.0.0.1 -U postgres "$name" && echo "  database $name created"
  fi
  "$PY" manage.py migrate --no-input -v 0
  "$PY" manage.py collectstatic --no-input -v 0
  "$PY" manage.py load_demo > /dev/null
}

nginx_conf() {
  envsubst '${STACK_DIR} ${STACK_WEB1} ${STACK_WEB2} ${STACK_LISTEN} ${STACK_TRUSTED_PROXY} ${STACK_STATIC} ${STACK_MEDIA} ${STACK_ERRORS}' \
    < deploy/nginx-stack.conf.template > "$STACK_DIR/nginx.conf"
}

start() {
  mkdir -p "$RUN" "$LOGS" "$STACK_DIR/nginx" "$DJANGO_VAR_DIR" "$DJANGO_MEDIA_ROOT"
  export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-$(secret_key)}"
  services_check
  echo "Preparing the database and static files"
  database_prepare
  echo "Starting"
  web_start 1
  web_start 2
  spawn worker "$BIN/celery" -A core worker -l info -c "$CELERY_CONCURRENCY" -n "worker@%h" \
    --without-gossip --without-mingle
  spawn beat "$BIN/celery" -A core beat -l info -s "$RUN/beat-schedule"
  wait_ready "$STACK_WEB1"
  wait_ready "$STACK_WEB2"
  nginx_conf
  /usr/sbin/nginx -t -q -p "$STACK_DIR/nginx" -c "$STACK_DIR/nginx.conf" -e "$LOGS/nginx-error.log"
  if ! [[ -s "$RUN/nginx.pid" ]] || ! kill -0 "$(cat "$RUN/nginx.pid")" 2>/dev/null; then
    /usr/sbin/nginx -p "$STACK_DIR/nginx" -c "$STACK_DIR/nginx.conf" -e "$LOGS/nginx-error.log"
    echo "  nginx started (pid $(cat "$RUN/nginx.pid"))"
  fi
  echo "Up: http://$STACK_LISTEN/  (logs in $LOGS)"
}

stop() {
  if [[ -s "$RUN/nginx.pid" ]] && kill -0 "$(cat "$RUN/nginx.pid")" 2>/dev/null; then
    kill -QUIT "$(cat "$RUN/nginx.pid")"
    for _ in $(seq 1 40); do [[ -e "$RUN/nginx.pid" ]] || break; sleep 0.25; done
    echo "  nginx stopped"
  fi
  halt beat
  halt worker
  halt web1
  halt web2
}

status() {
  local code=0 name
  for name in nginx web1 web2 worker beat; do
    if alive "$name"; then echo "$name: running (pid $(cat "$RUN/$name.pid"))"
    else echo "$name: stopped"; code=3; fi
  done
  for address in "$STACK_WEB1" "$STACK_WEB2"; do
    echo "$address/readyz: $(curl -s -m 3 "http://$address/readyz" || echo 'no answer')"
  done
  return $code
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  # Used by the drills: start one web instance again after it was killed.
  restart-web) export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-$(secret_key)}"; halt "web$2"; web_start "$2"; wait_ready "$( [[ $2 == 1 ]] && echo "$STACK_WEB1" || echo "$STACK_WEB2")" ;;
  # Used by the drills: beat stopped, and started again.
  stop-beat) halt beat ;;
  start-beat) export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-$(secret_key)}"
              spawn beat "$BIN/celery" -A core beat -l info -s "$RUN/beat-schedule" ;;
  # The stack's environment, for running manage.py against it: eval "$(deploy/stack.sh env)".
  env) export DJANGO_SECRET_KEY="${DJANGO_SECRET_KEY:-$(secret_key)}"
       env | grep -E '^(DJANGO_|DATABASE_|CELERY_|CACHE_URL|EMAIL_|SITE_URL|STACK_)' | sed 's/^/export /' ;;
  *) echo "usage: $0 start|stop|status|restart-web N|env" >&2; exit 2 ;;
esac
