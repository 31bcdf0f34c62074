"""Six submissions of module 1: parallel autograding, and two facilitators grading at once in formgrader.

One set of six collected submissions (tests/nbgrader/submissions.py: one for each way of answering)
is autograded three times: by nbgrader's own serial ``nbgrader autograde`` into
SQLite (the reference), and by ``gapkit course autograde --jobs 2`` into SQLite and into a real
PostgreSQL server. Every grade, comment and score must be the same, and each way of answering must
earn what it is worth by hand (9, 7 or 1 of the 9 exercise points).

Then two real formgrader servers (Jupyter servers with nbgrader's formgrader, one per facilitator)
grade the PostgreSQL copy at the same time, over real HTTP, saving a score and a comment on the same
rubric criterion in every round: one facilitator's pair must land whole and the other's be refused,
never a mix.
"""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from gapkit.course import init_course
from gapkit.grading import store

from nbgrader_helpers import BIN, COURSE_ID, REPO, cells_by_id, clean_env, create_database, nbgrader, only_notebook
from submissions import ASSIGNMENT, MODULE, PATTERNS, REFLECTION, gradebook_contents, write_submissions

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]

N = len(PATTERNS)  # one participant per way of answering; benchmarks/autograde_bench.py grades a full cohort
CRITERION = f"{REFLECTION}-c1"
#: Exercise points each way of answering earns, by hand from modules/01-what-gaps-are.md: 2 + 1 + 2 + 2
#: for the four answered with code, 1 + 1 for the two answered only in a box (saved in the journal, so 0
#: without a readable one); the deleted answer cell loses the ever-EL gap's 2.
EXPECTED_CODE = {"all-right": 9, "one-right": 1, "deleted-answer": 7, "deleted-reflection": 9,
                 "no-journal": 7, "broken-journal": 7}


