"""One cohort through nbgrader's real cycle, graded in SQLite and in a real PostgreSQL server.

The facilitator lays out a course folder (`gapkit course init`), generates and releases the
module 1 assignment; three participants fetch it, answer (their reflections typed through the
reflection widget, whose journal lands in the assignment folder) and submit. The facilitator
imports the roster, collects, autogrades, enters reflection grades and comments through
nbgrader's Gradebook API, generates feedback and exports grades. The participants' side runs once;
the grading side runs once per gradebook database.

Expected scores are worked out by hand from the points in modules/01-what-gaps-are.md: exercises worth
2, 1, 1, 2, 2 and 1 points (el-gap-points, el-gap-scale, el-behind, ever-el-gap, v-gap, v-versus-cut),
two written reasons worth 2 points each (m01-why-current-el-gap, m01-why-v: one criterion each) and the
reflection m01-gaps-in-my-school (criteria worth 3, 3 and 4 points): 23 in all. Each participant answers
some exercises with code and some in the answer boxes (the no-code route), which save to the journal as
reflections do.

=========  ===============================================================  ====  ======  =====  ======
who        what they did                                                    auto  manual  total  after
                                                                                                 penalty
=========  ===============================================================  ====  ======  =====  ======
amorales   every exercise right (code, and the boxes for the two choices),     9    11      20     20
           both reasons (2 + 1) and a full reflection (8)
bokafor    only the mean gap's scale right (wrong column, wrong box, wrong      1     3       4      4
           sign, V and the V choice left empty); deleted the reflection cell
           (the answer is in the journal)
cnguyen    the ever-EL answer loops forever (stopped: 0 of 2); V and the        7     0       7      4.7
           choices right in the boxes; reflection empty, submitted late
=========  ===============================================================  ====  ======  =====  ======

The cohort's grading.yaml puts the deadline between bokafor's and cnguyen's submissions, with no grace
period and 10% of the points per started day: cnguyen is a few seconds late, one day, 23 x 10% = 2.3
points off (7 - 2.3 = 4.7).
"""
from __future__ import annotations

import csv
import datetime as dt
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbgrader.api import Gradebook

from gapkit.course import JOURNAL_FILE, init_course, load_practice
from gapkit.journal import Journal
from gapkit.widgets import reflection, task_widget

from nbgrader_helpers import COURSE_ID, REPO, cells_by_id, clean_env, nbgrader, only_notebook

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]

ASSIGNMENT = "m01"
MODULE = "01-what-gaps-are"
REFLECTION = "m01-gaps-in-my-school"
CRITERIA = [f"{REFLECTION}-c{n}" for n in (1, 2, 3)]  # rubric: 3 + 3 + 4 points
REASONS = ["m01-why-current-el-gap", "m01-why-v"]  # one criterion of 2 points each
MAX_SCORE = 23  # 2 + 1 + 1 + 2 + 2 + 1 autograded, 2 + 2 for the reasons, 10 for the reflection

ALICE_TEXT = (
    "Gap 1: current ELs (focal) versus never-EL students (reference) in grade 5 math, measured as the "
    "difference in percent proficient; behind it, fewer ELs reach grade-level math groups.\n\n"
    "Gap 2: former ELs versus never-EL students in Algebra I enrolment by grade 8, an enrolment ratio; "
    "the placement process is the opportunity gap to check."
)
BOB_TEXT = "ELs do worse in math because of language."
ALICE_REASONS = {
    "m01-why-current-el-gap": ("The current-EL group loses its strongest students each year as they are "
                               "reclassified, so its gap looks wider than the group's progress; the ever-EL "
                               "gap follows the same students."),
    "m01-why-v": "V, because a cut score hides movement below the bar.",
}
STRAY_TEXT = "An answer from the facilitator's own journal"

