"""One cohort through nbgrader's real cycle, graded in SQLite and in a real PostgreSQL server.

The facilitator lays out a course folder (`gapkit course init`), generates and releases the
module 1 assignment; three participants fetch it, answer (their reflections typed through the
reflection widget, whose journal lands in the assignment folder) and submit. The facilitator
imports the roster, collects, autogrades, enters reflection grades and comments through
nbgrader's Gradebook API, generates feedback and exports grades. The participants' side runs once;
the grading side runs once per gradebook database.

Expected scores are worked out by hand from the points in notebooks/assignments/practice.yaml
(module 01-what-gaps-are: exercises worth 2, 1, 1 and 2 points) and modules/01-what-gaps-are.md
(reflection m01-gaps-in-my-school: 10 points):

=========  ==========================================================  ====  ======  =====
who        what they did                                               auto  manual  total
=========  ==========================================================  ====  ======  =====
amorales   every exercise right, a full reflection                      6     8       14
bokafor    only the mean gap right (2 + 1 + 1 + 2 -> 0 + 1 + 0 + 0)    1     3       4
cnguyen    deleted the ever-EL answer cell (0 of 2), reflection empty  4     0       4
=========  ==========================================================  ====  ======  =====
"""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbgrader.api import Gradebook

from gapkit.course import JOURNAL_FILE, init_course, load_practice
from gapkit.journal import Journal
from gapkit.widgets import reflection

from nbgrader_helpers import COURSE_ID, REPO, cells_by_id, clean_env, nbgrader, only_notebook

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]

ASSIGNMENT = "m01"
MODULE = "01-what-gaps-are"
REFLECTION = "m01-gaps-in-my-school"
CRITERIA = [f"{REFLECTION}-c{n}" for n in (1, 2, 3)]  # rubric: 3 + 3 + 4 points
MAX_SCORE = 16  # 2 + 1 + 1 + 2 autograded, 10 for the reflection

ALICE_TEXT = (
    "Gap 1: current ELs (focal) versus never-EL students (reference) in grade 5 math, measured as the "
    "difference in percent proficient; behind it, fewer ELs reach grade-level math groups.\n\n"
    "Gap 2: former ELs versus never-EL students in Algebra I enrolment by grade 8, an enrolment ratio; "
    "the placement process is the opportunity gap to check."
)
BOB_TEXT = "ELs do worse in math because of language."
STRAY_TEXT = "An answer from the facilitator's own journal"

# (criterion scores, comment) for the reflection, entered by the facilitator (8, 3 and 0 of 10).
MANUAL = {
    "amorales": ((3, 2, 3), "Both gaps are precise; name the evidence that would confirm the placement gap."),
    "bokafor": ((1, 1, 1), "Name the focal and reference groups, a measure, and the opportunity behind the gap."),
    "cnguyen": ((0, 0, 0), "No reflection was saved; please talk to me about resubmitting."),
}
EXPECTED = {  # student: (autograded points, total), by hand (module docstring)
    "amorales": (6, 14),
    "bokafor": (1, 4),
    "cnguyen": (4, 4),
}
ROSTER = {"amorales": ("Ana", "Morales"), "bokafor": ("Ben", "Okafor"), "cnguyen": ("Chi", "Nguyen")}


def _hidden_lines() -> list[str]:
    """Every distinctive line of module 1's hidden tests (what must never reach a participant)."""
    practice = load_practice(REPO)[MODULE]
    lines = [line.strip() for t in practice.tasks for line in t.hidden_tests.splitlines()]
    return [line for line in lines if len(line) > 12]


def _solution(task) -> str:
    return f"{task.answer}\n{task.solution}"


