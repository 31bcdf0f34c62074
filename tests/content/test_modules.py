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
::: reflection minutes=10
id: {id}
prompt: What will you change?
graded: true
points: 5
pass: 3
rubric:
  - name: Evidence
    points: 3
    levels:
      3: {{descriptor: Specific evidence., anchor: "Grade 5 ELs, 21% proficient."}}
      0: {{descriptor: None., anchor: "(Nothing.)"}}
  - name: Next step
    points: 2
    levels:
      2: {{descriptor: Concrete., anchor: "Move ELD out of period 3 by March."}}
      0: {{descriptor: None., anchor: "(Nothing.)"}}
:::
"""

CHECK = """\
::: check minutes=2
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
                extra="", tracks=None) -> Path:
    """Write course_config/course.yaml (one track listing `listed`, or `tracks`) and modules/<id>.md."""
    (root / "course_config").mkdir(parents=True, exist_ok=True)
    (root / "modules").mkdir(exist_ok=True)
    listed = list(modules) if listed is None else listed
    tracks = tracks or [("main", "m", listed)]
    lines = [f"schema_version: {schema_version}", "title: Tiny course", "cohort: Test cohort", "min_n: 10",
             "dataset: datasets/sample_district/students.csv", "tracks:"]
    for tid, prefix, mods in tracks:
        lines += [f"  - id: {tid}", f"    title: Track {tid}", "    audience: testers",
                  f"    assignment_prefix: {prefix}", "    description: A track.", "    objectives: [Learn.]",
                  "    modules:"]
        lines += [f"      - {m}" for m in mods]
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


def single_checks(course):
    return [c for m in course.modules for c in m.checks if not c.multiple]


