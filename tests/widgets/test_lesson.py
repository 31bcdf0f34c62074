"""Lesson pages: blocks in order, widgets for interactive blocks, no instructor notes, no traceback."""
import re

import ipywidgets as w

from gapkit.journal import Journal
from gapkit.widgets import CheckWidget, ReflectionWidget, home, lesson


def _html(page):
    return "".join(c.value for c in page.children if isinstance(c, w.HTML))


class TestLesson:
    def test_blocks_and_widgets(self, tiny_course, tmp_path):
        """Are text blocks HTML with headings, and reflection and checks widgets, in page order?"""
        page = lesson("01-tiny", course=tiny_course, journal=tmp_path / "j.json")
        html = _html(page)
        assert "<h1>A tiny module</h1>" in html and '<h2 id="s-a-heading-in-the-text" tabindex="-1">A heading in the text</h2>' in html
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

    def test_contents_links_every_section(self, tiny_course, tmp_path):
        """Does "On this page" link to every section heading, each id unique and present on the page?"""
        html = _html(lesson("01-tiny", course=tiny_course, journal=tmp_path / "j.json"))
        links = re.findall(r'<li><a href="#([^"]+)">', html.split('aria-labelledby="s-on-this-page"')[1].split("</nav>")[0])
        ids = re.findall(r'<h2 id="([^"]+)"', html)
        assert links == [i for i in ids if i != "s-on-this-page"]
        assert len(set(ids)) == len(ids) and {"s-objectives", "s-a-heading-in-the-text", "s-sources"} <= set(links)

    def test_navigation_labels_unique(self, tiny_course, tmp_path):
        """Do the page's navigation landmarks each have their own label?"""
        html = _html(lesson("01-tiny", course=tiny_course, journal=tmp_path / "j.json"))
        labels = re.findall(r'<nav[^>]*aria-label(?:ledby)?="([^"]+)"', html)
        assert len(labels) == 3 and len(set(labels)) == 3

    def test_no_server_path_on_page(self, tiny_course, tmp_path):
        """Does the reflection say where the answer is saved without showing the folder it is in?"""
        page = lesson("01-tiny", course=tiny_course, journal=tmp_path / "j.json")
        reflection = next(x for x in page.widgets if isinstance(x, ReflectionWidget))
        reflection.text.value = "A first answer."
        assert "course journal" in reflection.status.value and str(tmp_path) not in reflection.status.value
        assert "j.json" not in reflection.status.value


class TestHomeProgress:
    def test_states_follow_the_journal(self, tmp_path):
        """On the real course, does module 1 go from "Not started" to "In progress" to "Done", with the next
        step following it, as its reflections and checks are saved?"""
        from gapkit.content import load_course

        course = load_course()
        module = course.modules[1]
        journal = Journal(tmp_path / "j.json")
        row = lambda page: page.modules.value.split('<li><p class="gapkit-kicker">Module ')[2]  # noqa: E731  (module 1)
        page = home(course=course, journal=journal)
        assert "Not started" in row(page) and "Start Module 0" in page.status.value
        answer = ("The grade 5 newcomers in math are the gap that worries me most, because they sit apart "
                  "from the class for most of the day.")
        journal.save_reflection(module.reflections[0].id, answer)
        page = home(course=course, journal=journal)
        assert "In progress" in row(page) and f"Continue with Module {module.number}" in page.status.value
        assert f"1 of {len(module.reflections)} reflections written" in row(page)
        for r in module.reflections:
            journal.save_reflection(r.id, answer)
        for c in module.checks:
            journal.put("checks", c.id, {"chosen": [0], "correct": True})
        page = home(course=course, journal=journal)
        assert "Done" in row(page) and page.progress.done == 1

    def test_problem_reading_progress_is_friendly(self, tiny_course, tmp_path):
        """If progress cannot be worked out (here: a course without a facilitator's kit), does the page say so
        in words, with no traceback?"""
        page = home(course=tiny_course, journal=tmp_path / "j.json")
        assert "could not be read" in page.status.value and "Traceback" not in page.status.value

    def test_placeholder_cohort_hidden(self, tiny_course):
        """Is the kit's placeholder cohort name kept off the page, and a real one shown?"""
        import dataclasses

        assert "Test cohort" in _html(home(course=tiny_course))
        placeholder = dataclasses.replace(tiny_course, cohort="Sample cohort (replace with your own)")
        assert "Sample cohort" not in _html(home(course=placeholder))



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
