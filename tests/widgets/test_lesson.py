"""Lesson pages: blocks in order, widgets for interactive blocks, no instructor notes, no traceback."""
import ipywidgets as w

from gapkit.widgets import CheckWidget, ReflectionWidget, home, lesson


def _html(page):
    return "".join(c.value for c in page.children if isinstance(c, w.HTML))


class TestLesson:
    def test_blocks_and_widgets(self, tiny_course, tmp_path):
        """Are text blocks HTML with headings, and reflection and checks widgets, in page order?"""
        page = lesson("01-tiny", course=tiny_course, journal=tmp_path / "j.json")
        html = _html(page)
        assert "<h1>A tiny module</h1>" in html and "<h2>A heading in the text</h2>" in html
        assert "<strong>bold</strong>" in html and "Key points" in html
        assert [type(x) for x in page.widgets] == [ReflectionWidget, CheckWidget, CheckWidget]

    def test_instructor_notes_hidden(self, tiny_course, tmp_path):
        """Are instructor blocks kept off the participant's page?"""
        page = lesson("01-tiny", course=tiny_course, journal=tmp_path / "j.json")
        assert "SECRET FACILITATOR NOTE" not in _html(page)

    def test_unknown_module_friendly(self, tiny_course):
        """Does an unknown module give a friendly message instead of raising?"""
        page = lesson("99-nope", course=tiny_course)
        html = _html(page)
        assert "could not be loaded" in html and "Traceback" not in html

    def test_heading_false(self, tiny_course, tmp_path):
        """With heading=False (the notebook has its own title), is there no second h1?"""
        page = lesson("01-tiny", course=tiny_course, journal=tmp_path / "j.json", heading=False)
        assert "<h1>" not in _html(page)

    def test_failing_block_friendly(self, tiny_course, tmp_path, monkeypatch):
        """If one widget fails to build, does the rest of the page still appear?"""
        import gapkit.widgets.check as C

        def boom(*a, **k):
            raise RuntimeError("broken")
        monkeypatch.setattr(C, "knowledge_check", boom)
        page = lesson("01-tiny", course=tiny_course, journal=tmp_path / "j.json")
        html = _html(page)
        assert html.count("class=\"gapkit-problem\"") == 2 and "Key points" in html


class TestHome:
    def test_lists_modules_with_links(self, tiny_course):
        """Does the home page list each module with minutes, objectives and a link to its notebook?"""
        html = _html(home(course=tiny_course))
        assert 'href="01-tiny.ipynb"' in html and "10 min teaching, 5 min exercises" in html
        assert "Say what a gap is." in html
