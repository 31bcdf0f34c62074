# Two commands: `make serve` sets everything up and serves the lessons; `make test` sets up and runs every test.
# Options for the server go in ARGS, e.g. `make serve ARGS="--port 8870 --no-browser"`.
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin
AXE = tests/browser/node_modules/axe-core/axe.min.js
ARGS ?=

.PHONY: setup serve test quicktest

setup: $(VENV)/.installed

# An editable install leaves out data files: the server extension that keeps one grader per
# submission in formgrader is switched on here (a wheel install puts the same file in place).
$(VENV)/.installed: pyproject.toml jupyter-config/jupyter_server_config.d/gapkit.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	mkdir -p $(VENV)/etc/jupyter/jupyter_server_config.d
	cp jupyter-config/jupyter_server_config.d/gapkit.json $(VENV)/etc/jupyter/jupyter_server_config.d/
	touch $@

# axe-core for the browser tests' accessibility checks (from npm; without npm those tests are skipped).
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm > /dev/null; then npm ci --prefix tests/browser --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the browser tests will be skipped (they need axe-core from npm)"; fi

serve: setup
	$(BIN)/gapkit serve $(ARGS)

# nbgrader calls `alembic`, so the environment's bin/ must be on PATH. The tests run on every core,
# a file at a time per worker, so the servers a file starts are shared by its tests.
test: setup $(AXE)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -n auto --dist loadfile

quicktest: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -m "not slow and not browser and not nbgrader"
