"""Knowledge checks: grading is pure; options in each participant's own stable order; answers restored."""
import json
from collections import Counter

import pytest
from scipy import stats

from gapkit.content import Check, Option
from gapkit.journal import Journal
from gapkit.widgets import grade_check, knowledge_check
from gapkit.widgets.check import HUB_USER_ENV, option_order, participant_id


def _texts(widget):
    if widget.check_def.multiple:
        return [box.description for box in widget.choices]
    return [label for label, _ in widget.choices.options]


def _choose(widget, *texts):
    """Choose options by their text, as a participant would on screen."""
    if widget.check_def.multiple:
        for box in widget.choices:
            box.value = box.description in texts
    else:
        widget.choices.value = dict(widget.choices.options)[texts[0]]


FOUR = Check("c4", "Which?", False, tuple(Option(t, t == "right", f"about {t}") for t in ("right", "b", "c", "d")))


@pytest.fixture(autouse=True)
def no_hub(monkeypatch):
    monkeypatch.delenv(HUB_USER_ENV, raising=False)


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


class TestOptionOrder:
    def test_stable_for_one_participant(self):
        """Does one participant get the same order every time, in every process?"""
        assert option_order(FOUR, "hub:amorales") == option_order(FOUR, "hub:amorales")
        # A string seed of random.Random is hashed with sha512, the same in every Python process, so a
        # participant's order survives kernel restarts. The value is pinned so that a change to the
        # seeding (which would reorder every participant's checks in the middle of a course) fails here.
        assert option_order(FOUR, "hub:amorales") == (0, 2, 3, 1)

    def test_correct_option_spread_over_positions(self):
        """Over 400 participants, is the correct option in each of the four positions about equally often?"""
        places = Counter(option_order(FOUR, f"hub:p{i}").index(0) for i in range(400))
        assert set(places) == {0, 1, 2, 3}
        # chi-square goodness of fit against a uniform 100 per position (scipy.stats.chisquare)
        assert stats.chisquare([places[k] for k in range(4)]).pvalue > 0.001

    def test_differs_between_checks(self):
        """Does the same participant see different checks in different orders (the seed includes the check)?"""
        others = [Check(f"c{i}", "?", False, FOUR.options) for i in range(20)]
        assert len({option_order(c, "hub:amorales") for c in others}) > 5

    def test_bad_participant(self):
        """Is an empty participant refused with the argument named?"""
        with pytest.raises(TypeError, match="`participant`"):
            option_order(FOUR, "")


class TestParticipantId:
    def test_hub_user_wins(self, monkeypatch, tmp_path):
        """On a hub, is the participant the hub user, whatever the journal holds?"""
        monkeypatch.setenv(HUB_USER_ENV, "bokafor")
        assert participant_id(Journal(tmp_path / "j.json")) == "hub:bokafor"
        assert not (tmp_path / "j.json").exists()

    def test_random_id_kept_once_in_the_journal(self, tmp_path):
        """Without a hub, is a random id written to the journal once and read back ever after?"""
        journal = Journal(tmp_path / "j.json")
        first = participant_id(journal)
        saved = json.loads((tmp_path / "j.json").read_text())["participant"]["id"]
        assert saved == first and len(first) == 16
        assert participant_id(Journal(tmp_path / "j.json")) == first
        assert participant_id(Journal(tmp_path / "other.json")) != first


