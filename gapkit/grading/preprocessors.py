"""nbgrader preprocessors of the course's autograding: nothing lost, nothing alarming, nothing stale.

The course's ``nbgrader_config.py`` (`gapkit.grading.configure_nbgrader`) puts them in nbgrader's own
``autograde`` pipeline, so ``nbgrader autograde`` and ``gapkit course autograde --jobs N`` grade alike:

sanitize (the submitted notebook, before it runs)
    `OverwriteCells` nbgrader's, restoring read-only cells, hidden tests and mark schemes as usual,
    but quiet about the restores every submission needs (nbgrader warns "Attribute 'checksum' ...
    has changed!" for each cell with hidden tests or a mark scheme, because the released copy never
    had them); a read-only cell the participant really changed is reported in plain words.
    `CleanRubric` drops the ``=== BEGIN/END MARK SCHEME ===`` lines from the rubric cells, so
    formgrader and the feedback show the rubric as a rubric.
autograde (the sanitized notebook)
    `RestoreReflections` puts back a reflection cell the participant deleted or moved, next to its
    rubric cells; the restored cell then shows the answer from the submitted journal like any other.
    (nbgrader restores only graded cells, and a reflection cell is not one.)
    `Execute` nbgrader's, its kernel on unix sockets (`gapkit._ipc`); its time-out message
    is set by the config to `time_limit_note`, and `TimeLimitNote` then leaves only that note in a
    cell that was stopped.
    nbgrader's ``SaveAutoGrades``, then `RecordReflections`: notes on restored cells, and every
    answer's fingerprint kept in the gradebook (`gapkit.grading.store`); an answer rewritten after
    it was graded loses its old score (kept in the comment) and is flagged for grading again.
"""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbgrader import utils as _nbutils
from nbgrader.preprocessors import Execute as _NbgraderExecute
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.preprocessors import OverwriteCells as _NbgraderOverwriteCells

from gapkit import journal as _journal
from gapkit._ipc import use_ipc as _use_ipc
from gapkit.grading import store as _store

__all__ = ["OverwriteCells", "CleanRubric", "RestoreReflections", "TimeLimitNote", "RecordReflections",
           "TIME_LIMIT_ENAME", "KIT_CELL_TIME_LIMIT", "cell_timeout", "time_limit_note", "reflection_cells",
           "MARK_SCHEME_LINES"]

#: The delimiter lines of a mark scheme (kept in the source so nbgrader strips the release).
MARK_SCHEME_LINES = ("=== BEGIN MARK SCHEME ===", "=== END MARK SCHEME ===")
#: The error name of a cell stopped at the time limit (what the participant reads first).
TIME_LIMIT_ENAME = "Stopped after the time limit"
_CALL = re.compile(r"""^\s*reflection\(\s*["']([A-Za-z0-9_-]+)["']\s*\)\s*;?\s*$""")


def time_limit_note(seconds: int) -> str:
    """What a participant reads in the feedback for a cell stopped at the time limit."""
    return (f"this cell was still running after {seconds} seconds, so grading stopped it and went on with the "
            "next cell. A loop that never ends (for example `while True:` without a `break`) is the usual "
            "cause. Run the cell yourself: it should finish in a few seconds.")


#: The least time the kit's own read-only cells get (imports, data, reflections) on a busy server.
KIT_CELL_TIME_LIMIT = 120


def cell_timeout(cell, *, limit: int) -> int:
    """Seconds `cell` may run at autograding (nbclient's ``timeout_func``).

    The participant's code and the tests that run it get the cohort's `limit`; the kit's own read-only
    cells (the imports and data of the practice analysis, the reflections), which no participant can
    make loop, get at least `KIT_CELL_TIME_LIMIT`, so a loaded server never stops them.
    """
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if meta.get("locked") and not meta.get("grade") and not meta.get("solution"):
        return max(limit, KIT_CELL_TIME_LIMIT)
    return limit


def _grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def reflection_cells(cells) -> dict[str, int]:
    """``{reflection id: index}`` of the reflection cells (``reflection("<id>")``, locked, id as grade id)."""
    out = {}
    for i, cell in enumerate(cells):
        match = _CALL.match(cell.get("source", "")) if cell.get("cell_type") == "code" else None
        if match and match.group(1) == _grade_id(cell):
            out[match.group(1)] = i
    return out


