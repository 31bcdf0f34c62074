"""The facilitator's kit as data: the real kit validates against the course, and each rule fires."""
import re

import pytest

from gapkit.kit import SEGMENT_KINDS, VARIANTS, KitError, course_tracks, load_kit, module_section, validate_kit


class TestRealKit:
    def test_validates(self, kit):
        """Does the kit in the repository load with no problem?"""
        assert kit.plans and kit.protocols and kit.norms and kit.handouts

    def test_every_objective_is_measured(self, kit, course):
        """Does every objective of every module of every track have a self-assessment item naming it?"""
        for track in course_tracks(course):
            measured = {(it.module, it.objective) for it in kit.items(track.id)}
            own = getattr(next((t for t in getattr(course, "tracks", ()) if t.id == track.id), None), "objectives", ())
            if own:  # a track that states its objectives is measured by them
                assert {o for _, o in measured} >= set(own), track.id
                continue
            for mid in track.modules:
                for objective in course.module(mid).objectives:
                    assert (mid, objective) in measured, (track.id, mid, objective)

    def test_each_item_names_one_objective_of_its_module(self, kit, course):
        """Is each item's objective the full text of an objective of its own module?"""
        for it in kit.assessment.items:
            if it.module is not None:
                assert it.objective in course.module(it.module).objectives
            assert it.statement.startswith("I can")

    def test_sessions_follow_the_tracks(self, kit, course):
        """Do each track's sessions take its modules once each, in course order, numbered 1 to n?"""
        for plan, track in zip(kit.plans, course_tracks(course)):
            assert plan.track == track
            assert [m for s in plan.sessions for m in s.modules] == list(track.modules)
            assert [s.number for s in plan.sessions] == list(range(1, len(plan.sessions) + 1))
        assert len(kit.plan().sessions) == 8

    def test_variants_and_protocols(self, kit):
        """Does every variant say how to run every kind of segment, and every protocol have an origin and steps?"""
        assert [v.id for v in kit.variants] == list(VARIANTS)
        for v in kit.variants:
            assert set(v.delivery) == set(SEGMENT_KINDS) and all(v.delivery.values())
        names = {p.name for p in kit.protocols}
        assert {"Final Word", "Four A's Text Protocol", "Chalk Talk", "Save the Last Word for Me"} <= names
        for p in kit.protocols:
            assert p.origin and len(p.steps) >= 3 and p.online
        used = {seg.protocol for plan in kit.plans for s in plan.sessions for seg in s.segments if seg.protocol}
        assert used == {p.id for p in kit.protocols}, "every protocol is used by some session, and only those"

    def test_module_section(self, course):
        """Is a section taken from its heading to the next heading at the same level?"""
        text = module_section(course.module("03-professional-culture"), "an  equity LENS")
        assert "**Who benefits**" in text and "## " not in text
        assert module_section(course.module("03-professional-culture"), "No such heading") is None


def _edit(root, name, old, new, count=1):
    path = root / "kit" / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


