"""The course's nbgrader assignments, its course folder, and feedback without hidden tests.

One nbgrader assignment per module (``m01``, ``m02``, ...), built from the course files so that
prompts and rubrics live once, in ``modules/``:

* the **practice analysis** (modules that have one; ``notebooks/assignments/practice.yaml``):
  exercises on the sample district, each a solution cell followed by an autograded test cell with
  visible and hidden tests;
* the module's **graded reflections**: a read-only code cell calling
  ``gapkit.widgets.reflection("<id>")`` and a *manually graded task* cell with the points and the
  rubric between ``=== BEGIN MARK SCHEME ===`` and ``=== END MARK SCHEME ===``.

`assignment_notebook` makes each source notebook, which ``gapkit build`` writes to
``notebooks/assignments/<assignment>/`` (`gapkit.build`); `init_course` lays out a course folder for nbgrader
(``gapkit course init DIR``). Everything after that is nbgrader's own commands
(``docs/facilitating.md``).

The reflection bridge: the widget autosaves the participant's answers to ``reflections.json`` in
the assignment folder (`gapkit.journal`); ``nbgrader submit`` and ``collect`` carry the file with
the notebook; ``autograde`` copies it from ``submitted/`` to ``autograded/`` and executes the
notebook there, where the same widget call, headless, prints the saved answer as Markdown. So the
answer is in formgrader and in the feedback. The course's ``nbgrader_config.py`` keeps nbgrader
from overwriting a journal with a file of the same name from ``source/``, and adds
`RemoveHiddenTests` to ``generate_feedback``.
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from gapkit import content as _content
from gapkit import journal as _journal

__all__ = [
    "ASSIGNMENTS_DIR",
    "PRACTICE_FILE",
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
    "init_course",
    "drop_journal_from_release",
    "RemoveHiddenTests",
]

#: Where the nbgrader source notebooks live in the repository (nbgrader's source layout).
ASSIGNMENTS_DIR = Path("notebooks") / "assignments"
#: The practice analyses: exercises, solutions and tests, per module id.
PRACTICE_FILE = ASSIGNMENTS_DIR / "practice.yaml"
#: The nbgrader configuration copied to the root of every course folder.
CONFIG_FILE = Path("course_config") / "nbgrader_config.py"
#: The sample district's records, as released with each practice analysis.
DATA_FILE = "students.csv"
#: The reflection journal the widget writes next to the notebook.
JOURNAL_FILE = _journal.DEFAULT_NAME
#: The folders of an nbgrader course folder.
COURSE_FOLDERS = ("source", "release", "submitted", "autograded", "feedback")
#: Version of practice.yaml this gapkit reads.
PRACTICE_SCHEMA_VERSION = 1

_NBGRADER_SCHEMA = 3
_BEGIN_SOLUTION, _END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
_BEGIN_HIDDEN, _END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
_BEGIN_SCHEME, _END_SCHEME = "=== BEGIN MARK SCHEME ===", "=== END MARK SCHEME ==="
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class CourseError(ValueError):
    """A course file or course folder is not usable; the message names the file and the problem."""


# ---------------------------------------------------------------------------------------------
# The practice analyses
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Task:
    """One autograded exercise: instructions, the answer line, the solution and the tests.

    ``answer`` is what the participant starts from (e.g. ``el_gap_points = None``); the solution
    follows it between ``### BEGIN SOLUTION`` / ``### END SOLUTION``. ``tests`` run in the released
    notebook; ``hidden_tests`` only at autograding. ``points`` are earned when the test cell runs
    without error.
    """

    id: str
    text: str
    answer: str
    solution: str
    points: int
    tests: str
    hidden_tests: str


@dataclass(frozen=True)
class Practice:
    """The practice analysis of one module: an introduction, setup code and the tasks."""

    module_id: str
    intro: str
    setup: str
    tasks: tuple[Task, ...]

    @property
    def points(self) -> int:
        return sum(t.points for t in self.tasks)


@dataclass(frozen=True)
class Assignment:
    """One module's nbgrader assignment: the practice analysis (if any) and graded reflections."""

    id: str
    module: _content.Module
    practice: Practice | None
    reflections: tuple[_content.Reflection, ...]

    @property
    def notebook(self) -> str:
        """The notebook's file name in the assignment folder."""
        return f"{self.module.id}.ipynb"

    @property
    def points(self) -> int:
        practice = self.practice.points if self.practice else 0
        return practice + sum(r.points for r in self.reflections)


