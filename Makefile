# The portal's front door: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | md5sum | cut -c1-8)
ASSETS := node_modules/.installed-$(shell md5sum < package-lock.json | cut -c1-8)
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal
TEST_BROKER_URL ?= redis://127.0.0.1:6379/14
PYTEST_ARGS ?=

.PHONY: run test lint install assets services migrate seed messages lock clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

$(ASSETS): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	  else echo "npm not found: pages render without KRDS styling / npm이 없어 KRDS 스타일 없이 제공됩니다"; fi
	mkdir -p node_modules && rm -f node_modules/.installed-* && touch $@

assets: $(ASSETS)

services:
	@scripts/ensure_services.sh

messages: install
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# With DATABASE_URL and CELERY_BROKER_URL set: PostgreSQL + Redis, a real worker and beat.
# Without: SQLite and in-process tasks. Ctrl-C stops everything together.
run: install assets seed
	@if [ -n "$$CELERY_BROKER_URL" ]; then \
	  exec $(VENV)/bin/honcho -f Procfile.dev start; \
	else \
	  exec $(PY) manage.py runserver 127.0.0.1:8000; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: install services lint
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) \
	  $(VENV)/bin/pytest $(PYTEST_ARGS)

lock: install
	@echo "requirements*.txt are pinned by hand from 'pip freeze'; update both together."

clean:
	rm -rf $(VENV) node_modules staticfiles .test-media
