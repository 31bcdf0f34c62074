"""gapkit.course without running nbgrader: the builder, the course folder, the config, feedback cleaning.

These are quick (no kernel, no nbgrader command) and run in a quick test run; the real nbgrader
cycle is in test_cycle.py and test_assignments.py.
"""
from __future__ import annotations

import argparse
import textwrap

import nbformat
import pytest
from traitlets.config.loader import PyFileConfigLoader

from gapkit.cli.course import configure_parser, run
from gapkit.content import load_course
from gapkit.course import (ASSIGNMENTS_DIR, CONFIG_FILE, JOURNAL_FILE, CourseError, RemoveHiddenTests,
                           assignment_notebook, course_assignments, drop_journal_from_release, init_course,
                           load_practice)

from nbgrader_helpers import REPO, cells_by_id


@pytest.fixture(scope="module")
def assignments():
    return course_assignments(load_course(REPO), root=REPO)


def _m01(assignments):
    return next(a for a in assignments if a.id == "m01")


class TestSourceNotebooks:
    def test_one_source_folder_per_assignment(self, assignments):
        """Does notebooks/assignments/ hold nbgrader's source layout, one folder per assignment?"""
        folders = sorted(p.name for p in (REPO / ASSIGNMENTS_DIR).iterdir() if p.is_dir())
        assert folders == [a.id for a in assignments]
        for a in assignments:
            assert [p.name for p in (REPO / ASSIGNMENTS_DIR / a.id).glob("*.ipynb")] == [a.notebook]

    def test_reflection_cells(self, assignments):
        """Is each graded reflection a locked widget call followed by a task cell with its points and rubric?"""
        course = load_course(REPO)
        for a in assignments:
            nb = assignment_notebook(a)
            ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells]
            cells = cells_by_id(nb)
            for r in a.reflections:
                call, task = cells[r.id], cells[f"{r.id}-grade"]
                assert ids.index(f"{r.id}-grade") == ids.index(r.id) + 1
                assert call.cell_type == "code" and call.source == f'reflection("{r.id}")'
                assert call.metadata["nbgrader"]["locked"] and not call.metadata["nbgrader"]["grade"]
                meta = task.metadata["nbgrader"]
                assert task.cell_type == "markdown" and meta["task"] and meta["points"] == r.points
                assert r.points == course.reflection(r.id).points
                scheme = task.source.split("=== BEGIN MARK SCHEME ===")[1].split("=== END MARK SCHEME ===")[0]
                assert r.rubric_markdown().strip() in scheme

    def test_exercise_cells(self, assignments):
        """Is each exercise a solution cell and a locked test cell whose hidden tests are delimited?"""
        a = _m01(assignments)
        cells = cells_by_id(assignment_notebook(a))
        for t in a.practice.tasks:
            answer, tests = cells[f"m01-{t.id}-answer"], cells[f"m01-{t.id}-tests"]
            assert answer.metadata["nbgrader"]["solution"] and not answer.metadata["nbgrader"]["grade"]
            assert answer.source.startswith(t.answer + "\n### BEGIN SOLUTION\n")
            assert answer.source.endswith("\n### END SOLUTION")
            assert tests.metadata["nbgrader"]["grade"] and tests.metadata["nbgrader"]["points"] == t.points
            assert tests.source == f"{t.tests}\n### BEGIN HIDDEN TESTS\n{t.hidden_tests}\n### END HIDDEN TESTS"

    def test_points(self, assignments):
        """Is module 1 worth 2 + 1 + 1 + 2 exercise points and 10 reflection points (by hand)?"""
        a = _m01(assignments)
        assert [t.points for t in a.practice.tasks] == [2, 1, 1, 2]
        assert a.points == 16


