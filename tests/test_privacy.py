"""Hand-made tables for gapkit.privacy. Every expected pattern is worked out by hand in the
comments; the property tests in test_privacy_properties.py audit random tables with
linear programs."""

import math

import numpy as np
import pandas as pd
import pytest

from gapkit.privacy import InconsistentTotalsError, code_percent, suppress

PRIMARY = "fewer than 10 students"
COMPLEMENT = "complementary suppression"


def one_dim(counts, *, labels=None, total=None):
    labels = labels or [str(g) for g in range(3, 3 + len(counts))]
    rows = [{"grade": g, "n": n} for g, n in zip(labels, counts)]
    if total is not None:
        rows.append({"grade": "All", "n": total})
    return pd.DataFrame(rows)


def two_dim(grid, rows, cols, *, margins=True):
    """Long table of a 2-D grid of counts, with row, column and grand totals."""
    grid = np.asarray(grid)
    records = [{"school_id": r, "grade": c, "n": int(grid[i, j])}
               for i, r in enumerate(rows) for j, c in enumerate(cols)]
    if margins:
        records += [{"school_id": r, "grade": "All", "n": int(grid[i].sum())}
                    for i, r in enumerate(rows)]
        records += [{"school_id": "All", "grade": c, "n": int(grid[:, j].sum())}
                    for j, c in enumerate(cols)]
        records.append({"school_id": "All", "grade": "All", "n": int(grid.sum())})
    return pd.DataFrame(records)


def hidden(out, *dims):
    """The hidden cells as a set of tuples of their dim values."""
    return set(map(tuple, out.loc[out["suppressed"], list(dims)].to_numpy().tolist()))


class TestPrimarySuppression:
    def test_small_count_hidden_without_margins(self):
        """Is only the group under 10 hidden when the table shows no total?"""
        out = suppress(one_dim([25, 7, 0, 12]), dims=("grade",), count_columns=("n",))
        assert out["suppressed"].tolist() == [False, True, False, False]
        assert out["reason"].tolist() == ["", PRIMARY, "", ""]
        assert out["n"].isna().tolist() == [False, True, False, False]

    def test_zero_is_shown(self):
        """Is an empty group (0 students) shown, as the non-zero rule says?"""
        out = suppress(one_dim([0, 30], total=30), dims=("grade",), count_columns=("n",))
        assert not out["suppressed"].any()
        assert out["n"].tolist() == [0, 30, 30]

    @pytest.mark.parametrize("min_n, expected", [(5, [False, False]), (6, [True, False])])
    def test_min_n_is_the_smallest_shown_size(self, min_n, expected):
        """Is a group of exactly min_n shown and one fewer hidden?"""
        out = suppress(one_dim([5, 40]), dims=("grade",), count_columns=("n",), min_n=min_n)
        assert out["suppressed"].tolist() == expected

    def test_small_margin_row_is_hidden(self):
        """Is a total under 10 hidden along with its cells?"""
        out = suppress(one_dim([4, 3], total=7), dims=("grade",), count_columns=("n",))
        assert out["suppressed"].all()
        assert (out["reason"] == PRIMARY).all()