class TestRealCourse:
    def test_validates_with_zero_problems(self):
        """Does the committed course validate with no problems at all?"""
        assert validate_course(ROOT) == []

    def test_two_tracks_in_the_listed_order(self, course, config):
        """Are there the administrators' and the educators' tracks, each with its modules in course.yaml's order,
        numbered from 0 by position, and assignment prefixes m and e?"""
        assert [t.id for t in course.tracks] == ["leaders", "educators"]
        for t, spec in zip(course.tracks, config["tracks"]):
            assert [m.id for m in t.modules] == spec["modules"]
            assert [t.number(m.id) for m in t.modules] == list(range(len(spec["modules"])))
        assert [t.assignment_prefix for t in course.tracks] == ["m", "e"]
        assert course.track("educators").assignment_id("06-legal-floor") == "e06"

    def test_shared_modules_are_one_file_and_keep_their_number(self, course):
        """Do the shared modules (gaps, causes, legal floor) sit in both tracks at the same number, as their
        file names say?"""
        leaders, educators = course.track("leaders"), course.track("educators")
        shared = {m.id for m in leaders.modules} & {m.id for m in educators.modules}
        assert shared == {"01-what-gaps-are", "02-why-gaps-exist", "06-legal-floor"}
        for mid in shared:
            assert leaders.module(mid) is educators.module(mid)
            assert leaders.number(mid) == educators.number(mid) == int(mid[:2])
        for t in course.tracks:
            assert [int(m.id[:2]) for m in t.modules] == list(range(len(t.modules)))

    def test_cross_references_hold_in_every_track(self, course):
        """Does every "Module N" in a module refer, in each track that lists it, to a module of that track,
        and in a shared module to the same module in every track?"""
        for m in course.modules:
            tracks = [t for t in course.tracks if m in t.modules]
            text = "\n".join(b.text for b in m.blocks) + "\n".join(str(b.data) for b in m.blocks if b.data)
            for n in {int(x) for x in re.findall(r"\bModules? (\d)\b", text)}:
                targets = {t.modules[n].id if n < len(t.modules) else None for t in tracks}
                assert None not in targets, (m.id, n)
                assert len(targets) == 1, (m.id, n, targets)

    def test_settings(self, course, config):
        """Are min_n and the dataset path the ones the project fixes?"""
        assert course.min_n == 10
        assert course.dataset == "datasets/sample_district/students.csv"
        assert course.title == config["title"]

    def test_domains(self, course):
        """Does the leaders' track cover foundations, the four domains, the legal floor and the capstone in order?"""
        assert [m.domain for m in course.track("leaders").modules] == [
            "Foundations", "Foundations", "Foundations", "Professional Culture", "Instructional Leadership",
            "Family and Community Engagement", "Legal and Policy Floor", "Management and Operations", "Capstone"]
        assert [m.domain for m in course.track("educators").modules] == [
            "Foundations", "Foundations", "Foundations", "Culture, Equity and Language", "Shared Responsibility",
            "Shared Responsibility", "Legal and Policy Floor", "Capstone"]

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

    def test_instructor_notes_state_the_blocks_minutes(self, course):
        """Does each module's facilitator note state the writing and practice minutes its blocks add up to?"""
        for m in course.modules:
            head = m.instructor_notes[0].splitlines()[0]
            found = re.search(r"(\d+) minutes of writing(?: and about (\d+) of practice)? after", head)
            assert found, (m.id, head)
            assert int(found.group(1)) == m.minutes["writing"], (m.id, head)
            assert int(found.group(2) or 0) == m.minutes["practice"], (m.id, head)

    def test_totals_include_the_work(self, course):
        """Do the tracks' totals include reflections and practice, and the stated hours in the orientations match
        the block sums (18 and 15 hours at the participant's own pace)?"""
        leaders, educators = (sum(course.track(t).minutes.values()) for t in ("leaders", "educators"))
        assert round(leaders / 60) == 18 and round(educators / 60) == 15
        assert course.track("leaders").minutes["writing"] > 0 and course.track("leaders").minutes["practice"] > 0
        assert "about 18 hours" in course.module("00-orientation").blocks_of("text")[2].text
        assert "about 15 hours" in course.module("00-educators-orientation").blocks_of("text")[2].text

    def test_rubrics_add_up_with_anchors_and_pass_marks(self, course):
        """Does every graded rubric add up, run from its points down to 0, give every level an anchor answer,
        and set a pass mark between half and all of the points?"""
        graded = [r for m in course.modules for r in m.reflections if r.graded]
        graded += [t.reason for m in course.modules if m.practice for t in m.practice.tasks if t.reason]
        assert len(graded) == 20  # 14 graded reflections, one per module, and 6 written reasons
        for r in graded:
            assert sum(c.points for c in r.rubric) == r.points, r.id
            assert r.points / 2 <= r.pass_points <= r.points, r.id
            for c in r.rubric:
                assert c.levels[0].score == c.points and c.levels[-1].score == 0, (r.id, c.name)
                for lv in c.levels:
                    assert lv.anchor and lv.anchor != lv.descriptor, (r.id, c.name, lv.score)

    def test_no_credit_for_deficit_framing(self, course):
        """Does every level that gives no credit (deficit framing, explanations by students' characteristics
        alone) score 0, and does every rubric of a reflection that asks for causes or plans have such a level?"""
        for m in course.modules:
            for r in m.reflections:
                for c in r.rubric:
                    for lv in c.levels:
                        if re.search(r"no credit|characteristics alone", lv.descriptor):
                            assert lv.score == 0, (r.id, c.name, lv.score)
        for rid in ("m01-gaps-in-my-school", "m02-causes-in-my-school", "m03-vision", "m05-partnership-plan",
                    "m06-state-floor", "m07-policy-audit", "m08-action-plan", "e00-my-reach", "e03-lesson-plan",
                    "e04-stakeholder-map", "e05-commitments", "e07-my-plan", "m01-why-current-el-gap"):
            r = course.reflection(rid)
            assert any("deficit" in lv.descriptor or "characteristics alone" in lv.descriptor
                       for c in r.rubric for lv in c.levels if lv.score == 0), rid

    def test_descriptors_are_observable(self, course):
        """Is no rubric criterion or descriptor worded in what a grader cannot observe ("honest", "genuine")?"""
        for m in course.modules:
            for r in m.reflections:
                for c in r.rubric:
                    words = " ".join([c.name, *(lv.descriptor for lv in c.levels)]).lower()
                    assert not re.search(r"\b(honest|honestly|genuine|sincere|deep understanding)\b", words), \
                        (r.id, c.name)

    def test_capstone_weighs_assets(self, course):
        """Is asset orientation at least a fifth of the capstone plan's points?"""
        r = course.reflection("m08-action-plan")
        assets = next(c for c in r.rubric if "asset" in c.name.lower())
        assert assets.points * 5 >= r.points

    def test_checks_explain_every_option(self, course):
        """Does every check have a correct option, a wrong one, and an explanation for every option?"""
        for m in course.modules:
            for c in m.checks:
                assert any(o.correct for o in c.options) and not all(o.correct for o in c.options), c.id
                assert all(o.explanation for o in c.options), c.id
                if not c.multiple:
                    assert sum(o.correct for o in c.options) == 1, c.id

    def test_practice_modules(self, course):
        """Do modules 1, 2, 4, 6 and 8 of the leaders' track, and 1, 2 and 6 of the educators', carry a
        practice analysis?"""
        for track, numbers in (("leaders", [1, 2, 4, 6, 8]), ("educators", [1, 2, 6])):
            t = course.track(track)
            assert [t.number(m.id) for m in t.modules if m.practice] == numbers

    def test_practice_explorer_presets(self, course):
        """Do modules 1, 2, 4 and 8 of the leaders' track each carry one or two explorer presets that read well?"""
        t = course.track("leaders")
        for m in t.modules:
            n = len(m.blocks_of("explore"))
            if t.number(m.id) in (1, 2, 4, 8):
                assert 1 <= n <= 2, m.id
            for block in m.blocks_of("explore"):
                assert block.data["subject"] in ("math", "ela")
                assert block.data["look_for"].endswith((".", "?"))
                assert "el_status" not in block.data["look_for"], "name the control, not the column"

    def test_plan_builders(self, course):
        """Do exactly the two capstones mark where the action-plan builder goes?"""
        assert sorted(m.id for m in course.modules if m.blocks_of("plan")) == ["07-educators-plan", "08-capstone"]

    def test_ids_are_unique_and_looked_up(self, course):
        """Can every reflection, reason and check be found by its id, and are ids unique across the course?"""
        reasons = [t.reason for m in course.modules if m.practice for t in m.practice.tasks if t.reason]
        ids = [r.id for m in course.modules for r in m.reflections] + [r.id for r in reasons] + \
              [c.id for m in course.modules for c in m.checks]
        assert len(ids) == len(set(ids))
        for m in course.modules:
            for r in m.reflections:
                assert course.reflection(r.id) is r and r.module_id == m.id
            for c in m.checks:
                assert course.check(c.id) is c and c.module_id == m.id
        for r in reasons:
            assert course.reflection(r.id) is r
        assert course.module("03-professional-culture").id == "03-professional-culture"
        assert course.task("01-what-gaps-are", "v-gap").name == "v_gap"

    def test_unknown_ids_raise(self, course):
        """Does looking up an unknown id raise a KeyError naming the argument and the known ids?"""
        with pytest.raises(KeyError, match=r"`id` \('nope'\) is not a reflection.*m01-gaps-in-my-school"):
            course.reflection("nope")
        with pytest.raises(KeyError, match=r"`id` \('nope'\) is not a knowledge check"):
            course.check("nope")
        with pytest.raises(KeyError, match=r"`id` \('nope'\) is not a published module"):
            course.module("nope")
        with pytest.raises(KeyError, match=r"`id` \('nope'\) is not a track of this course"):
            course.track("nope")

    def test_every_course_source_and_section_is_cited(self, course, config):
        """Is every source document in course.yaml, and every one of its sections, cited by some module?"""
        assert len(config["sources"]) == 5
        cited = {(s.title, s.organisation, sec) for m in course.modules for s in m.sources for sec in s.sections}
        for src in config["sources"]:
            titles = {t for t, _, _ in cited}
            assert src["title"] in titles, src["title"]
            for sec in src["sections"]:
                assert (src["title"], src["organisation"], sec) in cited, (src["title"], sec)

    def test_the_administrators_course_credits_matsol_and_the_department(self, course):
        """Is the administrators' course cited as MATSOL's, developed with the Massachusetts DESE?"""
        src = next(s for s in course.sources if s.title == "Leading for English Learner Equity and Achievement")
        assert "MATSOL" in src.organisation and "Department of Elementary and Secondary Education" in src.organisation

    def test_guide_gathers_every_instructor_block(self, course):
        """Does the guide hold every instructor block's text, each track's table and every module once?"""
        guide = facilitator_guide(course)
        for t in course.tracks:
            assert f"## Track `{t.id}`: {t.title}" in guide
        for m in course.modules:
            assert guide.count(f"\n## {m.title}\n") == 1
            for note in m.instructor_notes:
                assert note in guide

    def test_coverage_table_matches_the_modules(self, course, config):
        """Does docs/coverage.md list every section of every source, and does each module it names cite
        that section in its front matter?"""
        text = (ROOT / "docs" / "coverage.md").read_text(encoding="utf-8")
        table = text.split("## Section by section", 1)[1].split("\n## ", 1)[0]
        rows = [[cell.strip() for cell in line.strip().strip("|").split("|")]
                for line in table.splitlines() if line.startswith("| ") and not line.startswith("| Source")]
        assert len(rows) == sum(len(s["sections"]) for s in config["sources"])
        seen = set()
        for row in rows:
            title, section, modules_cell = row[0].strip("*"), row[1], row[2]
            ids = re.findall(r"\b(\d\d-[a-z-]+)", modules_cell)
            assert ids, row
            for mid in ids:
                m = course.module(mid)
                assert any(s.title == title and section in s.sections for s in m.sources), (title, section, mid)
            for block_id in re.findall(r"`([me]\d\d-[a-z0-9-]+)`", row[3]):
                assert any(block_id in (r.id for r in course.module(mid).reflections)
                           or block_id in (c.id for c in course.module(mid).checks) for mid in ids), (row, block_id)
            seen.add((title, section))
        expected = {(s["title"], sec) for s in config["sources"] for sec in s["sections"]}
        assert seen == expected

    def test_rubric_markdown(self, course):
        """Does rubric_markdown show the total, the pass mark, one row per criterion and every level's anchor?"""
        r = course.reflection("m01-gaps-in-my-school")
        md = r.rubric_markdown()
        assert md.startswith("**Rubric: 10 points; 6 to pass.**")
        table_rows = [line for line in md.splitlines() if line.startswith("| ") and "Criterion" not in line]
        assert len(table_rows) == len(r.rubric) == 3
        assert "| Opportunity behind the gap | 4 |" in md
        assert md.count("<br>") == sum(len(c.levels) - 1 for c in r.rubric)
        assert md.count("*Anchor:*") == sum(len(c.levels) for c in r.rubric)

    def test_find_root_from_a_subfolder(self, tmp_path):
        """Is the repository root found from a folder below it?"""
        make_course(tmp_path, {"01-a": module_text("01-a")})
        deep = tmp_path / "notebooks" / "lessons"
        deep.mkdir(parents=True)
        assert find_root(deep) == tmp_path