# (criterion scores, comment) for the reflection, entered by the facilitator (8, 3 and 0 of 10).
MANUAL = {
    "amorales": ((3, 2, 3), "Both gaps are precise; name the evidence that would confirm the placement gap."),
    "bokafor": ((1, 1, 1), "Name the focal and reference groups, a measure, and the opportunity behind the gap."),
    "cnguyen": ((0, 0, 0), "No reflection was saved; please talk to me about resubmitting."),
}
# The reasons' scores (m01-why-current-el-gap, m01-why-v), entered by the facilitator.
MANUAL_REASONS = {"amorales": (2, 1), "bokafor": (0, 0), "cnguyen": (0, 0)}
EXPECTED = {  # student: (autograded points, total), by hand (module docstring)
    "amorales": (9, 20),
    "bokafor": (1, 4),
    "cnguyen": (7, 7),
}
AFTER_PENALTY = {"amorales": 20, "bokafor": 4, "cnguyen": 4.7}
# Seconds per cell at autograding (grading.yaml): the loop is stopped after this. The slowest cell the
# limit applies to (a hidden test that fits a probit model) takes under 1 s of CPU.
TIME_LIMIT = 10


def _grading_yaml(course: Path, due_utc: dt.datetime) -> None:
    """The cohort's grading.yaml: the deadline (written in New York time), 10% per day, no grace."""
    local = due_utc.replace(tzinfo=dt.timezone.utc).astimezone(__import__("zoneinfo").ZoneInfo("America/New_York"))
    (course / "grading.yaml").write_text(
        "schema_version: 1\ntimezone: America/New_York\n"
        f"due:\n  {ASSIGNMENT}: {local:%Y-%m-%d %H:%M:%S}\n"
        "late_policy:\n  grace_minutes: 0\n  penalty_per_day: 10\n  max_penalty: 50\n"
        f"cell_time_limit: {TIME_LIMIT}\n", encoding="utf-8")
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


def _box(folder: Path, task_id: str, value: str) -> None:
    """Answer an exercise in its box, as in JupyterLab: the widget saves the answer to the journal."""
    widget = task_widget(task_id, module=MODULE, journal=Journal(folder / JOURNAL_FILE))
    widget.box.value = value
    assert widget.result is not None and widget.result["text"] == value