class TestComplementarySuppression:
    def test_one_hidden_cell_in_a_line_gets_a_complement(self):
        """With the total shown, is the smallest other cell hidden too (62 - 30 - 25 = 7
        would give the small cell back)?"""
        out = suppress(one_dim([30, 7, 25], total=62), dims=("grade",), count_columns=("n",))
        assert out["reason"].tolist() == ["", PRIMARY, COMPLEMENT, ""]
        assert out["n"].tolist()[0] == 30 and out["n"].tolist()[3] == 62

    def test_two_hidden_cells_need_no_complement(self):
        """With two small cells (4 + 3 = 7 = 37 - 30), can neither be solved, so nothing
        more is hidden?"""
        out = suppress(one_dim([30, 4, 3], total=37), dims=("grade",), count_columns=("n",))
        assert out["reason"].tolist() == ["", PRIMARY, PRIMARY, ""]

    def test_two_dim_rectangle(self):
        """In a 2x2 table with all margins, is one small cell protected by hiding the
        whole rectangle (adding t to A3 and B4 and taking t from A4 and B3 keeps every
        total), while every total stays shown?"""
        table = two_dim([[20, 5], [30, 40]], ["A", "B"], ["3", "4"])
        out = suppress(table, dims=("school_id", "grade"), count_columns=("n",))
        assert hidden(out, "school_id", "grade") == {("A", "3"), ("A", "4"), ("B", "3"),
                                                     ("B", "4")}
        assert out.set_index(["school_id", "grade"]).loc[("A", "4"), "reason"] == PRIMARY
        margins = (out["school_id"] == "All") | (out["grade"] == "All")
        assert not out.loc[margins, "suppressed"].any()

    def test_two_dim_no_margins_needs_no_complement(self):
        """Without totals, does a small cell stay the only hidden one?"""
        table = two_dim([[20, 5], [30, 40]], ["A", "B"], ["3", "4"], margins=False)
        out = suppress(table, dims=("school_id", "grade"), count_columns=("n",))
        assert hidden(out, "school_id", "grade") == {("A", "4")}

    def test_three_dim_cube(self):
        """In a 2x2x2 table with every margin, a hidden cell needs another hidden cell in
        each of its three lines, and so does each of those: by hand the smallest such set
        of inner cells is all eight. Are exactly the eight inner cells hidden?"""
        records = []
        grid = np.array([[[6, 30], [40, 50]], [[35, 45], [55, 60]]])
        for s in ("s0", "s1", "All"):
            for g in ("3", "4", "All"):
                for e in ("EL", "EO", "All"):
                    index = tuple(slice(None) if v == "All" else k
                                  for v, k in ((s, int(s[1:]) if s != "All" else 0),
                                               (g, int(g) - 3 if g != "All" else 0),
                                               (e, ("EL", "EO").index(e) if e != "All" else 0)))
                    records.append({"school_id": s, "grade": g, "group": e,
                                    "n": int(grid[index].sum())})
        table = pd.DataFrame(records)
        dims = ("school_id", "grade", "group")
        out = suppress(table, dims=dims, count_columns=("n",))
        inner = {(s, g, e) for s in ("s0", "s1") for g in ("3", "4") for e in ("EL", "EO")}
        assert hidden(out, *dims) == inner
        assert (out.loc[out["suppressed"], "reason"] == COMPLEMENT).sum() == 7

    def test_each_count_column_is_its_own_system(self):
        """In a gap table, does a small reference group hide the row, and does the
        complement protect both counts? Grade 3 is the smallest other row (12 + 40 = 52
        students against 20 + 50 = 70), so it is hidden."""
        table = pd.DataFrame({
            "grade": ["3", "4", "5", "All"],
            "n_focal": [12, 15, 20, 47],
            "n_reference": [40, 6, 50, 96],
        })
        out = suppress(table, dims=("grade",), count_columns=("n_focal", "n_reference"))
        assert out["reason"].tolist() == [COMPLEMENT, PRIMARY, "", ""]
        hidden_rows = out["suppressed"]
        assert out.loc[hidden_rows, ["n_focal", "n_reference"]].isna().all().all()

    def test_complement_for_the_other_count_only(self):
        """If only n_focal is small, is a complement still needed in n_reference's system
        (96 - 40 - 50 = 6 gives n_reference of the hidden row)?"""
        table = pd.DataFrame({
            "grade": ["3", "4", "5", "All"],
            "n_focal": [40, 6, 50, 96],
            "n_reference": [100, 80, 120, 300],
        })
        out = suppress(table, dims=("grade",), count_columns=("n_focal", "n_reference"))
        assert out["suppressed"].sum() == 2
        assert out["reason"].tolist()[1] == PRIMARY

    def test_unlisted_categories_protect(self):
        """When the cells do not account for the whole total (62 = 30 + 7 + 25 not
        listed), can a reader not solve the small cell, so no complement is added?"""
        out = suppress(one_dim([30, 7], total=62), dims=("grade",), count_columns=("n",))
        assert out["reason"].tolist() == ["", PRIMARY, ""]

    def test_non_empty_cell_preferred_as_complement(self):
        """If a hidden cell and a hidden zero sum to the shown difference, is the small
        cell still protected? 0 + 7 = 7 leaves each between 0 and 7, so yes: the zero is
        a valid complement only when nothing better is shown. Here a non-empty cell
        exists, so it is taken instead (30 + 7 + 0 + 25: hide 25)."""
        out = suppress(one_dim([30, 7, 0, 25], total=62), dims=("grade",),
                       count_columns=("n",))
        assert out["reason"].tolist() == ["", PRIMARY, "", COMPLEMENT, ""]

    def test_nonnegativity_alone_pins_hidden_zeros(self):
        """Two rows hidden for small n_reference both have n_focal 0. Shown: grade 5 has
        20 and the total 20, so their n_focal add up to 0 and, counts being non-negative,
        each is 0, although one equation in two unknowns does not fix either. Is grade 5
        hidden too (then they add up to 20 - x5, which is not fixed)?"""
        table = pd.DataFrame({
            "grade": ["3", "4", "5", "All"],
            "n_focal": [0, 0, 20, 20],
            "n_reference": [5, 6, 50, 61],
        })
        out = suppress(table, dims=("grade",), count_columns=("n_focal", "n_reference"))
        assert out["reason"].tolist() == [PRIMARY, PRIMARY, COMPLEMENT, ""]

    def test_input_suppression_is_honoured(self):
        """Does a row already flagged stay hidden with its reason, and get a complement?"""
        table = one_dim([30, 40, 25], total=95).assign(
            suppressed=[False, True, False, False], reason=["", "not reported", "", ""])
        out = suppress(table, dims=("grade",), count_columns=("n",))
        assert out["reason"].tolist() == ["", "not reported", COMPLEMENT, ""]


