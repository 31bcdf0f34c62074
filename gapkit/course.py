"""The course's nbgrader assignments, its course folder, and feedback without hidden tests.

One nbgrader assignment per module of each track (``m00``, ``m01``, ... for the first track,
another letter for each other track), built from the course files so that prompts, exercises and
rubrics live once, in ``modules/``:

* the **practice analysis** (modules with ``practice`` and ``task`` blocks): for each exercise the
  instructions; the no-code route (a read-only cell showing the evidence and an answer box, saved in
  the journal) and/or the code route (a solution cell); and an autograded test cell with visible and
  hidden tests, which reads the answer from whichever route gave one (`gapkit.widgets.practice_answer`);
  an exercise's written reason is graded like a reflection;
* the module's **graded reflections**: a read-only code cell calling
  ``gapkit.widgets.reflection("<id>")`` and a *manually graded task* cell with the points and the
  rubric between ``=== BEGIN MARK SCHEME ===`` and ``=== END MARK SCHEME ===``.

`assignment_notebook` makes each source notebook, which ``gapkit build`` writes to
``notebooks/assignments/<assignment>/`` (`gapkit.build`); `init_course` lays out a course folder for nbgrader
(``gapkit course init DIR [--track T]``). Everything after that is nbgrader's own commands
(``docs/facilitating.md``).

The reflection bridge: the widgets autosave the participant's answers to ``reflections.json`` in
the assignment folder (`gapkit.journal`); ``nbgrader submit`` and ``collect`` carry the file with
the notebook; ``autograde`` copies it from ``submitted/`` to ``autograded/`` and executes the
notebook there, where the same widget call, headless, prints the saved answer as Markdown and the
test cells read the boxes' answers. So every answer is in formgrader and in the feedback. The
course's ``nbgrader_config.py`` keeps nbgrader from overwriting a journal with a file of the same
name from ``source/``, and adds `RemoveHiddenTests` to ``generate_feedback``.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import List, Unicode

from gapkit import content as _content
from gapkit import journal as _journal

__all__ = [
    "ASSIGNMENTS_DIR",
    "CONFIG_FILE",
    "DATA_FILE",
    "JOURNAL_FILE",
    "COURSE_FOLDERS",
    "Task",
    "Practice",
    "Assignment",
    "load_practice",
    "course_assignments",
    "assignment_notebook",
    "criterion_grade_id",
    "write_model_answers",
    "init_course",
    "drop_journal_from_release",
    "RemoveHiddenTests",
]

#: Where the nbgrader source notebooks live in the repository (nbgrader's source layout).
ASSIGNMENTS_DIR = Path("notebooks") / "assignments"
#: The nbgrader configuration copied to the root of every course folder.
CONFIG_FILE = Path("course_config") / "nbgrader_config.py"
#: The cohort's deadlines, late policy and time limit, copied to a course folder once (`gapkit.grading.policy`).
POLICY_FILE = Path("course_config") / "grading.yaml"
#: The sample district's records, as released with each practice analysis.
DATA_FILE = "students.csv"
#: The reflection journal the widget writes next to the notebook.
JOURNAL_FILE = _journal.DEFAULT_NAME
#: The folders of an nbgrader course folder.
COURSE_FOLDERS = ("source", "release", "submitted", "autograded", "feedback")

#: A practice analysis and its exercises are typed blocks of the module (`gapkit.content`).
Task = _content.Task
Practice = _content.Practice

_NBGRADER_SCHEMA = 3
_BEGIN_SOLUTION, _END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
_BEGIN_HIDDEN, _END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
_BEGIN_SCHEME, _END_SCHEME = "=== BEGIN MARK SCHEME ===", "=== END MARK SCHEME ==="


class CourseError(ValueError):
    """A course file or course folder is not usable; the message names the file and the problem."""


# ---------------------------------------------------------------------------------------------
# The assignments
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Assignment:
    """One module's nbgrader assignment in one track: the practice analysis (if any) and graded reflections."""

    id: str
    module: _content.Module
    practice: Practice | None
    reflections: tuple[_content.Reflection, ...]
    track: _content.Track | None = None

    @property
    def number(self) -> int:
        return self.track.number(self.module.id) if self.track else self.module.number

    @property
    def notebook(self) -> str:
        """The notebook's file name in the assignment folder."""
        return f"{self.module.id}.ipynb"

    @property
    def points(self) -> int:
        practice = self.practice.points if self.practice else 0
        return practice + sum(r.points for r in self.reflections)


