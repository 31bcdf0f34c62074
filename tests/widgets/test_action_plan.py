"""The action plan: saved at every change, reloaded, exported to Markdown and HTML."""
from gapkit.journal import Journal
from gapkit.widgets import action_plan

from test_gap_explorer import _records


class TestActionPlan:
    def test_saved_and_reloaded(self, tiny_course, tmp_path):
        """Is each change in the journal, and shown again in a new widget?"""
        path = tmp_path / "reflections.json"
        w = action_plan(journal=path, course=tiny_course, records=_records())
        g = w.goals[0]
        g.focus.value = "Grade 3 ELs in math"
        g.owner.value = "Ms Rivera"
        saved = Journal(path).get("plans", "action-plan")
        assert saved["goals"][0]["focus"] == "Grade 3 ELs in math" and saved["goals"][0]["owner"] == "Ms Rivera"
        again = action_plan(journal=path, course=tiny_course, records=_records())
        assert again.goals[0].owner.value == "Ms Rivera"

    def test_baseline_from_data(self, tiny_course, tmp_path):
        """Does choosing a gap fill its baseline from the data (district, latest year)?"""
        from gapkit.records import add_el_groups
        w = action_plan(journal=tmp_path / "j.json", course=tiny_course, records=add_el_groups(_records()))
        w.goals[0].comparison.value = "Current EL vs never EL"
        # All schools 2024: ELs 4+3+1 of 40 = 20%; EO 18+20+20 of 95 = 61% (by hand).
        assert "20% of current English learners (n = 40)" in w.result.goals[0].baseline
        assert "61% of students who were never English learners (n = 95)" in w.result.goals[0].baseline

    def test_export(self, tiny_course, tmp_path):
        """Does export write a Markdown and an HTML file holding the goal, with the HTML escaped?"""
        w = action_plan(journal=tmp_path / "j.json", course=tiny_course, records=_records())
        w.goals[0].focus.value = "Newcomers <b>read</b>"
        w.goals[0].strategy.value = "Weekly data meetings"
        w.export_button.click()
        md = (tmp_path / "action-plan.md").read_text(encoding="utf-8")
        page = (tmp_path / "action-plan.html").read_text(encoding="utf-8")
        assert "## Focus goal 1: Newcomers <b>read</b>" in md and "Weekly data meetings" in md
        assert "Newcomers &lt;b&gt;read&lt;/b&gt;" in page and "<b>read</b>" not in page
        assert 'download="action-plan.html"' in w.export_status.value