def _type_reflection(folder: Path, *texts: str, rid: str = REFLECTION) -> None:
    """Type into the reflection widget, as in JupyterLab: each value is one autosave to the journal."""
    widget = reflection(rid, journal=Journal(folder / JOURNAL_FILE))
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
    answer = {tid: f"{ASSIGNMENT}-{tid}-answer" for tid in tasks if tasks[tid].code_route}
    homes = {}
    for student in ROSTER:
        home = base / "home" / student
        home.mkdir(parents=True)
        homes[student] = home
        nbgrader("fetch_assignment", ASSIGNMENT, "--course", COURSE_ID, f"--Exchange.root={exchange}",
                 cwd=home, env=_participant_env(home))
    folder = {s: homes[s] / ASSIGNMENT for s in ROSTER}

    _answer(folder["amorales"], {answer[t]: _solution(tasks[t]) for t in answer})
    _box(folder["amorales"], "el-behind", "B")
    _box(folder["amorales"], "v-versus-cut", "C")
    _type_reflection(folder["amorales"], "Gap 1", ALICE_TEXT)
    for rid, text in ALICE_REASONS.items():
        _type_reflection(folder["amorales"], text, rid=rid)

    # Bob builds the right table but reports the focal group's percent proficient as the gap, reads the
    # direction wrong in the box, gives the ever-EL gap the wrong sign and leaves V empty: only the
    # gap's scale is right.
    wrong_points = tasks["el-gap-points"].solution.replace('measure="proportion_difference")',
                                                           'measure="proportion_difference", column="value_focal")')
    assert wrong_points != tasks["el-gap-points"].solution
    _answer(folder["bokafor"], {
        answer["el-gap-points"]: wrong_points,
        answer["el-gap-scale"]: _solution(tasks["el-gap-scale"]),
        answer["ever-el-gap"]: "ever_el_gap_points = -19.7",
    })
    _box(folder["bokafor"], "el-behind", "A")
    _type_reflection(folder["bokafor"], BOB_TEXT)

    # Bob also deletes the (read-only) reflection cell, as a participant can from the notebook's file.
    nb_path = only_notebook(folder["bokafor"])
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells = [c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") != REFLECTION]
    nbformat.write(nb, nb_path)

    _answer(folder["cnguyen"], {**{answer[t]: _solution(tasks[t]) for t in ("el-gap-points", "el-gap-scale")},
                                answer["ever-el-gap"]: "ever_el_gap_points = None\nwhile True:\n    pass"})
    _box(folder["cnguyen"], "el-behind", "B")
    _box(folder["cnguyen"], "v-gap", "0.65")
    _box(folder["cnguyen"], "v-versus-cut", "C")
    _type_reflection(folder["cnguyen"], "draft", "")  # typed, then cleared: saved as empty

    for student in ROSTER:
        if student == "cnguyen":  # the deadline passes: after Bob's submission, before Chi's
            deadline = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0) + dt.timedelta(seconds=1)
            while dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) < deadline + dt.timedelta(seconds=1):
                time.sleep(0.2)
        nbgrader("submit", ASSIGNMENT, "--course", COURSE_ID, f"--Exchange.root={exchange}",
                 f"--student={student}", cwd=homes[student], env=_participant_env(homes[student]))
    _grading_yaml(course, deadline)
    return {"base": base, "exchange": exchange, "release_course": course, "homes": homes, "deadline": deadline}


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
    roster = (REPO / "course_config" / "roster.example.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    # as docs/facilitating.md says: the facilitators' rows left out of nbgrader's student list
    (course / "participants.csv").write_text("".join(r for r in roster if ",facilitator," not in r), encoding="utf-8")

    if backend == "postgresql":  # a second course folder: put the assignment in the server's gradebook
        nbgrader("generate_assignment", ASSIGNMENT, cwd=course, env=env)
    nbgrader("db", "student", "import", "participants.csv", cwd=course, env=env)
    collected = nbgrader("collect", ASSIGNMENT, cwd=course, env=env)
    autograded = nbgrader("autograde", ASSIGNMENT, cwd=course, env=env)

    with Gradebook(db_url, course_id=COURSE_ID) as gb:
        for student, (scores, comment) in MANUAL.items():
            for cell, score in zip(CRITERIA, scores):
                gb.find_grade(cell, MODULE, ASSIGNMENT, student).manual_score = score
            gb.find_comment(CRITERIA[0], MODULE, ASSIGNMENT, student).manual_comment = comment
            for rid, score in zip(REASONS, MANUAL_REASONS[student]):
                gb.find_grade(f"{rid}-c1", MODULE, ASSIGNMENT, student).manual_score = score
        gb.db.commit()

    nbgrader("generate_feedback", ASSIGNMENT, cwd=course, env=env)
    nbgrader("export", "--to", "grades.csv", cwd=course, env=env)
    return {"backend": backend, "course": course, "db_url": db_url, "homes": cohort["homes"], "env": env,
            "collect_log": collected.stdout + collected.stderr, "autograde_log": autograded.stdout + autograded.stderr}


@pytest.fixture(scope="module")
def graded_sqlite(cohort):
    """Graded in the course folder that released the assignment, with its SQLite gradebook (the usual case)."""
    return _grade(cohort, "sqlite", cohort["release_course"], None)


@pytest.fixture(scope="module")
def graded_postgresql(cohort, postgres_url):
    """Graded in a second course folder whose gradebook is on a real PostgreSQL server."""
    course = init_course(cohort["base"] / "grading-postgresql", root=REPO)
    _grading_yaml(course, cohort["deadline"])
    return _grade(cohort, "postgresql", course, postgres_url)


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
            "m01-v-gap-tests": (2, 0, 2),
            "m01-v-versus-cut-tests": (1, 0, 1),
        }
        with Gradebook(graded["db_url"], course_id=COURSE_ID) as gb:
            for cell, scores in expected.items():
                got = tuple(gb.find_grade(cell, MODULE, ASSIGNMENT, s).score for s in ROSTER)
                assert got == scores, cell

    def test_export(self, graded):
        """Does nbgrader's grade file hold every participant's name and score, late penalty taken off?"""
        with open(graded["course"] / "grades.csv", newline="", encoding="utf-8") as handle:
            rows = {r["student_id"]: r for r in csv.DictReader(handle)}
        assert set(rows) == set(ROSTER)
        for student, total in AFTER_PENALTY.items():
            assert float(rows[student]["score"]) == pytest.approx(total)
            assert float(rows[student]["max_score"]) == MAX_SCORE
            assert (rows[student]["first_name"], rows[student]["last_name"]) == ROSTER[student]

    def test_deadline_and_late_penalty(self, graded, cohort):
        """Is the deadline from grading.yaml in the gradebook, and only the late submission 2.3 points down?"""
        with Gradebook(graded["db_url"], course_id=COURSE_ID) as gb:
            assert gb.find_assignment(ASSIGNMENT).duedate == cohort["deadline"]
            late = {s: gb.find_submission(ASSIGNMENT, s) for s in ROSTER}
            assert [s for s, sub in late.items() if sub.total_seconds_late > 0] == ["cnguyen"]
            assert late["cnguyen"].late_submission_penalty == pytest.approx(2.3)  # 23 points x 10% x 1 day
            assert late["amorales"].late_submission_penalty == 0
        assert "Late submission penalty (Score: -2.3)" in _words(_feedback_text(graded, "cnguyen"))

    def test_reflections_in_autograded_notebooks(self, graded):
        """Is each reflection's saved text, or a visible 'no answer', in the autograded notebook?"""
        for student, expected in (("amorales", "placement process is the opportunity gap"),
                                  ("bokafor", "ELs do worse in math because of language"),
                                  ("cnguyen", "No answer was written")):
            cell = cells_by_id(_autograded(graded, student))[REFLECTION]
            shown = " ".join(o.get("data", {}).get("text/markdown", "") for o in cell.outputs)
            assert expected in _words(shown.replace("\\", "")), (student, cell.outputs)
            assert STRAY_TEXT not in shown

    def test_deleted_reflection_cell_put_back(self, graded):
        """Is Bob's deleted reflection cell back above its rubric, with his answer and a note for the grader?"""
        nb = _autograded(graded, "bokafor")
        ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]
        assert ids.index(REFLECTION) == ids.index(CRITERIA[0]) - 1
        shown = " ".join(str(o.get("data", {}).get("text/markdown", "")) for o in cells_by_id(nb)[REFLECTION].outputs)
        assert "deleted from the submitted notebook and has been put back" in shown
        assert "deleted the reflection cell m01-gaps-in-my-school" in graded["autograde_log"]

    def test_looping_cell_stopped_with_plain_note(self, graded):
        """Is Chi's endless loop stopped at the time limit, with a plain note instead of CellTimeoutError?"""
        cells = cells_by_id(_autograded(graded, "cnguyen"))
        errors = [o for o in cells["m01-ever-el-gap-answer"].outputs if o["output_type"] == "error"]
        assert [e["ename"] for e in errors] == ["Stopped after the time limit"]
        assert f"still running after {TIME_LIMIT} seconds" in errors[0]["evalue"]
        text = _words(_feedback_text(graded, "cnguyen"))
        assert f"still running after {TIME_LIMIT} seconds, so grading stopped it" in text
        assert "CellTimeoutError" not in text and "KeyboardInterrupt" not in text

    def test_rubric_without_mark_scheme_lines(self, graded):
        """Do the rubric cells the grader sees hold the rubric but not nbgrader's delimiter lines?"""
        cells = cells_by_id(_autograded(graded, "amorales"))
        for cell in CRITERIA:
            assert "MARK SCHEME" not in cells[cell].source
            assert "| Points | What the answer shows |" in cells[cell].source
        assert "Groups and comparison" in cells[CRITERIA[0]].source

    def test_no_alarming_warnings(self, graded):
        """Does autograding stay quiet about the restores every submission needs (checksums, SQLAlchemy)?"""
        assert "checksum" not in graded["autograde_log"].lower()
        assert "SAWarning" not in graded["collect_log"]


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
        for student, total in AFTER_PENALTY.items():  # nbgrader's feedback shows the score after the penalty
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
        """Does a participant fetch their own feedback (score 20 of 23, no hidden tests), and only theirs?"""
        found = list(returned.rglob(f"{MODULE}.html"))
        assert len(found) == 1
        for path in found:
            text = _words(BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").get_text(" "))
            assert "Score: 20.0 / 23.0" in text and "_expected" not in text


# ---------------------------------------------------------------------------------------------
# The facilitator's list, grades for the LMS, and re-submissions (SQLite gradebook)
# ---------------------------------------------------------------------------------------------

def _gapkit(*args, cwd, env) -> str:
    """Run a real ``gapkit`` command; fail the test with its output if it fails."""
    import subprocess

    from nbgrader_helpers import BIN

    done = subprocess.run([str(BIN / "gapkit"), *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, f"`gapkit {' '.join(map(str, args))}` failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


class TestFacilitatorList:
    def test_status_lists_what_is_left(self, graded_sqlite):
        """Does `gapkit course status` show scores after penalty, the late submission and the put-back cell?"""
        out = _gapkit("course", "status", ASSIGNMENT, cwd=graded_sqlite["course"], env=graded_sqlite["env"])
        lines = {line.split()[0]: line for line in out.splitlines()
                 if line.startswith("  ") and line.split()[0] in ROSTER}
        assert "20 / 23" in lines["amorales"] and "on time" in lines["amorales"]
        assert "4.7 / 23" in lines["cnguyen"] and "late by" in lines["cnguyen"] and "2.3 points off" in lines["cnguyen"]
        assert "cell m01-gaps-in-my-school was deleted by the participant (put back)" in out
        assert "3 submissions; 3 fully graded" in out.replace(f"{ASSIGNMENT}: ", "")


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(text.splitlines()))


class TestLmsExport:
    """Columns as each LMS documents them (see gapkit.grading.export for the sources), values by hand."""

    def test_canvas(self, graded_sqlite):
        """Does the Canvas file start with Canvas's five columns and a Points Possible row, then the scores?"""
        out = graded_sqlite["course"] / "canvas.csv"
        _gapkit("course", "export", "--to", "canvas", "--out", out, "--section", "Region 3",
                cwd=graded_sqlite["course"], env=graded_sqlite["env"])
        rows = _csv(out.read_text(encoding="utf-8"))
        header, points = rows[0], rows[1]
        assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
        criteria = ["m01 m01-gaps-in-my-school c1: Groups and comparison", "m01 m01-gaps-in-my-school c2: Outcome "
                    "and measure", "m01 m01-gaps-in-my-school c3: Opportunity behind the gap",
                    "m01 m01-why-current-el-gap c1: Reason and comparison",
                    "m01 m01-why-v c1: Choice of measure for the audience"]
        assert header[5:] == ["m01 total", *criteria]
        assert points == ["Points Possible", "", "", "", "", "23", "3", "3", "4", "2", "2"]
        body = {r[2]: r for r in rows[2:]}
        assert body["amorales"][:5] == ["Morales, Ana", "", "amorales", "amorales", "Region 3"]
        assert body["amorales"][5:] == ["20", "3", "2", "3", "2", "1"]
        assert body["bokafor"][5:] == ["4", "1", "1", "1", "0", "0"]
        assert body["cnguyen"][5:] == ["4.7", "0", "0", "0", "0", "0"]  # 7 - 2.3 late penalty

    def test_moodle(self, graded_sqlite):
        """Does the Moodle file identify users by email and ID number, with grade and feedback columns?"""
        out = graded_sqlite["course"] / "moodle.csv"
        _gapkit("course", "export", "--to", "moodle", "--out", out, cwd=graded_sqlite["course"],
                env=graded_sqlite["env"])
        rows = _csv(out.read_text(encoding="utf-8"))
        assert rows[0][:4] == ["First name", "Last name", "ID number", "Email address"]
        assert "m01 m01-gaps-in-my-school (feedback)" in rows[0] and rows[0][-1] == "m01 m01-why-v (feedback)"
        body = {r[2]: dict(zip(rows[0], r)) for r in rows[1:]}
        assert body["amorales"]["Email address"] == "ana.morales@example.org"
        assert body["amorales"]["m01 total"] == "20" and body["cnguyen"]["m01 total"] == "4.7"
        assert body["bokafor"]["m01 m01-gaps-in-my-school (feedback)"] == MANUAL["bokafor"][1]


@pytest.fixture(scope="module")
def resubmitted(cohort, graded_sqlite):
    """After grading, Ana rewrites her reflection and Bob fixes an exercise in its box; both submit again.

    Graded in a copy of the SQLite course folder, so the other tests keep the first grading.
    """
    course = cohort["base"] / "resubmit-course"
    shutil.copytree(graded_sqlite["course"], course)
    _type_reflection(cohort["homes"]["amorales"] / ASSIGNMENT, ALICE_TEXT + "\n\nGap 3: attendance.")
    _box(cohort["homes"]["bokafor"] / ASSIGNMENT, "el-behind", "B")
    for student in ("amorales", "bokafor"):
        nbgrader("submit", ASSIGNMENT, "--course", COURSE_ID, f"--Exchange.root={cohort['exchange']}",
                 f"--student={student}", cwd=cohort["homes"][student], env=_participant_env(cohort["homes"][student]))
    env = graded_sqlite["env"]
    collected = nbgrader("collect", ASSIGNMENT, cwd=course, env=env)
    nbgrader("autograde", ASSIGNMENT, cwd=course, env=env)
    return {"course": course, "db_url": f"sqlite:///{course / 'gradebook.db'}", "env": env,
            "collect_log": collected.stdout + collected.stderr}


class TestResubmission:
    def test_collect_takes_the_newest(self, resubmitted):
        """Does the documented `nbgrader collect` replace an earlier submission with the newer one?"""
        assert "Updating submission: bokafor m01" in resubmitted["collect_log"]
        journal = Journal(resubmitted["course"] / "submitted" / "bokafor" / ASSIGNMENT / JOURNAL_FILE)
        assert journal.get("answers", f"{MODULE}:el-behind")["text"] == "B"

    def test_rewritten_reflection_flagged_for_regrade(self, resubmitted):
        """Is Ana's rewritten reflection ungraded again, flagged, with her old score kept in the comment?"""
        with Gradebook(resubmitted["db_url"], course_id=COURSE_ID) as gb:
            scores = [gb.find_grade(c, MODULE, ASSIGNMENT, "amorales") for c in CRITERIA]
            assert [g.manual_score for g in scores] == [None, None, None]
            assert all(g.needs_manual_grade for g in scores)
            comment = gb.find_comment(CRITERIA[0], MODULE, ASSIGNMENT, "amorales").manual_comment
            assert comment.startswith("[Re-grade: this answer was rewritten after it was graded (8 of 10 points then)")
            assert MANUAL["amorales"][1] in comment
            assert gb.find_submission_notebook(MODULE, ASSIGNMENT, "amorales").flagged
            assert gb.find_submission(ASSIGNMENT, "amorales").code_score == 9

    def test_unchanged_reflection_keeps_its_grade(self, resubmitted):
        """Does Bob's unchanged reflection keep its scores, not marked for grading, while his new box answer counts?"""
        with Gradebook(resubmitted["db_url"], course_id=COURSE_ID) as gb:
            scores = [gb.find_grade(c, MODULE, ASSIGNMENT, "bokafor") for c in CRITERIA]
            assert [g.manual_score for g in scores] == [1, 1, 1]
            assert not any(g.needs_manual_grade for g in scores)
            assert not gb.find_submission_notebook(MODULE, ASSIGNMENT, "bokafor").flagged
            assert gb.find_submission(ASSIGNMENT, "bokafor").score == 5  # el-behind now right: 1 + 1 + 3

    def test_status_shows_regrade(self, resubmitted):
        """Does the facilitator's list say which reflection to re-grade, and only Ana's?"""
        out = _gapkit("course", "status", ASSIGNMENT, cwd=resubmitted["course"], env=resubmitted["env"])
        assert "re-grade m01-gaps-in-my-school (rewritten after grading)" in out
        assert out.count("re-grade") == 1
