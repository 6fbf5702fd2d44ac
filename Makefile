# The two commands of the README, and the checks behind `make test`.
# Everything installs into .venv from constraints.txt, the pinned set.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test check lint typecheck contracts docs-check pytest bench fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

## make demo: install, load a demo state (three counties, SQLite) and serve it on :8000
demo: $(STAMP)
	rm -rf demo-data
	$(BIN)/votetrail demo --data-dir demo-data --host 127.0.0.1 --port 8000

## make test: lint, types, import contracts, docs, and the whole suite on SQLite and PostgreSQL
test: $(STAMP)
	scripts/ensure-test-deps
	$(MAKE) --no-print-directory check

check: lint typecheck contracts docs-check pytest

lint:
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck:
	$(BIN)/mypy

contracts:
	$(BIN)/lint-imports

docs-check:
	$(BIN)/votetrail docs events | diff -u docs/events.md - || \
	  (echo "docs/events.md is stale: run '$(BIN)/votetrail docs events --output docs/events.md'"; exit 1)

pytest:
	$(BIN)/pytest -q

## make fuzz: every reader of outside input under atheris for FUZZ_SECONDS each (default 60)
FUZZ_SECONDS ?= 60
fuzz: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[fuzz]'
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/python -m tests.fuzz.fuzz_all

bench: $(STAMP)
	$(BIN)/python bench/bench_ledger.py

clean:
	rm -rf $(VENV) demo-data .pytest_cache .mypy_cache .ruff_cache .fuzz
