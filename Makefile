# Two commands: `make serve` sets everything up and serves the lessons; `make test` sets up and runs every test.
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin

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

serve: setup
	$(BIN)/gapkit serve

# nbgrader calls `alembic`, so the environment's bin/ must be on PATH.
test: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest

quicktest: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -m "not slow and not browser and not nbgrader"
