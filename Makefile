# Digital Village Classroom — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
# The first interpreter that is really Python 3.11+ (a pyenv shim may exist without a usable version).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && command -v $$p && break; \
	done)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
PYTEST_ARGS ?=
# Parallel test workers (pytest-xdist), each with its own test database (test_<name>_gw0, ...) and
# its own Redis keys; TEST_WORKERS=0 runs the suite in one process.
TEST_WORKERS ?= 2

.DEFAULT_GOAL := help
.PHONY: help install run dev test lint format messages lock bench bench-full bench-load bench-capacity ci clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

$(BIN)/activate:
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed (or set PYTHON=/path/to/python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml requirements.lock
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	@touch $@

install: $(VENV)/.installed ## Create .venv and install the pinned dependencies
	@$(BIN)/python manage.py compile_translations

run: install ## Serve the embedded default (SQLite, file cache, filesystem broker) as in production: gunicorn, DEBUG off
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py bootstrap_demo
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(BIN)/python manage.py serve_embedded --addr $(HOST) --port $(PORT)

dev: install ## Like run, but Django's runserver with the code reloader and debug pages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py bootstrap_demo
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(BIN)/python manage.py serve_embedded --dev --addr $(HOST) --port $(PORT)

test: install ## Run the whole test suite (parallel workers) and list the 20 slowest tests
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --durations=20 $(PYTEST_ARGS)

lint: install ## ruff; no private Django internals; the rooms' order in imports, models and templates (docs/architecture.md)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python lint/private_django.py
	$(BIN)/lint-imports --no-logo --no-cache
	$(BIN)/python lint/apps_get_model.py
	$(BIN)/python lint/template_rooms.py
	$(BIN)/python lint/model_rooms.py

format: install ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install ## Update the zh-Hans catalogues from the source (needs GNU gettext)
	for app in core cms courses learners campaigns; do (cd $$app && ../$(BIN)/python ../manage.py makemessages -l zh_Hans --no-obsolete); done

lock: $(BIN)/activate ## Re-resolve dependencies and rewrite requirements.lock
	$(BIN)/python -m pip install --quiet --upgrade -e ".[dev]"
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

bench: install ## Quick benchmarks (<= 10 minutes); writes bench/results/
	$(BIN)/python -m bench quick

bench-full: install ## Every benchmark, at full scale, and the load run (needs PostgreSQL, Redis)
	$(BIN)/python -m bench full

bench-load: install ## Load run: 200 learners for 5 minutes (needs PostgreSQL, Redis)
	$(BIN)/python -m bench load

bench-capacity: install ## Issue 18: layout shift, lesson vs bare page, learners one box serves (needs PostgreSQL, Redis)
	$(BIN)/python -m bench capacity

ci: ## What CI runs (installs system packages; needs root)
	bash .ci/run

clean: ## Remove the virtualenv and the embedded default's data
	rm -rf $(VENV) var static
