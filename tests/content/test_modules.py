"""The course as data: the real course validates, and every validation rule fires on a broken one."""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
import yaml

from gapkit import content
from gapkit.cli import main as gapkit_main
from gapkit.content import (
    SCHEMA_VERSION,
    ContentError,
    draft_modules,
    facilitator_guide,
    find_root,
    load_course,
    validate_course,
)

ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------------------------------------
# Tiny courses built in tmp_path
# ---------------------------------------------------------------------------------------------

REFLECTION = """\
::: reflection
id: {id}
prompt: What will you change?
graded: true
points: 5
rubric:
  - name: Evidence
    points: 3
    levels:
      3: Specific evidence.
      0: None.
  - name: Next step
    points: 2
    levels:
      2: Concrete.
      0: None.
:::
"""

CHECK = """\
::: check
id: {id}
question: Which is right?
type: single
options:
  - text: This one
    correct: true
    explanation: Because it is.
  - text: That one
    correct: false
    explanation: Because it is not.
:::
"""


def module_text(mid, *, body=None, front=None, schema_version=SCHEMA_VERSION):
    """A valid module file; `body` replaces the default blocks, `front` the default front matter."""
    if front is None:
        front = textwrap.dedent(f"""\
            schema_version: {schema_version}
            id: {mid}
            title: Module {mid}
            domain: Foundations
            minutes:
              teaching: 10
              exercises: 5
            sources:
              - title: A guide
                organisation: An organisation
                sections: [Part one]
            """)
    if body is None:
        body = ("::: objectives\n- Learn one thing.\n:::\n\n"
                + REFLECTION.format(id=f"r-{mid}") + "\n" + CHECK.format(id=f"c-{mid}")
                + "\n::: instructor\nTen minutes.\n:::\n")
    return f"---\n{front}---\n\n{body}"


def make_course(root: Path, modules: dict[str, str], *, listed=None, schema_version=SCHEMA_VERSION,
                extra="") -> Path:
    """Write course_config/course.yaml and modules/<id>.md under `root`; return `root`."""
    (root / "course_config").mkdir(parents=True, exist_ok=True)
    (root / "modules").mkdir(exist_ok=True)
    listed = list(modules) if listed is None else listed
    lines = [f"schema_version: {schema_version}", "title: Tiny course", "cohort: Test cohort", "min_n: 10",
             "dataset: datasets/sample_district/students.csv", "modules:"]
    lines += [f"  - {m}" for m in listed]
    (root / "course_config" / "course.yaml").write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    for mid, text in modules.items():
        (root / "modules" / f"{mid}.md").write_text(text, encoding="utf-8")
    return root


def line_of(text: str, needle: str) -> int:
    """1-based number of the first line of `text` containing `needle` (computed independently of gapkit)."""
    for i, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in text")


# ---------------------------------------------------------------------------------------------
# The real course
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def course():
    return load_course(ROOT)


@pytest.fixture(scope="module")
def config():
    return yaml.safe_load((ROOT / "course_config" / "course.yaml").read_text(encoding="utf-8"))