def _is_criterion_of(cell, rid: str) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("task")) and str(meta.get("grade_id", "")).startswith(f"{rid}-")


class OverwriteCells(_NbgraderOverwriteCells):
    """nbgrader's `OverwriteCells`, without the warning for restores that every submission needs.

    A read-only cell comes back from the gradebook with its hidden tests or mark scheme, which the
    released copy never had, so its checksum always differs: nbgrader warns about it for every such
    cell of every submission. Here that restore is silent when the submitted cell is exactly as
    released (its checksum is the one ``generate_assignment`` wrote into the release), and reported
    in plain words when the participant changed it.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        released = meta.get("checksum")
        self._as_released = bool(released) and "grade_id" in meta and _nbutils.compute_checksum(cell) == released
        self._student = resources.get("nbgrader", {}).get("student", "")
        return super().preprocess_cell(cell, resources, cell_index)

    def report_change(self, name, attr, old, new):
        if attr == "checksum" and self._as_released:
            self.log.debug("Read-only cell %s restored with its hidden parts", name)
            return
        if attr == "checksum":
            self.log.warning("%s changed the read-only cell %s; it was put back as released.", self._student, name)
            return
        super().report_change(name, attr, old, new)


class CleanRubric(NbGraderPreprocessor):
    """Drop the mark-scheme delimiter lines from rubric (task) cells; the rubric itself stays."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown" and any(line in cell.source for line in MARK_SCHEME_LINES):
            lines = [line for line in cell.source.split("\n") if line.strip() not in MARK_SCHEME_LINES]
            cell.source = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
        return cell, resources


class RestoreReflections(NbGraderPreprocessor):
    """Put back every reflection cell the participant deleted or moved, just above its rubric cells.

    The reflection cells of the assignment are read from the gradebook (nbgrader keeps every read-only
    cell there). What was done is left in ``resources["gapkit"]["cells"]`` for `RecordReflections`
    and logged for the facilitator.
    """

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        state = resources.setdefault("gapkit", {}).setdefault("cells", {})
        with Gradebook(info["db_url"]) as gb:
            try:
                source = gb.find_notebook(info["notebook"], info["assignment"]).source_cells
            except MissingEntry:
                return nb, resources
            calls = {c.name: c for c in source
                     if c.cell_type == "code" and c.locked and _CALL.match(c.source or "")
                     and _CALL.match(c.source).group(1) == c.name}
        present = reflection_cells(nb.cells)
        for rid in sorted(calls):
            criteria = [i for i, c in enumerate(nb.cells) if _is_criterion_of(c, rid)]
            if rid in present and (not criteria or present[rid] == criteria[0] - 1):
                state[rid] = "ok"
                continue
            if rid in present:
                cell = nb.cells.pop(present[rid])
                state[rid] = "moved"
            else:
                src = calls[rid]
                cell = nbformat.v4.new_code_cell(source=src.source, metadata={
                    "deletable": False, "editable": False,
                    "nbgrader": {"grade": False, "grade_id": rid, "locked": True, "schema_version": 3,
                                 "solution": False, "task": False, "checksum": src.checksum}})
                state[rid] = "deleted"
            criteria = [i for i, c in enumerate(nb.cells) if _is_criterion_of(c, rid)]
            nb.cells.insert(criteria[0] if criteria else len(nb.cells), cell)
            present = reflection_cells(nb.cells)
            self.log.warning("%s %s the reflection cell %s; it was put back above its rubric and shows the "
                             "answer from the submitted journal.", info["student"], state[rid], rid)
        return nb, resources


class TimeLimitNote(NbGraderPreprocessor):
    """In a cell stopped at the time limit, keep only the plain note (not the interrupted traceback)."""

    def preprocess_cell(self, cell, resources, index):
        outputs = cell.get("outputs", [])
        if cell.cell_type == "code" and any(o.get("ename") == TIME_LIMIT_ENAME for o in outputs):
            cell.outputs = [o for o in outputs if o.get("output_type") != "error" or o.get("ename") == TIME_LIMIT_ENAME]
            self.log.warning("%s: cell %s was stopped at the time limit.", resources["nbgrader"]["student"],
                             _grade_id(cell) or index)
        return cell, resources


