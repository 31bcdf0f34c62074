"""gap_table: the one path from data to a table of gaps. Expected values come from scipy, statsmodels and
numpy on the raw rows, not from gapkit."""
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep

from gapkit.summary import Summary, summarize
from gapkit.tables import gap_table


def district(seed=1, rows=3000):
    rng = np.random.default_rng(seed)
    status = rng.choice(["EL", "RFEP", "IFEP", "EO"], rows, p=[0.25, 0.15, 0.1, 0.5])
    score = rng.normal(2450, 80, rows) - np.where(status == "EL", 60, 0)
    return pd.DataFrame({
        "school_id": rng.choice(["A", "B"], rows),
        "grade": rng.choice([3, 4], rows),
        "el_status": status,
        "score": score.round(),
        "level": np.digitize(score, [2380, 2450, 2520]) + 1,
    })


@pytest.fixture(scope="module")
def rows():
    return district()


class TestGapTable:
    def test_mean_difference_matches_welch_t_test(self, rows):
        """Is the EL vs never-EL gap in one cell scipy's Welch interval, reference minus focal?"""
        table = gap_table(rows, "score", "el_status", focal="EL", reference=["IFEP", "EO"],
                          by=["school_id", "grade"], measures=["mean_difference"])
        row = table.query("school_id == 'A' and grade == 4").iloc[0]
        cell = rows.query("school_id == 'A' and grade == 4")
        focal = cell.loc[cell.el_status == "EL", "score"]
        reference = cell.loc[cell.el_status.isin(["IFEP", "EO"]), "score"]
        test = stats.ttest_ind(reference, focal, equal_var=False)
        interval = test.confidence_interval(0.95)
        assert row["estimate"] == pytest.approx(reference.mean() - focal.mean())
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((interval.low, interval.high))
        assert (row["n_focal"], row["n_reference"]) == (len(focal), len(reference))
        assert row["value_focal"] == pytest.approx(focal.mean())

    def test_pooled_labels_equal_the_raw_rows(self, rows):
        """Are pooled means and SDs of EL + RFEP (ever EL) exactly those of the raw rows together?"""
        table = gap_table(rows, "score", "el_status", focal=["EL", "RFEP"], reference=["IFEP", "EO"],
                          by=["grade"], measures=["hedges_g"])
        for grade, cell in rows.groupby("grade"):
            ever = cell.loc[cell.el_status.isin(["EL", "RFEP"]), "score"]
            never = cell.loc[cell.el_status.isin(["IFEP", "EO"]), "score"]
            pooled_sd = np.sqrt(((len(ever) - 1) * ever.var() + (len(never) - 1) * never.var())
                                / (len(ever) + len(never) - 2))
            df = len(ever) + len(never) - 2
            j = 1 - 3 / (4 * df - 1)  # Hedges' approximation; the exact factor differs by < 1e-6 here
            row = table.set_index("grade").loc[grade]
            assert row["value_focal"] == pytest.approx(ever.mean())
            assert row["estimate"] == pytest.approx(j * (never.mean() - ever.mean()) / pooled_sd, rel=1e-5)

    def test_proportion_difference_matches_statsmodels_newcombe(self, rows):
        """Is the gap in percent proficient (levels 3-4) statsmodels' Newcombe interval?"""
        table = gap_table(rows, "score", "el_status", focal="EL", levels="level",
                          measures=["proportion_difference"])
        row = table.iloc[0]
        el = rows.el_status == "EL"
        proficient = rows.level >= 3
        x_f, n_f = int((proficient & el).sum()), int(el.sum())
        x_r, n_r = int((proficient & ~el).sum()), int((~el).sum())
        low, high = confint_proportions_2indep(x_r, n_r, x_f, n_f, method="newcomb", compare="diff")
        assert row["reference"] == "all others"
        assert row["estimate"] == pytest.approx(x_r / n_r - x_f / n_f)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), abs=1e-10)

    def test_swapping_groups_flips_every_gap(self, rows):
        """Does swapping focal and reference flip the sign of each gap and its interval?"""
        kwargs = dict(by=["school_id"], levels="level",
                      measures=["mean_difference", "hedges_g", "proportion_difference", "v_statistic"])
        forward = gap_table(rows, "score", "el_status", focal="EL", reference="EO", **kwargs)
        backward = gap_table(rows, "score", "el_status", focal="EO", reference="EL", **kwargs)
        np.testing.assert_allclose(forward["estimate"], -backward["estimate"], rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(forward["ci_low"], -backward["ci_high"], rtol=1e-6, atol=1e-9)

    def test_small_cell_is_hidden_with_its_reason(self):
        """Is a cell with 9 English learners shown with no estimate, and said why?"""
        rows = pd.DataFrame({"grade": [3] * 40 + [4] * 40,
                             "el_status": ["EL"] * 9 + ["EO"] * 31 + ["EL"] * 20 + ["EO"] * 20,
                             "score": np.arange(80, dtype=float)})
        table = gap_table(rows, "score", "el_status", focal="EL", by=["grade"], measures=["mean_difference"])
        small = table.set_index("grade").loc[3]
        assert small["suppressed"] and "fewer than 10" in small["reason"]
        assert np.isnan(small["estimate"]) and np.isnan(small["value_focal"]) and pd.isna(small["n_focal"])
        assert not table.set_index("grade").loc[4, "suppressed"]

    def test_margins_are_protected_by_complementary_suppression(self):
        """With grade totals shown, is a second grade hidden so the small one cannot be subtracted out?"""
        rows = pd.DataFrame({"grade": [3] * 40 + [4] * 40 + [5] * 40,
                             "el_status": ["EL"] * 4 + ["EO"] * 36 + ["EL"] * 20 + ["EO"] * 20
                             + ["EL"] * 25 + ["EO"] * 15,
                             "score": np.arange(120, dtype=float)})
        table = gap_table(rows, "score", "el_status", focal="EL", by=["grade"], measures=["mean_difference"],
                          margins=True).set_index("grade")
        assert table.loc["All", "n_focal"] == 49 and not table.loc["All", "suppressed"]
        hidden = table.index[table["suppressed"]].tolist()
        assert 3 in hidden and len(hidden) >= 2
        assert table.loc[hidden, "n_focal"].isna().all()


    def test_margins_over_one_column_are_each_of_its_lines_alone(self, rows):
        """Grade totals per school, no totals over schools: is each school's table what a table of that
        school alone, with its grade total, shows (counts from pandas, the same suppression)?"""
        rows = rows.assign(grade=np.where(rows.index % 97 == 0, 5, rows["grade"]))  # a small grade 5
        table = gap_table(rows, "score", "el_status", focal="EL", reference="EO", by=["school_id", "grade"],
                          measures=["mean_difference"], margins=["grade"])
        assert "All" not in set(table["school_id"])
        for school, part in table.groupby("school_id"):
            alone = gap_table(rows[rows["school_id"] == school], "score", "el_status", focal="EL", reference="EO",
                              by=["grade"], measures=["mean_difference"], margins=True)
            pd.testing.assert_frame_equal(part.drop(columns="school_id").reset_index(drop=True),
                                          alone.reset_index(drop=True), check_dtype=False)
            grades = rows[(rows["school_id"] == school) & (rows["el_status"] == "EL")]["grade"]
            counts = part.set_index("grade")["n_focal"]
            assert counts["All"] == len(grades)
            assert part.set_index("grade")["suppressed"][5]  # fewer than 10 in grade 5, and its complement
            assert part["suppressed"].sum() >= 2
        with pytest.raises(ValueError, match="margins"):
            gap_table(rows, "score", "el_status", focal="EL", by=["grade"], margins=["school"])
    def test_published_counts_give_proportions_and_v_only(self):
        """Does a summary of counts alone give the proportion gap and V, and refuse mean measures?"""
        frame = pd.DataFrame({"grade": [3, 3, 4, 4], "group": ["EL", "Never EL"] * 2,
                              "n": [40, 60, np.nan, 70], "level_1": [20, 10, np.nan, 10],
                              "level_2": [10, 20, np.nan, 20], "level_3": [10, 30, np.nan, 40]})
        summary = Summary.from_counts(frame, group="group", by=["grade"], levels=[1, 2, 3])
        table = gap_table(summary, focal="EL", reference="Never EL")
        assert sorted(table["measure"].unique()) == ["proportion_difference", "v_statistic"]
        grade3 = table.query("grade == 3 and measure == 'proportion_difference'").iloc[0]
        assert grade3["estimate"] == pytest.approx(30 / 60 - 10 / 40)
        grade4 = table.query("grade == 4")
        assert grade4["suppressed"].all() and (grade4["reason"] == "hidden in the source").all()
        with pytest.raises(ValueError, match="'mean_difference', which needs means"):
            gap_table(summary, focal="EL", reference="Never EL", measures=["mean_difference"])

    def test_no_rows_for_cells_that_do_not_exist(self):
        """Does a summary with school A in grade 3 only and B in grade 4 only give two cells, not four?"""
        frame = pd.DataFrame({"school": ["A", "A", "B", "B"], "grade": [3, 3, 4, 4], "group": ["EL", "EO"] * 2,
                              "n": [20, 30, 25, 35], "level_1": [10, 5, 10, 5], "level_2": [10, 25, 15, 30]})
        summary = Summary.from_counts(frame, group="group", by=["school", "grade"], levels=[1, 2])
        table = gap_table(summary, focal="EL", reference="EO", measures=["proportion_difference"], proficient=2)
        assert sorted(zip(table["school"], table["grade"])) == [("A", 3), ("B", 4)]
        with pytest.raises(ValueError, match=r"`proficient` \(3\) is above every performance level"):
            gap_table(summary, focal="EL", reference="EO", measures=["proportion_difference"])

    def test_unknown_label_names_the_argument_and_the_labels(self, rows):
        with pytest.raises(ValueError, match=r"`focal` label\(s\) 'LEP' not found in column 'el_status'"):
            gap_table(rows, "score", "el_status", focal="LEP")

    def test_unknown_measure_is_refused(self, rows):
        with pytest.raises(ValueError, match=r"`measures` \('gap'\) not recognized"):
            gap_table(rows, "score", "el_status", focal="EL", measures=["gap"])

    def test_records_need_outcome_and_group(self, rows):
        with pytest.raises(ValueError, match="`outcome` and `group` are required"):
            gap_table(rows, focal="EL")

    def test_summary_and_records_agree(self, rows):
        """Does a precomputed Summary give the same table as the records it came from?"""
        summary = summarize(rows, "score", "el_status", by=["grade"], levels="level")
        from_summary = gap_table(summary, focal="EL")
        from_records = gap_table(rows, "score", "el_status", focal="EL", by=["grade"], levels="level")
        pd.testing.assert_frame_equal(from_summary, from_records)