class TestRealCourse:
    def test_validates_with_zero_problems(self):
        """Does the committed course validate with no problems at all?"""
        assert validate_course(ROOT) == []

    def test_order_follows_course_yaml(self, course, config):
        """Are the modules loaded in the order course.yaml lists them, numbered by their prefixes?"""
        assert [m.id for m in course.modules] == config["modules"]
        assert [m.number for m in course.modules] == list(range(8))

    def test_settings(self, course, config):
        """Are min_n and the dataset path the ones the project fixes?"""
        assert course.min_n == 10
        assert course.dataset == "datasets/sample_district/students.csv"
        assert course.title == config["title"]

    def test_domains(self, course):
        """Do modules 0-2 cover foundations, 3-6 one domain each, and 7 the capstone?"""
        assert [m.domain for m in course.modules] == [
            "Foundations", "Foundations", "Foundations", "Professional Culture", "Instructional Leadership",
            "Family and Community Engagement", "Management and Operations", "Capstone"]

    def test_every_module_meets_the_standard(self, course):
        """Does every module have objectives, key points, sources, 1-3 reflections (one graded), 2-4 checks
        and instructor notes?"""
        for m in course.modules:
            assert m.objectives, m.id
            assert m.blocks[0].kind == "questions", m.id
            assert m.keypoints, m.id
            assert m.sources, m.id
            assert 1 <= len(m.reflections) <= 3, m.id
            assert any(r.graded and r.rubric for r in m.reflections), m.id
            assert 2 <= len(m.checks) <= 4, m.id
            assert m.instructor_notes and all("min" in note for note in m.instructor_notes), m.id
            assert m.minutes_teaching > 0 and m.minutes_exercises > 0, m.id

    def test_rubrics_add_up(self, course):
        """Does every graded reflection's rubric add up to its points, with the top level equal to each
        criterion's points?"""
        for m in course.modules:
            for r in m.reflections:
                if r.graded:
                    assert sum(c.points for c in r.rubric) == r.points, r.id
                    for c in r.rubric:
                        assert max(lv.score for lv in c.levels) == c.points, (r.id, c.name)

    def test_checks_explain_every_option(self, course):
        """Does every check have a correct option and an explanation for every option?"""
        for m in course.modules:
            for c in m.checks:
                assert any(o.correct for o in c.options), c.id
                assert all(o.explanation for o in c.options), c.id
                if not c.multiple:
                    assert sum(o.correct for o in c.options) == 1, c.id

    def test_practice_analysis_modules_have_explore_presets(self, course):
        """Do modules 1, 2, 4 and 7 each carry one or two gap-explorer presets?"""
        for m in course.modules:
            n = len(m.blocks_of("explore"))
            if m.number in (1, 2, 4, 7):
                assert 1 <= n <= 2, m.id
            for block in m.blocks_of("explore"):
                assert block.data["subject"] in ("math", "ela")
                assert block.data["look_for"].endswith((".", "?"))

    def test_capstone_has_the_plan_builder(self, course):
        """Does the capstone, and only the capstone, mark where the action-plan builder goes?"""
        assert [m.id for m in course.modules if m.blocks_of("plan")] == ["07-capstone"]

    def test_ids_are_unique_and_looked_up(self, course):
        """Can every reflection and check be found by its id, and are ids unique across the course?"""
        ids = [r.id for m in course.modules for r in m.reflections] + \
              [c.id for m in course.modules for c in m.checks]
        assert len(ids) == len(set(ids))
        for m in course.modules:
            for r in m.reflections:
                assert course.reflection(r.id) is r and r.module_id == m.id
            for c in m.checks:
                assert course.check(c.id) is c and c.module_id == m.id
        assert course.module("03-professional-culture").number == 3

    def test_unknown_ids_raise(self, course):
        """Does looking up an unknown id raise a KeyError naming the argument and the known ids?"""
        with pytest.raises(KeyError, match=r"`id` \('nope'\) is not a reflection.*m01-gaps-in-my-school"):
            course.reflection("nope")
        with pytest.raises(KeyError, match=r"`id` \('nope'\) is not a knowledge check"):
            course.check("nope")
        with pytest.raises(KeyError, match=r"`id` \('nope'\) is not a published module"):
            course.module("nope")

    def test_every_course_source_and_section_is_cited(self, course, config):
        """Is every source document in course.yaml, and every one of its sections, cited by some module?"""
        assert len(config["sources"]) == 5
        cited = {(s.title, s.organisation, sec) for m in course.modules for s in m.sources for sec in s.sections}
        for src in config["sources"]:
            titles = {t for t, _, _ in cited}
            assert src["title"] in titles, src["title"]
            for sec in src["sections"]:
                assert (src["title"], src["organisation"], sec) in cited, (src["title"], sec)

    def test_guide_gathers_every_instructor_block(self, course):
        """Does the guide hold every instructor block's text and a heading for every module?"""
        guide = facilitator_guide(course)
        for m in course.modules:
            assert f"## Module {m.number}: {m.title}" in guide
            for note in m.instructor_notes:
                assert note in guide

    def test_coverage_table_matches_the_modules(self, course, config):
        """Does docs/coverage.md list every section of every source, and does each module it names cite
        that section in its front matter?"""
        text = (ROOT / "docs" / "coverage.md").read_text(encoding="utf-8")
        table = text.split("## Section by section", 1)[1].split("\n## ", 1)[0]
        rows = [[cell.strip() for cell in line.strip().strip("|").split("|")]
                for line in table.splitlines() if line.startswith("| ") and not line.startswith("| Source")]
        assert len(rows) == 41
        seen = set()
        for row in rows:
            title, section, modules_cell = row[0].strip("*"), row[1], row[2]
            ids = re.findall(r"\b(\d\d-[a-z-]+)", modules_cell)
            assert ids, row
            for mid in ids:
                m = course.module(mid)
                assert any(s.title == title and section in s.sections for s in m.sources), (title, section, mid)
            seen.add((title, section))
        expected = {(s["title"], sec) for s in config["sources"] for sec in s["sections"]}
        assert seen == expected

    def test_rubric_markdown(self, course):
        """Does rubric_markdown show the total, one row per criterion and every score level?"""
        r = course.reflection("m01-gaps-in-my-school")
        md = r.rubric_markdown()
        assert md.startswith("**Rubric: 10 points**")
        table_rows = [line for line in md.splitlines() if line.startswith("| ") and "Criterion" not in line]
        assert len(table_rows) == len(r.rubric) == 3
        assert "| Opportunity behind the gap | 4 |" in md
        assert md.count("<br>") == sum(len(c.levels) - 1 for c in r.rubric)

    def test_find_root_from_a_subfolder(self, tmp_path):
        """Is the repository root found from a folder below it?"""
        make_course(tmp_path, {"01-a": module_text("01-a")})
        deep = tmp_path / "notebooks" / "lessons"
        deep.mkdir(parents=True)
        assert find_root(deep) == tmp_path


