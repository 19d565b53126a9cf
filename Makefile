# Two commands for a newcomer: `make demo` and `make test`. Both set themselves up.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.13 || command -v python3.12 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup demo test bench audit lint format migrate messages clean prod prod-stop prod-status load drills

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python 3.12 or newer is needed (found " + sys.version.split()[0] + ").")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(NPM_STAMP)

setup: $(STAMP) $(NPM_STAMP) messages

# Translations are compiled with Babel (pure Python), so no system gettext is needed.
messages: $(STAMP)
	@if [ -d locale ]; then $(VENV)/bin/pybabel compile -d locale -D django 2>/dev/null || $(VENV)/bin/pybabel compile -d locale -D django; fi

migrate: setup
	$(PY) manage.py migrate --no-input -v 0

demo: migrate
	$(PY) manage.py load_demo
	$(PY) manage.py demo_staff --base http://$(HOST):$(PORT)
	$(PY) manage.py demo_traffic --responses 1500 --if-empty
	@echo
	@echo "Open:"
	@echo "  http://$(HOST):$(PORT)/                                  the published demo assessments"
	@echo "  http://$(HOST):$(PORT)/a/stride-lab/shoe-finder/         running-shoe finder (English; ?lang=es)"
	@echo "  http://$(HOST):$(PORT)/a/botica-clara/skincare-finder/   skincare routine finder (Spanish; ?lang=en)"
	@echo "  http://$(HOST):$(PORT)/admin/                            authoring: log in with the demo staff login above"
	@echo "  http://localhost:8001/                                   a partner's page on another site embedding both"
	@echo
	@$(PY) manage.py serve_partner_demo --port 8001 --app http://$(HOST):$(PORT) & \
	  trap "kill $$! 2>/dev/null" EXIT; $(PY) manage.py runserver $(HOST):$(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: setup lint
	$(PY) manage.py makemigrations --check --dry-run -v 1
	$(PY) -m pytest

# The bench extra: the peer the product is measured against, and locust.
BENCH_STAMP := $(VENV)/.installed-bench
$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	@touch $(BENCH_STAMP)

bench: setup $(BENCH_STAMP)
	$(PY) tests/bench/run.py

# Lighthouse 12.2.3 (mobile, pinned in package.json) on the demo's landing page, a step with
# picture choices and the results, against a throwaway local server: one JSON line per page.
AUDIT_PORT ?= 8099
audit: setup
	CHROME_PATH=$${CHROME_PATH:-/usr/bin/chromium} $(PY) tests/bench/lighthouse.py --port $(AUDIT_PORT)

# The production stack on this machine: nginx, two gunicorn instances, Celery worker and beat,
# on the running PostgreSQL and Redis (deploy/stack.sh; deploy/README.md).

prod: setup
	deploy/stack.sh start

prod-stop:
	deploy/stack.sh stop

prod-status:
	deploy/stack.sh status

# Customers without JavaScript through nginx (starts the stack if needed): first 10 to 80 at
# once with no reading time (what the machine holds), then 50 and 150 who read each page 2-6 s.
load: setup $(BENCH_STAMP)
	@deploy/stack.sh status > /dev/null || deploy/stack.sh start
	eval "$$(deploy/stack.sh env)" && $(PY) tests/bench/load/run.py $(LOAD_ARGS)
	eval "$$(deploy/stack.sh env)" && $(PY) tests/bench/load/run.py --think 2,6 --stages 50:90,150:90

# Fault drills under load: a web instance killed, PostgreSQL restarted, Redis away, beat
# stopped (REDIS_DOWN_SECONDS=30 for a shorter Redis outage).
drills: setup $(BENCH_STAMP)
	@deploy/stack.sh status > /dev/null || deploy/stack.sh start
	eval "$$(deploy/stack.sh env)" && $(PY) tests/bench/load/drills.py $(DRILLS_ARGS)

clean:
	rm -rf $(VENV) node_modules var
