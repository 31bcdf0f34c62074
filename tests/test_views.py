"""Views: sentences, tables and charts accept only suppressed results and never show a hidden cell."""
import base64
import re

import pandas as pd
import pytest

from gapkit import views
from gapkit.tables import gap_table


def _records():
    """Grade 3: 20 ELs (5 proficient), 40 never-ELs (24 proficient); grade 4: 6 ELs, 30 never-ELs;
    grade 5: 12 ELs, 20 never-ELs (the smallest shown cell, so hidden to protect grade 4)."""
    rows = []
    for i in range(20):
        rows.append({"grade": 3, "el_status": "EL", "level": 3 if i < 5 else 2, "score": 400.0 + i})
    for i in range(40):
        rows.append({"grade": 3, "el_status": "EO", "level": 3 if i < 24 else 2, "score": 420.0 + i})
    for i in range(6):
        rows.append({"grade": 4, "el_status": "EL", "level": 2, "score": 410.0})
    for i in range(30):
        rows.append({"grade": 4, "el_status": "EO", "level": 3, "score": 430.0 + i})
    for i in range(12):
        rows.append({"grade": 5, "el_status": "EL", "level": 3, "score": 440.0})
    for i in range(20):
        rows.append({"grade": 5, "el_status": "EO", "level": 2, "score": 420.0 + i})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def table():
    return gap_table(_records(), "score", "el_status", focal="EL", reference="EO", by=("grade",),
                     levels="level", measures=["proportion_difference", "mean_difference"], margins=True)


def _row(table, grade, measure):
    return table[(table["grade"] == grade) & (table["measure"] == measure)].iloc[0]


class TestOnlySuppressed:
    def test_table_without_suppressed_refused(self, table):
        """Is a table that skipped the privacy step refused by every view?"""
        raw = table.drop(columns="suppressed")
        for call in (views.display_table, views.gap_chart):
            with pytest.raises(ValueError, match="no `suppressed` column"):
                call(raw, measure="mean_difference") if call is views.gap_chart else call(raw)
        with pytest.raises(ValueError, match="no `suppressed` field"):
            views.gap_sentence(raw.iloc[0])


class TestGapSentence:
    def test_proportion_sentence(self, table):
        """Does grade 3 read 25% vs 60%, 35 points behind, with the n's? (5/20 and 24/40 by hand)"""
        s = views.gap_sentence(_row(table, 3, "proportion_difference"), focal_name="current ELs",
                               reference_name="never-EL students", subject="math")
        assert s.startswith("Grade 3, math:")
        assert "25% of current ELs (n = 20)" in s and "60% of never-EL students (n = 40)" in s
        assert "current ELs are behind by 35 percentage points" in s
        assert re.search(r"95% interval for the gap: \d+ to \d+", s)

    def test_mean_sentence(self, table):
        """Does grade 3 read means 410 vs 440, 30 points behind? (means of 400..419 and 420..459 by hand)"""
        s = views.gap_sentence(_row(table, 3, "mean_difference"))
        assert "averaged 410" in s and "440 on the scale" in s and "behind by 30 scale-score points" in s

    def test_suppressed_sentence(self, table):
        """Is grade 4 (6 ELs) not shown, saying why, with no number in the sentence?"""
        s = views.gap_sentence(_row(table, 4, "proportion_difference"))
        assert "not shown: fewer than 10 students" in s
        assert not re.search(r"\d+%|n = ", s)

    def test_complementary_reason_explained(self, table):
        """Is grade 5, hidden so grade 4 cannot be worked out from the total, explained in words?"""
        s = views.gap_sentence(_row(table, 5, "proportion_difference"))
        assert "cannot be worked out from the totals" in s

    def test_ahead_and_interval_with_zero(self):
        """Does a negative gap read "ahead", and an interval across zero say so?"""
        row = {"measure": "hedges_g", "focal": "EL", "reference": "EO", "n_focal": 30, "n_reference": 50,
               "estimate": -0.10, "ci_low": -0.55, "ci_high": 0.35, "value_focal": 1.0, "value_reference": 0.9,
               "suppressed": False, "reason": ""}
        s = views.gap_sentence(row)
        assert "EL (n = 30) are ahead of EO (n = 50) by 0.10 standard deviations" in s
        assert "consistent with no gap" in s

    def test_top_coded_percent_gives_a_range(self):
        """With 97% in one group (shown >95%), is the gap a range, so the exact 97 cannot be recovered?"""
        row = {"measure": "proportion_difference", "focal": "EL", "reference": "EO", "n_focal": 40,
               "n_reference": 100, "estimate": 0.57, "ci_low": 0.4, "ci_high": 0.7, "value_focal": 0.40,
               "value_reference": 0.97, "suppressed": False, "reason": ""}
        s = views.gap_sentence(row)
        assert ">95% of EO" in s and "between 55 and 60 percentage points" in s
        assert "57" not in s and "97" not in s