def _text_field(data: dict, key: str, where: str, *, required: bool = True) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise CourseError(f"{where}: `{key}` must be non-empty text; got {value!r}.")
    return value.strip("\n")


def _task(raw, where: str) -> Task:
    if not isinstance(raw, dict):
        raise CourseError(f"{where}: a task must be a mapping; got {type(raw).__name__}.")
    tid = raw.get("id")
    if not isinstance(tid, str) or not _ID.match(tid):
        raise CourseError(f"{where}: `id` ({tid!r}) must be lower-case letters, digits and hyphens.")
    where = f"{where}, task {tid!r}"
    points = raw.get("points")
    if isinstance(points, bool) or not isinstance(points, int) or points < 1:
        raise CourseError(f"{where}: `points` must be a positive integer; got {points!r}.")
    fields = {k: _text_field(raw, k, where) for k in ("text", "answer", "solution", "tests", "hidden_tests")}
    for key in ("answer", "solution", "tests", "hidden_tests"):
        if any(d in fields[key] for d in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS",
                                          "END HIDDEN TESTS")):
            raise CourseError(f"{where}: `{key}` must not contain nbgrader delimiters; they are added when "
                              "the notebook is built.")
    return Task(id=tid, points=points, **fields)


def load_practice(root=None) -> dict[str, Practice]:
    """The practice analyses in ``notebooks/assignments/practice.yaml``, by module id.

    Parameters
    ----------
    root : path-like, optional
        The repository root (default: `gapkit.content.find_root`).

    Raises
    ------
    CourseError
        The file is missing or malformed; the message names the file, module and task.
    """
    root = _content.find_root(root) if root is None else Path(root)
    path = root / PRACTICE_FILE
    where = PRACTICE_FILE.as_posix()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CourseError(f"{where}: file not found in {root}.") from None
    except yaml.YAMLError as exc:
        raise CourseError(f"{where}: not valid YAML ({exc}).") from None
    if not isinstance(data, dict) or data.get("schema_version") != PRACTICE_SCHEMA_VERSION:
        version = data.get("schema_version") if isinstance(data, dict) else None
        raise CourseError(f"{where}: `schema_version` is {version!r}; this gapkit reads "
                          f"{PRACTICE_SCHEMA_VERSION}.")
    modules = data.get("modules")
    if not isinstance(modules, dict):
        raise CourseError(f"{where}: `modules` must map module ids to practice analyses.")
    out = {}
    for mid, raw in modules.items():
        here = f"{where}, module {mid!r}"
        if not isinstance(raw, dict):
            raise CourseError(f"{here}: must be a mapping with intro, setup and tasks.")
        tasks = raw.get("tasks")
        if not isinstance(tasks, list) or not tasks:
            raise CourseError(f"{here}: `tasks` must be a non-empty list.")
        parsed = tuple(_task(t, here) for t in tasks)
        ids = [t.id for t in parsed]
        if len(set(ids)) != len(ids):
            raise CourseError(f"{here}: task ids must be unique; got {', '.join(ids)}.")
        out[str(mid)] = Practice(module_id=str(mid), intro=_text_field(raw, "intro", here),
                                 setup=_text_field(raw, "setup", here, required=False), tasks=parsed)
    return out


