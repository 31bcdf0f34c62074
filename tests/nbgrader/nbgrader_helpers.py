"""Helpers for the nbgrader tests: real `nbgrader` commands in a clean environment, notebook cells.

nbgrader runs ``alembic`` as a command, so every command gets the virtual environment's ``bin/``
first on ``PATH``. Each command runs in a clean environment: no user Jupyter configuration, no
journal or display override, nothing that makes a kernel look as if a browser were attached.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
COURSE_ID = "el-equity"

#: Variables that would change where journals go or how widgets show themselves.
_DROP = ("GAPKIT_JOURNAL", "GAPKIT_DISPLAY", "JPY_SESSION_NAME", "GAPKIT_NBGRADER_DB_URL",
         "GAPKIT_NBGRADER_EXCHANGE", "GAPKIT_COURSE_ID", "JUPYTER_CONFIG_DIR", "JUPYTER_CONFIG_PATH")


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in _DROP and not k.startswith("VOILA_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update({k: str(v) for k, v in extra.items()})
    return env


def nbgrader(*args, cwd, env, timeout=600) -> subprocess.CompletedProcess:
    """Run one real ``nbgrader`` command (as `gapkit.cli.launch` starts it, without jsonschema's IRI grammar);
    fail the test with its output if it fails."""
    done = subprocess.run([sys.executable, "-m", "gapkit.cli.launch", "nbgrader", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        log = f"{done.stdout}\n{done.stderr}"
        first = min((i for i in (log.find("Traceback"), log.find("| ERROR]")) if i >= 0), default=0)
        pytest.fail(f"`nbgrader {' '.join(map(str, args))}` failed ({done.returncode}); first error:\n"
                    f"{log[first:first + 6000]}\n...\n{log[-3000:]}")
    return done


def cells_by_id(nb) -> dict:
    """The notebook's cells by nbgrader grade id."""
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells
            if c.get("metadata", {}).get("nbgrader", {}).get("grade_id")}


def only_notebook(folder: Path) -> Path:
    found = sorted(Path(folder).glob("*.ipynb"))
    assert len(found) == 1, f"expected one notebook in {folder}, found {found}"
    return found[0]


def create_database(server: str, name: str) -> str:
    """An empty database `name` on the test server; returns its URL (as a facilitator's `createdb` would)."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"
