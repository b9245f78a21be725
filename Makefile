# Coursegate — `make help` lists the targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
PG_URL ?= postgres://postgres@127.0.0.1:5432
REDIS_URL ?= redis://127.0.0.1:6379/15

.DEFAULT_GOAL := help
.PHONY: help install run demo serve test test-postgres test-slow test-all lint bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}' \
	  | sed -e 's|$$(HOST)|$(HOST)|g' -e 's|$$(PORT)|$(PORT)|g' -e 's|$$(VENV)|$(VENV)|g'
	@echo
	@echo "Variables (override them on the command line, e.g. make run PORT=8010):"
	@echo "  PYTHON=$(PYTHON) VENV=$(VENV) HOST=$(HOST) PORT=$(PORT) WORKERS=$(WORKERS)"
	@echo "  PG_URL=$(PG_URL) REDIS_URL=$(REDIS_URL)"

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $@

install: $(BIN)/.installed ## Create .venv and install Coursegate with its test tools

run: install ## Set up (migrate + demo data) and serve on http://$(HOST):$(PORT) with gunicorn
	$(BIN)/coursegate migrate --no-input -v 0
	COURSEGATE_HOST=$(HOST) COURSEGATE_PORT=$(PORT) $(BIN)/coursegate demo
	@echo
	@echo "The command line is $(BIN)/coursegate (not on your PATH): for example $(BIN)/coursegate --help,"
	@echo "or run  export PATH=\"$(abspath $(BIN)):\$$PATH\"  in your shell first. Examples: README.md and docs/."
	@echo
	$(BIN)/coursegate serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

demo: install ## Load the demo data set again (prints fresh client secrets)
	$(BIN)/coursegate demo

test: install ## Run the test suite on SQLite (the embedded default), without the slow suites
	$(BIN)/python -m pytest -m "not slow"

test-postgres: install ## The same suite on PostgreSQL + Redis (throw-away database)
	PG_URL=$(PG_URL) REDIS_URL=$(REDIS_URL) BIN=$(BIN) bash scripts/test-postgres.sh -m "not slow"

test-slow: install ## The slow suites (real servers and workers, crashes, outages, fuzzing, benchmark smoke runs) on SQLite, then PostgreSQL
	$(BIN)/python -m pytest -m slow --durations=15
	PG_URL=$(PG_URL) REDIS_URL=$(REDIS_URL) BIN=$(BIN) bash scripts/test-postgres.sh -m slow --durations=15

test-all: test test-postgres test-slow ## All of the above (what CI runs, after make lint)

lint: install ## ruff check, ruff format --check, mypy (the domain apps), import-linter layer contracts
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	$(BIN)/mypy
	PYTHONPATH=. $(BIN)/lint-imports

bench: install ## All benchmarks on SQLite and PostgreSQL (see bench/README.md)
	PY=$(BIN)/python bash bench/run_all.sh

clean: ## Remove the virtualenv and local state (var/)
	rm -rf $(VENV) var