# ---------------------------------------------------------------------------------------------
# The knowledge-check bank cannot be answered by position or length
# ---------------------------------------------------------------------------------------------

class TestCheckBank:
    def test_correct_option_in_each_position_about_equally_often(self, course):
        """Over every single-choice check, is the correct option in each position about equally often (chi-square
        goodness of fit, scipy.stats.chisquare, p above 0.5), with no position more than 2 away from even?"""
        from scipy import stats

        checks = single_checks(course)
        assert len(checks) >= 20 and {len(c.options) for c in checks} == {4}
        places = [next(i for i, o in enumerate(c.options) if o.correct) for c in checks]
        counts = [places.count(i) for i in range(4)]
        assert stats.chisquare(counts).pvalue > 0.5, counts
        assert max(abs(n - len(checks) / 4) for n in counts) <= 2, counts

    def test_correct_option_not_longest_more_often_than_chance(self, course):
        """Is the correct option the longest (by characters, strictly) in no more single-choice checks than chance
        (one in the number of options), and the shortest no more often either?"""
        checks = single_checks(course)
        chance = sum(1 / len(c.options) for c in checks)
        longest = shortest = 0
        for c in checks:
            lengths = [len(o.text) for o in c.options]
            right = next(len(o.text) for o in c.options if o.correct)
            longest += right == max(lengths) and lengths.count(right) == 1
            shortest += right == min(lengths) and lengths.count(right) == 1
        assert longest <= chance, (longest, chance)
        assert shortest <= chance, (shortest, chance)

    def test_options_of_similar_length(self, course):
        """Does no single-choice check give its answer away by length: is the correct option within 25 characters
        of every other option?"""
        for c in single_checks(course):
            right = next(len(o.text) for o in c.options if o.correct)
            assert all(abs(len(o.text) - right) <= 25 for o in c.options), c.id

    def test_select_all_checks_are_not_all_but_one(self, course):
        """In select-all checks, are at least two options wrong in most, and is the wrong option not always last?"""
        multi = [c for m in course.modules for c in m.checks if c.multiple]
        assert len(multi) >= 8
        wrong = [sum(not o.correct for o in c.options) for c in multi]
        assert sum(w >= 2 for w in wrong) >= len(multi) * 0.8, wrong
        last_wrong = [not c.options[-1].correct for c in multi]
        assert sum(last_wrong) <= len(multi) / 2, last_wrong
        longest_right = sum(c.options[max(range(len(c.options)), key=lambda i: len(c.options[i].text))].correct
                            for c in multi)
        assert longest_right <= sum(sum(o.correct for o in c.options) / len(c.options) for c in multi) + 1