def _answer(folder: Path, answers: dict, *, delete=()) -> None:
    """Fill solution cells (by grade id) of the fetched notebook, and delete cells, as a participant would."""
    path = only_notebook(folder)
    nb = nbformat.read(path, as_version=4)
    cells = cells_by_id(nb)
    for grade_id, source in answers.items():
        cells[grade_id].source = source
    nb.cells = [c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") not in delete]
    nbformat.write(nb, path)


def _type_reflection(folder: Path, *texts: str) -> None:
    """Type into the reflection widget, as in JupyterLab: each value is one autosave to the journal."""
    widget = reflection(REFLECTION, journal=Journal(folder / JOURNAL_FILE))
    for text in texts:
        widget.text.value = text
    assert widget.result is not None and widget.result.text == texts[-1]


def _participant_env(home: Path) -> dict:
    """A participant's own environment: their home (nbgrader keeps its submission cache there)."""
    return clean_env(HOME=home, JUPYTER_CONFIG_DIR=home / ".jupyter")


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """The assignment released from one course folder, fetched, answered and submitted by three participants."""
    base = tmp_path_factory.mktemp("cohort")
    exchange = base / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    course = init_course(base / "release-course", root=REPO)
    (base / "facilitator").mkdir()
    env = clean_env(GAPKIT_NBGRADER_EXCHANGE=exchange, JUPYTER_CONFIG_DIR=base / "jupyter", HOME=base / "facilitator")
    nbgrader("generate_assignment", ASSIGNMENT, cwd=course, env=env)
    nbgrader("release_assignment", ASSIGNMENT, cwd=course, env=env)

    tasks = {t.id: t for t in load_practice(REPO)[MODULE].tasks}
    answer = {tid: f"{ASSIGNMENT}-{tid}-answer" for tid in tasks}
    homes = {}
    for student in ROSTER:
        home = base / "home" / student
        home.mkdir(parents=True)
        homes[student] = home
        nbgrader("fetch_assignment", ASSIGNMENT, "--course", COURSE_ID, f"--Exchange.root={exchange}",
                 cwd=home, env=_participant_env(home))
    folder = {s: homes[s] / ASSIGNMENT for s in ROSTER}

    _answer(folder["amorales"], {answer[t]: _solution(tasks[t]) for t in tasks})
    _type_reflection(folder["amorales"], "Gap 1", ALICE_TEXT)

    # Bob builds the right table but reports the focal group's percent proficient as the gap,
    # reads the direction wrong and gives the ever-EL gap the wrong sign: only the mean gap is right.
    wrong_points = tasks["el-gap-points"].solution.replace('"estimate"].item()', '"value_focal"].item()')
    assert wrong_points != tasks["el-gap-points"].solution
    _answer(folder["bokafor"], {
        answer["el-gap-points"]: wrong_points,
        answer["el-gap-scale"]: _solution(tasks["el-gap-scale"]),
        answer["el-behind"]: "el_behind = False",
        answer["ever-el-gap"]: "ever_el_gap_points = -19.7",
    })
    _type_reflection(folder["bokafor"], BOB_TEXT)

    _answer(folder["cnguyen"], {answer[t]: _solution(tasks[t]) for t in ("el-gap-points", "el-gap-scale",
                                                                          "el-behind")},
            delete={answer["ever-el-gap"]})
    _type_reflection(folder["cnguyen"], "draft", "")  # typed, then cleared: saved as empty

    for student in ROSTER:
        nbgrader("submit", ASSIGNMENT, "--course", COURSE_ID, f"--Exchange.root={exchange}",
                 f"--CourseDirectory.student_id={student}", cwd=homes[student], env=_participant_env(homes[student]))
    return {"base": base, "exchange": exchange, "release_course": course, "homes": homes}


def _grade(cohort, backend: str, course: Path, db_url: str | None) -> dict:
    """The facilitator's side: roster, collect, autograde, reflection grades, feedback, export."""
    base = cohort["base"]
    # The facilitator's shell names a journal of their own (as `gapkit serve --journal` does):
    # autograding must still show each submission's own journal.
    stray = Journal(base / "facilitator" / f"{backend}-journal.json")
    stray.save_reflection(REFLECTION, STRAY_TEXT)
    extra = {"GAPKIT_NBGRADER_EXCHANGE": cohort["exchange"], "JUPYTER_CONFIG_DIR": base / "jupyter",
             "HOME": base / "facilitator", "GAPKIT_JOURNAL": stray.path}
    if db_url:
        extra["GAPKIT_NBGRADER_DB_URL"] = db_url
    else:
        db_url = f"sqlite:///{course / 'gradebook.db'}"
    env = clean_env(**extra)
    shutil.copyfile(REPO / "course_config" / "roster.example.csv", course / "roster.csv")

    if backend == "postgresql":  # a second course folder: put the assignment in the server's gradebook
        nbgrader("generate_assignment", ASSIGNMENT, cwd=course, env=env)
    nbgrader("db", "student", "import", "roster.csv", cwd=course, env=env)
    nbgrader("collect", ASSIGNMENT, cwd=course, env=env)
    nbgrader("autograde", ASSIGNMENT, cwd=course, env=env)

    with Gradebook(db_url, course_id=COURSE_ID) as gb:
        for student, (scores, comment) in MANUAL.items():
            for cell, score in zip(CRITERIA, scores):
                gb.find_grade(cell, MODULE, ASSIGNMENT, student).manual_score = score
            gb.find_comment(CRITERIA[0], MODULE, ASSIGNMENT, student).manual_comment = comment
        gb.db.commit()

    nbgrader("generate_feedback", ASSIGNMENT, cwd=course, env=env)
    nbgrader("export", "--to", "grades.csv", cwd=course, env=env)
    return {"backend": backend, "course": course, "db_url": db_url, "homes": cohort["homes"], "env": env}


@pytest.fixture(scope="module")
def graded_sqlite(cohort):
    """Graded in the course folder that released the assignment, with its SQLite gradebook (the usual case)."""
    return _grade(cohort, "sqlite", cohort["release_course"], None)


@pytest.fixture(scope="module")
def graded_postgresql(cohort, postgres_url):
    """Graded in a second course folder whose gradebook is on a real PostgreSQL server."""
    return _grade(cohort, "postgresql", init_course(cohort["base"] / "grading-postgresql", root=REPO), postgres_url)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def graded(request):
    """The same cohort graded with each gradebook database."""
    return request.getfixturevalue(f"graded_{request.param}")


@pytest.fixture(scope="module")
def returned(cohort, graded_sqlite):
    """Feedback released to the exchange and fetched by one participant."""
    env, home = graded_sqlite["env"], cohort["homes"]["amorales"]
    nbgrader("release_feedback", ASSIGNMENT, cwd=graded_sqlite["course"], env=env)
    nbgrader("fetch_feedback", ASSIGNMENT, "--course", COURSE_ID, f"--Exchange.root={cohort['exchange']}",
             "--CourseDirectory.student_id=amorales", cwd=home, env=_participant_env(home))
    return home / ASSIGNMENT / "feedback"


def _autograded(graded, student):
    return nbformat.read(only_notebook(graded["course"] / "autograded" / student / ASSIGNMENT), as_version=4)


def _feedback_text(graded, student) -> str:
    html = (graded["course"] / "feedback" / student / ASSIGNMENT / f"{MODULE}.html").read_text(encoding="utf-8")
    return BeautifulSoup(html, "html.parser").get_text(" ")


def _words(text: str) -> str:
    return " ".join(text.split())


class TestRelease:
    def test_released_notebook_has_no_hidden_tests_or_solutions(self, cohort):
        """Are the hidden tests, the solutions and the mark scheme gone from every released copy?"""
        copies = [only_notebook(cohort["release_course"] / "release" / ASSIGNMENT),
                  only_notebook(cohort["exchange"] / COURSE_ID / "outbound" / ASSIGNMENT)]
        practice = load_practice(REPO)[MODULE]
        for path in copies:
            text = path.read_text(encoding="utf-8")
            assert "HIDDEN TESTS" not in text and "MARK SCHEME" not in text
            for line in _hidden_lines():
                assert line not in text, f"hidden test line {line!r} released in {path}"
            assert practice.tasks[0].solution.splitlines()[-1].strip() not in text

    def test_journal_lands_in_assignment_folder(self, cohort):
        """Does the widget save each participant's reflection in the folder nbgrader submits?"""
        journal = Journal(cohort["homes"]["amorales"] / ASSIGNMENT / JOURNAL_FILE)
        assert journal.reflection(REFLECTION) == ALICE_TEXT
        assert Journal(cohort["homes"]["cnguyen"] / ASSIGNMENT / JOURNAL_FILE).reflection(REFLECTION) == ""


class TestGrading:
    def test_scores(self, graded):
        """Are the autograded and total scores exactly the hand-computed ones?"""
        with Gradebook(graded["db_url"], course_id=COURSE_ID) as gb:
            for student, (auto, total) in EXPECTED.items():
                submission = gb.find_submission(ASSIGNMENT, student)
                assert submission.max_score == MAX_SCORE
                assert submission.code_score == auto, student
                assert submission.score == total, student

    def test_cell_scores(self, graded):
        """Does each exercise earn its points only when its hidden tests pass?"""
        expected = {  # test cell: points for amorales, bokafor, cnguyen
            "m01-el-gap-points-tests": (2, 0, 2),
            "m01-el-gap-scale-tests": (1, 1, 1),
            "m01-el-behind-tests": (1, 0, 1),
            "m01-ever-el-gap-tests": (2, 0, 0),
        }
        with Gradebook(graded["db_url"], course_id=COURSE_ID) as gb:
            for cell, scores in expected.items():
                got = tuple(gb.find_grade(cell, MODULE, ASSIGNMENT, s).score for s in ROSTER)
                assert got == scores, cell

    def test_export(self, graded):
        """Does the exported grade file hold every participant's name and score?"""
        with open(graded["course"] / "grades.csv", newline="", encoding="utf-8") as handle:
            rows = {r["student_id"]: r for r in csv.DictReader(handle)}
        assert set(rows) == set(ROSTER)
        for student, (_, total) in EXPECTED.items():
            assert float(rows[student]["score"]) == total
            assert float(rows[student]["max_score"]) == MAX_SCORE
            assert (rows[student]["first_name"], rows[student]["last_name"]) == ROSTER[student]

    def test_reflections_in_autograded_notebooks(self, graded):
        """Is each reflection's saved text, or a visible 'no answer', in the autograded notebook?"""
        for student, expected in (("amorales", "placement process is the opportunity gap"),
                                  ("bokafor", "ELs do worse in math because of language"),
                                  ("cnguyen", "No answer was written")):
            cell = cells_by_id(_autograded(graded, student))[REFLECTION]
            shown = " ".join(o.get("data", {}).get("text/markdown", "") for o in cell.outputs)
            assert expected in _words(shown.replace("\\", "")), (student, cell.outputs)
            assert STRAY_TEXT not in shown

    def test_deleted_cell_scores_zero(self, graded):
        """Is the deleted answer cell's exercise failed (not skipped) in the autograded notebook?"""
        cells = cells_by_id(_autograded(graded, "cnguyen"))
        assert "m01-ever-el-gap-answer" not in cells
        errors = [o for o in cells["m01-ever-el-gap-tests"].outputs if o["output_type"] == "error"]
        assert errors and errors[0]["ename"] == "NameError"


class TestFeedback:
    def test_no_hidden_tests_in_any_feedback(self, graded):
        """Is no line of the hidden tests in any feedback file, even where a hidden test failed?"""
        files = sorted((graded["course"] / "feedback").rglob("*.html"))
        assert len(files) == len(ROSTER)
        for path in files:
            raw = path.read_text(encoding="utf-8")
            assert "HIDDEN TESTS" not in raw and "_expected" not in raw  # nor in any attribute or script
            text = BeautifulSoup(raw, "html.parser").get_text(" ")
            assert "HIDDEN TESTS" not in text
            assert "_expected" not in text and "_reference" not in text
            for line in _hidden_lines():
                assert _words(line) not in _words(text), f"{line!r} in {path}"

    def test_feedback_shows_scores_rubric_comments_and_reflection(self, graded):
        """Does each participant see their score, the rubric, the comment and their own reflection?"""
        for student, (_, total) in EXPECTED.items():
            text = _words(_feedback_text(graded, student))
            assert f"Score: {total:.1f} / {MAX_SCORE:.1f}" in text, student
            assert "Groups and comparison" in text and "Opportunity behind the gap" in text
            assert "MARK SCHEME" not in text
            assert _words(MANUAL[student][1]) in text
        assert "placement process is the opportunity gap to check" in _words(_feedback_text(graded, "amorales"))
        assert "No answer was written" in _feedback_text(graded, "cnguyen")

    def test_feedback_keeps_visible_checks_and_failure_message(self, graded):
        """Does a failed hidden test still tell the participant which exercise to look at, without the test?"""
        text = _words(_feedback_text(graded, "bokafor"))
        assert "assert el_gap_points is not None" in text
        assert "Hidden tests ran here; they are not shown." in text
        assert "The gap does not match the sample district" in text

    def test_participant_fetches_own_feedback(self, returned):
        """Does a participant fetch their own feedback (score 14 of 16, no hidden tests), and only theirs?"""
        found = list(returned.rglob(f"{MODULE}.html"))
        assert len(found) == 1
        for path in found:
            text = _words(BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").get_text(" "))
            assert "Score: 14.0 / 16.0" in text and "_expected" not in text
