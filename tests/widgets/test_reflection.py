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
