# Marginalia: `make run` starts the app with demo data; `make test` runs every test.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run test lint format messages stop bench

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

install: ## Install uv if missing, the locked dependencies into .venv, and their bytecode (a command starts in about a second)
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	@$(UV) sync --frozen --quiet --compile-bytecode
	@$(UV) run python -m compileall -q -j 0 accounts annotations briefs config search manage.py

run: install ## Run the app at http://127.0.0.1:8000 with the demo data and its job worker (embedded PostgreSQL unless DATABASE_URL)
	$(UV) run python manage.py migrate --noinput
	$(UV) run python manage.py load_demo --with-users
	@# The background worker (search indexing of large imports) runs beside the web server
	@# and stops with it.
	$(UV) run python manage.py db_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(UV) run python manage.py runserver $(HOST):$(PORT)

test: install ## Run the whole test suite (needs Debian's chromium for the browser tests)
	$(UV) run pytest

lint: install ## Ruff lint and format check
	$(UV) run ruff check .
	$(UV) run ruff format --check .

format: install ## Apply ruff's fixes and formatting
	$(UV) run ruff check --fix .
	$(UV) run ruff format .

# What makemessages reads: the app's code, templates and scripts (not samples, tests, vendored code).
I18N_IGNORE := --ignore=var --ignore=tests --ignore=bench --ignore=samples --ignore=static/vendor --ignore=i18n-pending --ignore=tools

messages: install ## Update locale/ko from the marked strings and i18n-pending/, then compile it (commit .po and .mo)
	$(UV) run python manage.py makemessages -l ko -d django --no-location $(I18N_IGNORE)
	$(UV) run python manage.py makemessages -l ko -d djangojs --no-location $(I18N_IGNORE)
	$(UV) run python tools/i18n_merge_pending.py
	$(UV) run python manage.py compilemessages -l ko --ignore=.venv --ignore=var

bench: install ## Run a quick version of every benchmark in bench/ (a few minutes) and print their figures
	@failed=; for b in bench/bench_*.py; do echo "== $$b --quick"; $(UV) run python $$b --quick || failed="$$failed $$b"; done; \
		if [ -n "$$failed" ]; then echo "failed:$$failed"; exit 1; fi

stop: ## Stop the embedded PostgreSQL cluster in var/postgres
	@$(UV) run python manage.py embedded_db stop
