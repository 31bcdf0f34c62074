"""The reflection widget: autosave on every change, reload, and the headless Markdown bridge."""
import json

import pytest

from gapkit.journal import Journal
from gapkit.widgets import reflection

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture
def widget(tiny_course, tmp_path):
    return reflection("t-reflect", journal=Journal(tmp_path / "reflections.json"), course=tiny_course)


class TestReflection:
    def test_every_change_is_saved(self, widget):
        """Is each new value in the journal file at once, with the word count shown?"""
        widget.text.value = "Newcomers in grade 5"
        data = json.loads(widget.journal.path.read_text(encoding="utf-8"))
        assert data["reflections"]["t-reflect"]["text"] == "Newcomers in grade 5"
        widget.text.value = "Newcomers in grade 5 math"
        assert Journal(widget.journal.path).reflection("t-reflect") == "Newcomers in grade 5 math"
        assert widget.result.words == 5
        assert "5 words" in widget.words.value

    def test_status_carries_the_stamp_of_the_saved_text(self, widget):
        """Does the status line say which text it reports as saved (the page's script compares it with the box)?"""
        from gapkit.widgets._common import text_stamp

        # Published FNV-1a (32-bit) values; for ASCII, UTF-16 code units are the bytes.
        assert [text_stamp(t) for t in ("", "a", "foobar")] == ["811c9dc5", "e40c292c", "bf9cf968"]
        assert 'data-saved="811c9dc5"' in widget.status.value  # nothing typed, nothing pending
        widget.text.value = "Newcomers, año 5"
        assert f'data-saved="{text_stamp("Newcomers, año 5")}"' in widget.status.value
        assert "Saved at" in widget.status.value
        widget.text.value = "x" * 20_001  # refused: no stamp, so the page never says it is saved
        assert "data-saved" not in widget.status.value and "Not saved" in widget.status.value

    def test_saved_answer_shown_again(self, widget, tiny_course):
        """Does a new widget (a reloaded page) show the saved answer?"""
        widget.text.value = "Keep me"
        again = reflection("t-reflect", journal=widget.journal.path, course=tiny_course)
        assert again.text.value == "Keep me"

    def test_prompt_and_questions_shown(self, widget):
        """Are the prompt, guiding questions and rubric on the widget, and the box labelled?"""
        page = widget.children[0].value
        assert "What gap worries you most?" in page and "Which students?" in page
        assert "Graded: 2 points" in page and "Specific evidence." in page
        assert widget.text.description == "Your answer"

    def test_unknown_id(self, tiny_course, tmp_path):
        """Is an unknown reflection id refused, naming the known ones?"""
        with pytest.raises(KeyError, match="t-reflect"):
            reflection("nope", journal=tmp_path / "j.json", course=tiny_course)

    def test_corrupt_journal_message_shown(self, tiny_course, tmp_path):
        """With a corrupt journal, is the participant told where the old file went, and is typing saved?"""
        path = tmp_path / "reflections.json"
        path.write_text("{oops")
        w = reflection("t-reflect", journal=path, course=tiny_course)
        assert "could not be read" in w.status.value and "unreadable" in w.status.value
        w.text.value = "still saved"
        assert Journal(path).reflection("t-reflect") == "still saved"

    def test_failed_save_shown(self, widget, monkeypatch):
        """When the disk refuses, does the widget say "Not saved" instead of raising?"""
        import gapkit.journal as J

        def boom(src, dst):
            raise OSError(13, "Permission denied")
        monkeypatch.setattr(J.os, "replace", boom)
        widget.text.value = "x"
        assert widget.result is None
        assert "Not saved" in widget.status.value and "Permission denied" in widget.status.value


