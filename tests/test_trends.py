"""gapkit.trends.gap_trend against hand calculations.

Standard errors: sqrt(se1^2 + se2^2) for independent samples (Altman & Bland, 2003);
z = 1.959964 for 95% (scipy.stats.norm.ppf(0.975), also in any normal table).
"""

import math

import numpy as np
import pandas as pd
import pytest

from gapkit.tables import gap_table
from gapkit.trends import NO_CHANGE, gap_trend

Z95 = 1.959963984540054


def gaps(rows, **common):
    """A hand-made gap table: one dict per row, with defaults for the usual columns."""
    base = {"measure": "proportion_difference", "focal": "EL", "reference": "EO",
            "n_focal": 40, "n_reference": 60, "ci_low": np.nan, "ci_high": np.nan,
            "method": "", "note": "", "suppressed": False, "reason": ""}
    return pd.DataFrame([{**base, **common, **row} for row in rows])


def cell(year, focal, reference, se=0.02, **extra):
    return {"year": year, "estimate": reference - focal, "se": se, "value_focal": focal,
            "value_reference": reference, **extra}


class TestCrossSectional:
    def test_change_and_its_split(self):
        """Is the change (0.22 - 0.30 = -0.08) the reference group's change (+0.02) minus
        the focal group's (+0.10), with SE sqrt(0.02^2 + 0.02^2) = 0.028284?"""
        trend = gap_trend(gaps([cell(2023, 0.30, 0.60), cell(2024, 0.40, 0.62)], grade=4))
        row = trend.iloc[0]
        assert (row["year_from"], row["year_to"]) == (2023, 2024)
        assert row["gap_from"] == pytest.approx(0.30)
        assert row["gap_to"] == pytest.approx(0.22)
        assert row["change"] == pytest.approx(-0.08)
        assert row["change_focal"] == pytest.approx(0.10)
        assert row["change_reference"] == pytest.approx(0.02)
        assert row["change"] == pytest.approx(row["change_reference"] - row["change_focal"])
        assert row["se"] == pytest.approx(0.0282843, abs=1e-7)
        assert row["ci_low"] == pytest.approx(-0.08 - Z95 * 0.0282843, abs=1e-6)
        assert row["ci_high"] == pytest.approx(-0.024563, abs=1e-6)
        assert row["label"] == "narrowed: the focal group improved faster"
        assert not row["suppressed"]

    def test_wide_interval_means_no_change(self):
        """With SE 0.05 in each year, -0.08 +- 1.96 * 0.0707 includes 0: no change?"""
        trend = gap_trend(gaps([cell(2023, 0.30, 0.60, se=0.05),
                                cell(2024, 0.40, 0.62, se=0.05)]))
        assert trend["label"].item() == NO_CHANGE
        assert trend["ci_low"].item() < 0 < trend["ci_high"].item()

    @pytest.mark.parametrize("focal, reference, label", [
        ((0.30, 0.30), (0.60, 0.50), "narrowed: the reference group declined"),
        ((0.30, 0.40), (0.60, 0.55), "narrowed: the focal group improved and the reference "
                                     "group declined"),
        ((0.30, 0.40), (0.60, 0.60), "narrowed: the focal group improved"),
        ((0.30, 0.25), (0.60, 0.45), "narrowed: the reference group declined faster"),
        ((0.30, 0.32), (0.60, 0.70), "widened: the reference group improved faster"),
        ((0.30, 0.25), (0.60, 0.65), "widened: the reference group improved and the focal "
                                     "group declined"),
        ((0.30, 0.20), (0.60, 0.60), "widened: the focal group declined"),
        ((0.30, 0.15), (0.60, 0.55), "widened: the focal group declined faster"),
        ((0.30, 0.60), (0.40, 0.45), "reversed: the reference group is now behind"),
    ])
    def test_labels(self, focal, reference, label):
        """Does the label name the direction and the group that moved (SE 0.01, so every
        change of 0.05 or more is beyond the uncertainty)?"""
        table = gaps([cell(2023, focal[0], reference[0], se=0.01),
                      cell(2024, focal[1], reference[1], se=0.01)])
        assert gap_trend(table)["label"].item() == label

    def test_focal_ahead_gap_shrinks(self):
        """When the focal group is ahead (gap -0.10) and the reference group catches up
        (gap -0.04), has the gap narrowed because the reference group improved faster?"""
        table = gaps([cell(2023, 0.70, 0.60, se=0.01), cell(2024, 0.72, 0.68, se=0.01)])
        assert gap_trend(table)["label"].item() == "narrowed: the reference group improved faster"

    def test_successive_periods_per_cell(self):
        """Are three years compared in pairs (2022-2023, 2023-2024), per grade?"""
        rows = [cell(y, 0.3, 0.6, grade=g) for g in (3, 4) for y in (2022, 2023, 2024)]
        trend = gap_trend(gaps(rows))
        pairs = set(zip(trend["grade"], trend["year_from"], trend["year_to"]))
        assert pairs == {(3, 2022, 2023), (3, 2023, 2024), (4, 2022, 2023), (4, 2023, 2024)}
        assert (trend["label"] == NO_CHANGE).all()  # change 0: interval includes 0

    def test_margin_years_are_skipped(self):
        """Is a total row over years (year 'All') left out?"""
        rows = [cell(2023, 0.3, 0.6), cell(2024, 0.3, 0.6), cell("All", 0.3, 0.6)]
        trend = gap_trend(gaps(rows))
        assert trend[["year_from", "year_to"]].values.tolist() == [[2023, 2024]]