def load_practice(root=None) -> dict[str, Practice]:
    """The practice analyses of the published modules, by module id (from their ``task`` blocks)."""
    course = _content.load_course(root)
    return {m.id: m.practice for m in course.modules if m.practice is not None}


def course_assignments(course: _content.Course | None = None, *, root=None,
                       track: str | None = None) -> tuple[Assignment, ...]:
    """Every track's assignments, track by track in course order (only `track`'s when given).

    A module has an assignment in a track when it has a practice analysis or a graded reflection.

    Parameters
    ----------
    course : gapkit.content.Course, optional
        Default: the published course (`gapkit.content.load_course`).
    root : path-like, optional
        The repository root, when `course` is not given.
    track : str, optional
        A track id.
    """
    if course is None:
        course = _content.load_course(root)
    tracks = course.tracks if track is None else (course.track(track),)
    out = []
    for t in tracks:
        for module in t.modules:
            graded = tuple(r for r in module.reflections if r.graded)
            if module.practice is not None or graded:
                out.append(Assignment(id=t.assignment_id(module.id), module=module, practice=module.practice,
                                      reflections=graded, track=t))
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Building the source notebooks
# ---------------------------------------------------------------------------------------------

def _cell(kind: str, source: str, grade_id: str, *, locked=False, solution=False, grade=False,
          task=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": _NBGRADER_SCHEMA,
            "solution": solution, "task": task}
    if points is not None:
        meta["points"] = points
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    cell = make(source=source, metadata={"nbgrader": meta})
    cell["id"] = grade_id
    return cell


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _header(a: Assignment) -> str:
    m = a.module
    parts = []
    if a.practice:
        auto = sum(t.points for t in a.practice.tasks)
        reasons = sum(t.reason.points for t in a.practice.tasks if t.reason)
        written = f" and {_plural(reasons, 'point')} for written reasons, read by your facilitator" if reasons else ""
        parts.append(f"a practice analysis on the sample district ({_plural(auto, 'point')} checked "
                     f"automatically{written})")
    if a.reflections:
        parts.append(f"{_plural(len(a.reflections), 'graded reflection')} "
                     f"({_plural(sum(r.points for r in a.reflections), 'point')}, read by your facilitator "
                     "against a rubric)")
    track = f"*{a.track.title}*, " if a.track else ""
    lines = [
        f"# Module {a.number} assignment: {m.title}",
        "",
        f"{track}assignment `{a.id}`. It has {' and '.join(parts)}: {_plural(a.points, 'point')} in all.",
        "",
        "**How to work in this notebook**",
        "",
        "1. Run the cells from the top (menu *Run*, then *Run All Cells*). Read-only cells (the instructions, "
        "the checks, the answer boxes and the reflection boxes) cannot be changed or deleted.",
    ]
    step = 2
    if a.practice:
        lines.append(f"{step}. Each exercise can be answered **without code**, in the box under the evidence it "
                     "shows, or **with code**, in the cell marked for it, using the gapkit helpers the exercise "
                     "names: use either. Then run the check cell below it. A check that stays quiet has passed; a "
                     "message tells you what to look at. More checks run when your facilitator grades the "
                     "assignment.")
        step += 1
    lines += [
        f"{step}. Write each reflection and reason in its box. Every change is saved to `{JOURNAL_FILE}` in this "
        "folder, and that file is submitted with the notebook.",
        f"{step + 1}. Submit from the *Assignments* tab.",
        "",
        "Sources for this module: " + "; ".join(s.citation() for s in m.sources) + ".",
    ]
    return "\n".join(lines)


