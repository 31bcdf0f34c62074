"""The no-code route of a practice analysis: the answer box saves to the journal, grading reads it back."""
import json

import pytest

from gapkit.journal import Journal
from gapkit.widgets import practice_answer, task_widget
from gapkit.widgets.answer import parse_number


class TestParseNumber:
    @pytest.mark.parametrize("typed, value", [("28", 28.0), ("28.5", 28.5), (" -0.68 ", -0.68), ("24%", 24.0),
                                              ("0,45", 0.45), ("about 12 points", 12.0), ("−3", -3.0)])
    def test_numbers_people_type(self, typed, value):
        """Is each way a participant writes one number read as that number?"""
        assert parse_number(typed) == pytest.approx(value)

    @pytest.mark.parametrize("typed", ["", "none", "24 or 25", "1.2.3 and 4"])
    def test_not_one_number(self, typed):
        """Is text without exactly one number read as no answer (never a guess)?"""
        assert parse_number(typed) is None


class TestTaskWidget:
    def test_number_saved_and_read_back(self, tiny_course, tmp_path, live):
        """Does typing in the box save the text and the number, which practice_answer returns?"""
        path = tmp_path / "reflections.json"
        w = task_widget("gap-number", module="01-tiny", journal=path, course=tiny_course)
        w.box.value = "12.5 points"
        saved = json.loads(path.read_text())["answers"]["01-tiny:gap-number"]
        assert saved["text"] == "12.5 points" and saved["value"] == 12.5
        assert practice_answer("gap-number", module="01-tiny", journal=path) == 12.5
        assert "Saved at" in w.status.value

    def test_not_a_number_is_saved_and_flagged(self, tiny_course, tmp_path, live):
        """Is text that is not one number still saved (nothing lost) and flagged to the participant?"""
        path = tmp_path / "reflections.json"
        w = task_widget("gap-number", module="01-tiny", journal=path, course=tiny_course)
        w.box.value = "twelve"
        assert Journal(path).get("answers", "01-tiny:gap-number")["text"] == "twelve"
        assert practice_answer("gap-number", module="01-tiny", journal=path) is None
        assert "not one number" in w.status.value

    def test_choice_saved_as_letter_and_restored(self, tiny_course, tmp_path, live):
        """Is a choice saved as its letter, and shown again when the notebook is reopened?"""
        path = tmp_path / "reflections.json"
        w = task_widget("gap-choice", module="01-tiny", journal=path, course=tiny_course)
        assert [label for label, _ in w.box.options] == ["A. The focal group is behind.", "B. The focal group is ahead."]
        w.box.value = "B"
        assert practice_answer("gap-choice", module="01-tiny", journal=path) == "B"
        again = task_widget("gap-choice", module="01-tiny", journal=path, course=tiny_course)
        assert again.box.value == "B"

    def test_code_route_wins(self, tmp_path):
        """When the code cell set the variable, is that the answer, whatever the box holds?"""
        path = tmp_path / "reflections.json"
        Journal(path).put("answers", "01-tiny:gap-number", {"text": "3", "value": 3.0})
        assert practice_answer("gap-number", 11.9, module="01-tiny", journal=path) == 11.9
        assert practice_answer("gap-number", None, module="01-tiny", journal=path) == 3.0

    def test_no_answer_is_none(self, tmp_path):
        """With neither route answered, is the answer None (so the visible test says what to do)?"""
        assert practice_answer("gap-number", module="01-tiny", journal=tmp_path / "reflections.json") is None

    def test_headless_shows_the_saved_answer(self, tiny_course, tmp_path, headless):
        """Executed without a browser (autograde), does the cell show the saved answer as Markdown?"""
        path = tmp_path / "reflections.json"
        Journal(path).put("answers", "01-tiny:gap-choice", {"text": "A", "value": "A"})
        bundle = task_widget("gap-choice", module="01-tiny", journal=path, course=tiny_course)._repr_mimebundle_()
        assert bundle["text/markdown"].startswith("**Your answer** (`gap-choice`): A. The focal group is behind.")
        empty = task_widget("gap-number", module="01-tiny", journal=path, course=tiny_course)._repr_mimebundle_()
        assert "no answer was given" in empty["text/markdown"]

    def test_reason_is_a_reflection(self, tiny_course):
        """Is a task's written reason a graded reflection of the course, with its rubric and pass mark?"""
        r = tiny_course.reflection("t-why")
        assert r.graded and r.points == 1 and r.pass_points == 1 and r.module_id == "01-tiny"
        assert "Reference minus focal is positive." in r.rubric_markdown()
