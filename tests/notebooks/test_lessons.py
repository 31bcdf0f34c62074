"""Lesson notebooks: generated from course_config/course.yaml. nbval runs them (test_stored_outputs.py)."""
from pathlib import Path

import nbformat

from gapkit.content import find_root, load_course
from gapkit.serve import HOME_NOTEBOOK, LESSONS_DIR, build_notebooks

ROOT = find_root(Path(__file__).parent)
LESSONS = ROOT / LESSONS_DIR


class TestLessonNotebooks:
    def test_one_per_module_in_order_for_each_track(self):
        """Does each track have a home page, then one notebook per module in its order, the first track's at the
        top of notebooks/lessons and the educators' in their own folder?"""
        course = load_course(ROOT)
        names = list(build_notebooks(course))
        for track, folder in zip(course.tracks, ("", "educators/")):
            mine = [n for n in names if n.startswith(folder) and ("/" in n[len(folder):]) is False]
            assert mine[0] == f"{folder}{HOME_NOTEBOOK}"
            assert mine[1:] == [f"{folder}{m.id}.ipynb" for m in track.modules]
            assert sorted(mine) == mine  # Voila's file list shows them in course order
        assert len(names) == sum(len(t.modules) + 1 for t in course.tracks)

    def test_track_pages_name_their_track(self):
        """Does every educators' page call into gapkit with its track, and the first track's without one?"""
        for path in sorted((LESSONS / "educators").glob("*.ipynb")):
            assert "track='educators'" in nbformat.read(path, as_version=4).cells[1].source, path.name
        for path in sorted(LESSONS.glob("*.ipynb")):
            assert "track=" not in nbformat.read(path, as_version=4).cells[1].source, path.name

    def test_notebooks_are_thin(self):
        """Does each notebook hold only a heading and one call into gapkit (no prose, no statistics)?"""
        for path in sorted([*LESSONS.glob("*.ipynb"), *LESSONS.glob("*/*.ipynb")]):
            nb = nbformat.read(path, as_version=4)
            kinds = [c.cell_type for c in nb.cells]
            assert kinds == ["markdown", "code"], path.name
            assert nb.cells[0].source.startswith("# ") and "\n" not in nb.cells[0].source.strip()
            code = nb.cells[1].source
            assert code.startswith("from gapkit.widgets import ") and code.count("\n") == 2, path.name

