"""The self-assessment on a lesson page: each choice saved, shown again on reload, earlier ratings in the post phase."""
import json
from pathlib import Path

import pytest

from gapkit.content import load_course
from gapkit.journal import Journal
from gapkit.kit import load_kit
from gapkit.widgets import lesson
from gapkit.widgets.assessment import SelfAssessmentWidget, self_assessment

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def kit():
    return load_kit(ROOT, course=load_course(ROOT))


@pytest.fixture
def journal(tmp_path):
    return Journal(tmp_path / "reflections.json")


class TestSelfAssessment:
    def test_every_choice_is_saved(self, kit, journal):
        """Is each rating in the journal file as soon as it is chosen?"""
        widget = self_assessment("pre", journal=journal, kit=kit)
        first, second = kit.items()[:2]
        widget.choices[first.id].value = 2
        saved = json.loads(journal.path.read_text(encoding="utf-8"))["assessments"]["leaders-pre"]
        assert saved["ratings"] == {first.id: 2} and saved["phase"] == "pre"
        widget.choices[second.id].value = 4
        assert Journal(journal.path).get("assessments", "leaders-pre")["ratings"] == {first.id: 2, second.id: 4}
        assert f"2 of {len(kit.items())} rated" in widget.status.value

    def test_reload_shows_saved_ratings(self, kit, journal):
        """Does a new widget on the same journal (a reloaded page, minutes later) show every saved rating?"""
        widget = self_assessment("pre", journal=journal, kit=kit)
        for i, item in enumerate(kit.items()):
            widget.choices[item.id].value = 1 + i % 4
        assert widget.complete() and "Taken" in widget.status.value
        again = self_assessment("pre", journal=journal.path, kit=kit)
        assert again.ratings() == widget.ratings() and again.complete()

    def test_refresh_reads_the_journal_now(self, kit, journal):
        """After another page saved a rating, does `refresh` show it without saving over it?"""
        page_a = self_assessment("pre", journal=journal, kit=kit)
        page_b = self_assessment("pre", journal=Journal(journal.path), kit=kit)
        item = kit.items()[0]
        page_b.choices[item.id].value = 3
        before = journal.path.read_text(encoding="utf-8")
        page_a.refresh()
        assert page_a.choices[item.id].value == 3
        assert journal.path.read_text(encoding="utf-8") == before

    def test_restarted_journal_is_a_warning_not_a_failure(self, kit, journal):
        """After the journal was damaged and started again, does a rating say it is saved, beside the notice?"""
        journal.path.write_text('{"format": "gapkit-journal", "reflections": {"x": ', encoding="utf-8")
        Journal(journal.path).read()  # another page found the damage and started a new journal
        widget = self_assessment("pre", journal=Journal(journal.path), kit=kit)
        item = kit.items()[0]
        widget.choices[item.id].value = 3
        assert Journal(journal.path).get("assessments", "leaders-pre")["ratings"] == {item.id: 3}
        status = widget.status.value
        assert f"1 of {len(kit.items())} rated. Saved." in status and "could not be read" in status
        assert "Not saved" not in status

    def test_post_shows_the_earlier_rating(self, kit, journal):
        """At the end, is each statement shown with the rating chosen at the start, saved apart from it?"""
        item = kit.items()[5]
        self_assessment("pre", journal=journal, kit=kit).choices[item.id].value = 1
        post = self_assessment("post", journal=journal, kit=kit)
        assert "At the start you chose: 1 Not yet" in post._earlier[item.id].value
        assert post.choices[item.id].value is None
        post.choices[item.id].value = 3
        saved = Journal(journal.path).read()["assessments"]
        assert saved["leaders-pre"]["ratings"][item.id] == 1 and saved["leaders-post"]["ratings"][item.id] == 3

    def test_headless_markdown(self, kit, journal, monkeypatch):
        """Executed without a browser, does the widget print the statements and their ratings?"""
        monkeypatch.setenv("GAPKIT_DISPLAY", "markdown")
        widget = self_assessment("pre", journal=journal, kit=kit)
        item = kit.items()[0]
        widget.choices[item.id].value = 4
        md = widget._repr_mimebundle_()["text/markdown"]
        assert f"{item.statement} _(4 Could lead it)_" in md and "_(not rated)_" in md

    def test_unknown_phase(self, kit, journal):
        """Is a phase other than pre or post refused by name?"""
        with pytest.raises(ValueError, match=r"`phase` \('middle'\) not recognized"):
            self_assessment("middle", journal=journal, kit=kit)

    def test_corrupt_journal(self, kit, tmp_path):
        """With an unreadable journal, is the participant told, and are new ratings still saved?"""
        path = tmp_path / "reflections.json"
        path.write_text("{not json")
        widget = self_assessment("pre", journal=path, kit=kit)
        assert "could not be read" in widget.status.value
        widget.choices[kit.items()[0].id].value = 2
        assert Journal(path).get("assessments", "leaders-pre")["ratings"] == {kit.items()[0].id: 2}


class TestOnTheLessonPage:
    @pytest.mark.parametrize("module_id, phase, track", [
        ("00-orientation", "pre", "leaders"), ("08-capstone", "post", "leaders"),
        ("00-educators-orientation", "pre", "educators"), ("07-educators-plan", "post", "educators")])
    def test_the_block_becomes_the_widget(self, tmp_path, module_id, phase, track):
        """Do each track's orientation and capstone pages carry its opening and closing self-assessment?"""
        page = lesson(module_id, track=track, journal=tmp_path / "j.json")
        found = [x for x in page.widgets if isinstance(x, SelfAssessmentWidget)]
        assert len(found) == 1 and found[0].phase == phase
