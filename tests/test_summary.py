"""summarize: one group-by over student rows. Expected values come from pandas' own groupby and numpy,
computed independently of the DuckDB query under test."""
import numpy as np
import pandas as pd
import pytest

from gapkit.summary import Summary, summarize


def school(seed=0, rows=400):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "school_id": rng.choice(["A", "B", "C"], rows),
        "grade": rng.choice([3, 4, 5], rows),
        "el_status": rng.choice(["EL", "RFEP", "IFEP", "EO"], rows, p=[0.3, 0.2, 0.1, 0.4]),
        "score": rng.normal(2450, 90, rows).round(),
        "level": rng.integers(1, 5, rows),
        "advanced": rng.random(rows) < 0.3,
    })


class TestSummarize:
    def test_matches_pandas_groupby(self):
        """Do n, mean, sd and level counts equal pandas' groupby on the same rows?"""
        rows = school()
        result = summarize(rows, "score", "el_status", by=["school_id", "grade"], levels="level").table
        expected = rows.groupby(["school_id", "grade", "el_status"])["score"].agg(["count", "mean", "std"])
        expected.columns = ["count", "pandas_mean", "std"]
        merged = result.set_index(["school_id", "grade", "el_status"]).join(expected)
        assert len(merged) == len(expected)
        assert (merged["n"] == merged["count"]).all()
        np.testing.assert_allclose(merged["mean"], merged["pandas_mean"], rtol=1e-12)
        np.testing.assert_allclose(merged["sd"], merged["std"], rtol=1e-9)
        levels = pd.crosstab([rows.school_id, rows.grade, rows.el_status], rows.level)
        for label in range(1, 5):
            assert (merged[f"level_{label}"] == levels[label].reindex(merged.index)).all()

    def test_cut_scores_by_grade(self):
        """Are levels from grade-specific cut scores the count of cuts at or below the score, plus one?"""
        rows = pd.DataFrame({"grade": [3, 3, 3, 4, 4], "g": ["x"] * 5,
                             "score": [100.0, 200.0, 250.0, 200.0, 320.0]})
        s = summarize(rows, "score", "g", by=["grade"], cuts={3: [200, 300], 4: [250, 300]})
        counts = s.table.set_index("grade")[["level_1", "level_2", "level_3"]]
        # By hand: grade 3: 100 -> 1, 200 -> 2 (a cut is the lowest score of its level), 250 -> 2;
        # grade 4: 200 -> 1, 320 -> 3.
        assert counts.loc[3].tolist() == [1, 2, 0]
        assert counts.loc[4].tolist() == [1, 0, 1]
        assert s.levels == (1, 2, 3)

    def test_yes_no_outcome_counts_successes(self):
        """Does a boolean outcome give successes and a proportion as the mean?"""
        rows = school()
        table = summarize(rows, "advanced", "el_status").table.set_index("el_status")
        expected = rows.groupby("el_status")["advanced"].agg(["sum", "mean"])
        assert (table["successes"] == expected["sum"]).all()
        np.testing.assert_allclose(table["mean"], expected["mean"])

    def test_exclusions_are_counted_not_lost(self):
        """Are rows with a missing score, group or cell column counted in `excluded`, by reason?"""
        rows = school().astype({"score": "float64", "el_status": "object"})
        rows.loc[:4, "score"] = np.nan
        rows.loc[10:12, "el_status"] = None
        rows.loc[20:21, "school_id"] = None
        s = summarize(rows, "score", "el_status", by=["school_id"])
        reasons = dict(zip(s.excluded["reason"], s.excluded["rows"]))
        assert reasons == {"missing school_id": 2, "missing el_status": 3, "missing score": 5}
        assert s.table["n"].sum() + sum(reasons.values()) == len(rows)

    def test_reader_exclusions_are_carried_into_the_summary(self):
        """Are rows a reader refused (records.attrs["excluded"]) reported beside the summary's own?"""
        rows = school()
        rows.attrs["excluded"] = ({"reason": "duplicate student-year row", "rows": 3, "example_rows": "5, 9"},)
        s = summarize(rows, "score", "el_status")
        assert dict(zip(s.excluded["reason"], s.excluded["rows"])) == {"duplicate student-year row": 3}

    def test_single_student_cell_has_no_sd(self):
        """Does a cell of one student get n=1 and a missing sd rather than 0 or an error?"""
        rows = pd.DataFrame({"g": ["a", "b", "b"], "score": [1.0, 2.0, 4.0]})
        table = summarize(rows, "score", "g").table.set_index("g")
        assert table.loc["a", "n"] == 1 and np.isnan(table.loc["a", "sd"])
        assert table.loc["b", "sd"] == pytest.approx(np.sqrt(2))

    def test_unknown_column_names_the_argument(self):
        """Is a missing column refused with the argument and the column named?"""
        with pytest.raises(ValueError, match=r"`records` column 'grade' is not in the table; columns are"):
            summarize(school().drop(columns="grade"), "score", "el_status", by=["grade"])

    def test_levels_and_cuts_together_are_refused(self):
        with pytest.raises(ValueError, match="`levels` and `cuts` are alternatives"):
            summarize(school(), "score", "el_status", levels="level", cuts=[2400])


class TestFromCounts:
    def test_missing_counts_mark_the_cell_suppressed_in_source(self):
        """Does a published cell with a hidden count become source_suppressed?"""
        frame = pd.DataFrame({"grade": [3, 3], "group": ["EL", "All"], "n": [np.nan, 40],
                              "level_1": [np.nan, 10], "level_2": [np.nan, 30]})
        s = Summary.from_counts(frame, group="group", by=["grade"], levels=[1, 2])
        assert s.table["source_suppressed"].tolist() == [True, False]
        assert s.level_columns == ["level_1", "level_2"]