# ---------------------------------------------------------------------------------------------
# Every citation is checked: a year and a publisher, vendors labelled, cited where used
# ---------------------------------------------------------------------------------------------

class TestCitations:
    def test_every_citation_has_a_year_and_a_publisher(self, course):
        """Does every source and every reference have a year (or "n.d." with a note) and a publisher?"""
        works = [*course.sources, *course.references]
        assert len(course.references) >= 20
        for w in works:
            assert isinstance(w.year, int) and 1900 <= w.year <= 2026 or (w.year == "n.d." and w.note), w
            assert w.publisher.strip(), w

    def test_vendor_and_commercial_work_is_labelled(self, course):
        """Are the vendor's blog post, the software company's white paper and the consulting firm's brief labelled
        as what they are, on the page and in the text that cites them?"""
        clerisy = next(s for s in course.sources if s.organisation == "Clerisy")
        assert clerisy.kind == "vendor blog post"
        assert course.reference("hudson2017").kind == "vendor white paper"
        assert course.reference("hanover2017").kind == "commercial research brief"
        text = course.module("04-instructional-leadership").blocks_of("text")[2].text
        assert "software" in text and "consulting firm" in text and "not peer reviewed" in text
        assert "[vendor white paper]" in course.reference("hudson2017").full()

    def test_no_reference_written_by_hand(self, course):
        """Does module text cite works only through [@key], never with a reference line typed into a block?"""
        for m in course.modules:
            for b in m.blocks:
                for line in b.text.splitlines():
                    assert not re.match(r"^[A-Z][A-Za-z'-]+, [A-Z]\. .*\((19|20)\d\d", line), (m.id, line)

    def test_once_uncited_claims_are_cited(self, course):
        """Are Tatum's "smog", the LOOK Act and the parent-advisory requirement cited, and is "some states require"
        backed by a named law?"""
        assert "tatum1997" in {r.key for r in course.module("03-professional-culture").references}
        families = course.module("05-family-community")
        assert {"look2017", "doj2015", "plyler1982"} <= {r.key for r in families.references}
        for m in course.modules:
            for b in m.blocks:
                if "some states require" in b.text.lower():
                    assert "LOOK Act" in b.text, m.id

    def test_withdrawn_guidance_is_dated(self, course):
        """Does the legal module date what is known about the 2015 letter and tell readers to check its status?"""
        callout = course.module("06-legal-floor").blocks_of("callout")[0].text
        assert "as of December 2026" in callout
        assert "7 January 2015" in callout and "withdr" in callout and "check" in callout.lower()
        assert "reported" in course.reference("doj2015").note.lower()

    def test_legal_floor_names_each_authority_with_its_year(self, course):
        """Does the legal module cite Title VI (1964), Lau (1974), the EEOA (1974), Castaneda (1981), Plyler (1982)
        and ESSA (2015), and the LOOK Act (2017) in its state worksheet?"""
        keys = {r.key: r.year for r in course.module("06-legal-floor").references}
        expected = {"titlevi1964": 1964, "lau1974": 1974, "eeoa1974": 1974, "castaneda1981": 1981,
                    "plyler1982": 1982, "essa2015": 2015, "look2017": 2017, "doj2015": 2015}
        assert all(keys.get(k) == y for k, y in expected.items()), keys

    def test_guide_three_is_not_claimed(self, course):
        """Is NEA's Discussion Guide 3 named only as a guide of the series, never as a source the course teaches?"""
        text = (ROOT / "docs" / "coverage.md").read_text(encoding="utf-8")
        for line in text.splitlines():
            if "Guide 3" in line:
                assert "not" in line, line


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

            :::: challenge minutes=5
            Try this.

            ::: hint
            A hint.
            :::

            ::: solution
            The answer.
            :::
            ::::

            ::: explore minutes=4
            subject: math
            measure: v_statistic
            group: el_status
            focal: EL
            reference: null
            look_for: Look.
            :::

            ::: plan minutes=20
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

    def test_minutes_add_up_by_kind(self, tmp_path):
        """Are a module's minutes the sums of its blocks by kind (5 + 4 + 20 activities, 10 writing, 2 checks)?"""
        body = ("::: text minutes=3\nA short text.\n:::\n\n::: {.callout minutes=2}\nA box.\n:::\n\n"
                "::: discussion minutes=15\nTalk.\n:::\n" + REFLECTION.format(id="r1") + CHECK.format(id="c1"))
        make_course(tmp_path, {"01-a": module_text("01-a", body=body)})
        m = load_course(tmp_path).module("01-a")
        assert m.minutes == {"reading": 5, "activities": 17, "writing": 10, "practice": 0}
        assert (m.minutes_teaching, m.minutes_exercises, m.minutes_total) == (5, 27, 32)
        assert [b.minutes for b in m.blocks] == [3, 2, 15, 10, 2]

    def test_colons_inside_code_are_content(self, tmp_path):
        """Can a text block show block syntax inside a fenced code block?"""
        body = "::: text minutes=1\nThe syntax:\n\n```markdown\n::: callout\nA box.\n:::\n```\n:::\n"
        make_course(tmp_path, {"01-a": module_text("01-a", body=body)})
        m = load_course(tmp_path).module("01-a")
        assert [b.kind for b in m.blocks] == ["text"]
        assert m.blocks[0].text == "The syntax:\n\n```markdown\n::: callout\nA box.\n:::\n```"

    def test_typed_reflection_and_check(self, tmp_path):
        """Are reflections and checks turned into their dataclasses with every field, anchors and pass mark?"""
        make_course(tmp_path, {"01-a": module_text("01-a")})
        course = load_course(tmp_path)
        r = course.reflection("r-01-a")
        assert (r.prompt, r.graded, r.points, r.pass_points) == ("What will you change?", True, 5, 3)
        assert [(c.name, c.points, [lv.score for lv in c.levels]) for c in r.rubric] == \
            [("Evidence", 3, [3, 0]), ("Next step", 2, [2, 0])]
        assert r.rubric[0].levels[0].anchor == "Grade 5 ELs, 21% proficient."
        c = course.check("c-01-a")
        assert c.multiple is False
        assert [(o.text, o.correct) for o in c.options] == [("This one", True), ("That one", False)]
        assert course.modules[0].sources[0].sections == ("Part one",)

    def test_citations_rendered_and_collected(self, tmp_path):
        """Do [@key] and @key render as "(Cite, year)" and "Cite (year)", in Markdown and in YAML text alike,
        and is each reference listed once, in order of first use?"""
        extra = textwrap.dedent("""\
            references:
              ho2008:
                cite: Ho
                authors: Ho, A. D.
                year: 2008
                title: The problem with proficiency
                publisher: Educational Researcher
              lau1974:
                cite: "*Lau v. Nichols*"
                authors: Supreme Court of the United States
                year: 1974
                title: Lau v. Nichols, 414 U.S. 563
                publisher: United States Reports
                kind: court decision
            """)
        body = ("::: text minutes=1\nAs @ho2008 showed, the cut matters [@ho2008]; see also [@lau1974].\n:::\n"
                + CHECK.format(id="c1").replace("explanation: Because it is.", "explanation: See @lau1974."))
        make_course(tmp_path, {"01-a": module_text("01-a", body=body)}, extra=extra)
        m = load_course(tmp_path).module("01-a")
        assert m.blocks[0].text == ("As Ho (2008) showed, the cut matters (Ho, 2008); see also "
                                    "(*Lau v. Nichols*, 1974).")
        assert m.checks[0].options[0].explanation == "See *Lau v. Nichols* (1974)."
        assert [r.key for r in m.references] == ["ho2008", "lau1974"]
        assert m.references[1].full() == ("Supreme Court of the United States (1974). *Lau v. Nichols, 414 U.S. 563*. "
                                          "United States Reports. [court decision]")

    def test_tracks_share_a_module(self, tmp_path):
        """Can two tracks list the same module file, each numbering it by its place?"""
        mods = {"01-a": module_text("01-a"), "02-b": module_text("02-b")}
        make_course(tmp_path, mods, tracks=[("one", "m", ["01-a", "02-b"]), ("two", "e", ["02-b"])])
        course = load_course(tmp_path)
        assert [m.id for m in course.modules] == ["01-a", "02-b"]
        assert course.track("one").number("02-b") == 1 and course.track("two").number("02-b") == 0
        assert course.track("two").assignment_id("02-b") == "e00"
        assert course.track() is course.tracks[0]

    def test_practice_and_tasks(self, tmp_path):
        """Do a practice block and its tasks become the module's Practice, with both routes and a reason?"""
        body = textwrap.dedent("""\
            ::: practice
            intro: Read the gap.
            setup: |-
              school = records
            :::

            ::: task minutes=4
            id: gap
            points: 2
            name: gap_points
            text: What is the gap?
            input: number
            model: 24
            answer: |-
              gap_points = None
            solution: |-
              gap_points = 24
            tests: |-
              assert gap_points is not None
            hidden_tests: |-
              assert abs(gap_points - 24) < 1
            reason:
              id: r-why
              prompt: Why?
              points: 2
              pass: 1
              rubric:
                - name: Reason
                  points: 2
                  levels:
                    2: {descriptor: A reason., anchor: "Because."}
                    0: {descriptor: None., anchor: "(None.)"}
            :::
            """) + REFLECTION.format(id="r1") + CHECK.format(id="c1")
        make_course(tmp_path, {"01-a": module_text("01-a", body=body)})
        course = load_course(tmp_path)
        p = course.module("01-a").practice
        assert (p.intro, p.setup, p.points) == ("Read the gap.", "school = records", 4)
        t = p.task("gap")
        assert t.code_route and t.box_route and (t.model, t.minutes, t.module_id) == (24, 4, "01-a")
        assert course.reflection("r-why").points == 2
        assert course.module("01-a").minutes["practice"] == 4

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
        make_course(tmp_path, mods, listed=["03-c", "01-a"])
        assert [m.id for m in load_course(tmp_path).track().modules] == ["03-c", "01-a"]


