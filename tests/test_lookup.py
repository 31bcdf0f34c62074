"""Reading one number off a suppressed table, with mistakes explained in plain words."""
import pandas as pd
import pytest

from gapkit import gap_table
from gapkit.lookup import estimate, largest, shown, suppressed_cells


@pytest.fixture
def table():
    return pd.DataFrame({
        "school_name": ["A", "A", "B", "B", "All", "All"],
        "measure": ["proportion_difference", "mean_difference"] * 3,
        "estimate": [0.20, 30.0, None, None, 0.15, 25.0],
        "suppressed": [False, False, True, True, False, False],
        "reason": ["", "", "fewer than 10 students", "fewer than 10 students", "", ""],
    })


class TestEstimate:
    def test_one_cell(self, table):
        """Is the estimate of the one matching row returned as a float?"""
        assert estimate(table, measure="mean_difference", school_name="A") == 30.0

    def test_several_rows_match(self, table):
        """Does an ambiguous choice say how many rows matched and in what they differ?"""
        with pytest.raises(ValueError, match=r"2 rows match school_name='A' \(they differ in measure\)"):
            estimate(table, school_name="A")

    def test_suppressed_cell_has_no_number(self, table):
        """Does asking for a hidden cell explain that it is suppressed, and why?"""
        with pytest.raises(ValueError, match=r"suppressed \(fewer than 10 students\), so it has no number"):
            estimate(table, measure="proportion_difference", school_name="B")

    def test_no_row(self, table):
        """Is a misspelt value reported as no matching row?"""
        with pytest.raises(ValueError, match="No row of the table matches"):
            estimate(table, measure="proportion_difference", school_name="Z")

    def test_unknown_column(self, table):
        """Is an unknown column named?"""
        with pytest.raises(ValueError, match="`grade` is not a column"):
            estimate(table, grade=5)

    def test_only_suppressed_tables(self):
        """Is a table that never went through suppression refused?"""
        with pytest.raises(ValueError, match="no `suppressed` column"):
            estimate(pd.DataFrame({"estimate": [1.0]}))

    def test_on_a_real_gap_table(self):
        """Does it read the same number as pandas does from a gap_table result (grade values as integers)?"""
        rows = pd.DataFrame({"grade": [5] * 22, "el_status": ["EL"] * 10 + ["EO"] * 12,
                             "score": [400.0 + i for i in range(10)] + [430.0 + i for i in range(12)]})
        t = gap_table(rows, "score", "el_status", focal="EL", reference="EO", by=["grade"],
                      measures=["mean_difference"])
        assert estimate(t, grade=5) == t.loc[t["grade"] == 5, "estimate"].iloc[0] == pytest.approx(31.0)


class TestOthers:
    def test_suppressed_cells(self, table):
        """Are the hidden cells' values listed once each, without the total?"""
        assert suppressed_cells(table, "school_name") == ["B"]

    def test_shown(self, table):
        """Are only shown rows kept?"""
        assert list(shown(table)["school_name"]) == ["A", "A", "All", "All"]

    def test_largest_leaves_out_totals_and_hidden(self, table):
        """Is the largest gap's cell found among shown cells, never the total row?"""
        assert largest(table, "school_name", measure="proportion_difference") == "A"

    def test_largest_when_everything_is_hidden(self, table):
        """Is an all-hidden table a clear error?"""
        with pytest.raises(ValueError, match="Every row is suppressed"):
            largest(table[table["school_name"] == "B"], "school_name")