def _setup(a: Assignment) -> str:
    lines = []
    if a.practice:
        lines += [
            "from gapkit import add_el_groups, gap_table, read_records",
            "from gapkit.lookup import estimate, largest, shown, suppressed_cells",
            "from gapkit.proficiency import elp_growth, former_el_outcomes, long_term_el_share, median_years, "
            "reclassification_time",
            "from gapkit.widgets import practice_answer, task_widget",
        ]
    if a.reflections or (a.practice and any(t.reason for t in a.practice.tasks)):
        lines.append("from gapkit.widgets import reflection")
    if a.practice:
        lines += ["", f'records = add_el_groups(read_records("{DATA_FILE}"))']
        if a.practice.setup:
            lines += [a.practice.setup]
    return "\n".join(lines)


def criterion_grade_id(reflection_id: str, number: int) -> str:
    """The nbgrader grade id of a reflection's rubric criterion (numbered from 1, in rubric order)."""
    return f"{reflection_id}-c{number}"


def _criterion_cells(r: _content.Reflection, what: str = "reflection") -> list:
    """One manually graded task cell per rubric criterion: its points, and its levels as the mark scheme.

    Scoring each criterion in its own cell keeps the rubric's scores in the gradebook (formgrader
    shows one score box beside each criterion, and the exports carry them) and the reflection's
    total is their sum. Each level shows what an answer at that level does and its anchor answer;
    the first cell states the pass mark.
    """
    out = []
    for n, c in enumerate(r.rubric, start=1):
        levels = "\n".join(f"| {lv.score} | {_content._one_line(lv.descriptor)} | {_content._one_line(lv.anchor)} |"
                           for lv in c.levels)
        intro = (f"**Graded {what} `{r.id}`: {_plural(r.points, 'point')} in {len(r.rubric)} "
                 f"{'criterion' if len(r.rubric) == 1 else 'criteria'}; "
                 f"{r.pass_points} to pass.** The answer you wrote above is saved in `{JOURNAL_FILE}` and graded "
                 "from there.\n\n"
                 if n == 1 else "")
        out.append(_cell(
            "markdown",
            f"{intro}**Criterion {n} of {len(r.rubric)}: {_content._one_line(c.name)} "
            f"({_plural(c.points, 'point')})**\n\n{_BEGIN_SCHEME}\n\n| Points | What the answer shows | Anchor answer |\n"
            f"|---|---|---|\n{levels}\n\n{_END_SCHEME}",
            criterion_grade_id(r.id, n), task=True, locked=True, points=c.points))
    return out


def _reflection_cells(aid: str, r: _content.Reflection, what: str = "reflection") -> list:
    """The reflection's widget cell (read-only; its id is the reflection's) and its criterion cells."""
    return [_cell("code", f'reflection("{r.id}")', r.id, locked=True), *_criterion_cells(r, what)]


def _test_source(t: Task) -> str:
    read = ""
    if t.box_route:
        code_value = f"{t.name}, " if t.code_route else ""
        read = f'{t.name} = practice_answer("{t.id}", {code_value}module="{t.module_id}")\n'
    return f"{read}{t.tests}\n{_BEGIN_HIDDEN}\n{t.hidden_tests}\n{_END_HIDDEN}"