# ---------------------------------------------------------------------------------------------
# Parsing a small valid course
# ---------------------------------------------------------------------------------------------

class TestParsing:
    def test_blocks_in_page_order_with_nesting(self, tmp_path):
        """Are blocks kept in page order, with a challenge's solution and hint as children?"""
        body = textwrap.dedent("""\
            ::: objectives
            - First objective
              continues here.
            - Second objective
            :::

            :::: challenge
            Try this.

            ::: hint
            A hint.
            :::

            ::: solution
            The answer.
            :::
            ::::

            ::: explore
            subject: math
            measure: v_statistic
            group: el_status
            focal: EL
            reference: null
            look_for: Look.
            :::

            ::: plan
            :::
            """) + REFLECTION.format(id="r1") + CHECK.format(id="c1")
        make_course(tmp_path, {"01-a": module_text("01-a", body=body)})
        m = load_course(tmp_path).module("01-a")
        assert [b.kind for b in m.blocks] == ["objectives", "challenge", "explore", "plan", "reflection", "check"]
        assert m.objectives == ("First objective continues here.", "Second objective")
        challenge = m.blocks[1]
        assert challenge.text == "Try this."
        assert [(c.kind, c.text) for c in challenge.children] == [("hint", "A hint."), ("solution", "The answer.")]
        assert m.blocks[2].data == {"subject": "math", "measure": "v_statistic", "group": "el_status",
                                    "focal": "EL", "reference": None, "look_for": "Look."}
        assert m.instructor_notes == ()

    def test_colons_inside_code_are_content(self, tmp_path):
        """Can a text block show block syntax inside a fenced code block?"""
        body = "::: text\nThe syntax:\n\n```markdown\n::: callout\nA box.\n:::\n```\n:::\n"
        make_course(tmp_path, {"01-a": module_text("01-a", body=body)})
        m = load_course(tmp_path).module("01-a")
        assert [b.kind for b in m.blocks] == ["text"]
        assert m.blocks[0].text == "The syntax:\n\n```markdown\n::: callout\nA box.\n:::\n```"

    def test_typed_reflection_and_check(self, tmp_path):
        """Are reflections and checks turned into their dataclasses with every field?"""
        make_course(tmp_path, {"01-a": module_text("01-a")})
        course = load_course(tmp_path)
        r = course.reflection("r-01-a")
        assert (r.prompt, r.graded, r.points) == ("What will you change?", True, 5)
        assert [(c.name, c.points, [lv.score for lv in c.levels]) for c in r.rubric] == \
            [("Evidence", 3, [3, 0]), ("Next step", 2, [2, 0])]
        c = course.check("c-01-a")
        assert c.multiple is False
        assert [(o.text, o.correct) for o in c.options] == [("This one", True), ("That one", False)]
        assert course.modules[0].sources[0].sections == ("Part one",)

    def test_drafts_are_excluded(self, tmp_path):
        """Is a module file that course.yaml does not list left out, even when it is broken?"""
        make_course(tmp_path, {"01-a": module_text("01-a"), "02-draft": "not even front matter\n"},
                    listed=["01-a"])
        assert validate_course(tmp_path) == []
        course = load_course(tmp_path)
        assert [m.id for m in course.modules] == ["01-a"]
        assert draft_modules(tmp_path) == ("02-draft",)

    def test_order_is_the_listed_order(self, tmp_path):
        """Does the course follow course.yaml's order rather than file names?"""
        mods = {"01-a": module_text("01-a"), "02-b": module_text("02-b"), "03-c": module_text("03-c")}
        make_course(tmp_path, mods, listed=["01-a", "03-c"])
        assert [m.id for m in load_course(tmp_path).modules] == ["01-a", "03-c"]


