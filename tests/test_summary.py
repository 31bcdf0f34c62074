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


class TestFilesAndRelations:
    """summarize and gap_table read Parquet, CSV and DuckDB relations through DuckDB, without pandas."""

    COLUMNS = ["n", "mean", "sd", "level_1", "level_2", "level_3", "level_4"]

    @staticmethod
    def expected(rows):
        """pandas' own groupby and crosstab of the same rows (independent of DuckDB)."""
        keys = ["school_id", "grade", "el_status"]
        out = rows.groupby(keys)["score"].agg(n="count", mean="mean", sd="std")
        levels = pd.crosstab([rows[k] for k in keys], rows.level).reindex(out.index)
        for label in range(1, 5):
            out[f"level_{label}"] = levels[label]
        return out

    def check(self, summary, rows):
        got = summary.table.astype({"school_id": str, "grade": int, "el_status": str})
        got = got.set_index(["school_id", "grade", "el_status"])[self.COLUMNS]
        expected = self.expected(rows)
        assert len(got) == len(expected)
        got = got.loc[expected.index]
        np.testing.assert_array_equal(got[["n", "level_1", "level_2", "level_3", "level_4"]],
                                      expected[["n", "level_1", "level_2", "level_3", "level_4"]])
        np.testing.assert_allclose(got[["mean", "sd"]], expected[["mean", "sd"]], rtol=1e-10)

    @pytest.mark.parametrize("suffix", [".parquet", ".csv"])
    def test_file_equals_pandas_groupby(self, tmp_path, suffix):
        """Does a Parquet or CSV file give the counts, means and SDs of pandas' groupby on its rows?"""
        rows = school(seed=3, rows=2000)
        path = tmp_path / f"students{suffix}"
        rows.to_parquet(path) if suffix == ".parquet" else rows.to_csv(path, index=False)
        self.check(summarize(path, "score", "el_status", by=["school_id", "grade"], levels="level"), rows)
        self.check(summarize(str(path), "score", "el_status", by=["school_id", "grade"], levels="level"), rows)

    def test_relation_equals_pandas_groupby(self, tmp_path):
        """Does a DuckDB relation (here a filtered Parquet scan) give pandas' groupby of the same rows?"""
        import duckdb

        rows = school(seed=4, rows=2000)
        rows.to_parquet(tmp_path / "students.parquet")
        with duckdb.connect() as connection:
            relation = connection.read_parquet(str(tmp_path / "students.parquet")).filter("grade > 3")
            summary = summarize(relation, "score", "el_status", by=["school_id", "grade"], levels="level")
        self.check(summary, rows[rows.grade > 3])

    def test_gap_table_from_a_file_equals_the_frame(self, tmp_path):
        """Does gap_table on a Parquet file give the table it gives on the same rows in memory?"""
        from gapkit.tables import gap_table

        rows = school(seed=5, rows=3000)
        rows.to_parquet(tmp_path / "students.parquet")
        kwargs = dict(focal="EL", reference=["IFEP", "EO"], by=["school_id", "grade"], levels="level")
        from_file = gap_table(tmp_path / "students.parquet", "score", "el_status", **kwargs)
        from_frame = gap_table(rows, "score", "el_status", **kwargs)
        pd.testing.assert_frame_equal(from_file.astype({"school_id": object}), from_frame.astype({"school_id": object}),
                                      check_exact=False, rtol=1e-10)

    def test_missing_values_in_a_file_are_counted(self, tmp_path):
        """Are a file's rows without a score or a group reported in `excluded`, as for a frame?"""
        rows = school(seed=6).astype({"score": "float64", "el_status": "object"})
        rows.loc[:6, "score"] = np.nan
        rows.loc[10:11, "el_status"] = None
        rows.to_parquet(tmp_path / "students.parquet")
        s = summarize(tmp_path / "students.parquet", "score", "el_status", by=["school_id"])
        assert dict(zip(s.excluded["reason"], s.excluded["rows"])) == {"missing el_status": 2, "missing score": 7}

    def test_text_in_a_number_column_names_file_column_and_row(self, tmp_path):
        """Is a '*' in a CSV's score column refused with the file, the column and the row (header = row 1)?"""
        from gapkit.readers import DataError

        path = tmp_path / "state.csv"
        path.write_text("el_status,score\nEL,410\nEO,*\nEO,450\n")
        with pytest.raises(DataError, match=r"state\.csv: column 'score' holds '\*' in row 3") as caught:
            summarize(path, "score", "el_status")
        assert (caught.value.column, caught.value.row) == ("score", 3)

    def test_bad_value_past_duckdbs_type_sample_names_its_row(self, tmp_path):
        """Is a bad value long after the rows DuckDB samples for the column's type refused with its row?"""
        from gapkit.readers import DataError

        path = tmp_path / "state.csv"
        path.write_text("el_status,score\n" + "EL,410\n" * 30000 + "EO,<10\n")
        with pytest.raises(DataError, match=r"column 'score' holds '<10' in row 30002") as caught:
            summarize(path, "score", "el_status")
        assert str(tmp_path) not in str(caught.value)  # the message names the file, not the server's folders

    def test_fractional_level_is_refused(self, tmp_path):
        """Is a level of 2.5 refused rather than rounded?"""
        from gapkit.readers import DataError

        pd.DataFrame({"g": ["a", "b"], "score": [1.0, 2.0], "level": [1.0, 2.5]}).to_parquet(tmp_path / "x.parquet")
        with pytest.raises(DataError, match=r"column 'level' holds '2.5' in row 2, which is not a whole number"):
            summarize(tmp_path / "x.parquet", "score", "g", levels="level")

    def test_missing_file_and_missing_column_are_named(self, tmp_path):
        from gapkit.readers import DataError

        with pytest.raises(DataError, match="file not found"):
            summarize(tmp_path / "none.parquet", "score", "g")
        school().to_parquet(tmp_path / "s.parquet")
        with pytest.raises(DataError, match=r"s\.parquet: column 'math' \(`records`\) is not in the file; its columns"):
            summarize(tmp_path / "s.parquet", "math", "el_status")
        with pytest.raises(TypeError, match="`records` must be a DataFrame, a path"):
            summarize(42, "score", "el_status")