def assignment_notebook(assignment: Assignment) -> nbformat.NotebookNode:
    """The nbgrader source notebook of one assignment (solutions, hidden tests and mark schemes in).

    Cell ids and nbgrader grade ids are derived from the assignment, task and reflection ids, so the
    same course files always give the same notebook.
    """
    a = assignment
    aid = a.id
    cells = [
        _cell("markdown", _header(a), f"{aid}-header", locked=True),
        _cell("code", _setup(a), f"{aid}-setup", locked=True),
    ]
    if a.practice:
        cells.append(_cell("markdown", "## Practice analysis\n\n" + a.practice.intro, f"{aid}-practice",
                           locked=True))
        for n, t in enumerate(a.practice.tasks, start=1):
            routes = " (answer in the box, or with code)" if t.box_route and t.code_route else (
                " (answer in the box)" if t.box_route else " (answer with code)")
            cells.append(_cell("markdown", f"### Exercise {n}: {_plural(t.points, 'point')}{routes}\n\n{t.text}",
                               f"{aid}-{t.id}-text", locked=True))
            if t.box_route:
                cells.append(_cell("code", f'task_widget("{t.id}", module="{t.module_id}")', f"{aid}-{t.id}-box",
                                   locked=True))
            if t.code_route:
                # The model answer ends by showing its value, which the source notebook keeps (`gapkit.outputs`).
                cells.append(_cell("code", f"{t.answer}\n{_BEGIN_SOLUTION}\n{t.solution}\n{t.name}\n{_END_SOLUTION}",
                                   f"{aid}-{t.id}-answer", solution=True))
            cells.append(_cell("code", _test_source(t), f"{aid}-{t.id}-tests", grade=True, locked=True,
                               points=t.points))
            if t.reason:
                cells.append(_cell("markdown", f"**Why?** {t.reason.prompt}", f"{aid}-{t.id}-why", locked=True))
                cells += _reflection_cells(aid, t.reason, "reason")
    if a.reflections:
        cells.append(_cell("markdown", "## Reflections\n\nYour facilitator reads each answer and scores "
                           "it with the rubric shown under *Show how it is graded*.", f"{aid}-reflections",
                           locked=True))
    for r in a.reflections:
        cells += _reflection_cells(aid, r)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    nbformat.validate(nb)
    return nb


def write_model_answers(assignment: Assignment, path) -> Path:
    """Write the journal a participant leaves who typed the model answer in every box-only exercise.

    Such an answer reaches the checks only through the journal (`gapkit.widgets.practice_answer`),
    so the source notebook passes its tests, hidden ones included, only with this journal beside
    it. Returns `path`.
    """
    journal = _journal.Journal(path)
    for t in assignment.practice.tasks if assignment.practice else ():
        if t.box_route and not t.code_route:
            journal.put("answers", f"{t.module_id}:{t.id}", {"text": str(t.model), "value": t.model})
    return Path(path)


# ---------------------------------------------------------------------------------------------
# The course folder
# ---------------------------------------------------------------------------------------------

def init_course(course_dir, *, root=None, track: str | None = None) -> Path:
    """Lay out an nbgrader course folder: config, ``source/`` with the assignments, empty step folders.

    Copies ``course_config/nbgrader_config.py`` to the folder, each assignment's source notebook
    from ``notebooks/assignments/`` into ``source/<assignment>/`` together with the sample
    district's records (``students.csv``) for assignments with a practice analysis, and creates
    ``release/``, ``submitted/``, ``autograded/`` and ``feedback/``. Source notebooks already in
    the folder are replaced; the gradebook, everything participants submitted and the cohort's
    ``grading.yaml`` (copied from ``course_config/grading.yaml`` the first time) are left alone.

    Parameters
    ----------
    course_dir : path-like
        The course folder (created when missing).
    root : path-like, optional
        The repository root (default: `gapkit.content.find_root`).
    track : str, optional
        Only this track's assignments (default: every track's; their ids differ by prefix, so
        one course folder can hold both).

    Returns
    -------
    pathlib.Path
        The course folder.

    Raises
    ------
    CourseError
        A committed source notebook is out of date (run ``gapkit build``).
    """
    from gapkit.build import out_of_date

    root = _content.find_root(root) if root is None else Path(root)
    course = _content.load_course(root)
    stale = out_of_date(root, parts=["assignments"])
    if stale:
        raise CourseError("These source notebooks do not match the course files; run "
                          f"`gapkit build` first: {', '.join(stale)}.")
    course_dir = Path(course_dir)
    if course_dir.exists() and not course_dir.is_dir():
        raise CourseError(f"`course_dir` ({str(course_dir)!r}) exists and is not a folder.")
    for folder in COURSE_FOLDERS:
        (course_dir / folder).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(root / CONFIG_FILE, course_dir / CONFIG_FILE.name)
    if not (course_dir / POLICY_FILE.name).exists():  # the cohort's dates: copied once, never replaced
        shutil.copyfile(root / POLICY_FILE, course_dir / POLICY_FILE.name)
    try:
        todo = course_assignments(course, track=track)
    except KeyError as exc:
        raise CourseError(str(exc).strip('"')) from None
    data = root / course.dataset
    for a in todo:
        target = course_dir / "source" / a.id
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / ASSIGNMENTS_DIR / a.id / a.notebook, target / a.notebook)
        if a.practice:
            if not data.is_file():
                raise CourseError(f"course_config/course.yaml: `dataset` ({course.dataset!r}) not found in {root}.")
            shutil.copyfile(data, target / DATA_FILE)
    return course_dir