def _gapkit(*args, cwd, env) -> subprocess.CompletedProcess:
    done = subprocess.run([str(BIN / "gapkit"), *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=3600)
    assert done.returncode == 0, f"`gapkit {' '.join(map(str, args))}` failed:\n{done.stdout}\n{done.stderr}"
    return done


def _course(base: Path, name: str, env: dict) -> Path:
    course = init_course(base / name, root=REPO)
    nbgrader("generate_assignment", ASSIGNMENT, cwd=course, env=env)
    return course


@pytest.fixture(scope="module")
def submissions(tmp_path_factory, postgres_server):
    base = tmp_path_factory.mktemp("submissions")
    env = clean_env(JUPYTER_CONFIG_DIR=base / "jupyter", HOME=base)
    serial = _course(base, "serial", env)
    students = write_submissions(serial, REPO, N)
    sqlite = base / "parallel-sqlite"
    shutil.copytree(serial, sqlite)  # generated and collected, not graded yet: where the serial run starts
    nbgrader("autograde", ASSIGNMENT, cwd=serial, env=env, timeout=3600)

    sqlite_run = _gapkit("course", "autograde", ASSIGNMENT, "--jobs", "2", cwd=sqlite, env=env)

    pg_url = create_database(postgres_server, "submissions")
    pg_env = clean_env(JUPYTER_CONFIG_DIR=base / "jupyter", HOME=base, GAPKIT_NBGRADER_DB_URL=pg_url)
    pg = _course(base, "parallel-postgresql", pg_env)
    shutil.copytree(serial / "submitted", pg / "submitted", dirs_exist_ok=True)
    pg_run = _gapkit("course", "autograde", ASSIGNMENT, "--jobs", "2", cwd=pg, env=pg_env)
    return {"students": students, "base": base, "env": env, "pg_env": pg_env,
            "courses": {"serial": serial, "sqlite": sqlite, "postgresql": pg},
            "db": {"serial": f"sqlite:///{serial / 'gradebook.db'}", "sqlite": f"sqlite:///{sqlite / 'gradebook.db'}",
                   "postgresql": pg_url},
            "output": {"sqlite": sqlite_run.stdout + sqlite_run.stderr, "postgresql": pg_run.stdout + pg_run.stderr}}


class TestParallelAutograde:
    @pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
    def test_same_grades_as_serial_nbgrader(self, submissions, backend):
        """Does `--jobs 2` write exactly nbgrader's serial grades, comments and scores, for all of them?"""
        reference, parallel = gradebook_contents(submissions["db"]["serial"]), gradebook_contents(submissions["db"][backend])
        assert len({k[0] for k in reference}) == N
        assert parallel == reference
        assert f"{N} of {N} submissions autograded" in submissions["output"][backend]

    def test_scores_by_hand(self, submissions):
        """Does each way of answering earn its exercise points, worked out by hand?"""
        with Gradebook(submissions["db"]["postgresql"], course_id=COURSE_ID) as gb:
            for i, student in enumerate(submissions["students"]):
                pattern = PATTERNS[i % len(PATTERNS)]
                assert gb.find_submission(ASSIGNMENT, student).code_score == EXPECTED_CODE[pattern], (student, pattern)

    def test_reflections_recorded_alike(self, submissions):
        """Are the same answers (and the same put-back cells) recorded by the serial and parallel runs?"""
        def records(db):
            return {k: (r.fingerprint, r.words, r.cell) for k, r in store.get_answers(db, ASSIGNMENT).items()}

        reference = records(submissions["db"]["serial"])
        answered = {rid for _, rid in reference}  # the reflection and the exercises' written reasons
        assert REFLECTION in answered and set(reference) == {(s, rid) for s in submissions["students"] for rid in answered}
        assert records(submissions["db"]["postgresql"]) == reference == records(submissions["db"]["sqlite"])
        deleted = {s for (s, _), r in store.get_answers(submissions["db"]["serial"], ASSIGNMENT).items() if r.cell != "ok"}
        assert deleted == {s for i, s in enumerate(submissions["students"]) if PATTERNS[i % 6] == "deleted-reflection"}

    def test_journal_problem_note_has_no_server_path(self, submissions):
        """Does a broken journal give the participant a note that names files, never the server's folders?"""
        course = submissions["courses"]["sqlite"]
        student = submissions["students"][PATTERNS.index("broken-journal")]
        cell = cells_by_id(nbformat.read(only_notebook(course / "autograded" / student / ASSIGNMENT), 4))[REFLECTION]
        shown = json.dumps(cell.outputs)
        assert "could not be read" in shown and "reflections.unreadable-" in shown
        assert str(course) not in shown and "/autograded/" not in shown


# ---------------------------------------------------------------------------------------------
# Two facilitators in formgrader at once
# ---------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Formgrader:
    """A real Jupyter server with formgrader, started in the course folder for one facilitator."""

    def __init__(self, course: Path, grader: str, env: dict, home: Path):
        self.grader, self.port, self.token = grader, _free_port(), f"token-{grader}"
        home.mkdir(parents=True, exist_ok=True)
        self.log = open(home / "server.log", "w")
        self.process = subprocess.Popen(
            [str(BIN / "jupyter"), "server", "--no-browser", "--allow-root", f"--port={self.port}",
             "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={course}"],
            cwd=course, env={**env, "GAPKIT_GRADER": grader, "HOME": str(home),
                             "JUPYTER_RUNTIME_DIR": str(home / "runtime")},
            stdout=self.log, stderr=subprocess.STDOUT)

    def request(self, method: str, path: str, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def wait(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the {self.grader} server ended:\n{Path(self.log.name).read_text()[-3000:]}")
            try:
                if self.request("GET", "/formgrader/api/status")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        pytest.fail(f"the {self.grader} server did not answer:\n{Path(self.log.name).read_text()[-3000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="module")
def formgraders(submissions):
    course, env = submissions["courses"]["postgresql"], submissions["pg_env"]
    servers = [Formgrader(course, name, env, submissions["base"] / f"home-{name}") for name in ("alice", "bob")]
    try:
        deadline = time.monotonic() + 180
        for server in servers:
            server.wait(deadline)
        yield servers
    finally:
        for server in servers:
            server.stop()


def _ids(db_url: str, student: str) -> tuple[str, str, str]:
    """(grade id, comment id, submitted notebook id) of criterion 1 of one participant's reflection."""
    with Gradebook(db_url, course_id=COURSE_ID) as gb:
        nb = gb.find_submission_notebook(MODULE, ASSIGNMENT, student)
        grade = next(g for g in nb.grades if g.name == CRITERION)
        comment = next(c for c in nb.comments if c.name == CRITERION)
        return grade.id, comment.id, nb.id


class TestTwoFacilitators:
    ROUNDS = 20

    def test_never_a_mixed_grade(self, submissions, formgraders):
        """Saving score and comment at once from two formgraders, round after round: is any result mixed?"""
        db = submissions["db"]["postgresql"]
        alice, bob = formgraders
        mixed, refused = [], {"alice": 0, "bob": 0}
        for r in range(self.ROUNDS):
            student = submissions["students"][r % N]
            grade_id, comment_id, _ = _ids(db, student)
            store.release(db, ASSIGNMENT, student)
            barrier, replies = threading.Barrier(2), {}

            def grade(server, score, comment_first):
                saves = [(f"grade/{grade_id}", {"manual_score": score, "extra_credit": None}),
                         (f"comment/{comment_id}", {"manual_comment": f"{server.grader} round {r}"})]
                barrier.wait()
                replies[server.grader] = [server.request("PUT", f"/formgrader/api/{path}", body)[0]
                                          for path, body in (saves[::-1] if comment_first else saves)]

            threads = [threading.Thread(target=grade, args=(alice, 1, False)),
                       threading.Thread(target=grade, args=(bob, 2, r % 2 == 1))]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
            with Gradebook(db, course_id=COURSE_ID) as gb:
                nb = gb.find_submission_notebook(MODULE, ASSIGNMENT, student)
                score = next(g for g in nb.grades if g.name == CRITERION).manual_score
                comment = next(c for c in nb.comments if c.name == CRITERION).manual_comment
            owner = store.grader_of(db, ASSIGNMENT, student)
            expected = {"alice": (1, f"alice round {r}"), "bob": (2, f"bob round {r}")}[owner]
            if (score, comment) != expected:
                mixed.append((r, owner, score, comment))
            loser = "bob" if owner == "alice" else "alice"
            assert replies[owner] == [200, 200] and replies[loser] == [409, 409], (r, replies)
            refused[loser] += 1
        assert mixed == []
        assert refused["alice"] + refused["bob"] == self.ROUNDS

    def test_refusal_names_the_grader_and_how_to_take_over(self, submissions, formgraders):
        """Is a refused save told who grades the submission, and can the kit hand it over?"""
        db = submissions["db"]["postgresql"]
        alice, bob = formgraders
        student = submissions["students"][-1]
        grade_id, _, _ = _ids(db, student)
        store.assign(db, ASSIGNMENT, student, "alice")
        status, body = bob.request("PUT", f"/formgrader/api/grade/{grade_id}", {"manual_score": 3})
        assert status == 409
        message = json.loads(body)["message"]
        assert "alice is grading" in message and f"gapkit course assign {ASSIGNMENT} --student {student}" in message
        store.assign(db, ASSIGNMENT, student, "bob")
        assert bob.request("PUT", f"/formgrader/api/grade/{grade_id}", {"manual_score": 3})[0] == 200
        assert alice.request("PUT", f"/formgrader/api/grade/{grade_id}", {"manual_score": 1})[0] == 409

    def test_grading_page_shows_rubric_and_restored_cell(self, submissions, formgraders):
        """Does formgrader's page show the rubric without delimiter lines, the put-back note and the refusal script?"""
        student = submissions["students"][PATTERNS.index("deleted-reflection")]
        _, _, submission = _ids(submissions["db"]["postgresql"], student)
        status, html = formgraders[0].request("GET", f"/formgrader/submissions/{submission}/")
        assert status == 200
        assert "MARK SCHEME" not in html
        assert "What the answer shows" in html and "Groups and comparison" in html
        assert "has been put back here" in html
        assert "xhr.status !== 409" in html