class TestGradingBridge:
    def test_headless_shows_markdown(self, widget, headless):
        """Executed without a browser, does the call display the saved answer as Markdown only?"""
        widget.text.value = "Our EL gap is widest in grade 7."
        bundle = widget._repr_mimebundle_()
        assert WIDGET_VIEW not in bundle
        assert "**Your reflection**" in bundle["text/markdown"]
        assert "Our EL gap is widest in grade 7." in bundle["text/markdown"]

    def test_headless_empty(self, tiny_course, tmp_path, headless):
        """Without an answer, does the Markdown say so?"""
        w = reflection("t-reflect", journal=tmp_path / "j.json", course=tiny_course)
        assert "_No answer was written._" in w._repr_mimebundle_()["text/markdown"]

    def test_live_shows_widget(self, widget, live):
        """With a person there (Voila, JupyterLab), is it a widget view?"""
        assert WIDGET_VIEW in widget._repr_mimebundle_()

    @pytest.mark.parametrize("env, mode", [
        ({}, "markdown"),
        ({"VOILA_PREHEAT": "True"}, "widget"),
        ({"VOILA_KERNEL_ID": "abc"}, "widget"),
        ({"JPY_SESSION_NAME": "/home/p/m01.ipynb"}, "widget"),
        ({"JPY_SESSION_NAME": "x", "GAPKIT_DISPLAY": "markdown"}, "markdown"),
    ])
    def test_display_mode(self, monkeypatch, env, mode):
        """Is the mode decided from the kernel's environment (Voila, Jupyter server, override)?"""
        from gapkit.widgets import _common
        for k in (*_common.VOILA_ENV, _common.JUPYTER_SESSION_ENV, _common.DISPLAY_ENV):
            monkeypatch.delenv(k, raising=False)
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        assert _common.display_mode() == mode

    def test_bad_override(self, monkeypatch):
        """Is a wrong GAPKIT_DISPLAY value refused by name?"""
        from gapkit.widgets import display_mode
        monkeypatch.setenv("GAPKIT_DISPLAY", "both")
        with pytest.raises(ValueError, match="GAPKIT_DISPLAY"):
            display_mode()


class TestTimeline:
    def test_refresh_reads_the_latest_answer(self, tiny_course, tmp_path):
        """Does a widget built before an answer was saved (a preheated page) show it once refreshed?"""
        from gapkit.widgets.reflection import ReflectionWidget

        path = tmp_path / "reflections.json"
        early = ReflectionWidget(tiny_course.reflection("t-reflect"), Journal(path), deferred=True)
        Journal(path).save_reflection("t-reflect", "typed a minute later")
        assert early.text.value == ""
        early.refresh()
        assert early.text.value == "typed a minute later"
        early.text.value = "typed a minute later, and more"
        assert Journal(path).reflection("t-reflect") == "typed a minute later, and more"
        assert not early.result.conflict

    def test_second_tab_does_not_overwrite(self, tiny_course, tmp_path):
        """With two tabs open, does the stale tab's typing leave the other's answer and say so?"""
        path = tmp_path / "reflections.json"
        tab1 = reflection("t-reflect", journal=path, course=tiny_course)
        tab2 = reflection("t-reflect", journal=path, course=tiny_course)
        tab1.text.value = "written in tab 1"
        tab2.text.value = "written in tab 2"
        assert Journal(path).reflection("t-reflect") == "written in tab 1"
        assert "another tab" in tab2.status.value and "Not saved" in tab2.status.value
        again = reflection("t-reflect", journal=path, course=tiny_course)
        assert again.text.value == "written in tab 1" and "written in tab 2" in again.copies.value

    def test_oversized_answer_message(self, widget):
        """Does an answer over the limit get a clear message and leave the saved one alone?"""
        from gapkit.journal import MAX_ANSWER_CHARS

        widget.text.value = "kept"
        widget.text.value = "w " * MAX_ANSWER_CHARS
        assert "Not saved" in widget.status.value and "20,000" in widget.status.value
        assert Journal(widget.journal.path).reflection("t-reflect") == "kept"

    def test_recovery_reaches_an_idle_page(self, tiny_course, tmp_path):
        """When another page finds the journal corrupt, does an idle page say so when the file changes?"""
        path = tmp_path / "reflections.json"
        idle = reflection("t-reflect", journal=path, course=tiny_course)
        idle.text.value = "first"
        path.write_text("{broken")
        reflection("t-reflect", journal=path, course=tiny_course)  # the page that notices
        idle._on_journal_change()  # what the journal watcher calls when the file changes
        assert "could not be read" in idle.status.value and "Saved at" not in idle.status.value

    def test_submission_state_shown(self, tiny_course, tmp_path):
        """Does a graded reflection say whether the answer shown is the one submitted?"""
        path = tmp_path / "reflections.json"
        w = reflection("t-reflect", journal=path, course=tiny_course, assignment_id="m01")
        assert "Not submitted yet" in w.submitted.value
        w.text.value = "my answer"
        Journal(path).record_submission("m01", ["t-reflect"])
        w.refresh()
        assert "Submitted with assignment m01" in w.submitted.value
        w.text.value = "my answer, revised"
        assert "Changed since you submitted" in w.submitted.value
