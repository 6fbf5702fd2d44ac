# The two commands of the README, and the checks behind `make test`.
# Everything installs into .venv from constraints.txt, the pinned set.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo demo-reset test check lint typecheck contracts docs-check pytest bench bench-readme fuzz clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

## make demo: install, load a demo state (three counties, SQLite) into demo-data unless one
## is there already, and serve it on :8000; make demo-reset deletes it and builds it again
demo: $(STAMP)
	VOTETRAIL=$(BIN)/votetrail DEMO_DATA=demo-data bash scripts/demo

demo-reset: $(STAMP)
	VOTETRAIL=$(BIN)/votetrail DEMO_DATA=demo-data bash scripts/demo --reset

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

## make bench-readme: write bench/README.md from bench/README.in.md and bench/results/*.json
bench-readme: $(STAMP)
	$(BIN)/python bench/readme.py

## make screenshots: every page of the demo as the public and each role, on a laptop and a
## phone, in headless Chromium (tests/web/test_every_page.py); keeps a few in docs/screenshots/
## and rewrites docs/screenshots.md; the full set goes to SCREENSHOTS (default .screenshots)
SCREENSHOTS ?= .screenshots
screenshots: $(STAMP)
	scripts/ensure-test-deps
	rm -rf $(SCREENSHOTS)
	VOTETRAIL_SCREENSHOTS=$(abspath $(SCREENSHOTS)) $(BIN)/pytest -q -p no:cacheprovider \
	  tests/web/test_every_page.py::test_every_page_as_every_role_fits_a_laptop_and_a_phone_and_passes_axe
	$(BIN)/python -m tests.web.screenshots $(SCREENSHOTS) docs

clean:
	rm -rf $(VENV) demo-data .pytest_cache .mypy_cache .ruff_cache .fuzz .screenshots
