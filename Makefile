# Changeboard: `make run` serves the demo, `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PORT ?= 8000
SITE_URL ?= http://127.0.0.1:$(PORT)
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
export DJANGO_SETTINGS_MODULE := changeboard.settings
# pytest-xdist: one test process per core (each with its own test database).
PYTEST_ARGS ?= -n auto

# The first Python that is 3.12 or newer: pyenv's shim honours .python-version.
PYTHON ?= $(shell for p in python3 python3.13 python3.12; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; done)

.PHONY: help run serve scale test setup python venv deps assets migrate demo browser pdf lint typecheck lock worker clean

help:
	@echo "make run   - set up, load the demo data and serve http://127.0.0.1:$(PORT)"
	@echo "make test  - set up, then run ruff, mypy and every test (browser tests included)"
	@echo "make serve - serve the database already set up (web server, worker, scheduler; links on SITE_URL)"
	@echo "make scale - the multi-process layout on PostgreSQL and Redis: WEB_CONCURRENCY web processes, WORKERS workers, one scheduler, the local OIDC provider"
	@echo "make typecheck - run mypy only"

python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "Changeboard needs Python 3.12 or newer (Django 6). Install it (for example 'pyenv install 3.12') and try again." >&2; \
		exit 1; fi

$(VENV)/.installed: requirements.lock requirements-dev.lock | python
	@test -x $(PY) && $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { rm -rf $(VENV); $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock -r requirements-dev.lock
	@touch $@

venv deps: $(VENV)/.installed

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

build/static/build/app.css: node_modules/.package-lock.json frontend/app.scss frontend/copy-assets.mjs
	npm run --silent build

assets: build/static/build/app.css

migrate: deps
	@mkdir -p var/static var/media
	$(MANAGE) migrate --noinput

setup: deps assets pdf migrate

demo: setup
	$(MANAGE) seed --scale demo --if-empty

run: demo
	$(MANAGE) demo_accounts
	@$(MAKE) --no-print-directory serve

# The web server, the worker and the scheduler (the Procfile), on the set-up
# database. honcho gives each process its own PORT (web PORT, worker PORT+100,
# scheduler PORT+200), so SITE_URL, where survey links point, is fixed here
# from the web server's port and handed to all three.
serve:
	@echo "Changeboard on $(SITE_URL) (Ctrl-C stops the web server, the worker and the scheduler)"
	@PORT=$(PORT) SITE_URL="$(SITE_URL)" VENV=$(VENV) $(VENV)/bin/honcho --no-prefix start

# The deployed layout on one machine (docs/deployment.md): gunicorn with
# WEB_CONCURRENCY processes, WORKERS task workers, one scheduler and the local
# OpenID Connect provider (Procfile.scale), on PostgreSQL and Redis. The
# database is created if missing, migrated once here (never by the
# processes) and seeded with the demo when empty, as `make run` does.
scale: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/changeboard
scale: export REDIS_URL ?= redis://127.0.0.1:6379/1
scale: export WEB_CONCURRENCY ?= 2
scale: WORKERS ?= 2
scale: IDP_PORT ?= 9000
scale: deps assets pdf
	@case "$$DATABASE_URL" in postgres://*|postgresql://*) ;; \
		*) echo "make scale runs on PostgreSQL: set DATABASE_URL to a postgres:// URL (now $${DATABASE_URL%%://*})" >&2; exit 1;; esac
	@$(PY) -c 'import redis, os; redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=3).ping()' 2>/dev/null || \
		{ echo "make scale needs Redis at REDIS_URL: start redis-server (or set REDIS_URL)" >&2; exit 1; }
	@mkdir -p var/static var/media var/idp
	$(MANAGE) ensure_database
	$(MANAGE) migrate --noinput
	$(MANAGE) seed --scale demo --if-empty
	$(MANAGE) demo_accounts
	@if $(PY) -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("changeboard.devtools.idp") is None)' 2>/dev/null; then \
		eval "$$($(PY) -m changeboard.devtools.idp env --port $(IDP_PORT) --site-url "$(SITE_URL)")" || exit 1; \
		processes="web worker scheduler idp"; \
		echo "Sign in through the local OpenID Connect provider on http://127.0.0.1:$(IDP_PORT)"; \
	else \
		processes="web worker scheduler"; \
		echo "The local OpenID Connect provider (changeboard.devtools.idp) is not in this checkout: starting without single sign-on" >&2; \
	fi; \
	echo "Changeboard on $(SITE_URL): $$WEB_CONCURRENCY web processes, $(WORKERS) workers, one scheduler (Ctrl-C stops them all)"; \
	PORT=$(PORT) SITE_URL="$(SITE_URL)" IDP_PORT=$(IDP_PORT) VENV=$(VENV) \
		$(VENV)/bin/honcho -f Procfile.scale start -c worker=$(WORKERS) $$processes

worker: setup
	$(MANAGE) run_worker

# Debian's chromium drives the browser tests; install it where it is missing.
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
		if command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Debian's chromium for the browser tests"; \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || \
			{ echo "Could not install chromium" >&2; [ "$$CI" != "true" ] || exit 1; }; \
		elif [ "$$CI" = "true" ]; then echo "chromium is missing and apt-get is not available" >&2; exit 1; \
		else echo "chromium is missing: browser tests will be skipped" >&2; fi; \
	fi

# WeasyPrint (board pack PDFs) needs Pango; Debian's chromium brings it, but not every machine has it.
pdf:
	@if ! ldconfig -p 2>/dev/null | grep -q libpango-1.0; then \
		if command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Pango for PDF board packs"; \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null) || \
			{ echo "Could not install Pango: PDF board packs will fail" >&2; exit 1; }; \
		else echo "Pango is missing (libpango-1.0): PDF board packs need it" >&2; exit 1; fi; \
	fi

test: deps assets browser pdf
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest $(PYTEST_ARGS)

lint: deps
	$(PY) -m ruff check .

# mypy with django-stubs and djangorestframework-stubs ([tool.mypy] in pyproject.toml).
typecheck: deps
	$(PY) -m mypy

# Recompile the lock files after editing requirements*.in.
lock: deps
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile -q requirements.in --generate-hashes -o requirements.lock --python-version 3.12
	$(VENV)/bin/uv pip compile -q requirements-dev.in --generate-hashes -o requirements-dev.lock --python-version 3.12

clean:
	rm -rf $(VENV) node_modules build var/*.sqlite3*