class TestDisplayTable:
    def test_smaller_minimum_shows_its_groups(self):
        """With a minimum of 5, is grade 4 (6 ELs, none proficient) shown with its percentages, not starred?"""
        small = gap_table(_records(), "score", "el_status", focal="EL", reference="EO", by=("grade",),
                          levels="level", measures=["proportion_difference"], min_n=5)
        shown = views.display_table(small)
        g4 = shown[shown["Grade"] == "4"].iloc[0]
        # 0 of 6 ELs and 30 of 30 never-ELs proficient. One student of 6 is 16.7%, so "<5%" would say "none":
        # the bottom code widens to the next 5 points above it, "<20%"; one of 30 is 3.3%, so ">95%" stays.
        assert (g4["Focal group: n"], g4["Focal group: value"], g4["Reference group: value"]) == ("6", "<20%", ">95%")
        sentence = views.gap_sentence(small[small["grade"] == 4].iloc[0])
        assert "<20% of EL" in sentence and " 0% of" not in sentence

    def test_suppressed_shown_as_such(self, table):
        """Are grade 4 and the total shown as "suppressed", and grade 3 as coded percentages?"""
        shown = views.display_table(table)
        g4 = shown[(shown["Grade"] == "4")]
        assert (g4.drop(columns=["Grade", "Measure", "Note"]) == "suppressed").all().all()
        g3 = shown[(shown["Grade"] == "3") & (shown["Measure"] == "percent proficient")].iloc[0]
        assert g3["Focal group: value"] == "25%" and g3["Reference group: value"] == "60%"
        assert g3["Gap (reference − focal)"] == "35"

    def test_html_has_caption_and_headers(self, table):
        """Does the HTML table carry a caption and scoped column headers?"""
        out = views.table_html(table, caption="Math gaps by grade")
        assert "<caption>Math gaps by grade</caption>" in out and '<th scope="col">' in out
        with pytest.raises(ValueError, match="`caption`"):
            views.table_html(table, caption=" ")


class TestGapChart:
    def test_chart_and_alt_text(self, table):
        """Does the chart carry alt text naming every cell, with suppressed ones marked, and Okabe-Ito colours?"""
        fig = views.gap_chart(table, measure="proportion_difference", subject="math")
        alt = fig.alt_text
        assert "Grade 3: 35" in alt and "Grade 4: suppressed" in alt and "Grade 5: suppressed" in alt
        colours = {line.get_color().upper() for ax in fig.axes for line in ax.get_lines() if len(line.get_xdata())}
        assert views.OKABE_ITO["blue"] in colours
        texts = " ".join(t.get_text() for t in fig.axes[0].texts)
        assert "suppressed: fewer than 10 students" in texts

    def test_measure_required_when_several(self, table):
        """Is `measure` required for a table with two measures?"""
        with pytest.raises(ValueError, match="`measure` is required"):
            views.gap_chart(table)

    def test_figure_img(self, table):
        """Is the <img> a real PNG with the alt text, and is an image without alt refused?"""
        fig = views.gap_chart(table, measure="mean_difference")
        tag = views.figure_img(fig)
        data = re.search(r'base64,([^"]+)"', tag).group(1)
        assert base64.b64decode(data)[:8] == b"\x89PNG\r\n\x1a\n"
        assert 'alt="Chart of the gap in mean scale score' in tag
        from matplotlib.figure import Figure
        with pytest.raises(ValueError, match="`alt`"):
            views.figure_img(Figure())
