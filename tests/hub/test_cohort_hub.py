"""A cohort on the real hub, as it is used: three participants and a facilitator, minutes apart.

In real Chromium each participant logs in, lands on the course home page, opens module 1 and
writes its graded reflection; after their lesson kernels have gone quiet they reload and see it,
and no one sees another's answer (not on their pages, not at another's URL). The lesson pages
refuse code sent from the browser. The facilitator releases m01 with nbgrader's commands; each
participant fetches and submits through their own server (what JupyterLab's Assignments tab
calls), and the lesson page then says the answer was submitted. The facilitator collects,
autogrades, grades a reflection in formgrader in Chromium, and releases feedback; each participant
fetches their own feedback, which holds what they wrote on the lesson page, and can read no one
else's: tried on the file system as their own account and through the exchange.
"""
from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from nbgrader.api import Gradebook

from gapkit.hub import Person, course_tracks, user_environment

from conftest import PARTICIPANTS, PEOPLE, REPO, SETTINGS, TRACKS, account, home

pytestmark = [pytest.mark.hub, pytest.mark.browser, pytest.mark.nbgrader, pytest.mark.slow]

ASSIGNMENT, MODULE, REFLECTION = "m01", "01-what-gaps-are", "m01-gaps-in-my-school"
COURSE = SETTINGS.course_id
TEXT = {p: f"{p}'s reflection: in grade 5 our current ELs trail never-EL students by 28 points in math; "
           f"the opportunity behind it is placement in grade-level math groups. [{p}]" for p in PARTICIPANTS}
CRITERION = f"{REFLECTION}-c1"  # the first rubric criterion's graded cell (3 points)
GRADE = (2, "Both parts are there; name the evidence that would confirm the placement gap.")


