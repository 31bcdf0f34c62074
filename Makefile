# Two commands: `make serve` sets everything up and serves the lessons; `make test` sets up and runs every test.
# Options for the server go in ARGS, e.g. `make serve ARGS="--port 8870 --no-browser"`.
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin
AXE = tests/browser/node_modules/axe-core/axe.min.js
ARGS ?=

.PHONY: setup serve test quicktest

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# axe-core for the browser tests' accessibility checks (from npm; without npm those tests are skipped).
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm > /dev/null; then npm ci --prefix tests/browser --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the browser tests will be skipped (they need axe-core from npm)"; fi

serve: setup
	$(BIN)/gapkit serve $(ARGS)

# nbgrader calls `alembic`, so the environment's bin/ must be on PATH.
test: setup $(AXE)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest

quicktest: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -m "not slow and not browser and not nbgrader"