class TestOutput:
    @pytest.fixture
    def table(self):
        return pd.DataFrame({
            "grade": [3, 4, 5, "All"],
            "n": [30, 7, 25, 62],
            "estimate": [0.1, 0.2, 0.3, 0.2],
            "label": ["a", "b", "c", "d"],
            "pct": [0.43, 0.02, 0.97, 0.5],
        }, index=[10, 11, 12, 13])

    def test_input_is_not_changed(self, table):
        """Is the caller's table left exactly as it was?"""
        before = table.copy()
        suppress(table, dims=("grade",), count_columns=("n",), hide=("estimate", "label"),
                 percent_columns=("pct",))
        pd.testing.assert_frame_equal(table, before)

    def test_hidden_columns_and_percent_display(self, table):
        """Are counts, hidden columns and percents blank on hidden rows, and percents
        coded on shown rows?"""
        out = suppress(table, dims=("grade",), count_columns=("n",),
                       hide=("estimate", "label"), percent_columns=("pct",))
        assert out["suppressed"].tolist() == [False, True, True, False]
        assert out["n"].dtype == "Int64"
        assert out["estimate"].isna().tolist() == [False, True, True, False]
        assert out["label"].isna().tolist() == [False, True, True, False]
        assert out["pct"].isna().tolist() == [False, True, True, False]
        assert out["pct_display"].tolist() == ["43%", "*", "*", "50%"]
        assert out["suppressed"].dtype == bool
        assert list(out.columns[-2:]) == ["suppressed", "reason"]
        assert out.index.tolist() == [10, 11, 12, 13]


class TestValidation:
    @pytest.fixture
    def table(self):
        return one_dim([30, 7, 25], total=62)

    @pytest.mark.parametrize("min_n, error, message", [
        (0, ValueError, r"`min_n` must be a positive integer; got 0\."),
        (2.5, TypeError, r"`min_n` must be a positive integer; got 2\.5\."),
        (True, TypeError, r"`min_n` must be a positive integer; got True\."),
    ])
    def test_min_n(self, table, min_n, error, message):
        """Is a bad `min_n` refused by name?"""
        with pytest.raises(error, match=message):
            suppress(table, dims=("grade",), count_columns=("n",), min_n=min_n)

    def test_unknown_dim(self, table):
        """Does a missing dim column name the argument, the column and the columns?"""
        with pytest.raises(ValueError, match=r"`dims` column 'school' is not in the table; "
                                             r"columns are 'grade', 'n'\."):
            suppress(table, dims=("school",), count_columns=("n",))

    def test_empty_count_columns(self, table):
        """Is an empty `count_columns` refused?"""
        with pytest.raises(ValueError, match="`count_columns` must name at least one"):
            suppress(table, dims=("grade",), count_columns=())

    @pytest.mark.parametrize("value", [-1, 2.5, np.nan, "ten"])
    def test_bad_count(self, table, value):
        """Is a count that is not a non-negative whole number refused with its row?"""
        table = table.astype({"n": object})
        table.loc[1, "n"] = value
        with pytest.raises(ValueError, match=r"`count_columns` column 'n' must hold "
                                             r"non-negative whole numbers; row 1"):
            suppress(table, dims=("grade",), count_columns=("n",))

    def test_duplicate_cells(self, table):
        """Are two rows for the same cell refused?"""
        table = pd.concat([table, table.iloc[[0]]], ignore_index=True)
        with pytest.raises(ValueError, match=r"two rows for the same cell \(grade='3'\); "
                                             r"row 4"):
            suppress(table, dims=("grade",), count_columns=("n",))

    def test_inconsistent_totals(self, table):
        """Are cells adding up to more than their total refused, naming the line?"""
        table.loc[3, "n"] = 50
        with pytest.raises(InconsistentTotalsError, match=r"along 'grade'.*add up to 62, "
                                                          r"more than the margin row's 50"):
            suppress(table, dims=("grade",), count_columns=("n",))

    def test_grand_total_without_line_totals(self):
        """Cells plus only a grand total would give a hidden cell back (total minus the
        rest): is such a table refused, naming the missing total row?"""
        table = two_dim([[20, 5], [30, 40]], ["A", "B"], ["3", "4"], margins=False)
        table = pd.concat([table, pd.DataFrame([{"school_id": "All", "grade": "All",
                                                 "n": 95}])], ignore_index=True)
        with pytest.raises(ValueError, match=r"has totals over 'school_id', but not the one "
                                             r"for row 0: no row with school_id='All', "
                                             r"grade='3', although a total above"):
            suppress(table, dims=("school_id", "grade"), count_columns=("n",))

    def test_total_missing_for_one_line(self):
        """Is a table with a school total for A but not for B refused?"""
        table = two_dim([[20, 5], [30, 40]], ["A", "B"], ["3", "4"])
        table = table[~((table["school_id"] == "B") & (table["grade"] == "All"))]
        with pytest.raises(ValueError, match=r"totals over 'grade', but not the one for row "
                                             r"2: no row with school_id='B', grade='All'"):
            suppress(table, dims=("school_id", "grade"), count_columns=("n",))

    def test_totals_hidden_all_the_way_up_are_allowed(self):
        """When a source hid a cell and so every total over it (school A, grade 3, and the
        grand total), nothing can be derived: is the table accepted?"""
        table = two_dim([[20, 5], [30, 40]], ["A", "B"], ["3", "4"])
        gone = ((table["school_id"] == "A") & (table["grade"].isin(["3", "All"]))) | (
            (table["school_id"] == "All") & (table["grade"].isin(["3", "All"])))
        out = suppress(table[~gone], dims=("school_id", "grade"), count_columns=("n",))
        # Left: A4 = 5 (hidden), B3 = 30, B4 = 40, B-All = 70, All-4 = 45. Grade 4's line
        # A4 + B4 = 45 would give A4 back, so B4 (its only other cell) is hidden; then
        # school B's line B3 + B4 = 70 would give B4 back, so B3 is hidden. Two equations
        # in three unknowns fix none of them.
        assert hidden(out, "school_id", "grade") == {("A", "4"), ("B", "4"), ("B", "3")}

    def test_not_a_dataframe(self):
        """Is a non-table refused by name?"""
        with pytest.raises(TypeError, match="`table` must be a pandas DataFrame; got list"):
            suppress([1, 2], dims=("grade",), count_columns=("n",))

    def test_percent_out_of_range(self, table):
        """Is a percentage given as 43 (not 0.43) refused?"""
        table["pct"] = [0.4, 43.0, 0.2, 0.3]
        with pytest.raises(ValueError, match=r"`percent_columns` column 'pct' must hold "
                                             r"proportions between 0 and 1; row 1 holds 43"):
            suppress(table, dims=("grade",), count_columns=("n",), percent_columns=("pct",))

    def test_count_column_also_a_dim(self, table):
        """Is a column used both as a dim and a count refused?"""
        with pytest.raises(ValueError, match="`count_columns` column 'grade' is also one of"):
            suppress(table, dims=("grade",), count_columns=("grade",))


