"""Notebooks kept with their outputs (`gapkit.outputs`): nbval re-runs them and every cell must show what is stored.

Each group runs in one ``pytest --nbval`` process of its own, the way a maintainer would run it by hand,
with the sanitize file kept beside this test (chart bytes and floating-point noise only):

* the assignment source notebooks, one per module with a practice analysis, in ``source/`` of a
  course folder laid out by `gapkit.course.init_course`, with the journal of the model answers given in
  the boxes: every model answer passes its tests, hidden ones included, and shows its stored value;
* the lesson pages, with the journal pointed at a participant's journal built here (answers written,
  a check answered);
* the report notebook, on the sample district with the parameters stored in it.

The fast tests below check what is stored: every cell ran, no error and no warning on stderr, the model
answers' values are there, and notebooks that nbval leaves out (the other track's copy of a shared
module) store the same outputs as the one it runs. Refresh after an intended change: ``gapkit outputs``.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from gapkit.content import find_root, load_course
from gapkit.course import ASSIGNMENTS_DIR, JOURNAL_FILE, course_assignments, init_course, write_model_answers
from gapkit.journal import ENV_VARIABLE, Journal
from gapkit.outputs import REPORT_NOTEBOOK, SANITIZE_FILE, keep_outputs, without_outputs
from gapkit.serve import LESSONS_DIR

ROOT = find_root(Path(__file__).parent)
COURSE = load_course(ROOT)
LESSONS = ROOT / LESSONS_DIR
PRACTICE = [a for a in course_assignments(COURSE) if a.practice]
#: One assignment per module with a practice analysis; another track's copy differs only in its ids.
CHECKED_PRACTICE = [a for n, a in enumerate(PRACTICE) if a.module.id not in {b.module.id for b in PRACTICE[:n]}]
ALL_LESSONS = sorted(p.relative_to(LESSONS).as_posix() for p in LESSONS.glob("**/*.ipynb"))
#: Every lesson page but another track's page of a module the first track already shows (same output).
CHECKED_LESSONS = [n for n in ALL_LESSONS if "/" not in n or n.endswith("00-course-home.ipynb")
                   or not (LESSONS / n.split("/", 1)[1]).exists()]


def _read(path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _code_outputs(path) -> list:
    return [c.outputs for c in _read(path).cells if c.cell_type == "code"]


def nbval(paths, tmp_path, *, journal=None):
    """Run ``pytest --nbval`` on `paths` in a process of its own; fail with nbval's report."""
    env = {k: v for k, v in os.environ.items() if k not in ("GAPKIT_DISPLAY", "PYTEST_ADDOPTS", ENV_VARIABLE)}
    if journal is not None:
        env[ENV_VARIABLE] = str(journal)
    command = [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env",
               "--nbval-sanitize-with", str(ROOT / SANITIZE_FILE), "-o", "addopts=", "-p", "no:cacheprovider",
               "-q", "-rf", *map(str, paths)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"nbval failed:\n{result.stdout[-12000:]}\n{result.stderr[-3000:]}"
    assert f"{sum(len(_code_outputs(p)) for p in paths)} passed" in result.stdout, result.stdout[-2000:]


# ---------------------------------------------------------------------------------------------
# nbval: the notebooks re-run
# ---------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_model_answers_reproduce_their_outputs(tmp_path):
    """Does each practice analysis's source notebook, run in a course folder's source/ with the model answers,
    pass every test (hidden ones included) and show exactly the stored outputs?"""
    course = init_course(tmp_path / "course", root=ROOT)
    paths = []
    for a in CHECKED_PRACTICE:
        write_model_answers(a, course / "source" / a.id / JOURNAL_FILE)
        paths.append(course / "source" / a.id / a.notebook)
    assert [a.id for a in CHECKED_PRACTICE] == ["m01", "m02", "m04", "m06", "m08"]
    nbval(paths, tmp_path)


@pytest.mark.slow
def test_lessons_reproduce_their_outputs(tmp_path):
    """Does every lesson page, run on a participant's journal, show exactly the stored outputs?"""
    journal = Journal(tmp_path / "course-work" / JOURNAL_FILE)
    journal.put("participant", "id", "a1b2c3d4e5f60718")
    for module in COURSE.tracks[0].modules[:2]:
        for r in module.reflections:
            journal.save_reflection(r.id, "Our current English learners are compared with never-EL students.")
        for c in module.checks[:1]:
            journal.put("checks", c.id, {"chosen": [0], "correct": False, "saved_at": "2026-03-02T15:04:05+00:00"})
    assert len(CHECKED_LESSONS) < len(ALL_LESSONS) and "educators/00-course-home.ipynb" in CHECKED_LESSONS
    nbval([LESSONS / n for n in CHECKED_LESSONS], tmp_path, journal=journal.path)


@pytest.mark.slow
def test_report_reproduces_its_outputs(tmp_path):
    """Does the report notebook, run on the sample district with its stored parameters, show exactly the stored
    outputs (every sentence, number and table; the charts' alternative text, not their PNG bytes)?"""
    nbval([ROOT / REPORT_NOTEBOOK], tmp_path, journal=tmp_path / JOURNAL_FILE)


# ---------------------------------------------------------------------------------------------
# What is stored
# ---------------------------------------------------------------------------------------------

STORED = ([ASSIGNMENTS_DIR / a.id / a.notebook for a in PRACTICE] + [LESSONS_DIR / n for n in ALL_LESSONS]
          + [REPORT_NOTEBOOK])


@pytest.mark.parametrize("rel", [p.as_posix() for p in STORED])
def test_stored_outputs_are_a_clean_run(rel):
    """Did every code cell run, with no error, no text on stderr and no page that could not be built?"""
    nb = _read(ROOT / rel)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert cell.execution_count is not None, (rel, cell.id)
        for out in cell.outputs:
            assert out.output_type != "error" and out.get("name") != "stderr", (rel, cell.id, out)
            assert "could not be" not in str(out.get("data", {}).get("text/markdown", "")), (rel, cell.id)
    assert any(cell.get("outputs") for cell in nb.cells), rel


def test_model_answers_show_their_values():
    """Does every model answer's cell end by showing the answer, and keep it in the source notebook (where nbgrader
    removes it with the solution)?"""
    for a in PRACTICE:
        cells = {c.id: c for c in _read(ROOT / ASSIGNMENTS_DIR / a.id / a.notebook).cells}
        for t in a.practice.tasks:
            if t.code_route:
                cell = cells[f"{a.id}-{t.id}-answer"]
                assert cell.source.endswith(f"\n{t.name}\n### END SOLUTION"), (a.id, t.id)
                assert [o.output_type for o in cell.outputs] == ["execute_result"], (a.id, t.id)


def test_other_tracks_copies_store_the_same_outputs():
    """Do the notebooks nbval leaves out store what their checked twin stores (same module, other track)?"""
    for a in PRACTICE:
        twin = next(b for b in CHECKED_PRACTICE if b.module.id == a.module.id)
        assert _code_outputs(ROOT / ASSIGNMENTS_DIR / a.id / a.notebook) == \
            _code_outputs(ROOT / ASSIGNMENTS_DIR / twin.id / twin.notebook), a.id
    for name in set(ALL_LESSONS) - set(CHECKED_LESSONS):
        assert _code_outputs(LESSONS / name) == _code_outputs(LESSONS / name.split("/", 1)[1]), name


def test_builders_keep_outputs_of_unchanged_cells(tmp_path):
    """Does a rebuilt notebook keep a cell's stored outputs while its source is the same, and drop them when not?"""
    stored = _read(ROOT / ASSIGNMENTS_DIR / "m01" / "01-what-gaps-are.ipynb")
    path = tmp_path / "stored.ipynb"
    nbformat.write(stored, path)
    rebuilt = without_outputs(stored)
    changed = next(c for c in rebuilt.cells if c.id == "m01-v-gap-answer")
    changed.source += "\n"
    kept = keep_outputs(rebuilt, path)
    for cell, before in zip(kept.cells, stored.cells):
        if cell.cell_type == "code":
            if cell.id == "m01-v-gap-answer":
                assert cell.outputs == [] and cell.execution_count is None
            else:
                assert (cell.outputs, cell.execution_count) == (before.outputs, before.execution_count), cell.id
    assert any(c.outputs for c in kept.cells if c.cell_type == "code")