# ---------------------------------------------------------------------------------------------
# Every validation rule fires, naming the file and line
# ---------------------------------------------------------------------------------------------

class TestValidation:
    def problems(self, root):
        found = validate_course(root)
        with pytest.raises(ContentError) as info:
            load_course(root)
        assert info.value.problems == found
        return found

    def test_unknown_block(self, tmp_path):
        """Is an unknown block kind reported with its name, file and line?"""
        text = module_text("03-x", body="::: objectives\n- x\n:::\n\n::: foo\nbar\n:::\n")
        make_course(tmp_path, {"03-x": text})
        n = line_of(text, "::: foo")
        with pytest.raises(ContentError, match=rf"\[unknown block\] foo in modules/03-x\.md line {n}\b"):
            load_course(tmp_path)

    def test_missing_front_matter_keys(self, tmp_path):
        """Are missing front-matter keys named?"""
        front = "schema_version: 1\nid: 01-a\ntitle: A\n"
        make_course(tmp_path, {"01-a": module_text("01-a", front=front)})
        with pytest.raises(ContentError, match=r"\[front matter\] modules/01-a\.md line 1: "
                                               r"missing key\(s\) domain, minutes, sources"):
            load_course(tmp_path)

    def test_no_front_matter(self, tmp_path):
        """Is a file without front matter reported?"""
        make_course(tmp_path, {"01-a": "::: text\nhello\n:::\n"})
        with pytest.raises(ContentError, match=r"\[front matter\] modules/01-a\.md line 1: the file must start"):
            load_course(tmp_path)

    @pytest.mark.parametrize("version, tag", [(SCHEMA_VERSION - 1, "schema too old"),
                                              (SCHEMA_VERSION + 1, "schema too new")])
    def test_module_schema_version(self, tmp_path, version, tag):
        """Are too-old and too-new module schema versions distinct errors?"""
        make_course(tmp_path, {"01-a": module_text("01-a", schema_version=version)})
        problems = self.problems(tmp_path)
        assert len(problems) == 1
        assert re.match(rf"\[{tag}\] modules/01-a\.md line 2: schema_version {version} is", problems[0])

    @pytest.mark.parametrize("version, tag, advice", [(0, "schema too old", "update the file"),
                                                      (99, "schema too new", "upgrade gapkit")])
    def test_course_schema_version(self, tmp_path, version, tag, advice):
        """Are too-old and too-new course.yaml versions distinct errors with different advice?"""
        make_course(tmp_path, {"01-a": module_text("01-a")}, schema_version=version)
        with pytest.raises(ContentError, match=rf"\[{tag}\] course_config/course\.yaml line 1: .*{advice}"):
            load_course(tmp_path)

    def test_duplicate_ids_across_modules(self, tmp_path):
        """Is a reflection id reused in another module reported with both places?"""
        a = module_text("01-a")
        b = module_text("02-b", body=REFLECTION.format(id="r-01-a") + CHECK.format(id="c-02-b"))
        make_course(tmp_path, {"01-a": a, "02-b": b})
        first, second = line_of(a, "::: reflection"), line_of(b, "::: reflection")
        with pytest.raises(ContentError, match=rf"\[duplicate id\] r-01-a in modules/02-b\.md line {second}: "
                                               rf"already used in modules/01-a\.md line {first}"):
            load_course(tmp_path)

    def test_duplicate_id_between_a_check_and_a_reflection(self, tmp_path):
        """Do checks and reflections share one id space?"""
        body = REFLECTION.format(id="same") + CHECK.format(id="same")
        make_course(tmp_path, {"01-a": module_text("01-a", body=body)})
        with pytest.raises(ContentError, match=r"\[duplicate id\] same in modules/01-a\.md"):
            load_course(tmp_path)

    def test_check_without_correct_option(self, tmp_path):
        """Is a check with no correct option reported?"""
        body = CHECK.format(id="c1").replace("correct: true", "correct: false")
        text = module_text("01-a", body=body)
        make_course(tmp_path, {"01-a": text})
        n = line_of(text, "::: check")
        with pytest.raises(ContentError, match=rf"\[no correct option\] check c1 in modules/01-a\.md line {n}"):
            load_course(tmp_path)

    def test_single_choice_with_two_correct(self, tmp_path):
        """Is a single-choice check with two correct options reported?"""
        body = CHECK.format(id="c1").replace("correct: false", "correct: true")
        make_course(tmp_path, {"01-a": module_text("01-a", body=body)})
        with pytest.raises(ContentError, match=r"exactly one correct option; 2 are marked correct"):
            load_course(tmp_path)

    def test_option_without_explanation(self, tmp_path):
        """Is an option without an explanation reported, naming the option?"""
        body = CHECK.format(id="c1").replace("    explanation: Because it is not.\n", "")
        make_course(tmp_path, {"01-a": module_text("01-a", body=body)})
        with pytest.raises(ContentError, match=r"\[option without explanation\] check c1 in modules/01-a\.md "
                                               r"line \d+: option 2 \('That one'\)"):
            load_course(tmp_path)

    def test_rubric_points_do_not_add_up(self, tmp_path):
        """Is a rubric whose criteria do not add up to the reflection's points reported?"""
        body = REFLECTION.format(id="r1").replace("points: 5", "points: 6")
        text = module_text("01-a", body=body)
        make_course(tmp_path, {"01-a": text})
        n = line_of(text, "::: reflection")
        with pytest.raises(ContentError, match=rf"\[rubric points\] reflection r1 in modules/01-a\.md line {n}: "
                                               r"the criteria add up to 5 points but the reflection is worth 6"):
            load_course(tmp_path)

    def test_rubric_top_level_must_equal_criterion_points(self, tmp_path):
        """Is a criterion whose top score level is below its points reported?"""
        body = REFLECTION.format(id="r1").replace("      3: Specific evidence.\n", "")
        make_course(tmp_path, {"01-a": module_text("01-a", body=body)})
        with pytest.raises(ContentError, match=r"criterion 'Evidence' is worth 3 points but its top level is 0"):
            load_course(tmp_path)

    def test_listed_module_without_file(self, tmp_path):
        """Is a module listed in course.yaml with no file reported with the course.yaml line?"""
        make_course(tmp_path, {"01-a": module_text("01-a")}, listed=["01-a", "02-missing"])
        config = (tmp_path / "course_config" / "course.yaml").read_text()
        n = line_of(config, "- 02-missing")
        with pytest.raises(ContentError, match=rf"\[missing module\] 02-missing in course_config/course\.yaml "
                                               rf"line {n}: there is no file modules/02-missing\.md"):
            load_course(tmp_path)

    def test_every_problem_at_once(self, tmp_path):
        """Are problems in several files all reported in one go?"""
        a = module_text("01-a", body="::: foo\n:::\n")
        b = module_text("02-b", schema_version=SCHEMA_VERSION + 1)
        make_course(tmp_path, {"01-a": a, "02-b": b}, listed=["01-a", "02-b", "03-c"])
        problems = self.problems(tmp_path)
        assert [p.split("]")[0] + "]" for p in problems] == \
            ["[unknown block]", "[schema too new]", "[missing module]"]
        with pytest.raises(ContentError, match=r"^3 problem\(s\) in the course content"):
            load_course(tmp_path)

    def test_text_outside_a_block(self, tmp_path):
        """Is prose outside any block reported?"""
        text = module_text("01-a", body="Loose prose.\n")
        make_course(tmp_path, {"01-a": text})
        n = line_of(text, "Loose prose.")
        with pytest.raises(ContentError, match=rf"\[text outside a block\] modules/01-a\.md line {n}"):
            load_course(tmp_path)

    def test_unclosed_block(self, tmp_path):
        """Is a block with no closing fence reported at its opening line?"""
        text = module_text("01-a", body="::: text\nnever closed\n")
        make_course(tmp_path, {"01-a": text})
        n = line_of(text, "::: text")
        with pytest.raises(ContentError, match=rf"\[unclosed block\] text in modules/01-a\.md line {n}"):
            load_course(tmp_path)

    def test_solution_outside_challenge(self, tmp_path):
        """Is a solution outside a challenge reported as misplaced?"""
        make_course(tmp_path, {"01-a": module_text("01-a", body="::: solution\nx\n:::\n")})
        with pytest.raises(ContentError, match=r"\[misplaced block\] solution in modules/01-a\.md line \d+: "
                                               r"a solution belongs inside a challenge"):
            load_course(tmp_path)

    def test_challenge_without_solution_or_hint(self, tmp_path):
        """Is a challenge with nothing nested reported?"""
        make_course(tmp_path, {"01-a": module_text("01-a", body="::: challenge\nTry.\n:::\n")})
        with pytest.raises(ContentError, match=r"\[challenge\] modules/01-a\.md line \d+: a challenge needs"):
            load_course(tmp_path)

    def test_bad_yaml_names_the_line(self, tmp_path):
        """Does a YAML mistake inside a check give one message at the offending line?"""
        body = CHECK.format(id="c1").replace("explanation: Because it is not.",
                                             "explanation: Wrong: because it is not.")
        text = module_text("01-a", body=body)
        make_course(tmp_path, {"01-a": text})
        problems = self.problems(tmp_path)
        n = line_of(text, "Wrong: because")
        assert problems == [f"[bad yaml] check block in modules/01-a.md line {n}: YAML could not be read "
                            "(mapping values are not allowed here)"]

    def test_list_block_without_items(self, tmp_path):
        """Is an objectives block that is not a list reported?"""
        text = module_text("01-a", body="::: objectives\nJust a sentence.\n:::\n")
        make_course(tmp_path, {"01-a": text})
        with pytest.raises(ContentError, match=r"\[empty list\] objectives block in modules/01-a\.md line \d+: "
                                               r"write one item per line"):
            load_course(tmp_path)

    def test_bad_id(self, tmp_path):
        """Is an id that cannot be a notebook cell id reported?"""
        text = module_text("01-a", body=REFLECTION.format(id="My Reflection"))
        make_course(tmp_path, {"01-a": text})
        n = line_of(text, "::: reflection")
        with pytest.raises(ContentError, match=rf"\[bad id\] 'My Reflection' in modules/01-a\.md line {n}: "
                                               r"ids use lower-case letters, digits and hyphens"):
            load_course(tmp_path)

    def test_explore_preset_values(self, tmp_path):
        """Are an unknown measure and an unknown group column reported?"""
        body = ("::: explore\nsubject: math\nmeasure: median\ngroup: shoe_size\nfocal: EL\nreference: null\n"
                "look_for: x\n:::\n")
        make_course(tmp_path, {"01-a": module_text("01-a", body=body)})
        problems = "\n".join(self.problems(tmp_path))
        assert "`measure` ('median') must be one of percent_proficient, mean_scale, standardized, v_statistic" \
            in problems
        assert "`group` ('shoe_size') is not a student-record column" in problems

    def test_unknown_source_section(self, tmp_path):
        """Is a section the course's source list does not know reported?"""
        extra = ("sources:\n  - title: A guide\n    organisation: An organisation\n"
                 "    sections: [Part two]\n")
        make_course(tmp_path, {"01-a": module_text("01-a")}, extra=extra)
        with pytest.raises(ContentError, match=r"\[unknown section\] 'Part one' in modules/01-a\.md line \d+"):
            load_course(tmp_path)

    def test_module_id_must_match_file(self, tmp_path):
        """Is a front-matter id that differs from the file name reported?"""
        text = module_text("01-a").replace("id: 01-a", "id: 01-b")
        make_course(tmp_path, {"01-a": text})
        with pytest.raises(ContentError, match=r"`id` \('01-b'\) must match the file name"):
            load_course(tmp_path)

    def test_unknown_domain(self, tmp_path):
        """Is a domain outside the course's list reported?"""
        text = module_text("01-a").replace("domain: Foundations", "domain: Sports")
        make_course(tmp_path, {"01-a": text})
        with pytest.raises(ContentError, match=r"`domain` \('Sports'\) must be one of Foundations"):
            load_course(tmp_path)

    def test_no_course_file(self, tmp_path):
        """Is a folder without course_config/course.yaml reported?"""
        problems = validate_course(tmp_path)
        assert problems == ["[no course] course_config/course.yaml: the course settings file does not exist"]

    def test_content_error_is_a_value_error(self):
        """Can callers catch ContentError as a ValueError?"""
        assert issubclass(content.ContentError, ValueError)