class TestPracticeFile:
    def _root(self, tmp_path, text):
        (tmp_path / ASSIGNMENTS_DIR).mkdir(parents=True)
        (tmp_path / ASSIGNMENTS_DIR / "practice.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
        return tmp_path

    def test_missing_points_named(self, tmp_path):
        """Is a task without points refused with the file, module and task named?"""
        root = self._root(tmp_path, """\
            schema_version: 1
            modules:
              01-what-gaps-are:
                intro: Hello
                tasks:
                  - {id: gap, text: t, answer: "x = None", solution: "x = 1", tests: "assert x", hidden_tests: "assert x == 1"}
            """)
        with pytest.raises(CourseError, match=r"practice.yaml, module '01-what-gaps-are', task 'gap': `points`"):
            load_practice(root)

    def test_delimiters_refused(self, tmp_path):
        """Is an nbgrader delimiter written by hand in a test refused?"""
        root = self._root(tmp_path, """\
            schema_version: 1
            modules:
              m:
                intro: Hello
                tasks:
                  - id: gap
                    points: 1
                    text: t
                    answer: "x = None"
                    solution: "x = 1"
                    tests: "assert x"
                    hidden_tests: "### BEGIN HIDDEN TESTS\\nassert x == 1"
            """)
        with pytest.raises(CourseError, match="`hidden_tests` must not contain nbgrader delimiters"):
            load_practice(root)

    def test_wrong_version(self, tmp_path):
        """Is a practice file of another schema version refused?"""
        root = self._root(tmp_path, "schema_version: 2\nmodules: {}\n")
        with pytest.raises(CourseError, match="`schema_version` is 2; this gapkit reads 1"):
            load_practice(root)


class TestInitCourse:
    def test_layout(self, tmp_path, assignments):
        """Does init lay out nbgrader's folders, the config and every assignment's source?"""
        course = init_course(tmp_path / "course", root=REPO)
        for folder in ("source", "release", "submitted", "autograded", "feedback"):
            assert (course / folder).is_dir()
        assert (course / "nbgrader_config.py").read_text() == (REPO / CONFIG_FILE).read_text()
        for a in assignments:
            assert (course / "source" / a.id / a.notebook).is_file()
            assert (course / "source" / a.id / "students.csv").is_file() == bool(a.practice)

    def test_keeps_submissions(self, tmp_path):
        """Does running init again leave the gradebook and submissions alone?"""
        course = init_course(tmp_path / "course", root=REPO)
        (course / "gradebook.db").write_bytes(b"db")
        (course / "submitted" / "amorales").mkdir()
        init_course(course, root=REPO)
        assert (course / "gradebook.db").read_bytes() == b"db"
        assert (course / "submitted" / "amorales").is_dir()

    def test_file_refused(self, tmp_path, capsys):
        """Does `gapkit course init` on a file say so, without a traceback?"""
        target = tmp_path / "file.txt"
        target.write_text("x")
        parser = configure_parser(argparse.ArgumentParser())
        assert run(parser.parse_args(["init", str(target), "--root", str(REPO)])) == 1
        err = capsys.readouterr().err
        assert "`course_dir`" in err and "is not a folder" in err and "Traceback" not in err


class TestConfig:
    def _load(self, course, monkeypatch, **env):
        for key in ("GAPKIT_NBGRADER_DB_URL", "GAPKIT_NBGRADER_EXCHANGE", "GAPKIT_COURSE_ID"):
            monkeypatch.delenv(key, raising=False)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        return PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()

    def test_defaults(self, tmp_path, monkeypatch, assignments):
        """Is the gradebook SQLite in the course folder, and is every assignment's journal protected?"""
        course = init_course(tmp_path / "course", root=REPO)
        c = self._load(course, monkeypatch)
        assert c.CourseDirectory.db_url == f"sqlite:///{course / 'gradebook.db'}"
        assert c.CourseDirectory.course_id == "el-equity"
        assert c.Exchange.root == "/srv/nbgrader/exchange"
        assert c.Autograde.exclude_overwriting == {a.id: [JOURNAL_FILE] for a in assignments}
        assert "gapkit.course.RemoveHiddenTests" in c.GenerateFeedback.preprocessors
        assert c.GenerateAssignment.post_convert_hook is drop_journal_from_release

    def test_postgres_from_environment(self, tmp_path, monkeypatch):
        """Does GAPKIT_NBGRADER_DB_URL put the gradebook on a PostgreSQL server?"""
        course = init_course(tmp_path / "course", root=REPO)
        url = "postgresql://grader@db.example.org:5432/elequity"
        c = self._load(course, monkeypatch, GAPKIT_NBGRADER_DB_URL=url, GAPKIT_NBGRADER_EXCHANGE="/x")
        assert c.CourseDirectory.db_url == url and c.Exchange.root == "/x"


class TestRemoveHiddenTests:
    def _cell(self, source, outputs=()):
        cell = nbformat.v4.new_code_cell(source)
        cell.outputs = [nbformat.from_dict(o) for o in outputs]
        return cell

    def test_region_and_traceback_removed(self):
        """Are the hidden lines and the traceback quoting them gone, with the visible test and message kept?"""
        cell = self._cell(
            "assert x is not None\n    ### BEGIN HIDDEN TESTS\n    assert x == 42, 'Wrong value.'\n"
            "### END HIDDEN TESTS\nprint('done')",
            [{"output_type": "error", "ename": "AssertionError", "evalue": "Wrong value.",
              "traceback": ["----> 3 assert x == 42, 'Wrong value.'", "AssertionError: Wrong value."]}])
        cell, _ = RemoveHiddenTests().preprocess_cell(cell, {}, 0)
        assert "42" not in cell.source and "HIDDEN" not in cell.source
        assert cell.source.splitlines() == ["assert x is not None",
                                            "    # Hidden tests ran here; they are not shown.", "print('done')"]
        assert cell.outputs[0]["traceback"] == ["AssertionError: Wrong value."]

    def test_unterminated_region_dropped(self):
        """Is everything after an unterminated BEGIN HIDDEN TESTS left out?"""
        cell, _ = RemoveHiddenTests().preprocess_cell(self._cell("a = 1\n### BEGIN HIDDEN TESTS\nsecret = 2"), {}, 0)
        assert "secret" not in cell.source

    def test_other_cells_untouched(self):
        """Are cells without hidden tests, and their tracebacks, left exactly as they were?"""
        out = {"output_type": "error", "ename": "NameError", "evalue": "x", "traceback": ["line 1", "NameError: x"]}
        cell, _ = RemoveHiddenTests().preprocess_cell(self._cell("x", [out]), {}, 0)
        assert cell.source == "x" and cell.outputs[0]["traceback"] == ["line 1", "NameError: x"]

    def test_mark_scheme_delimiters_dropped(self):
        """Does the rubric stay in the feedback while the mark-scheme delimiter lines go?"""
        cell = nbformat.v4.new_markdown_cell("Points.\n\n=== BEGIN MARK SCHEME ===\n\n| rubric |\n\n=== END MARK SCHEME ===")
        cell, _ = RemoveHiddenTests().preprocess_cell(cell, {}, 0)
        assert "| rubric |" in cell.source and "MARK SCHEME" not in cell.source


class TestDropJournal:
    def test_removes_journal_from_release_only(self, tmp_path):
        """Does the generate_assignment hook delete a released journal and keep the source one?"""
        for step in ("source", "release"):
            (tmp_path / step / "m01").mkdir(parents=True)
            (tmp_path / step / "m01" / JOURNAL_FILE).write_text("{}")
        drop_journal_from_release(assignment="m01", student=".",
                                  notebooks=[str(tmp_path / "source" / "." / "m01" / "01-what-gaps-are.ipynb")])
        assert not (tmp_path / "release" / "m01" / JOURNAL_FILE).exists()
        assert (tmp_path / "source" / "m01" / JOURNAL_FILE).exists()
