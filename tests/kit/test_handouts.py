"""The generated kit: every handout and the workbook open as PDFs and hold their text; nothing is stale."""
import shutil

import pytest

from kit_helpers import ROOT, pdf_text, words
from gapkit.handouts import OUT_DIR, build, calendar_markdown, documents
from gapkit.kit import load_kit, module_section, table_column


@pytest.fixture(scope="module")
def texts(kit):
    """Each committed PDF's text, read back with pypdf."""
    return {d.name: pdf_text((ROOT / OUT_DIR / d.name).read_bytes()) for d in documents(kit) if d.name.endswith(".pdf")}


def column(course, module, section, name):
    return table_column(module_section(course.module(module), section), name)


class TestHandouts:
    def test_every_generated_file_is_current(self, kit):
        """Is docs/kit/ what `gapkit kit build` writes now (run it after editing kit/ or modules/)?"""
        assert build(kit, check=True) == []

    def test_equity_lens_card(self, texts):
        """Does the card hold the five lens questions of Module 3 and its sources?"""
        text = texts["equity-lens.pdf"]
        for question in ("Who benefits", "Who is missing", "What do we assume", "What opportunity", "How will we know"):
            assert question in text
        assert "Equity-lens card" in text and "Coalition for English Learner Equity" in text

    def test_look_for_form(self, texts, course):
        """Does the form list every look-for of Module 4's table, with room for evidence?"""
        text = texts["look-for-form.pdf"]
        looks = column(course, "04-instructional-leadership", "Look-fors on a classroom visit", "Example")
        assert len(looks) == 5
        for look in looks:
            assert words(look) in text
        assert "Evidence: what was said or done" in text

    def test_stakeholder_map(self, texts, course):
        """Are NEA's eight stakeholder groups the rows of the map?"""
        text = texts["stakeholder-map.pdf"]
        groups = column(course, "07-management-operations", "Everyone has a part: the eight stakeholder groups",
                        "Stakeholder group")
        assert len(groups) == 8
        for group in groups:
            assert words(group, 2) in text

    def test_schedule_audit(self, texts):
        """Does the audit ask about ELD against core content and advanced courses?"""
        text = texts["schedule-audit.pdf"]
        assert "Is English language development (ELD) scheduled" in text
        assert "Can an English learner take an advanced course and ELD" in text

    def test_action_plan_template(self, texts, course):
        """Does the template carry every field of the capstone's action-plan table, for two goals?"""
        text = texts["action-plan-template.pdf"]
        for field in column(course, "08-capstone", "The action plan", "Field"):
            assert text.count(field) >= 2, field
        assert "Focus goal 1" in text and "Focus goal 2" in text

    @pytest.mark.parametrize("track", ["leaders", "educators"])
    def test_workbook(self, texts, kit, course, track):
        """Does each track's workbook hold the norms, every module of the track, every reflection prompt and every
        self-assessment item of the track, and the protocols its sessions use?"""
        text = texts[f"workbook-{track}.pdf"]
        for n in kit.norms:
            assert words(n.norm, 5) in text
        plan = kit.plan(track)
        for mid in plan.track.modules:
            m = course.module(mid)
            assert f"Module {plan.track.number(mid)}: {words(m.title, 3)}" in text
            for r in m.reflections:
                assert words(r.prompt, 6) in text, r.id
        for it in kit.items(track):
            assert words(it.statement, 5) in text, it.id
        used = {seg.protocol for session in plan.sessions for seg in session.segments if seg.protocol}
        for p in kit.protocols:
            if p.id in used:
                assert p.name in text

    def test_unicode_prints(self, kit):
        """Do em dashes and Spanish letters survive the round trip (the font is Unicode)?"""
        from gapkit import pdf

        data = pdf.render(pdf.markdown_parts("Lau v. Nichols — *Castañeda v. Pickard*: niños, señora"), title="Ley")
        assert "Lau v. Nichols — Castañeda v. Pickard: niños, señora" in pdf_text(data)


class TestBuild:
    def test_a_change_in_a_module_makes_the_handout_stale(self, repo_copy, tmp_path):
        """After a module's look-for table changes, is the look-for form reported stale, and rebuilt with it?"""
        kit = load_kit(repo_copy)
        out = tmp_path / "out"
        shutil.copytree(ROOT / "docs" / "kit", out)  # current: test_every_generated_file_is_current
        assert build(kit, out, check=True) == []
        path = repo_copy / "modules" / "04-instructional-leadership.md"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("| Students talk in pairs using sentence frames before writing |",
                                     "| Students rehearse ideas aloud with a partner before writing |"), encoding="utf-8")
        kit = load_kit(repo_copy)
        assert build(kit, out, check=True) == ["look-for-form.pdf"]
        build(kit, out)
        assert "Students rehearse ideas aloud" in pdf_text((out / "look-for-form.pdf").read_bytes())
        assert build(kit, out, check=True) == []

    def test_a_stray_file_is_reported(self, kit, tmp_path):
        """Is a PDF that the kit no longer generates reported, and removed by a build?"""
        shutil.copytree(ROOT / "docs" / "kit", tmp_path, dirs_exist_ok=True)
        (tmp_path / "old-handout.pdf").write_bytes(b"%PDF-1.4")
        assert build(kit, tmp_path, check=True) == ["old-handout.pdf"]
        build(kit, tmp_path)
        assert not (tmp_path / "old-handout.pdf").exists()

    def test_calendar_page(self, kit):
        """Does the calendar page give each session its agenda in all three variants, and each protocol its origin?"""
        page = calendar_markdown(kit)
        sessions = sum(len(plan.sessions) for plan in kit.plans)
        assert sessions == 16  # eight for each track
        assert page.count("**Live.**") == page.count("**Asynchronous.**") == page.count("**Hybrid.**") == sessions
        for p in kit.protocols:
            assert f"### {p.name}" in page and p.origin in page
        assert "National School Reform Faculty" in page and "School Reform Initiative" in page