def _journal(pid) -> dict:
    path = home(pid) / SETTINGS.journal
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _wait(condition, what: str, timeout: float = 120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def _kernels_quiet(pid, timeout: float = 180):
    """Wait until every lesson kernel of a participant has done all it can before a request (CPU idle)."""
    def quiet():
        kernels = [p for p in psutil.process_iter(["username", "cmdline"])
                   if p.info["username"] == account(pid) and "ipykernel_launcher" in " ".join(p.info["cmdline"] or [])]
        return all(k.cpu_percent(interval=0.5) < 3 for k in kernels)
    _wait(quiet, f"{pid}'s lesson kernels to go quiet", timeout)


def _runtime(hub) -> dict:
    return json.loads((hub["state"] / "runtime.json").read_text())


def _person(pid) -> Person:
    first, last, role, password = PEOPLE[pid]
    return Person(pid, first, last, f"{pid}@example.org", role, password, TRACKS.get(pid, ""))


def _as(hub, pid, *command, check=True) -> subprocess.CompletedProcess:
    """Run a command as a person's own account, with the environment the hub gives their server."""
    settings = dataclasses.replace(SETTINGS, exchange=str(hub["exchange"]))
    runtime = _runtime(hub)
    env = user_environment(settings, _person(pid), home=str(home(pid)), config_dir=str(hub["state"] / "jupyter"),
                           db_url=runtime["db_url"], root=str(REPO), tracks=course_tracks(REPO))
    env.update(HOME=str(home(pid)), USER=account(pid), PATH=f"{Path(sys.executable).parent}:/usr/bin:/bin")
    cwd = hub["state"] / "course" if PEOPLE[pid][2] == "facilitator" else home(pid)
    done = subprocess.run(["runuser", "-u", account(pid), "--", "env", "-i", *[f"{k}={v}" for k, v in env.items()],
                           *command], cwd=cwd, capture_output=True, text=True, timeout=600)
    if check and done.returncode != 0:
        pytest.fail(f"`{' '.join(command)}` as {pid} failed ({done.returncode}):\n{done.stdout[-3000:]}\n"
                    f"{done.stderr[-3000:]}")
    return done


@pytest.fixture(scope="module")
def people(hub, browser):
    """Everyone logged in at once (their servers spawn in parallel): ``{id: (context, page)}``."""
    out = {}
    for pid, (_, _, _, password) in PEOPLE.items():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(180_000)
        page.goto(hub["url"] + "/hub/login")
        page.fill("#username_input", pid)
        page.fill("#password_input", password)
        page.click("#login_submit", no_wait_after=True)
        out[pid] = (context, page)
    yield out
    for context, _ in out.values():
        context.close()


def _post(hub, people, pid, action, **data):
    """Call the person's own server as their browser does (nbgrader's assignment list API)."""
    context, page = people[pid]
    base = f"{hub['url']}/user/{pid}"
    context.request.get(f"{base}/api/status")  # any server page sets the _xsrf cookie
    xsrf = next(c["value"] for c in context.cookies() if c["name"] == "_xsrf")
    response = context.request.post(f"{base}/assignments/{action}", form=data, headers={"X-XSRFToken": xsrf})
    assert response.ok, f"{action} as {pid}: HTTP {response.status} {response.text()[:500]}"
    return response.json()


def _reflection_box(page):
    return page.locator(".gapkit-reflection", has=page.locator("summary", has_text="Graded")).first


class TestLessons:
    def test_participants_land_on_the_course_home(self, hub, people):
        """Does each participant, after logging in, get their track's home page from their own server,
        in the course's page template?"""
        for pid in PARTICIPANTS:
            page = people[pid][1]
            page.wait_for_selector(".gapkit-page", state="visible")
            folder = f"{TRACKS[pid]}/" if pid in TRACKS else ""
            assert page.url.endswith(f"/user/{pid}/lessons/voila/render/{folder}00-course-home.ipynb")
            title = "Culture, Equity and Language" if pid in TRACKS else "Leading for English Learner Equity"
            assert title in page.locator("h1").first.inner_text()
            assert page.locator("[role=main]").count() == 1  # the course template's one landmark
            assert page.locator("script[src*='gapkit.js']").count() == 1  # and its keyboard script
            assert "Traceback" not in page.inner_text("body")
        people["fkim"][1].wait_for_url("**/user/fkim/lab**")

    def test_each_writes_a_graded_reflection(self, hub, people):
        """Is what each participant types on module 1 in their own journal, in their own home folder?"""
        for pid in PARTICIPANTS:
            page = people[pid][1]
            page.goto(f"{hub['url']}/user/{pid}/lessons/voila/render/{MODULE}.ipynb")
            box = _reflection_box(page).get_by_label("Your answer")
            box.wait_for(state="visible")
            assert "Not submitted yet" in _reflection_box(page).inner_text()
            box.click()
            box.press_sequentially(TEXT[pid][:40], delay=5)
            box.fill(TEXT[pid])
        for pid in PARTICIPANTS:
            _wait(lambda: _journal(pid).get("reflections", {}).get(REFLECTION, {}).get("text") == TEXT[pid],
                  f"{pid}'s answer in their journal")
            assert (home(pid).stat().st_mode & 0o777) == 0o700

    def test_reload_after_the_kernels_are_quiet(self, hub, people):
        """After the lesson kernels have done all they do before a request, does a reload show each one's own answer?"""
        for pid in PARTICIPANTS:
            _kernels_quiet(pid)
        for pid in PARTICIPANTS:
            page = people[pid][1]
            page.reload()
            box = _reflection_box(page).get_by_label("Your answer")
            box.wait_for(state="visible")
            assert box.input_value() == TEXT[pid]
            body = page.inner_text("body")
            others = [p for p in PARTICIPANTS if p != pid]
            assert not any(f"[{o}]" in body for o in others), f"{pid} sees another participant's answer"

    def test_kernels_listen_on_unix_sockets(self, hub, people):
        """Are each participant's lesson kernels on transport ipc, their sockets in a folder of their account's
        that no one else can enter, and does their server keep its kernels' files in ~/.jupyter/runtime?"""
        for pid in PARTICIPANTS:
            mine = [p for p in psutil.process_iter(["username", "cmdline"]) if p.info["username"] == account(pid)]
            kernels = [p.info["cmdline"] for p in mine if "ipykernel_launcher" in " ".join(p.info["cmdline"] or [])]
            assert kernels, f"{pid} has no lesson kernel"
            for cmdline in kernels:
                connection_file = Path(cmdline[cmdline.index("-f") + 1])
                info = json.loads(connection_file.read_text())
                assert info["transport"] == "ipc", connection_file
                assert Path(f"{info['ip']}-{info['shell_port']}").is_socket()
                folder = connection_file.parent.stat()
                assert folder.st_uid == home(pid).stat().st_uid and not folder.st_mode & 0o077
            [server] = [p for p in mine if "gapkit.cli.launch singleuser" in " ".join(p.info["cmdline"] or [])]
            assert server.environ()["JUPYTER_RUNTIME_DIR"] == str(home(pid) / ".jupyter" / "runtime")

    def test_no_one_reaches_another_participants_pages(self, hub, people):
        """Is Ben refused Ana's lesson pages and her server, with none of her answer shown?"""
        context = people["bokafor"][0]
        for path in (f"/user/amorales/lessons/voila/render/{MODULE}.ipynb", "/user/amorales/api/contents"):
            response = context.request.get(hub["url"] + path, max_redirects=0)
            assert response.status in (302, 403), (path, response.status)
            assert "[amorales]" not in response.text()

    def test_lesson_pages_refuse_code(self, hub, people):
        """Does a lesson page's kernel ignore code sent from the browser (while widgets keep working)?"""
        pid = "cnguyen"
        page = people[pid][1]
        marker = Path("/tmp") / f"gapkit-code-ran-{pid}"
        marker.unlink(missing_ok=True)
        replies = page.evaluate("""async (marker) => {
            const config = JSON.parse(document.getElementById('jupyter-config-data').textContent);
            const kernelId = config.kernelId;
            const url = location.href.replace(/^http/, 'ws').replace(/voila\\/render\\/.*$/, `api/kernels/${kernelId}/channels`);
            const ws = new WebSocket(url);
            const got = [];
            await new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = fail; });
            ws.onmessage = (event) => { try { got.push(JSON.parse(event.data).header.msg_type); } catch (e) {} };
            const msgId = 'exec-' + Date.now();
            ws.send(JSON.stringify({header: {msg_id: msgId, msg_type: 'execute_request', username: '', session: 'x',
                                             version: '5.3', date: new Date().toISOString()},
                                    parent_header: {}, metadata: {}, channel: 'shell', buffers: [],
                                    content: {code: `open(${JSON.stringify(marker)}, 'w').write('ran')`, silent: false,
                                              store_history: false, user_expressions: {}, allow_stdin: false}}));
            await new Promise((ok) => setTimeout(ok, 5000));
            ws.close();
            return got;
        }""", str(marker))
        assert "execute_reply" not in replies and "execute_input" not in replies
        assert not marker.exists()
        box = _reflection_box(page).get_by_label("Your answer")  # the page still saves through its widgets
        box.fill(TEXT[pid] + " ")
        _wait(lambda: _journal(pid)["reflections"][REFLECTION]["text"] == TEXT[pid] + " ", "a save after the attempt")
        box.fill(TEXT[pid])
        _wait(lambda: _journal(pid)["reflections"][REFLECTION]["text"] == TEXT[pid], "the answer restored")


class TestAssignmentCycle:
    def test_release_fetch_submit(self, hub, people):
        """Is m01 released by the facilitator, fetched and submitted by each participant from their own server?"""
        _as(hub, "fkim", "nbgrader", "generate_assignment", ASSIGNMENT, "--force")
        _as(hub, "fkim", "nbgrader", "release_assignment", ASSIGNMENT, "--force")

        results = {}
        for pid in PARTICIPANTS:
            _post(hub, people, pid, "fetch", course_id=COURSE, assignment_id=ASSIGNMENT)
            results[pid] = _post(hub, people, pid, "submit", course_id=COURSE, assignment_id=ASSIGNMENT)
        for pid, listing in results.items():
            assert listing.get("success") is True, (pid, listing)
            inbound = hub["exchange"] / COURSE / "inbound" / pid
            submissions = list(inbound.glob(f"{pid}+{ASSIGNMENT}+*"))
            assert len(submissions) == 1, (pid, submissions)
            carried = json.loads((submissions[0] / "reflections.json").read_text())
            assert set(carried["reflections"]) == {REFLECTION}  # the graded answer only
            assert carried["reflections"][REFLECTION]["text"] == TEXT[pid]

    def test_lesson_page_says_submitted(self, hub, people):
        """After submitting, does the lesson page say the answer shown is the one submitted?"""
        page = people["amorales"][1]
        page.reload()
        _reflection_box(page).get_by_label("Your answer").wait_for(state="visible")
        assert "Submitted with assignment m01" in _reflection_box(page).inner_text()

    def test_collect_autograde_and_grade_in_formgrader(self, hub, people):
        """Are the submissions collected and autograded, and is a reflection graded in formgrader's page?"""
        _as(hub, "fkim", "nbgrader", "collect", ASSIGNMENT)
        _as(hub, "fkim", "nbgrader", "autograde", ASSIGNMENT)
        db_url = _runtime(hub)["db_url"]
        with Gradebook(db_url, COURSE) as gb:
            submission = gb.find_submission_notebook(MODULE, ASSIGNMENT, "amorales")
            submission_id = submission.id
            assert {s.student.id for s in gb.assignment_submissions(ASSIGNMENT)} == set(PARTICIPANTS)
        page = people["fkim"][1]
        page.goto(f"{hub['url']}/user/fkim/formgrader/submissions/{submission_id}/")
        try:
            page.wait_for_selector(f"#{CRITERION}", state="visible", timeout=60_000)
            # The page has loaded its grades (a box typed into before then is not saved): as the facilitator
            # sees it, done.
            page.wait_for_load_state("networkidle", timeout=60_000)
        except Exception:
            pytest.fail(f"formgrader did not show the reflection's first criterion:\n{page.inner_text('body')[:2000]}")
        assert TEXT["amorales"] in page.inner_text("body")  # the lesson page's answer, in formgrader
        page.fill(f"#{CRITERION}", str(GRADE[0]))
        page.press(f"#{CRITERION}", "Tab")
        page.fill(f"#{CRITERION}-comment", GRADE[1])
        page.press(f"#{CRITERION}-comment", "Tab")

        def saved():
            with Gradebook(db_url, COURSE) as gb:
                grade = gb.find_grade(CRITERION, MODULE, ASSIGNMENT, "amorales")
                comment = gb.find_comment(CRITERION, MODULE, ASSIGNMENT, "amorales")
                return grade.manual_score == GRADE[0] and comment.manual_comment == GRADE[1]
        _wait(saved, "the formgrader grade in the gradebook")

    def test_each_fetches_only_their_own_feedback(self, hub, people):
        """Does each participant fetch feedback with their own answer and none of the others'?"""
        _as(hub, "fkim", "nbgrader", "generate_feedback", ASSIGNMENT)
        _as(hub, "fkim", "nbgrader", "release_feedback", ASSIGNMENT)
        for pid in PARTICIPANTS:
            _post(hub, people, pid, "fetch_feedback", course_id=COURSE, assignment_id=ASSIGNMENT)
            found = list((home(pid) / ASSIGNMENT / "feedback").glob(f"*/{MODULE}.html"))
            assert len(found) == 1, (pid, found)
            relative = found[0].relative_to(home(pid)).as_posix()
            page = people[pid][1]
            page.goto(f"{hub['url']}/user/{pid}/files/{relative}")
            text = page.inner_text("body")
            assert TEXT[pid] in text
            assert not any(TEXT[o] in text for o in PARTICIPANTS if o != pid)
            if pid == "amorales":
                assert GRADE[1] in text

    def test_no_one_reads_another_participants_work(self, hub, people):
        """As Ben's own account: can he read Ana's journal, submissions or feedback, or submit as her?"""
        exchange = hub["exchange"] / COURSE
        ana_feedback = [p for p in (exchange / "feedback").glob("*.html")
                        if TEXT["amorales"] in p.read_text(encoding="utf-8")]
        assert len(ana_feedback) == 1
        attempts = {
            "her journal": ["cat", str(home("amorales") / SETTINGS.journal)],
            "her submissions": ["ls", str(exchange / "inbound" / "amorales")],
            "the list of submitters": ["ls", str(exchange / "inbound")],
            "her feedback file": ["cat", str(ana_feedback[0])],
            "the feedback folder's list": ["ls", str(exchange / "feedback")],
        }
        for what, command in attempts.items():
            done = _as(hub, "bokafor", *command, check=False)
            assert done.returncode != 0 and "ermission denied" in done.stderr, (what, done.stdout[:200])
            assert "[amorales]" not in done.stdout
        # Through the exchange: submitting as Ana, or fetching her feedback, with nbgrader's own options.
        done = _as(hub, "bokafor", "nbgrader", "submit", ASSIGNMENT, "--course", COURSE, "--student", "amorales",
                   check=False)
        assert done.returncode != 0
        assert list((exchange / "inbound" / "amorales").glob("*")) == list(
            (exchange / "inbound" / "amorales").glob(f"amorales+{ASSIGNMENT}+*"))
        assert len(list((exchange / "inbound" / "amorales").glob("*"))) == 1
        _as(hub, "bokafor", "nbgrader", "fetch_feedback", ASSIGNMENT, "--course", COURSE, "--student", "amorales",
            check=False)
        for html in (home("bokafor") / ASSIGNMENT / "feedback").rglob("*.html"):
            assert TEXT["amorales"] not in html.read_text(encoding="utf-8")
