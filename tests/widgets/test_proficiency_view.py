"""English-proficiency views: sentences and tables built only from suppressed tables, small groups never shown."""
import pandas as pd
import pytest

from gapkit.widgets.proficiency import proficiency_summary, proficiency_view


def growth_school(name, n, gained):
    return pd.DataFrame({"year": [2025] * n, "school_name": [name] * n, "el_status": ["EL"] * n,
                         "elp_level_prior": [2] * n, "elp_level": [3] * gained + [2] * (n - gained)})


@pytest.fixture
def records():
    return pd.concat([growth_school("Oak", 40, 10), growth_school("Elm", 20, 15), growth_school("Ash", 4, 4)],
                     ignore_index=True)


class TestProficiencySummary:
    def test_sentence_for_the_total(self, records):
        """Does the sentence state the district's share moving up (29 of 64 = 45%) and the mean change (+0.45)?"""
        s = proficiency_summary(records, "growth", by=["school_name"])
        assert s.sentences == ("Of 64 current English learners with a level in both years, 45% moved up at least "
                               "one English-proficiency level; on average they moved up 0.45 levels.",)

    def test_small_school_shows_no_number(self, records):
        """Is the school of 4 shown as suppressed with its reason, and its 100% nowhere on the page?"""
        s = proficiency_summary(records, "growth", by=["school_name"])
        ash = s.table_html.split("<td>Ash</td>")[1].split("</tr>")[0]
        assert "suppressed" in ash and "fewer than 10 students" in ash and "%" not in ash
        cells = [row.split("</td>")[1:] for row in s.table_html.split("<tr>") if row.startswith("<td>Ash")]
        assert cells and not any("%" in c for c in cells[0])

    def test_coded_share_hides_its_interval(self):
        """When a share is coded (>95%), is its interval hidden too, since it would give the share back?"""
        s = proficiency_summary(growth_school("Oak", 40, 40), "growth")
        assert ">95%" in s.table_html and "100% to" not in s.table_html and "–" in s.table_html

    def test_former_el_view_carries_the_caveat(self):
        """Does the former-EL view always end with the selection caveat?"""
        rows = pd.DataFrame({"year": [2025] * 30, "el_status": ["RFEP"] * 12 + ["EO"] * 18,
                             "el_exit_year": [2024] * 12 + [None] * 18, "ela_level": [3] * 9 + [2] * 3 + [3] * 18})
        s = proficiency_summary(rows, "former_el", subject="ela")
        assert s.sentences[-1].startswith("Former English learners were selected on achievement")

    def test_unknown_analysis(self, records):
        """Is an unknown analysis refused with the allowed ones named?"""
        with pytest.raises(ValueError, match="`analysis` \\('vibes'\\) not recognized"):
            proficiency_summary(records, "vibes")

    def test_widget_headless_shows_the_sentences(self, records, headless):
        """Executed without a browser, does the view show its sentences as Markdown?"""
        w = proficiency_view(records, analysis="growth", min_n=10)
        assert "45% moved up" in w._repr_mimebundle_()["text/markdown"]