def course_assignments(course: _content.Course | None = None, *, root=None) -> tuple[Assignment, ...]:
    """Every module's assignment, in course order: modules with a practice analysis or a graded reflection.

    Parameters
    ----------
    course : gapkit.content.Course, optional
        Default: the published course (`gapkit.content.load_course`).
    root : path-like, optional
        Where ``notebooks/assignments/practice.yaml`` is (default: the course's root).
    """
    if course is None:
        course = _content.load_course(root)
    root = Path(root if root is not None else course.root)
    practice = load_practice(root)
    known = {m.id for m in course.modules}
    unknown = sorted(set(practice) - known)
    if unknown:
        raise CourseError(f"{PRACTICE_FILE.as_posix()}: {', '.join(map(repr, unknown))} is not a published "
                          f"module; modules are: {', '.join(sorted(known))}.")
    out = []
    for module in course.modules:
        graded = tuple(r for r in module.reflections if r.graded)
        if module.id in practice or graded:
            out.append(Assignment(id=f"m{module.number:02d}", module=module,
                                  practice=practice.get(module.id), reflections=graded))
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
        parts.append(f"a practice analysis on the sample district ({_plural(a.practice.points, 'point')}, "
                     "checked automatically)")
    if a.reflections:
        parts.append(f"{_plural(len(a.reflections), 'graded reflection')} "
                     f"({_plural(sum(r.points for r in a.reflections), 'point')}, read by your facilitator "
                     "against a rubric)")
    lines = [
        f"# Module {m.number} assignment: {m.title}",
        "",
        f"This assignment has {' and '.join(parts)}: {_plural(a.points, 'point')} in all.",
        "",
        "**How to work in this notebook**",
        "",
        "1. Run the cells from the top (menu *Run*, then *Run All Cells*). Read-only cells (the instructions, the checks and the reflection boxes) cannot be changed or deleted.",
    ]
    if a.practice:
        lines.append("2. In each exercise, replace `None` with your answer, using the gapkit functions the "
                     "exercise names, then run the check cell below it. A check that stays quiet has "
                     "passed; a message tells you what to look at. More checks run when your facilitator "
                     "grades the assignment.")
    lines += [
        f"{3 if a.practice else 2}. Write each reflection in its answer box. Every change is saved to "
        f"`{JOURNAL_FILE}` in this folder, and that file is submitted with the notebook.",
        f"{4 if a.practice else 3}. Submit from the *Assignments* tab.",
        "",
        "Sources for this module: " + "; ".join(s.citation() for s in m.sources) + ".",
    ]
    return "\n".join(lines)


def _setup(a: Assignment) -> str:
    lines = []
    if a.practice:
        lines += [
            "from gapkit.readers import read_records",
            "from gapkit.records import add_el_groups",
            "from gapkit.tables import gap_table",
        ]
    if a.reflections:
        lines.append("from gapkit.widgets import reflection")
    if a.practice:
        lines += ["", f'records = add_el_groups(read_records("{DATA_FILE}"))']
        if a.practice.setup:
            lines += [a.practice.setup]
    return "\n".join(lines)


def assignment_notebook(assignment: Assignment) -> nbformat.NotebookNode:
    """The nbgrader source notebook of one assignment (solutions, hidden tests and mark schemes in).

    Cell ids and nbgrader grade ids are derived from the module, task and reflection ids, so the
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
            cells.append(_cell("markdown", f"### Exercise {n} ({_plural(t.points, 'point')})\n\n{t.text}",
                               f"{aid}-{t.id}-text", locked=True))
            cells.append(_cell("code", f"{t.answer}\n{_BEGIN_SOLUTION}\n{t.solution}\n{_END_SOLUTION}",
                               f"{aid}-{t.id}-answer", solution=True))
            cells.append(_cell("code", f"{t.tests}\n{_BEGIN_HIDDEN}\n{t.hidden_tests}\n{_END_HIDDEN}",
                               f"{aid}-{t.id}-tests", grade=True, locked=True, points=t.points))
    if a.reflections:
        cells.append(_cell("markdown", "## Reflections\n\nYour facilitator reads each answer and scores "
                           "it with the rubric shown under *Show how it is graded*.", f"{aid}-reflections",
                           locked=True))
    for r in a.reflections:
        cells.append(_cell("code", f'reflection("{r.id}")', r.id, locked=True))
        cells.append(_cell(
            "markdown",
            f"**Graded reflection `{r.id}`: {_plural(r.points, 'point')}.** The answer you wrote above is "
            f"saved in `{JOURNAL_FILE}` and graded from there.\n\n{_BEGIN_SCHEME}\n\n"
            f"{r.rubric_markdown().strip()}\n\n{_END_SCHEME}",
            f"{r.id}-grade", task=True, locked=True, points=r.points))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    nbformat.validate(nb)
    return nb


# ---------------------------------------------------------------------------------------------
# The course folder
# ---------------------------------------------------------------------------------------------

def init_course(course_dir, *, root=None) -> Path:
    """Lay out an nbgrader course folder: config, ``source/`` with every assignment, empty step folders.

    Copies ``course_config/nbgrader_config.py`` to the folder, each assignment's source notebook
    from ``notebooks/assignments/`` into ``source/<assignment>/`` together with the sample
    district's records (``students.csv``) for assignments with a practice analysis, and creates
    ``release/``, ``submitted/``, ``autograded/`` and ``feedback/``. Source notebooks already in
    the folder are replaced; the gradebook and everything participants submitted are left alone.

    Parameters
    ----------
    course_dir : path-like
        The course folder (created when missing).
    root : path-like, optional
        The repository root (default: `gapkit.content.find_root`).

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
    data = root / course.dataset
    for a in course_assignments(course, root=root):
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
