"""`gapkit build`: the generated files (facilitator guide, lesson and assignment notebooks, the lesson pages' hidden
cells) follow the course files."""
import shutil
from pathlib import Path

import pytest

from gapkit.build import PARTS, build, out_of_date
from gapkit.cli import main

ROOT = Path(__file__).resolve().parent.parent


class TestCommitted:
    def test_up_to_date(self, capsys):
        """Does `gapkit build --check` find every committed generated file up to date?"""
        assert main(["build", "--check", "--root", str(ROOT)]) == 0, capsys.readouterr().err


class TestBuild:
    @pytest.fixture
    def kit(self, tmp_path):
        """A copy of the course files and the files generated from them."""
        for folder in ("modules", "course_config", "notebooks", "docs", "kit", "datasets"):
            shutil.copytree(ROOT / folder, tmp_path / folder)
        return tmp_path

    def test_finds_and_fixes_every_kind_of_stale_file(self, kit, capsys):
        """Are an edited lesson, a missing guide, a leftover track lesson and assignment listed, then fixed by one build?"""
        lesson = next((kit / "notebooks" / "lessons").glob("01-*.ipynb"))
        lesson.write_text(lesson.read_text(encoding="utf-8").replace("lesson(", "lesson_old("), encoding="utf-8")
        (kit / "docs" / "facilitator_guide.md").unlink()
        leftover = kit / "notebooks" / "assignments" / "m99" / "99-gone.ipynb"
        gone_lesson = kit / "notebooks" / "lessons" / "educators" / "99-gone.ipynb"  # a track's own folder
        checkpoint = kit / "notebooks" / "lessons" / ".ipynb_checkpoints" / "01-x-checkpoint.ipynb"  # Jupyter's
        for path in (leftover, gone_lesson, checkpoint):
            path.parent.mkdir(exist_ok=True)
            path.write_text("{}", encoding="utf-8")
        stale = out_of_date(kit)
        assert stale == ["docs/facilitator_guide.md", lesson.relative_to(kit).as_posix(),
                         "notebooks/lessons/educators/99-gone.ipynb (no longer built from the course files)",
                         "notebooks/assignments/m99/99-gone.ipynb (no longer built from the course files)"]
        assert main(["build", "--check", "--root", str(kit)]) == 1
        assert "out of date: docs/facilitator_guide.md" in capsys.readouterr().err
        assert main(["build", "--root", str(kit)]) == 0
        assert out_of_date(kit) == [] and not leftover.exists() and not gone_lesson.exists()
        assert checkpoint.exists()  # not a generated file: left alone
        assert build(kit) == []  # a second build changes nothing

    def test_one_part(self, kit):
        """Does building one part leave the others alone (as `gapkit serve --update-notebooks` does)?"""
        (kit / "docs" / "facilitator_guide.md").unlink()
        assert out_of_date(kit, parts=["lessons", "assignments", "kit"]) == []
        assert build(kit, parts=["lessons"]) == []
        assert not (kit / "docs" / "facilitator_guide.md").exists()

    def test_unknown_part(self, kit):
        """Is an unknown part refused by name?"""
        with pytest.raises(ValueError, match=r"`parts` \('pdf'\) not recognized; must be among 'guide'"):
            out_of_date(kit, parts=["pdf"])

    def test_parts(self):
        """Are the kinds of generated file the parts, in order?"""
        assert [p.name for p in PARTS] == ["guide", "lessons", "assignments", "kit", "hidden cells"]
