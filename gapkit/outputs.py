"""Notebooks kept with their outputs, so that the tests can re-run them and compare (nbval).

Three kinds of notebook in the repository are stored with what they show when run headless, and
``pytest --nbval`` re-runs each one and compares every cell's output with the stored one: a change
in gapkit that changes what a participant or a reader sees (a number's rounding, a sentence)
fails a test until the outputs are refreshed on purpose (``gapkit outputs``).

* The assignment source notebooks with a practice analysis: the outputs of the model answers,
  run the way a facilitator runs them, in ``source/<assignment>/`` of a course folder with the
  sample district's records and a journal holding the answers given in the boxes
  (`gapkit.course.write_model_answers`).
* The lesson notebooks, run headless (they show the page's title and how to serve it).
* The report notebook, on the sample district with the parameters written in it.

``gapkit build`` keeps a cell's stored outputs while its source is unchanged (`keep_outputs`),
and ``gapkit build --check`` compares sources only (`without_outputs`; `gapkit.build.Notebook`).
"""
from __future__ import annotations

import copy
import os
import shutil
import tempfile
from pathlib import Path

import nbformat

from gapkit._ipc import use_ipc

__all__ = ["REPORT_NOTEBOOK", "SANITIZE_FILE", "execute", "without_outputs", "keep_outputs", "refresh"]

#: The report notebook, stored as run on the sample district with its own parameters.
REPORT_NOTEBOOK = Path("notebooks") / "reports" / "gap_report.ipynb"
#: nbval's patterns for what changes from one machine to another (the charts' PNG bytes).
SANITIZE_FILE = Path("tests") / "notebooks" / "nbval_sanitize.cfg"

#: Variables that would make a course widget show itself live instead of as Markdown.
_LIVE_ENV = ("GAPKIT_DISPLAY", "JPY_SESSION_NAME", "VOILA_KERNEL_ID", "VOILA_PREHEAT", "VOILA_BASE_URL",
             "VOILA_SERVER_URL", "VOILA_APP_PORT")


def execute(nb: nbformat.NotebookNode, folder, *, journal) -> nbformat.NotebookNode:
    """A copy of `nb` run headless in `folder`, answers read from (and saved to) the journal file `journal`.

    Only outputs and execution counts are added: nbclient's timings and the kernel's version
    details are left out, so that a refresh changes a file only where an output changed.
    """
    from nbclient import NotebookClient

    env = {k: v for k, v in os.environ.items() if k not in _LIVE_ENV}
    env["GAPKIT_JOURNAL"] = str(journal)
    out = copy.deepcopy(nb)
    client = NotebookClient(out, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(folder)}})
    client.km = use_ipc(client.create_kernel_manager())  # still the client's own: it shuts the kernel down
    client.execute(env=env)
    out.metadata = copy.deepcopy(nb.metadata)  # not the kernel's version details
    for cell, before in zip(out.cells, nb.cells):
        cell.metadata = copy.deepcopy(before.metadata)
    return out


def without_outputs(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of `nb` with no outputs and no execution counts (what the builders write)."""
    out = copy.deepcopy(nb)
    for cell in out.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return out


def keep_outputs(nb: nbformat.NotebookNode, path) -> nbformat.NotebookNode:
    """`nb` with the stored outputs of the notebook at `path` in every code cell whose id and source are unchanged."""
    path = Path(path)
    if not path.is_file():
        return nb
    stored = {c.get("id"): c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"}
    for cell in nb.cells:
        old = stored.get(cell.get("id"))
        if cell.cell_type == "code" and old is not None and old.source == cell.source:
            cell.outputs = copy.deepcopy(old.outputs)
            cell.execution_count = old.execution_count
    return nb


def _write(nb, path: Path) -> None:
    from gapkit.build import notebook_text  # build imports this module

    path.write_text(notebook_text(nb), encoding="utf-8")


def refresh(root=None, *, assignments=True, lessons=True, report=True) -> list[Path]:
    """Run every notebook kept with outputs and store what it shows; returns the files written.

    Run after an intended change to what the notebooks show; the notebooks' sources must be up to
    date first (``gapkit build``).
    """
    from gapkit import content as _content
    from gapkit import course as _course
    from gapkit.serve import LESSONS_DIR

    root = _content.find_root(root) if root is None else Path(root)
    course = _content.load_course(root)
    written = []
    with tempfile.TemporaryDirectory(prefix="gapkit-outputs-") as tmp:
        tmp = Path(tmp)
        if assignments:
            for a in _course.course_assignments(course):
                if not a.practice:
                    continue
                path = root / _course.ASSIGNMENTS_DIR / a.id / a.notebook
                folder = tmp / "source" / a.id
                folder.mkdir(parents=True)
                shutil.copyfile(root / course.dataset, folder / _course.DATA_FILE)
                journal = _course.write_model_answers(a, folder / _course.JOURNAL_FILE)
                _write(execute(nbformat.read(path, as_version=4), folder, journal=journal), path)
                written.append(path)
        if lessons:
            for name in sorted((root / LESSONS_DIR).glob("**/*.ipynb")):
                if ".ipynb_checkpoints" in name.parts:
                    continue
                journal = tmp / "lessons" / name.relative_to(root / LESSONS_DIR).with_suffix(".json")
                journal.parent.mkdir(parents=True, exist_ok=True)
                _write(execute(nbformat.read(name, as_version=4), name.parent, journal=journal), name)
                written.append(name)
        if report:
            path = root / REPORT_NOTEBOOK
            _write(execute(nbformat.read(path, as_version=4), path.parent, journal=tmp / "report.json"), path)
            written.append(path)
    return written
