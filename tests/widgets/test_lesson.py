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
        """Are instructor blocks, and the practice analysis (the assignment's), kept off the lesson page?"""
        page = lesson("01-tiny", course=tiny_course, journal=tmp_path / "j.json")
        html = _html(page)
        assert "SECRET FACILITATOR NOTE" not in html
        assert "Two exercises answered in a box" not in html and "What is the gap, in points?" not in html

    def test_minutes_in_the_kicker(self, tiny_course, tmp_path):
        """Does the page state the module's minutes, summed by hand from its blocks (10 + 1 + 1 + 3 + 2 + 2)?"""
        html = _html(lesson("01-tiny", course=tiny_course, journal=tmp_path / "j.json"))
        assert "Module 0 · Foundations · about 19 min (10 reading, 2 activities, 3 writing, 4 practice)" in html

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
        assert 'href="01-tiny.ipynb"' in html and "about 19 min (10 reading" in html
        assert "Say what a gap is." in html and "Test the widgets." in html and "For testers." in html


class TestTracks:
    def test_number_and_links_follow_the_track(self, two_tracks, tmp_path):
        """Is a shared module Module 1 with a link back in the first track, and Module 0 alone in the second?"""
        first = _html(lesson("01-tiny", course=two_tracks, journal=tmp_path / "j.json"))
        second = _html(lesson("01-tiny", track="second", course=two_tracks, journal=tmp_path / "j.json"))
        assert "Module 1 · Foundations" in first and 'href="00-intro.ipynb" rel="prev"' in first
        assert "Module 0 · Foundations" in second and 'rel="prev"' not in second

    def test_each_home_links_the_other_track(self, two_tracks):
        """Does the first track's home link to the second's folder, and the second's back up?"""
        first, second = _html(home(course=two_tracks)), _html(home(track="second", course=two_tracks))
        assert "First track" in first and 'href="second/00-course-home.ipynb"' in first
        assert "Second track" in second and 'href="../00-course-home.ipynb"' in second
        assert 'href="00-intro.ipynb"' in first and 'href="00-intro.ipynb"' not in second

    def test_unknown_track_friendly(self, two_tracks):
        """Does an unknown track give a friendly message instead of raising?"""
        assert "could not be loaded" in _html(lesson("01-tiny", track="nope", course=two_tracks))
