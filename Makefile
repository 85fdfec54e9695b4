# The portal's front door: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | md5sum | cut -c1-8)
ASSETS := node_modules/.installed-$(shell md5sum < package-lock.json | cut -c1-8)
PORT ?= 8000
REDIS_PORT ?= 6379
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal
TEST_BROKER_URL ?= redis://127.0.0.1:$(REDIS_PORT)/14
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: run site-url test lint install assets services browser migrate seed messages catalogues lock clean bench backup restore

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

$(ASSETS): package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	  else echo "npm이 없어 KRDS 스타일 없이 제공됩니다 / npm not found: pages render without KRDS styling"; fi
	mkdir -p node_modules && rm -f node_modules/.installed-* && touch $@

assets: $(ASSETS)

services:
	@REDIS_PORT=$(REDIS_PORT) scripts/ensure_services.sh

# Debian's Chromium for the browser journeys in tests/e2e (Playwright drives it; no download).
browser:
	@scripts/ensure_chromium.sh

messages: install
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0

# For `make run`: compile the catalogues when gettext is here, else serve the committed .mo files.
catalogues: install
	@if [ -z "$$(find locale -name '*.po' 2>/dev/null | head -1)" ]; then :; \
	elif command -v msgfmt >/dev/null; then \
	  $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0; \
	else echo "msgfmt이 없어 저장소의 .mo 파일을 씁니다 / msgfmt not found: using the committed .mo files"; fi

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# With DATABASE_URL and CELERY_BROKER_URL set: PostgreSQL + Redis, a real worker and beat.
# Without: SQLite and in-process tasks. Ctrl-C stops everything together.
# The mode follows what Django will see: the shell's CELERY_BROKER_URL, else the one in .env.
# Links in mail point at the address served here (http://127.0.0.1:$(PORT)) unless SITE_URL is
# set in the shell or in .env.
run: install assets catalogues seed
	@broker="$$($(PY) -c 'import os, environ; environ.Env.read_env(".env"); print(os.environ.get("CELERY_BROKER_URL", ""))')"; \
	export SITE_URL="$$($(MAKE) -s --no-print-directory site-url PORT=$(PORT))"; \
	echo "메일은 이 콘솔에 출력되며 링크는 $$SITE_URL 을 가리킵니다 / Mail is printed to this console; its links point at $$SITE_URL"; \
	if [ -n "$$broker" ]; then \
	  exec $(VENV)/bin/honcho -f Procfile.dev start --port $(PORT); \
	else \
	  exec $(PY) manage.py runserver 127.0.0.1:$(PORT); \
	fi

# The address mail links point at: SITE_URL from the shell or .env, else the one `make run` serves.
site-url:
	@$(PY) -c 'import os, environ; environ.Env.read_env(".env"); print(os.environ.get("SITE_URL") or "http://127.0.0.1:$(PORT)")'

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

test: install assets services browser lint
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) \
	  $(VENV)/bin/pytest $(PYTEST_ARGS)

# Benchmarks against floors measured in the same run (bench/README.md); `BENCH_ARGS=--quick`
# runs everything at a tenth of the size. Prints a table and writes bench/results.json.
bench: install assets services
	$(PY) bench/run.py $(BENCH_ARGS)

# The database (pg_dump custom format) and the uploaded files, from DATABASE_URL and
# MEDIA_ROOT (docs/operations.md). `make restore BACKUP=backups/<stamp>` puts one back.
backup:
	@scripts/backup.sh $(BACKUP)

restore:
	@test -n "$(BACKUP)" || { echo "BACKUP=<백업 폴더 / backup folder>가 필요합니다"; exit 2; }
	@scripts/restore.sh $(BACKUP)

lock: install
	@echo "requirements*.txt are pinned by hand from 'pip freeze'; update both together."

clean:
	rm -rf $(VENV) node_modules staticfiles .test-media