# ---------------------------------------------------------------------------------------------
# The explore presets work on the sample district
# ---------------------------------------------------------------------------------------------

def explore_presets(course):
    return [(m.id, b.data) for m in course.modules for b in m.blocks_of("explore")]


class TestExplorePresets:
    def test_presets_name_schools_grades_and_comparisons_that_exist(self, course):
        """Does every preset's school (and grade at that school) exist in the sample district, and does
        its group/focal/reference match a comparison the explorer offers by name?"""
        import pandas as pd

        from gapkit.widgets import explorer

        students = pd.read_csv(ROOT / course.dataset, usecols=["school_name", "grade", "year"])
        for mid, preset in explore_presets(course):
            rows = students
            if preset.get("school"):
                assert preset["school"] in set(students["school_name"]), (mid, preset["school"])
                rows = students[students["school_name"] == preset["school"]]
            if preset.get("grade") is not None:
                assert preset["grade"] in set(rows["grade"]), (mid, preset["grade"])
            if preset.get("year") is not None:
                assert preset["year"] in set(rows["year"]), (mid, preset["year"])
            found = explorer.comparison_for(preset["group"], preset["focal"], preset["reference"])
            assert found.name in explorer.COMPARISONS, (mid, found.name)

    @pytest.mark.slow
    def test_every_preset_builds_the_explorer(self, course):
        """Does the real gap explorer open on every preset, showing the preset's view?"""
        from gapkit.widgets.explorer import ALL_GRADES, ALL_SCHOOLS, gap_explorer

        for mid, preset in explore_presets(course):
            widget = gap_explorer(course=course, **preset)
            r = widget.result
            assert r is not None, mid
            assert (r.subject, r.measure) == (preset["subject"], preset["measure"]), mid
            assert r.school == (preset.get("school") or ALL_SCHOOLS), mid
            assert r.grade == (preset["grade"] if preset.get("grade") is not None else ALL_GRADES), mid
            assert r.sentence, mid


