"""A participant's place in the course, read from the journal (and nbgrader's own submission record)."""
import pytest

from gapkit.content import load_course
from gapkit.journal import Journal
from gapkit.progress import DONE, IN_PROGRESS, MIN_WORDS, NOT_STARTED, course_progress, submitted_assignments

#: A reflection of exactly the words needed to count (counted by hand: 20).
ANSWER = ("Two grades stand out in our school, and in both newcomers sit apart from the class "
          "most of the day.")


@pytest.fixture(scope="module")
def course():
    return load_course()


@pytest.fixture(scope="module")
def modules(course):
    """The modules of the course's first (default) track, the ones its home page lists."""
    return course.track().modules


@pytest.fixture
def journal(tmp_path):
    return Journal(tmp_path / "reflections.json")


class TestCourseProgress:
    def test_new_participant(self, course, modules, journal):
        """Is every module "not started", the first one next, with all the course's minutes left?"""
        state = course_progress(course, journal)
        assert [m.state for m in state.modules] == [NOT_STARTED] * len(modules)
        assert state.next_module.module_id == modules[0].id and not state.finished
        total = sum(m.minutes_teaching + m.minutes_exercises for m in modules)
        assert state.minutes_left == pytest.approx(total)

    def test_time_left_in_proportion(self, course, modules, journal):
        """With one of a module's items done, is its time left cut by exactly that share (by hand)?"""
        module = modules[1]
        journal.save_reflection(module.reflections[0].id, ANSWER)
        row = course_progress(course, journal).modules[1]
        items = len(module.reflections) + len(module.checks)
        assert row.state == IN_PROGRESS and (row.done_items, row.items) == (1, items)
        minutes = module.minutes_teaching + module.minutes_exercises
        assert row.minutes_left == pytest.approx(minutes * (items - 1) / items)

    def test_short_answer_is_not_written(self, course, modules, journal):
        """Does a reflection one word short of the minimum (or only spaces) count as not written?"""
        assert MIN_WORDS == 20 and len(ANSWER.split()) == 20
        journal.save_reflection(modules[0].reflections[0].id, ANSWER.rsplit(" ", 1)[0])
        assert course_progress(course, journal).modules[0].state == NOT_STARTED
        journal.save_reflection(modules[0].reflections[0].id, "   ")
        assert course_progress(course, journal).modules[0].state == NOT_STARTED
        journal.save_reflection(modules[0].reflections[0].id, ANSWER)
        assert course_progress(course, journal).modules[0].state == IN_PROGRESS

    def test_done_and_next(self, course, modules, journal):
        """With everything in module 1 done, is it "done", and the untouched module 0 the next step?"""
        module = modules[1]
        for r in module.reflections:
            journal.save_reflection(r.id, ANSWER)
        for c in module.checks:
            journal.put("checks", c.id, {"chosen": [1], "correct": False})
        state = course_progress(course, journal)
        assert state.modules[1].state == DONE and state.modules[1].minutes_left == 0
        assert state.next_module.module_id == modules[0].id and state.done == 1

    def test_agrees_with_completion_record(self, course, modules, journal):
        """Does each module's state match the facilitator's completion record for the same journal?"""
        from gapkit.completion import module_record
        from gapkit.kit import load_kit
        from gapkit.participants import Participant

        journal.save_reflection(modules[1].reflections[0].id, ANSWER)
        for c in modules[2].checks:
            journal.put("checks", c.id, {"chosen": [0], "correct": True})
        kit = load_kit(course=course)
        participant = Participant(id="p", entries=journal.read())
        words = {"complete": DONE, "in progress": IN_PROGRESS, "not started": NOT_STARTED}
        states = [m.state for m in course_progress(course, journal, kit=kit).modules]
        assert states == [words[module_record(kit, participant, m).state] for m in modules]
        assert states[:3] == [NOT_STARTED, IN_PROGRESS, IN_PROGRESS]

    def test_next_step_continues_a_started_module(self, course, modules, journal):
        """With module 2 started and module 1 untouched, is the next step to continue module 2?"""
        journal.save_reflection(modules[2].reflections[0].id, ANSWER)
        assert course_progress(course, journal).next_module.module_id == modules[2].id

    def test_capstone_plan_counts(self, course, modules, journal):
        """Does the capstone's action plan count once a focus goal has text, not for an empty plan?"""
        last = len(modules) - 1
        journal.put("plans", "action-plan", {"title": "My action plan", "goals": [{"focus": "", "target": ""}]})
        assert course_progress(course, journal).modules[last].plan_started is False
        journal.put("plans", "action-plan", {"title": "My action plan", "goals": [{"focus": "Grade 5 math"}]})
        assert course_progress(course, journal).modules[last].plan_started is True

    def test_submission_part_of_done_on_a_hub(self, course, modules, journal):
        """When submissions are known, is a module with everything written but no submission still in progress?"""
        module = modules[1]
        for r in module.reflections:
            journal.save_reflection(r.id, ANSWER)
        for c in module.checks:
            journal.put("checks", c.id, {"chosen": [0], "correct": True})
        assert course_progress(course, journal, submitted=set()).modules[1].state == IN_PROGRESS
        row = course_progress(course, journal, submitted={"m01"}).modules[1]
        assert row.state == DONE and "assignment m01 submitted" in row.summary()


class TestSubmittedAssignments:
    def test_read_from_nbgrader_cache(self, tmp_path):
        """Are the assignment ids read from nbgrader's cache folders (participant+assignment+timestamp)?"""
        course_dir = tmp_path / "nbgrader_cache" / "el-equity"
        (course_dir / "p01+m01+2026-03-01 10:00:00.000000 UTC").mkdir(parents=True)
        (course_dir / "p01+m03+2026-03-08 10:00:00.000000 UTC+a1b2").mkdir()
        (course_dir / "notes.txt").write_text("not a submission")
        assert submitted_assignments(tmp_path / "nbgrader_cache") == {"m01", "m03"}

    def test_unknown_without_cache(self, tmp_path):
        """Without nbgrader's cache folder, is submission unknown (None), not "nothing submitted"?"""
        assert submitted_assignments(tmp_path / "missing") is None


class TestTracks:
    def test_each_track_its_own_modules(self, course, journal):
        """Does the educators' track list its own modules, numbered from 0, with its own assignment ids?"""
        educators = course.track("educators")
        state = course_progress(course, journal, track="educators")
        assert [m.module_id for m in state.modules] == [m.id for m in educators.modules]
        assert [m.number for m in state.modules] == list(range(len(educators.modules)))
        assigned = [m.assignment for m in state.modules if m.assignment]
        assert assigned and all(a.startswith("e") for a in assigned)
