"""Knowledge checks: grading is pure; the widget shows each chosen option's explanation."""
import pytest

from gapkit.journal import Journal
from gapkit.widgets import grade_check, knowledge_check


class TestGradeCheck:
    def test_single_right_and_wrong(self, tiny_course):
        """Is option 0 correct and option 1 not, for the single-choice check?"""
        check = tiny_course.check("t-single")
        assert grade_check(check, 0).correct
        wrong = grade_check(check, 1)
        assert not wrong.correct and wrong.feedback[0].explanation == "That would be a negative gap."

    def test_multiple_needs_all_correct(self, tiny_course):
        """Is a multiple-choice answer right only with exactly the correct set?"""
        check = tiny_course.check("t-multi")
        assert grade_check(check, [0, 1]).correct
        partial = grade_check(check, [0])
        assert not partial.correct and partial.missed == (1,)
        assert not grade_check(check, [0, 1, 2]).correct

    def test_bad_choices(self, tiny_course):
        """Are out-of-range, empty and two-for-single answers refused with the argument named?"""
        check = tiny_course.check("t-single")
        with pytest.raises(ValueError, match="`chosen` has option index"):
            grade_check(check, 5)
        with pytest.raises(ValueError, match="`chosen` is empty"):
            grade_check(check, [])
        with pytest.raises(ValueError, match="`chosen` must be one option"):
            grade_check(check, [0, 1])


class TestCheckWidget:
    def test_single_feedback(self, tiny_course, tmp_path):
        """Choosing the wrong radio option and clicking shows "Not quite" and its explanation."""
        w = knowledge_check("t-single", journal=tmp_path / "j.json", course=tiny_course)
        assert w.button.disabled
        w.choices.value = 1
        assert not w.button.disabled
        w.button.click()
        assert w.result.chosen == (1,) and not w.result.correct
        assert "Not quite" in w.feedback.value and "That would be a negative gap." in w.feedback.value
        assert Journal(tmp_path / "j.json").get("checks", "t-single")["correct"] is False

    def test_multiple_feedback(self, tiny_course, tmp_path):
        """Ticking both correct boxes and clicking shows "Correct" with both explanations."""
        w = knowledge_check("t-multi", journal=tmp_path / "j.json", course=tiny_course)
        w.choices[0].value = True
        w.choices[1].value = True
        w.button.click()
        assert w.result.correct
        assert "Correct." in w.feedback.value and "Current plus former ELs." in w.feedback.value

    def test_labelled_controls(self, tiny_course, tmp_path):
        """Does every control carry a label (description)?"""
        w = knowledge_check("t-multi", journal=tmp_path / "j.json", course=tiny_course)
        assert [c.description for c in w.choices] == ["Former EL", "Ever EL", "English only"]
        assert w.button.description == "Check answer"