class TestSuppression:
    def test_hidden_end_hides_the_change(self):
        """Is a change with a suppressed end suppressed, with no numbers, even if the hidden
        row still carries values?"""
        rows = [cell(2023, 0.30, 0.60),
                cell(2024, 0.99, 0.99, suppressed=True, reason="fewer than 10 students")]
        row = gap_trend(gaps(rows)).iloc[0]
        assert row["suppressed"]
        assert row["reason"] == "hidden in year 2024: fewer than 10 students"
        numbers = ["gap_from", "gap_to", "change", "se", "ci_low", "ci_high", "change_focal",
                   "change_reference"]
        assert row[numbers].isna().all()
        assert row["label"] == ""

    def test_missing_estimate(self):
        """Is a change with no estimate at one end left without numbers, and said so?"""
        rows = [cell(2023, 0.30, 0.60), {**cell(2024, 0.3, 0.6), "estimate": np.nan}]
        row = gap_trend(gaps(rows)).iloc[0]
        assert not row["suppressed"] and math.isnan(row["change"])
        assert row["label"] == "no gap to compare in one of the two periods"


class TestCohort:
    def test_grade_moves_up_with_the_year(self):
        """Is grade 3 in 2023 compared with grade 4 in 2024, and nothing made for grade 4
        in 2023 (no grade 5 in 2024)?"""
        rows = [cell(2023, 0.30, 0.60, grade=3), cell(2023, 0.35, 0.62, grade=4),
                cell(2024, 0.40, 0.61, grade=4), cell(2024, 0.38, 0.66, grade=3)]
        trend = gap_trend(gaps(rows), view="cohort")
        assert len(trend) == 1
        row = trend.iloc[0]
        assert (row["grade_from"], row["grade_to"]) == (3, 4)
        assert (row["year_from"], row["year_to"]) == (2023, 2024)
        # by hand: gap 0.30 -> 0.21; focal +0.10, reference +0.01
        assert row["change"] == pytest.approx(-0.09)
        assert row["change_focal"] == pytest.approx(0.10)
        assert row["change_reference"] == pytest.approx(0.01)
        assert "grade" not in trend.columns

    def test_needs_grade(self):
        """Is the cohort view refused for a table without grades?"""
        with pytest.raises(ValueError, match="`view` 'cohort' .* needs a 'grade' column"):
            gap_trend(gaps([cell(2023, 0.3, 0.6)]), view="cohort")


class TestValidation:
    def test_bad_view(self):
        """Is an unknown view refused by name?"""
        with pytest.raises(ValueError, match=r"`view` \('panel'\) not recognized"):
            gap_trend(gaps([cell(2023, 0.3, 0.6)]), view="panel")

    def test_missing_period(self):
        """Is a missing period column refused by name?"""
        with pytest.raises(ValueError, match="`period` column 'school_year' is not in the table"):
            gap_trend(gaps([cell(2023, 0.3, 0.6)]), period="school_year")

    def test_not_a_gap_table(self):
        """Is a table without gap columns refused, naming them?"""
        with pytest.raises(ValueError, match="not a gap table: column.*'estimate'"):
            gap_trend(pd.DataFrame({"year": [2023], "measure": ["x"]}))

    def test_ratio_measure(self):
        """Is a ratio measure refused with the way out?"""
        with pytest.raises(ValueError, match="ratio measure 'risk_ratio'"):
            gap_trend(gaps([cell(2023, 0.3, 0.6)], measure="risk_ratio"))

    def test_bad_level(self):
        """Is a confidence level outside (0, 1) refused?"""
        with pytest.raises(ValueError, match="`level`"):
            gap_trend(gaps([cell(2023, 0.3, 0.6)]), level=95)


class TestWithGapTable:
    def test_change_from_records(self):
        """From student records through gap_table: is each group's change the change in its
        share proficient counted directly from the rows (pandas), and the gap change their
        difference?"""
        rng = np.random.default_rng(7)
        records = []
        for year in (2023, 2024):
            for group, n, p in (("EL", 40, 0.25 if year == 2023 else 0.40), ("EO", 60, 0.6)):
                levels = np.where(rng.random(n) < p, 3, 2)
                records += [{"year": year, "el_status": group, "level": int(v),
                             "score": 400.0 + 10 * v} for v in levels]
        records = pd.DataFrame(records)
        table = gap_table(records, "score", "el_status", focal="EL", reference="EO",
                          by=["year"], levels="level", measures=["proportion_difference"])
        row = gap_trend(table).iloc[0]
        share = (records.assign(ok=records["level"] >= 3)
                 .groupby(["el_status", "year"])["ok"].mean())
        focal = share["EL"][2024] - share["EL"][2023]
        reference = share["EO"][2024] - share["EO"][2023]
        assert row["change_focal"] == pytest.approx(focal)
        assert row["change_reference"] == pytest.approx(reference)
        assert row["change"] == pytest.approx(reference - focal)