class TestCommandLine:
    def test_valid_course_writes_the_guide(self, tmp_path, capsys):
        """Does `gapkit content --guide PATH` validate, report drafts and write the guide?"""
        make_course(tmp_path, {"01-a": module_text("01-a"), "02-draft": "draft\n"}, listed=["01-a"])
        guide = tmp_path / "guide.md"
        assert gapkit_main(["content", "--root", str(tmp_path), "--guide", str(guide)]) == 0
        out = capsys.readouterr().out
        assert "1 modules, 1 reflections, 1 knowledge checks; no problems." in out
        assert "Drafts (not published): 02-draft" in out
        assert guide.read_text(encoding="utf-8") == facilitator_guide(load_course(tmp_path))

    def test_broken_course_lists_problems(self, tmp_path, capsys):
        """Does a broken course exit with status 1 and print every problem, without a traceback?"""
        make_course(tmp_path, {"01-a": module_text("01-a", body="::: foo\n:::\n")}, listed=["01-a", "02-b"])
        assert gapkit_main(["content", "--root", str(tmp_path)]) == 1
        err = capsys.readouterr().err
        assert "[unknown block] foo in modules/01-a.md" in err
        assert "[missing module] 02-b" in err
        assert "2 problem(s) found." in err
        assert "Traceback" not in err