# ---------------------------------------------------------------------------------------------
# Every validation rule fires, naming the file and line
# ---------------------------------------------------------------------------------------------

TASK = textwrap.dedent("""\
    ::: practice
    intro: Practice.
    :::

    ::: task minutes=3
    id: t1
    points: 1
    name: x
    text: What is x?
    input: choice
    options: [One, Two]
    model: A
    tests: |-
      assert x
    hidden_tests: |-
      assert x == "A"
    :::
    """)


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
        front = f"schema_version: {SCHEMA_VERSION}\nid: 01-a\ntitle: A\n"
        make_course(tmp_path, {"01-a": module_text("01-a", front=front)})
        with pytest.raises(ContentError, match=r"\[front matter\] modules/01-a\.md line 1: "
                                               r"missing key\(s\) domain, sources"):
            load_course(tmp_path)

    def test_old_front_matter_minutes_refused(self, tmp_path):
        """Is a module still giving minutes in its front matter told that minutes now sit on blocks?"""
        text = module_text("01-a").replace("domain: Foundations", "domain: Foundations\nminutes: {teaching: 5}")
        make_course(tmp_path, {"01-a": text})
        with pytest.raises(ContentError, match=r"unknown key\(s\) minutes \(minutes now sit on each block"):
            load_course(tmp_path)

    def test_no_front_matter(self, tmp_path):
        """Is a file without front matter reported?"""
        make_course(tmp_path, {"01-a": "::: text minutes=1\nhello\n:::\n"})
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

    @pytest.mark.parametrize("version, tag, advice", [(1, "schema too old", "update the file"),
                                                      (99, "schema too new", "upgrade gapkit")])
    def test_course_schema_version(self, tmp_path, version, tag, advice):
        """Are too-old and too-new course.yaml versions distinct errors with different advice?"""
        make_course(tmp_path, {"01-a": module_text("01-a")}, schema_version=version)
        with pytest.raises(ContentError, match=rf"\[{tag}\] course_config/course\.yaml line 1: .*{advice}"):
            load_course(tmp_path)

    def test_missing_minutes(self, tmp_path):
        """Is a timed block without minutes reported, and minutes on an untimed block?"""
        text = module_text("01-a", body="::: text\nHello.\n:::\n\n::: objectives minutes=3\n- x\n:::\n")
        make_course(tmp_path, {"01-a": text})
        problems = "\n".join(self.problems(tmp_path))
        assert (f"[minutes] text block in modules/01-a.md line {line_of(text, '::: text')}: this block takes a "
                "participant's time: open it with `::: text minutes=N`") in problems
        assert "objectives blocks are not timed; remove minutes=3" in problems

    def test_reading_minutes_must_be_honest(self, tmp_path):
        """Is a 600-word text given 1 minute refused (at 200 words a minute it needs 3)?"""
        words = " ".join(["word"] * 600)
        make_course(tmp_path, {"01-a": module_text("01-a", body=f"::: text minutes=1\n{words}\n:::\n")})
        with pytest.raises(ContentError, match=r"600 words take at least 3 minute\(s\) at 200 words a minute; "
                                               r"minutes=1 is too few"):
            load_course(tmp_path)

    def test_bad_block_attribute(self, tmp_path):
        """Is an attribute other than minutes reported?"""
        make_course(tmp_path, {"01-a": module_text("01-a", body="::: text colour=red\nHi.\n:::\n")})
        with pytest.raises(ContentError, match=r"\[block attribute\] colour in modules/01-a\.md line \d+"):
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

    def test_select_all_with_every_option_correct(self, tmp_path):
        """Is a select-all check in which every option is correct reported?"""
        body = CHECK.format(id="c1").replace("correct: false", "correct: true").replace("single", "multiple")
        make_course(tmp_path, {"01-a": module_text("01-a", body=body)})
        with pytest.raises(ContentError, match=r"a select-all check needs at least one option that is wrong"):
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

    def test_rubric_levels_run_from_points_to_zero(self, tmp_path):
        """Is a criterion whose top score level is below its points, or that has no level 0, reported?"""
        body = REFLECTION.format(id="r1").replace(
            '      3: {descriptor: Specific evidence., anchor: "Grade 5 ELs, 21% proficient."}\n', "")
        make_course(tmp_path, {"01-a": module_text("01-a", body=body)})
        with pytest.raises(ContentError, match=r"criterion 'Evidence' is worth 3 points: its levels must run from 3 "
                                               r"down to 0"):
            load_course(tmp_path)

    def test_every_level_needs_an_anchor(self, tmp_path):
        """Is a rubric level without an anchor answer reported, naming the criterion and the score?"""
        body = REFLECTION.format(id="r1").replace(', anchor: "Move ELD out of period 3 by March."', "")
        make_course(tmp_path, {"01-a": module_text("01-a", body=body)})
        with pytest.raises(ContentError, match=r"\[no anchor\] reflection r1 in modules/01-a\.md line \d+: criterion "
                                               r"'Next step' score level 2 needs an `anchor`"):
            load_course(tmp_path)

    @pytest.mark.parametrize("mark", ["", "pass: 0\n", "pass: 6\n"])
    def test_pass_mark(self, tmp_path, mark):
        """Is a graded reflection without a pass mark, or with one outside 1 to its points, reported?"""
        body = REFLECTION.format(id="r1").replace("pass: 3\n", mark)
        make_course(tmp_path, {"01-a": module_text("01-a", body=body)})
        with pytest.raises(ContentError, match=r"\[pass mark\] reflection r1 .*`pass` must be the points needed to "
                                               r"pass, from 1 to 5"):
            load_course(tmp_path)

    def test_listed_module_without_file(self, tmp_path):
        """Is a module listed in course.yaml with no file reported with the course.yaml line?"""
        make_course(tmp_path, {"01-a": module_text("01-a")}, listed=["01-a", "02-missing"])
        config = (tmp_path / "course_config" / "course.yaml").read_text()
        n = line_of(config, "- 02-missing")
        with pytest.raises(ContentError, match=rf"\[missing module\] 02-missing in course_config/course\.yaml "
                                               rf"line {n}: there is no file modules/02-missing\.md"):
            load_course(tmp_path)

    def test_track_problems(self, tmp_path):
        """Are a shared assignment prefix and a module listed twice in one track reported?"""
        make_course(tmp_path, {"01-a": module_text("01-a")},
                    tracks=[("one", "m", ["01-a", "01-a"]), ("two", "m", ["01-a"])])
        problems = "\n".join(self.problems(tmp_path))
        assert "[duplicate module] 01-a in course_config/course.yaml" in problems
        assert "`assignment_prefix` ('m') must be one lower-case letter, different for each track" in problems

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
        text = module_text("01-a", body="::: text minutes=1\nnever closed\n")
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
        make_course(tmp_path, {"01-a": module_text("01-a", body="::: challenge minutes=2\nTry.\n:::\n")})
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
        body = ("::: explore minutes=3\nsubject: math\nmeasure: median\ngroup: shoe_size\nfocal: EL\nreference: null\n"
                "look_for: x\n:::\n")
        make_course(tmp_path, {"01-a": module_text("01-a", body=body)})
        problems = "\n".join(self.problems(tmp_path))
        assert "`measure` ('median') must be one of percent_proficient, mean_scale, standardized, v_statistic" \
            in problems
        assert "`group` ('shoe_size') is not a student-record column" in problems

    def test_proficiency_block_values(self, tmp_path):
        """Is an unknown English-proficiency analysis reported, and a former-EL view without a subject?"""
        body = ("::: proficiency minutes=3\nanalysis: vibes\nlook_for: x\n:::\n\n"
                "::: proficiency minutes=3\nanalysis: former_el\nlook_for: x\n:::\n")
        make_course(tmp_path, {"01-a": module_text("01-a", body=body)})
        problems = "\n".join(self.problems(tmp_path))
        assert "`analysis` ('vibes') must be one of growth, reclassification, long_term, former_el" in problems
        assert "a former_el view needs `subject`" in problems

    @pytest.mark.parametrize("change, message", [
        (("input: choice\noptions: [One, Two]\nmodel: A\n", ""), "a task needs a code route"),
        (("model: A", "model: C"), r"`model` \('C'\) must be the letter of an option: A, B"),
        (("assert x == \"A\"", "### BEGIN HIDDEN TESTS"), "`hidden_tests` must not contain nbgrader"),
        (("input: choice\noptions: [One, Two]\nmodel: A\n", "answer: |-\n  y = None\nsolution: |-\n  y = 1\n"),
         r"`answer` must set `x`"),
        (("name: x", "name: 2x"), r"`name` \('2x'\) must be a Python variable name"),
    ])
    def test_task_problems(self, tmp_path, change, message):
        """Is each broken task reported with the task id named?"""
        body = TASK.replace(*change)
        make_course(tmp_path, {"01-a": module_text("01-a", body=body)})
        with pytest.raises(ContentError, match=rf"\[task\] t1 in modules/01-a\.md line \d+: {message}"):
            load_course(tmp_path)

    def test_task_without_practice(self, tmp_path):
        """Is a task with no practice block (its introduction) reported?"""
        body = TASK.split(":::\n\n", 1)[1]
        make_course(tmp_path, {"01-a": module_text("01-a", body=body)})
        with pytest.raises(ContentError, match=r"\[practice\] modules/01-a\.md line \d+: a module with tasks has "
                                               r"exactly one practice block"):
            load_course(tmp_path)

    def test_unknown_source_section(self, tmp_path):
        """Is a section the course's source list does not know reported?"""
        extra = ("sources:\n  - title: A guide\n    organisation: An organisation\n    year: 2020\n"
                 "    publisher: A press\n    sections: [Part two]\n")
        make_course(tmp_path, {"01-a": module_text("01-a")}, extra=extra)
        with pytest.raises(ContentError, match=r"\[unknown section\] 'Part one' in modules/01-a\.md line \d+"):
            load_course(tmp_path)

    @pytest.mark.parametrize("fields, message", [
        ("    publisher: A press\n", r"`year` must be a year or \"n.d.\"; got None"),
        ("    year: 2020\n", r"`publisher` is missing"),
        ("    year: n.d.\n    publisher: A press\n", r"an undated work \(n.d.\) needs a `note`"),
    ])
    def test_every_source_needs_year_and_publisher(self, tmp_path, fields, message):
        """Is a source without a year, without a publisher, or undated without a note, refused?"""
        extra = f"sources:\n  - title: A guide\n    organisation: An organisation\n{fields}    sections: [Part one]\n"
        make_course(tmp_path, {"01-a": module_text("01-a")}, extra=extra)
        with pytest.raises(ContentError, match=rf"\[citation\] 'A guide' in course_config/course\.yaml .*{message}"):
            load_course(tmp_path)

    def test_unknown_and_unused_references(self, tmp_path):
        """Is an unknown [@key] reported at its line, and a reference that nothing cites reported too?"""
        extra = ("references:\n  ho2008:\n    cite: Ho\n    authors: Ho, A. D.\n    year: 2008\n    title: T\n"
                 "    publisher: P\n")
        text = module_text("01-a", body="::: text minutes=1\nSee [@nobody2001].\n:::\n")
        make_course(tmp_path, {"01-a": text}, extra=extra)
        with pytest.raises(ContentError, match=rf"\[unknown reference\] @nobody2001 in modules/01-a\.md line "
                                               rf"{line_of(text, 'See [@')}"):
            load_course(tmp_path)
        make_course(tmp_path, {"01-a": module_text("01-a")}, extra=extra)
        with pytest.raises(ContentError, match=r"\[unused reference\] ho2008 in course_config/course\.yaml"):
            load_course(tmp_path)

    def test_reference_key_ends_with_its_year(self, tmp_path):
        """Is a reference whose key does not end with its year refused?"""
        extra = ("references:\n  ho2009:\n    cite: Ho\n    authors: Ho, A. D.\n    year: 2008\n    title: T\n"
                 "    publisher: P\n")
        make_course(tmp_path, {"01-a": module_text("01-a", body="::: text minutes=1\n[@ho2009]\n:::\n")}, extra=extra)
        with pytest.raises(ContentError, match=r"\[citation\] ho2009 .*the key must end with the year 2008"):
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
        assert "1 modules in all, 1 reflections, 1 knowledge checks; no problems." in out
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