class TestCodePercent:
    @pytest.mark.parametrize("p, expected", [
        (0.43, "43%"),
        (0.125, "13%"),   # 12.5 rounds half up
        (0.0, "<5%"),
        (0.049, "<5%"),
        (0.05, "5%"),
        (0.95, "95%"),
        (0.951, ">95%"),
        (1.0, ">95%"),
    ])
    def test_top_and_bottom_coding(self, p, expected):
        """Are percentages below 5 and above 95 coded, and the rest rounded?"""
        assert code_percent(p, 40) == expected

    def test_small_group(self):
        """Is a percentage for fewer than min_n students suppressed?"""
        assert code_percent(0.5, 9) == "*"
        assert code_percent(0.5, 4, min_n=5) == "*"

    def test_no_value(self):
        """Is there nothing to show for an empty group or a missing value?"""
        assert code_percent(math.nan, 0) == ""
        assert code_percent(math.nan, 30) == ""

    @pytest.mark.parametrize("p, n, error, message", [
        (43, 40, ValueError, r"`p` must be a proportion between 0 and 1"),
        ("43%", 40, TypeError, r"`p` must be a proportion"),
        (0.4, -1, ValueError, r"`n` must be a non-negative integer; got -1\."),
        (0.4, 2.5, TypeError, r"`n` must be a non-negative integer; got 2\.5\."),
    ])
    def test_bad_input(self, p, n, error, message):
        """Are bad arguments refused by name?"""
        with pytest.raises(error, match=message):
            code_percent(p, n)


def test_percent_coding_never_pins_zero_or_all():
    """For every group size from 3 to 400, a bottom-coded "<t%" covers at least 0 and 1 students and a
    top-coded ">t%" at least n - 1 and n, so neither says "none" or "everyone" (by hand: 1 of 19 is 5.3%)."""
    from gapkit.privacy import Rule

    for n in range(3, 401):
        low, high = Rule.coding_bounds(n)
        assert 100 * 1 / n < low and 100 * (n - 1) / n > high, n
        assert Rule.percent(0.0, n) == f"<{low}%" and Rule.percent(1.0, n) == f">{high}%"
    assert Rule.coding_bounds(19) == (10, 90) and Rule.coding_bounds(21) == (5, 95)