class RecordReflections(NbGraderPreprocessor):
    """Note restored cells, keep each answer's fingerprint, and flag answers rewritten after grading.

    For each reflection, the answer is the one in the submitted journal next to the notebook (what
    the reflection cell showed). When an answer differs from the one last autograded and a
    facilitator has scored it, its criterion scores are cleared (the old total is kept, and written
    at the top of the first comment), the submission is flagged in formgrader and
    ``gapkit course status`` lists it under "re-grade". An unchanged answer keeps its score, and
    nbgrader's "needs manual grade" mark (set on every re-run) is taken off it again.
    """

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        db_url, assignment, student = info["db_url"], info["assignment"], info["student"]
        folder = Path(resources.get("metadata", {}).get("path") or ".")
        state = resources.get("gapkit", {}).get("cells", {})
        present = reflection_cells(nb.cells)
        journal = _journal.Journal(folder / _journal.DEFAULT_NAME)
        _store.ensure_tables(db_url)
        known = _store.get_answers(db_url, assignment, student)
        records = []
        with Gradebook(db_url) as gb:
            notebook = gb.find_submission_notebook(info["notebook"], assignment, student)
            grades = {g.name: g for g in notebook.grades}
            comments = {c.name: c for c in notebook.comments}
            for rid, index in present.items():
                try:
                    text = journal.reflection(rid)
                except _journal.JournalError:
                    text = ""
                fingerprint = _store.answer_fingerprint(text)
                criteria = sorted(name for name in grades if name.startswith(f"{rid}-"))
                before = known.get((student, rid))
                regrade = bool(before and before.regrade)
                previous = before.previous_score if before else None
                scored = [grades[n] for n in criteria if grades[n].manual_score is not None]
                if before is not None and before.fingerprint != fingerprint and scored:
                    previous = sum(g.manual_score for g in scored)
                    points = sum(grades[n].max_score for n in criteria)
                    note = (f"[Re-grade: this answer was rewritten after it was graded ({previous:g} of {points:g} "
                            "points then). Earlier comment follows.]")
                    for n in criteria:
                        grades[n].manual_score = None
                        grades[n].needs_manual_grade = True
                    first = comments.get(criteria[0]) if criteria else None
                    if first is not None:
                        first.manual_comment = f"{note}\n{first.manual_comment or ''}".rstrip()
                    notebook.flagged = True
                    regrade = True
                    self.log.warning("%s rewrote reflection %s after it was graded (%g points); its score was "
                                     "cleared for grading again.", student, rid, previous)
                elif before is not None and before.fingerprint == fingerprint:
                    for g in scored:
                        g.needs_manual_grade = False
                if regrade and criteria and all(grades[n].manual_score is not None for n in criteria):
                    regrade = False  # graded again since
                cell_state = state.get(rid, "ok")
                if cell_state != "ok":
                    self._note(nb.cells[index], cell_state)
                records.append(_store.AnswerRecord(rid, fingerprint, _journal.word_count(text), cell_state, regrade,
                                                   previous))
            gb.db.commit()
        # Written once the gradebook session is closed: with SQLite, one connection writes at a time.
        for record in records:
            _store.put_answer(db_url, assignment, student, record)
        return nb, resources

    @staticmethod
    def _note(cell, state: str) -> None:
        what = "deleted from" if state == "deleted" else "moved in"
        text = (f"_This reflection cell was {what} the submitted notebook and has been put back here; the answer "
                "above is the one saved in the submitted journal._")
        cell.outputs.append(nbformat.v4.new_output("display_data", data={"text/markdown": text, "text/plain": text}))


class Execute(_NbgraderExecute):
    """nbgrader's ``Execute``, whose kernel talks over unix sockets rather than loopback TCP ports.

    Over TCP, jupyter_client picks a kernel's ports before the kernel binds them; on a busy machine
    (several submissions graded at once) another process can take one in between, and the kernel exits
    with "Address already in use", failing a submission through no fault of its own.
    """

    def create_kernel_manager(self):
        return _use_ipc(super().create_kernel_manager())