class TestValidation:
    @pytest.mark.parametrize("name, old, new, expected", [
        ("calendar.yaml", "kind: practice\n", "kind: lecture\n",
         r"\[unknown segment kind\] kit/calendar.yaml line \d+: 'lecture'; kinds are opening"),
        ("calendar.yaml", "protocol: tuning", "protocol: fishbowl",
         r"\[unknown protocol\] kit/calendar.yaml line \d+: 'fishbowl'"),
        ("calendar.yaml", "tracks:\n  leaders:", "tracks:\n  principals:",
         r"\[unknown track\] kit/calendar.yaml line \d+: 'principals' is not a track"),
        ("calendar.yaml", "modules: [02-why-gaps-exist]", "modules: [03-professional-culture]",
         r"\[calendar\] kit/calendar.yaml line \d+: track 'leaders': sessions must take its modules once each"),
        ("calendar.yaml", "handouts: [equity-lens]", "handouts: [lens-card]",
         r"\[unknown handout\] kit/calendar.yaml line \d+: session 3 names 'lens-card'"),
        ("calendar.yaml", "      closing: In the meeting.\n", "",
         r"variant 'hybrid' does not say how to run closing"),
        ("handouts.yaml", "section: An equity lens", "section: The equity lens",
         r"\[unknown section\] kit/handouts.yaml line \d+: handout 'equity-lens': module '03-professional-culture' "
         r"has no heading 'The equity lens'; its headings are"),
        ("handouts.yaml", "column: Stakeholder group", "column: Group",
         r"\[unknown column\] kit/handouts.yaml line \d+: handout 'stakeholder-map'"),
        ("handouts.yaml", "      - text: >-\n          A paper", "      - picture: >-\n          A paper",
         r"\[unknown part\] kit/handouts.yaml line \d+: handout 'action-plan-template' part picture"),
        ("self-assessment.yaml", "objective: Separate the causes of a gap", "objective: Apply a lens",
         r"\[unknown objective\] kit/self-assessment.yaml line \d+: item 'sa-causes': no objective of "
         r"track 'leaders' start\(s\) with 'Apply a lens'"),
        ("self-assessment.yaml", "schema_version: 1", "schema_version: 2",
         r"\[schema too new\] kit/self-assessment.yaml line 1"),
        ("protocols.yaml", "    minutes: 45\n", "    minutes: forty-five\n",
         r"protocol 'consultancy' `minutes` must be a positive integer"),
    ])
    def test_each_rule_names_file_and_line(self, repo_copy, name, old, new, expected):
        """Is each broken rule reported with its file, line and the allowed values?"""
        _edit(repo_copy, name, old, new)
        problems = validate_kit(repo_copy)
        assert any(re.search(expected, p) for p in problems), problems
        with pytest.raises(KitError, match="problem\\(s\\) in the facilitator's kit"):
            load_kit(repo_copy)

    def test_an_objective_without_an_item(self, repo_copy):
        """Is an objective that no item measures reported (a track gains an objective)?"""
        path = repo_copy / "course_config" / "course.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("    objectives:\n", "    objectives:\n      - Run a family listening session.\n", 1),
                        encoding="utf-8")
        problems = validate_kit(repo_copy)
        assert any("[unmeasured objective]" in p and "'Run a family listening session.'" in p
                   and "leaders" in p for p in problems), problems

    def test_a_module_without_a_session(self, repo_copy):
        """Is a track module that no session covers reported?"""
        _edit(repo_copy, "calendar.yaml", "modules: [05-family-community]", "modules: []")
        problems = validate_kit(repo_copy)
        assert any("[module without a session]" in p and "'05-family-community'" in p for p in problems), problems

    def test_a_track_without_its_closing_self_assessment(self, repo_copy):
        """Is a track whose modules have no post self-assessment block reported?"""
        path = repo_copy / "modules" / "08-capstone.md"
        path.write_text(path.read_text(encoding="utf-8").replace("::: assessment minutes=5\nphase: post\ntrack: leaders\n"
                                                                 ":::\n", ""), encoding="utf-8")
        assert "[assessment] modules/: track 'leaders' needs one `assessment` block with phase post in its modules; " \
               "it has 0" in validate_kit(repo_copy)

    def test_a_missing_file(self, repo_copy):
        """Is a missing kit file named?"""
        (repo_copy / "kit" / "norms.yaml").unlink()
        assert validate_kit(repo_copy) == ["[missing file] kit/norms.yaml: the kit needs this file (see kit/README.md)"]


class TestAssessmentBlock:
    def test_a_bad_phase_is_reported(self, repo_copy):
        """Is an assessment block with a phase other than pre or post reported by the course validator?"""
        from gapkit.content import validate_course

        path = repo_copy / "modules" / "00-orientation.md"
        path.write_text(path.read_text(encoding="utf-8").replace("phase: pre", "phase: middle"), encoding="utf-8")
        assert any("[assessment] modules/00-orientation.md line" in p and "'middle'" in p
                   for p in validate_course(repo_copy))


class TestCommand:
    def test_build_check_fails_when_stale(self, repo_copy):
        """Does `gapkit kit build --check` fail naming the stale file, and pass after `gapkit kit build`?"""
        import shutil
        import subprocess
        import sys

        from kit_helpers import ROOT

        shutil.copytree(ROOT / "docs" / "kit", repo_copy / "docs" / "kit")
        _edit(repo_copy, "norms.yaml", "Talk about students and families", "Speak of students and families")
        command = [sys.executable, "-m", "gapkit", "kit", "--root", str(repo_copy), "build"]
        stale = subprocess.run([*command, "--check"], capture_output=True, text=True, timeout=300)
        assert stale.returncode == 1 and all(name in stale.stderr for name in ("calendar.md", "workbook-leaders.pdf",
                                                                            "workbook-educators.pdf"))
        assert subprocess.run(command, capture_output=True, text=True, timeout=300).returncode == 0
        assert subprocess.run([*command, "--check"], capture_output=True, text=True, timeout=300).returncode == 0
