"""gapkit.course without running nbgrader: the builder, the course folder, the config, feedback cleaning.

These are quick (no kernel, no nbgrader command) and run in a quick test run; the real nbgrader
cycle is in test_cycle.py and test_assignments.py.
"""
from __future__ import annotations

import argparse

import nbformat
import pytest
from traitlets.config.loader import PyFileConfigLoader

from gapkit.cli.course import configure_parser, run
from gapkit.content import load_course
from gapkit.course import (ASSIGNMENTS_DIR, CONFIG_FILE, JOURNAL_FILE, RemoveHiddenTests,
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
        assert folders == sorted(a.id for a in assignments)
        for a in assignments:
            assert [p.name for p in (REPO / ASSIGNMENTS_DIR / a.id).glob("*.ipynb")] == [a.notebook]

    def test_reflection_cells(self, assignments):
        """Is each graded reflection a locked widget call followed by one task cell per rubric criterion?"""
        course = load_course(REPO)
        for a in assignments:
            nb = assignment_notebook(a)
            ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells]
            cells = cells_by_id(nb)
            for r in a.reflections:
                call = cells[r.id]
                assert call.cell_type == "code" and call.source == f'reflection("{r.id}")'
                assert call.metadata["nbgrader"]["locked"] and not call.metadata["nbgrader"]["grade"]
                start = ids.index(r.id) + 1
                assert ids[start:start + len(r.rubric)] == [f"{r.id}-c{n}" for n in range(1, len(r.rubric) + 1)]
                for n, criterion in enumerate(r.rubric, start=1):
                    task = cells[f"{r.id}-c{n}"]
                    meta = task.metadata["nbgrader"]
                    assert task.cell_type == "markdown" and meta["task"] and meta["points"] == criterion.points
                    scheme = task.source.split("=== BEGIN MARK SCHEME ===")[1].split("=== END MARK SCHEME ===")[0]
                    assert criterion.name in task.source.split("=== BEGIN MARK SCHEME ===")[0]
                    for level in criterion.levels:  # each level with its anchor answer
                        assert f"| {level.score} | " in scheme and " ".join(level.anchor.split()) in scheme
                assert f"{r.pass_points} to pass" in cells[f"{r.id}-c1"].source
                assert sum(c.points for c in r.rubric) == r.points == course.reflection(r.id).points

    def test_exercise_cells(self, assignments):
        """Is each exercise its instructions, the answer box (no-code route) and/or a solution cell (code route),
        and a locked test cell that reads the answer from either route, with its hidden tests delimited?"""
        a = _m01(assignments)
        cells = cells_by_id(assignment_notebook(a))
        for t in a.practice.tasks:
            tests = cells[f"m01-{t.id}-tests"]
            assert tests.metadata["nbgrader"]["grade"] and tests.metadata["nbgrader"]["points"] == t.points
            assert tests.metadata["nbgrader"]["locked"]
            hidden = f"{t.tests}\n### BEGIN HIDDEN TESTS\n{t.hidden_tests}\n### END HIDDEN TESTS"
            if t.code_route:
                answer = cells[f"m01-{t.id}-answer"]
                assert answer.metadata["nbgrader"]["solution"] and not answer.metadata["nbgrader"]["grade"]
                assert answer.source.startswith(t.answer + "\n### BEGIN SOLUTION\n")
                assert answer.source.endswith("\n### END SOLUTION")
            if t.box_route:
                box = cells[f"m01-{t.id}-box"]
                assert box.source == f'task_widget("{t.id}", module="01-what-gaps-are")'
                assert box.metadata["nbgrader"]["locked"] and not box.metadata["nbgrader"]["solution"]
                code = f"{t.name}, " if t.code_route else ""
                assert tests.source == (f'{t.name} = practice_answer("{t.id}", {code}module="01-what-gaps-are")\n'
                                        + hidden)
            else:
                assert tests.source == hidden

    def test_reason_cells(self, assignments):
        """Is each written reason a locked reflection cell followed by a manually graded cell per rubric criterion?"""
        a = _m01(assignments)
        cells = cells_by_id(assignment_notebook(a))
        reasons = [t.reason for t in a.practice.tasks if t.reason]
        assert [r.id for r in reasons] == ["m01-why-current-el-gap", "m01-why-v"]
        for r in reasons:
            assert cells[r.id].source == f'reflection("{r.id}")'
            assert len(r.rubric) == 1
            task = cells[f"{r.id}-c1"]
            assert task.metadata["nbgrader"]["task"] and task.metadata["nbgrader"]["points"] == r.points
            assert "Graded reason" in task.source and "in 1 criterion;" in task.source
            assert " ".join(r.rubric[0].levels[0].anchor.split()) in task.source

    def test_points(self, assignments):
        """Is module 1 worth 2 + 1 + 1 + 2 + 2 + 1 exercise points, 2 + 2 for reasons and 10 for the reflection
        (by hand)?"""
        a = _m01(assignments)
        assert [t.points for t in a.practice.tasks] == [2, 1, 1, 2, 2, 1]
        assert a.points == 9 + 4 + 10 == 23

    def test_both_tracks_build_their_own_assignments(self, assignments):
        """Do the leaders' and educators' tracks each have their own assignments, a shared module in both under
        its track's id and number?"""
        by_id = {a.id: a for a in assignments}
        assert by_id["m06"].module.id == by_id["e06"].module.id == "06-legal-floor"
        assert by_id["m06"].track.id == "leaders" and by_id["e06"].track.id == "educators"
        header = assignment_notebook(by_id["e06"]).cells[0].source
        assert header.startswith("# Module 6 assignment: The legal and policy floor")
        assert "*Culture, Equity and Language: Closing Gaps for English Learners*, assignment `e06`" in header
        assert [a.id for a in course_assignments(load_course(REPO), track="educators")][0] == "e00"

    def test_practice_loaded_from_modules(self):
        """Does load_practice read every practice analysis from the modules' task blocks?"""
        practice = load_practice(REPO)
        assert sorted(practice) == ["01-what-gaps-are", "02-why-gaps-exist", "04-instructional-leadership",
                                    "06-legal-floor", "08-capstone"]
        assert not (REPO / ASSIGNMENTS_DIR / "practice.yaml").exists()


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

    def test_one_track_only(self, tmp_path):
        """Does `init --track educators` lay out only that track's assignments?"""
        course = init_course(tmp_path / "course", root=REPO, track="educators")
        assert sorted(p.name for p in (course / "source").iterdir()) == [f"e0{i}" for i in range(8)]

    def test_unknown_track(self, tmp_path, capsys):
        """Does an unknown track give a clear message, without a traceback?"""
        parser = configure_parser(argparse.ArgumentParser())
        assert run(parser.parse_args(["init", str(tmp_path / "c"), "--track", "nope", "--root", str(REPO)])) == 1
        err = capsys.readouterr().err
        assert "`id` ('nope') is not a track" in err and "Traceback" not in err

    def test_keeps_submissions(self, tmp_path):
        """Does running init again leave the gradebook and submissions alone?"""
        course = init_course(tmp_path / "course", root=REPO)
        (course / "gradebook.db").write_bytes(b"db")
        (course / "submitted" / "amorales").mkdir()
        init_course(course, root=REPO)
        assert (course / "gradebook.db").read_bytes() == b"db"
        assert (course / "submitted" / "amorales").is_dir()

    def test_keeps_the_cohorts_grading_yaml(self, tmp_path):
        """Is grading.yaml copied the first time only, so the cohort's dates survive a second init?"""
        course = init_course(tmp_path / "course", root=REPO)
        assert (course / "grading.yaml").read_text() == (REPO / "course_config" / "grading.yaml").read_text()
        (course / "grading.yaml").write_text("schema_version: 1\ndue:\n  m01: 2025-09-19 17:00\n")
        init_course(course, root=REPO)
        assert "2025-09-19 17:00" in (course / "grading.yaml").read_text()

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


    def test_grading_cycle_settings(self, tmp_path, monkeypatch):
        """Do collect take the newest submission, and the time limit and late plugin come from grading.yaml?"""
        course = init_course(tmp_path / "course", root=REPO)
        text = (course / "grading.yaml").read_text().replace("cell_time_limit: 30", "cell_time_limit: 45")
        (course / "grading.yaml").write_text(text)
        c = self._load(course, monkeypatch)
        assert c.ExchangeCollect["update"] is True
        assert c.Execute.timeout == 45 and "45 seconds" in c.Execute.error_on_timeout["evalue"]
        assert c.AssignLatePenalties.plugin_class.__name__ == "LatePenalty"
        assert c.LatePenalty.policy_file == str(course / "grading.yaml")
        names = [p.__name__ for p in c.Autograde.autograde_preprocessors]
        assert names.index("RestoreReflections") < names.index("Execute") < names.index("TimeLimitNote")
        assert names.index("SaveAutoGrades") < names.index("RecordReflections") < names.index("AssignLatePenalties")
        assert "CleanRubric" in [p.__name__ for p in c.Autograde.sanitize_preprocessors]


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