class TestCheckWidget:
    def test_single_feedback(self, tiny_course, tmp_path):
        """Choosing the wrong radio option and clicking shows "Not quite" and its explanation."""
        w = knowledge_check("t-single", journal=tmp_path / "j.json", course=tiny_course)
        assert w.button.disabled
        _choose(w, "The focal group is ahead.")
        assert not w.button.disabled
        w.button.click()
        assert w.result.chosen == (1,) and not w.result.correct
        assert "Not quite" in w.feedback.value and "That would be a negative gap." in w.feedback.value
        assert Journal(tmp_path / "j.json").get("checks", "t-single")["correct"] is False

    def test_multiple_feedback(self, tiny_course, tmp_path):
        """Ticking both correct boxes and clicking shows "Correct" with both explanations."""
        w = knowledge_check("t-multi", journal=tmp_path / "j.json", course=tiny_course)
        _choose(w, "Former EL", "Ever EL")
        w.button.click()
        assert w.result.correct and w.result.chosen == (0, 1)
        assert "Correct." in w.feedback.value and "Current plus former ELs." in w.feedback.value

    def test_labelled_controls_in_the_participants_order(self, tiny_course, tmp_path):
        """Does every control carry its option's text, in this participant's order?"""
        w = knowledge_check("t-multi", journal=tmp_path / "j.json", course=tiny_course)
        texts = ["Former EL", "Ever EL", "English only"]
        assert _texts(w) == [texts[i] for i in w.order]
        assert w.button.description == "Check answer"

    def test_same_order_after_reload(self, tiny_course, tmp_path):
        """Does a reopened page (a new widget on the same journal) show the options in the same order?"""
        first = knowledge_check("t-multi", journal=tmp_path / "j.json", course=tiny_course)
        again = knowledge_check("t-multi", journal=tmp_path / "j.json", course=tiny_course)
        assert again.order == first.order and _texts(again) == _texts(first)

    def test_order_follows_the_hub_user(self, tiny_course, tmp_path, monkeypatch):
        """On a hub, is the order the one `option_order` gives for that user?"""
        monkeypatch.setenv(HUB_USER_ENV, "cnguyen")
        w = knowledge_check("t-multi", journal=tmp_path / "j.json", course=tiny_course)
        assert w.order == option_order(tiny_course.check("t-multi"), "hub:cnguyen")

    def test_answer_and_feedback_restored(self, tiny_course, tmp_path):
        """After answering, does a reopened page show the chosen options ticked and the same feedback?"""
        path = tmp_path / "j.json"
        w = knowledge_check("t-multi", journal=path, course=tiny_course)
        _choose(w, "Former EL", "English only")
        w.button.click()
        shown = w.feedback.value
        again = knowledge_check("t-multi", journal=path, course=tiny_course)
        ticked = [box.description for box in again.choices if box.value]
        assert sorted(ticked) == ["English only", "Former EL"]
        assert again.result.chosen == (0, 2) and not again.result.correct
        assert again.feedback.value == shown and "Partly right" not in shown and "Not quite" in shown
        assert not again.button.disabled

    def test_single_choice_restored(self, tiny_course, tmp_path):
        """Is a radio answer restored with its feedback?"""
        path = tmp_path / "j.json"
        w = knowledge_check("t-single", journal=path, course=tiny_course)
        _choose(w, "The focal group is behind.")
        w.button.click()
        again = knowledge_check("t-single", journal=path, course=tiny_course)
        assert again.choices.value == 0 and again.result.correct and "Correct." in again.feedback.value

    def test_stale_saved_answer_ignored(self, tiny_course, tmp_path):
        """Is a saved answer that no longer fits the check (the module changed) ignored, not an error?"""
        path = tmp_path / "j.json"
        Journal(path).put("checks", "t-single", {"chosen": [7], "correct": True})
        w = knowledge_check("t-single", journal=path, course=tiny_course)
        assert w.result is None and w.choices.value is None and w.feedback.value == ""

    def test_feedback_lists_options_in_screen_order(self, tiny_course, tmp_path):
        """Is each chosen option's explanation listed in the order the participant sees the options?"""
        w = knowledge_check("t-multi", journal=tmp_path / "j.json", course=tiny_course)
        _choose(w, "Former EL", "Ever EL", "English only")
        w.button.click()
        explanations = {"Reclassified students are former ELs.": 0, "Current plus former ELs.": 1,
                        "They were never ELs.": 2}
        found = sorted(explanations, key=w.feedback.value.index)
        assert [explanations[e] for e in found] == list(w.order)
