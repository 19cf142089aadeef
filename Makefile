# ElectroPluz. `make run` serves the demo shop; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

# Settings a production deployment would have, for `check --deploy`.
PROD_ENV := DJANGO_DEBUG=0 DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	DJANGO_ALLOWED_HOSTS=shop.example.com DATABASE_URL= WAREHOUSE_URL=

.PHONY: help install env messages migrate seed run worker test test-race lint format bench clean monitoring-check

help:
	@echo "make run     - install, migrate, load demo data, serve http://$(HOST):$(PORT) with Celery"
	@echo "make test    - the whole test suite (SQLite; DATABASE_URL=postgres://... for PostgreSQL)"
	@echo "make lint    - ruff, import contracts, migrations check, deployment check"
	@echo "make bench   - HTTP, import, reporting and ETL benchmarks (figures, no assertions)"
	@echo "make monitoring-check - promtool/amtool checks of deploy/monitoring (needs prometheus, prometheus-alertmanager)"

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

env: .env

.env:
	@cp .env.example .env
	@echo "DJANGO_SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" >> .env
	@echo "Wrote .env (development settings with a fresh secret key)."

# Compiles locale/*/LC_MESSAGES/django.po without GNU gettext.
messages: install
	@$(PY) -c "import pathlib, polib; [polib.pofile(str(p)).save_as_mofile(str(p.with_suffix('.mo'))) for p in pathlib.Path('locale').glob('*/LC_MESSAGES/*.po')]"

migrate: install env
	$(MANAGE) migrate --noinput
	$(MANAGE) migrate --noinput --database warehouse

seed: migrate
	$(MANAGE) seed_demo --if-empty --history --lines $${DEMO_HISTORY_LINES:-10000}

run: install env messages seed
	@echo "Serving http://$(HOST):$(PORT)  (Ctrl-C stops the web server, the worker and beat)"
	@trap 'kill 0' EXIT INT TERM; \
	$(BIN)/celery -A electropluz worker --beat --loglevel=INFO --concurrency=2 \
		--without-gossip --without-mingle --without-heartbeat \
		>> var/celery.log 2>&1 & \
	$(MANAGE) runserver $(HOST):$(PORT)

worker: install env
	$(BIN)/celery -A electropluz worker --beat --loglevel=INFO --without-gossip --without-mingle --without-heartbeat

test: install messages
	$(BIN)/pytest $(PYTEST_ARGS)

test-race: install messages
	$(BIN)/pytest -m race $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/check-jsonschema --builtin-schema vendor.compose-spec deploy/compose.yaml
	DJANGO_DEBUG=1 DATABASE_URL= WAREHOUSE_URL= $(MANAGE) makemigrations --check --dry-run
	$(PROD_ENV) $(MANAGE) check --deploy --fail-level WARNING

# Benchmarks print figures (requests/s, p50/p95/p99, rows/s, peak memory); nothing asserts.
bench: install messages
	$(PY) bench/http_bench.py --seconds $${BENCH_SECONDS:-10} --connections 10 --products 2000
	$(PY) bench/import_memory.py --rows $${BENCH_IMPORT_ROWS:-50000} --kind products --database sqlite
	$(PY) bench/import_memory.py --rows $${BENCH_IMPORT_ROWS:-50000} --kind products --database postgresql
	$(PY) bench/reporting_bench.py --per-day $${BENCH_REPORT_ROWS:-400} --rounds 10
	@if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then \
		$(PY) bench/etl_bench.py --lines $${BENCH_ETL_LINES:-1000000}; \
	else echo "ETL benchmark skipped: it needs PostgreSQL at 127.0.0.1:5432 (pg_isready says no)."; fi

# Prometheus configuration, alert rules and their unit tests, Alertmanager routing, Grafana JSON.
monitoring-check:
	sh deploy/monitoring/check.sh

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var/static var/celery var/test-media