def drop_journal_from_release(*, assignment, student, notebooks) -> None:
    """nbgrader ``post_convert_hook`` for ``generate_assignment``: keep journals out of ``release/``.

    nbgrader copies every file of ``source/<assignment>/`` to ``release/<assignment>/``. A
    facilitator who tried a reflection in the source notebook left a ``reflections.json`` there,
    which would hand every participant the facilitator's answers; this removes it from the release.
    """
    for notebook in notebooks:
        folder = Path(notebook).parent
        release = folder.parent.parent / "release" / folder.name
        for name in (JOURNAL_FILE, f".{JOURNAL_FILE}.lock"):  # the journal and its lock file
            if (release / name).is_file():
                (release / name).unlink()


# ---------------------------------------------------------------------------------------------
# Feedback without hidden tests
# ---------------------------------------------------------------------------------------------

class RemoveHiddenTests(NbGraderPreprocessor):
    """Remove hidden tests from feedback (``generate_feedback``): the code and what it printed on failure.

    nbgrader's feedback is the autograded notebook, whose test cells hold the hidden tests again.
    In every code cell with a ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` region, the
    region is replaced by one comment line, and an error's traceback (which quotes the failing line)
    is cut to the error's name and message. Visible tests, scores, comments and the rubrics stay
    (only the ``=== BEGIN/END MARK SCHEME ===`` delimiter lines go).
    """

    begin_test_delimeter = Unicode("BEGIN HIDDEN TESTS", help="Marks the start of hidden tests").tag(config=True)
    end_test_delimeter = Unicode("END HIDDEN TESTS", help="Marks the end of hidden tests").tag(config=True)
    placeholder = Unicode("# Hidden tests ran here; they are not shown.",
                          help="The line shown in place of the hidden tests").tag(config=True)
    # Configurable, as in nbgrader's GetGrades: the HTML exporter configures it for every
    # preprocessor, and traitlets warns about an option a preprocessor does not take.
    display_data_priority = List(["text/html", "application/pdf", "text/latex", "image/svg+xml", "image/png",
                                  "image/jpeg", "text/plain"]).tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown" and _BEGIN_SCHEME in cell.source:
            # The rubric stays; the delimiter lines are for nbgrader, not for participants.
            cell.source = "\n".join(line for line in cell.source.split("\n")
                                    if line.strip() not in (_BEGIN_SCHEME, _END_SCHEME))
            return cell, resources
        if cell.cell_type != "code" or self.begin_test_delimeter not in cell.source:
            return cell, resources
        kept, inside = [], False
        for line in cell.source.split("\n"):
            if self.begin_test_delimeter in line:
                inside = True
                kept.append(line[: len(line) - len(line.lstrip())] + self.placeholder)
            elif self.end_test_delimeter in line:
                inside = False
            elif not inside:
                kept.append(line)
        # An unterminated region is dropped to the end of the cell: nothing of it may show.
        cell.source = "\n".join(kept)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources
