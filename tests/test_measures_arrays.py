"""estimate_table: every measure on arrays, element by element the same as its scalar function.

The scalar functions are checked against published examples and independent libraries in
test_measures.py; here each row of ``estimate_table`` must equal the scalar function's Estimate
for that row (value, standard error, interval, method and note), on random and edge-case inputs:
empty groups, groups of one, no spread, shares of 0% and 100%, zero cells, empty levels. A bad
element must be reported with the scalar function's own message, naming the element. One
independent check (statsmodels) guards the batch path directly.
"""
import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import confint_proportions_2indep

import gapkit
import gapkit.measures
from gapkit.measures import (
    cohens_d,
    estimate_table,
    hedges_g,
    idea_risk_ratio,
    mean_difference,
    probit_gap,
    proportion_difference,
    risk_ratio,
    v_statistic,
)

FAST = settings(max_examples=60, deadline=None)
SLOW = settings(max_examples=8, deadline=None)  # binormal V: an ML fit per row

COLUMNS = ["value", "se", "ci_low", "ci_high", "method", "note"]
MEANS = ("mean_focal", "sd_focal", "n_focal", "mean_reference", "sd_reference", "n_reference")
COUNTS = ("successes_focal", "n_focal", "successes_reference", "n_reference")
MEAN_MEASURES = {"mean_difference": mean_difference, "cohens_d": cohens_d, "hedges_g": hedges_g}

nan = float("nan")
levels = st.floats(min_value=0.5, max_value=0.999)
# Small sizes (0, 1, 2, 3 students) are where the edge cases live; large ones are the usual case.
sizes = st.one_of(st.integers(0, 3), st.integers(0, 3000))


@st.composite
def mean_side(draw):
    """(mean, sd, n) of one group; NaN where the scalar function allows it."""
    n = draw(sizes)
    mean = draw(st.floats(-1e3, 1e4) | (st.just(nan) if n == 0 else st.nothing()))
    sd = draw(st.just(0.0) | st.floats(0.0, 500.0) | (st.just(nan) if n < 2 else st.nothing()))
    return mean, sd, n


@st.composite
def mean_rows(draw, max_size=12):
    size = draw(st.integers(0, max_size))
    rows = []
    for _ in range(size):
        focal = draw(mean_side())
        # Often the same spread (or none) on both sides, so zero-variance cells are common.
        reference = draw(mean_side())
        if draw(st.booleans()) and focal[2] >= 2 and reference[2] >= 2:
            reference = (reference[0], focal[1], reference[2])
        rows.append((*focal, *reference))
    return rows


@st.composite
def count_side(draw):
    n = draw(sizes)
    successes = draw(st.just(0) | st.just(n) | st.integers(0, n))
    return successes, n


@st.composite
def count_rows(draw, max_size=12):
    size = draw(st.integers(0, max_size))
    return [(*draw(count_side()), *draw(count_side())) for _ in range(size)]


@st.composite
def probit_rows(draw, max_size=12):
    size = draw(st.integers(0, max_size))
    share = st.sampled_from([0.0, 1.0]) | st.floats(0.0, 1.0)
    size_ = st.integers(1, 3) | st.integers(1, 3000)
    return [(draw(share), draw(share), draw(size_), draw(size_)) for _ in range(size)]


@st.composite
def level_rows(draw, max_size=6):
    """Counts per level (k levels, the same k in every row) for both groups."""
    k = draw(st.integers(1, 5))
    size = draw(st.integers(0, max_size))
    count = st.just(0) | st.integers(0, 40)
    focal = [[draw(count) for _ in range(k)] for _ in range(size)]
    reference = [[draw(count) for _ in range(k)] for _ in range(size)]
    return (np.array(focal, dtype=int).reshape(size, k),
            np.array(reference, dtype=int).reshape(size, k))


def columns_of(rows, names):
    """Rows of values as a dict of arrays, one per argument name."""
    return {name: np.array([row[i] for row in rows], dtype=float) for i, name in enumerate(names)}


def assert_matches(table, estimates):
    """Each row of ``table`` carries the fields of the matching scalar Estimate."""
    assert list(table.columns) == COLUMNS
    assert len(table) == len(estimates)
    for column in COLUMNS[:4]:
        # The same kernel runs in both; the tolerance only allows for SIMD rounding in numpy's
        # vectorised exp/log, far below any difference in formula.
        np.testing.assert_allclose(table[column].to_numpy(dtype=float),
                                   [getattr(e, column) for e in estimates],
                                   rtol=1e-13, atol=0, equal_nan=True, err_msg=column)
    assert table["method"].tolist() == [e.method for e in estimates]
    assert table["note"].tolist() == [e.note for e in estimates]


class TestEstimateTableMatchesScalars:
    @pytest.mark.parametrize("measure", sorted(MEAN_MEASURES))
    @FAST
    @given(rows=mean_rows(), level=levels)
    def test_mean_measures(self, measure, rows, level):
        """Does each row equal the scalar measure, empty and one-student groups included?"""
        table = estimate_table(measure, level=level, **columns_of(rows, MEANS))
        scalar = MEAN_MEASURES[measure]
        assert_matches(table, [scalar(*row, level=level) for row in rows])

    @pytest.mark.parametrize("interval", ["newcombe", "wald"])
    @FAST
    @given(rows=count_rows(), level=levels)
    def test_proportion_difference(self, interval, rows, level):
        """Does each row equal proportion_difference for either interval, 0% and 100% included?"""
        table = estimate_table("proportion_difference", interval=interval, level=level,
                               **columns_of(rows, COUNTS))
        assert_matches(table, [proportion_difference(*row, interval=interval, level=level)
                               for row in rows])

    @FAST
    @given(rows=count_rows(), level=levels)
    def test_risk_ratio(self, rows, level):
        """Does each row equal risk_ratio, zero cells included?"""
        table = estimate_table("risk_ratio", level=level, **columns_of(rows, COUNTS))
        assert_matches(table, [risk_ratio(*row, level=level) for row in rows])

    @FAST
    @given(rows=probit_rows(), level=levels, with_sizes=st.booleans())
    def test_probit_gap(self, rows, level, with_sizes):
        """Does each row equal probit_gap, with or without group sizes?"""
        names = ("p_focal", "p_reference", "n_focal", "n_reference")
        data = columns_of(rows, names if with_sizes else names[:2])
        table = estimate_table("probit_gap", level=level, **data)
        if with_sizes:
            expected = [probit_gap(p_f, p_r, n_focal=n_f, n_reference=n_r, level=level)
                        for p_f, p_r, n_f, n_r in rows]
        else:
            expected = [probit_gap(p_f, p_r, level=level) for p_f, p_r, _, _ in rows]
        assert_matches(table, expected)

    @FAST
    @given(counts=level_rows(), level=levels)
    def test_v_statistic_nonparametric(self, counts, level):
        """Does each row equal the nonparametric V, with empty levels and empty groups?"""
        focal, reference = counts
        table = estimate_table("v_statistic", method="nonparametric", level=level,
                               counts_focal=focal, counts_reference=reference)
        assert_matches(table, [v_statistic(f, r, method="nonparametric", level=level)
                               for f, r in zip(focal.tolist(), reference.tolist())])

    @SLOW
    @given(counts=level_rows(max_size=3))
    def test_v_statistic_binormal(self, counts):
        """Does each row equal the binormal V (the default method), fallbacks included?"""
        focal, reference = counts
        table = estimate_table("v_statistic", counts_focal=focal, counts_reference=reference)
        assert_matches(table, [v_statistic(f, r) for f, r in zip(focal.tolist(),
                                                                 reference.tolist())])

    @FAST
    @given(rows=count_rows(), state=st.lists(count_side(), min_size=12, max_size=12),
           min_cell=st.integers(0, 12), min_enrolled=st.integers(0, 40), with_state=st.booleans())
    def test_idea_risk_ratio(self, rows, state, min_cell, min_enrolled, with_state):
        """Does each row equal idea_risk_ratio, with and without State comparison groups?"""
        data = columns_of(rows, COUNTS)
        state = state[:len(rows)]
        options = {"min_cell": min_cell, "min_enrolled": min_enrolled}
        if with_state:
            data["state_successes_reference"] = np.array([s for s, _ in state], dtype=int)
            data["state_n_reference"] = np.array([n for _, n in state], dtype=int)
        table = estimate_table("idea_risk_ratio", **options, **data)
        expected = []
        for row, (s, n) in zip(rows, state):
            extra = {"state_successes_reference": s, "state_n_reference": n} if with_state else {}
            expected.append(idea_risk_ratio(*row, **options, **extra))
        assert_matches(table, expected)


class TestEstimateTableInputs:
    def test_edge_cases_side_by_side(self):
        """Does one call give each edge case its own note, as the scalar function does?"""
        rows = [(2480.0, 60.0, 40, 2530.0, 70.0, 160),   # an ordinary cell
                (nan, nan, 0, 2530.0, 70.0, 160),        # empty focal group
                (2480.0, nan, 1, 2530.0, 70.0, 160),     # one focal student
                (2480.0, 0.0, 5, 2530.0, 0.0, 7),        # no spread at all
                (nan, nan, 0, nan, nan, 0)]              # both empty
        table = estimate_table("mean_difference", **columns_of(rows, MEANS))
        assert table["note"].tolist() == [mean_difference(*row).note for row in rows]
        assert len(set(table["note"])) == 5
        # Hand calculation: 2530 - 2480 = 50 in every non-empty row.
        assert table["value"].tolist()[:1] + table["value"].tolist()[2:4] == [50.0, 50.0, 50.0]
        assert math.isnan(table.loc[1, "value"]) and table.loc[3, "se"] == 0.0

    def test_matches_statsmodels(self):
        """Do Newcombe and Wald intervals on arrays match statsmodels'
        confint_proportions_2indep?"""
        # statsmodels 0.14, method 'newcomb' / 'wald', compare='diff' (reference minus focal)
        rows = [(18, 60, 126, 210), (5, 40, 30, 50), (0, 12, 9, 15)]
        data = columns_of(rows, COUNTS)
        for interval, sm_method in (("newcombe", "newcomb"), ("wald", "wald")):
            table = estimate_table("proportion_difference", interval=interval, **data)
            for i, (s_f, n_f, s_r, n_r) in enumerate(rows):
                low, high = confint_proportions_2indep(s_r, n_r, s_f, n_f, method=sm_method,
                                                       compare="diff")
                assert table.loc[i, "ci_low"] == pytest.approx(low, abs=1e-10)
                assert table.loc[i, "ci_high"] == pytest.approx(high, abs=1e-10)

    def test_accepts_frame_columns(self):
        """Can the arrays be float columns of a DataFrame (counts stored as floats)?"""
        frame = pd.DataFrame({"s_f": [18.0, 5.0], "n_f": [60.0, 40.0], "s_r": [126.0, 30.0],
                              "n_r": [210.0, 50.0]})
        table = estimate_table("risk_ratio", successes_focal=frame["s_f"], n_focal=frame["n_f"],
                               successes_reference=frame["s_r"], n_reference=frame["n_r"])
        # Hand calculation: (18/60) / (126/210) = 0.5; (5/40) / (30/50) = 0.2083...
        assert table["value"].to_numpy() == pytest.approx([0.5, 0.125 / 0.6], rel=1e-12)

    def test_empty_arrays(self):
        """Do empty arrays give an empty table with the columns?"""
        table = estimate_table("cohens_d", **{name: [] for name in MEANS})
        assert list(table.columns) == COLUMNS and len(table) == 0


def valid_means(size=4):
    return {"mean_focal": [2480.0] * size, "sd_focal": [60.0] * size, "n_focal": [40] * size,
            "mean_reference": [2530.0] * size, "sd_reference": [70.0] * size,
            "n_reference": [160] * size}


def valid_counts(size=4):
    return {"successes_focal": [18] * size, "n_focal": [60] * size,
            "successes_reference": [126] * size, "n_reference": [210] * size}


def scalar_error(function, kwargs):
    """The exception the scalar function raises for ``kwargs``."""
    with pytest.raises((ValueError, TypeError)) as info:
        function(**kwargs)
    return info.type, str(info.value)


# (measure, valid data, scalar function, argument, bad value)
BAD_ELEMENTS = [
    ("mean_difference", valid_means, mean_difference, "n_focal", -1),
    ("cohens_d", valid_means, cohens_d, "n_reference", 2.5),
    ("hedges_g", valid_means, hedges_g, "n_focal", "40"),
    ("hedges_g", valid_means, hedges_g, "mean_reference", True),
    ("mean_difference", valid_means, mean_difference, "mean_focal", float("inf")),
    ("mean_difference", valid_means, mean_difference, "mean_reference", nan),
    ("hedges_g", valid_means, hedges_g, "sd_focal", -3.0),
    ("cohens_d", valid_means, cohens_d, "sd_reference", nan),
    ("cohens_d", valid_means, cohens_d, "mean_focal", "high"),
    ("proportion_difference", valid_counts, proportion_difference, "successes_focal", 61),
    ("proportion_difference", valid_counts, proportion_difference, "n_reference", -5),
    ("risk_ratio", valid_counts, risk_ratio, "successes_reference", 211),
    ("risk_ratio", valid_counts, risk_ratio, "successes_focal", nan),
    ("idea_risk_ratio", valid_counts, idea_risk_ratio, "successes_focal", -2),
]


class TestEstimateTableErrors:
    @pytest.mark.parametrize("measure, valid, function, name, bad", BAD_ELEMENTS)
    @pytest.mark.parametrize("position", [0, 3])
    def test_bad_element_named(self, measure, valid, function, name, bad, position):
        """Is a bad element reported with the scalar message, naming the element?"""
        data = valid()
        column = list(data[name])
        column[position] = bad
        data[name] = np.array(column, dtype=object)
        error, message = scalar_error(function, {k: v[position] for k, v in data.items()})
        # The scalar message names the argument; the batch one names the element too.
        expected = message.replace(f"`{name}`", f"`{name}[{position}]`", 1)
        if "must not exceed" in message:
            counterpart = f"`n_{name.split('_', 1)[1]}`"
            expected = expected.replace(counterpart, counterpart[:-1] + f"[{position}]`")
        with pytest.raises(error, match=re.escape(expected)):
            estimate_table(measure, **data)

    def test_bad_probit_share(self):
        """Is a share above 1 reported with its element?"""
        with pytest.raises(ValueError, match=re.escape(
                "`p_reference[1]` must be a proportion between 0 and 1; got 1.5.")):
            estimate_table("probit_gap", p_focal=[0.3, 0.3], p_reference=[0.6, 1.5])

    def test_probit_size_of_zero(self):
        """Is a group size of 0 refused when sizes are given, as probit_gap does?"""
        with pytest.raises(ValueError, match=re.escape(
                "`n_focal[0]` must be a positive integer; got 0.")):
            estimate_table("probit_gap", p_focal=[0.3], p_reference=[0.6], n_focal=[0],
                           n_reference=[10])

    def test_bad_level_count_named_by_row_and_level(self):
        """Is a negative count per level named by row and level?"""
        with pytest.raises(ValueError, match=re.escape(
                "`counts_reference[1, 2]` must be a non-negative integer; got -4.")):
            estimate_table("v_statistic", counts_focal=[[1, 2, 3], [3, 2, 1]],
                           counts_reference=[[1, 2, 3], [3, 2, -4]])

    def test_level_counts_same_shape(self):
        """Are counts with different numbers of levels refused?"""
        with pytest.raises(ValueError, match="must have the same shape"):
            estimate_table("v_statistic", counts_focal=[[1, 2, 3]], counts_reference=[[1, 2]])

    def test_unequal_lengths(self):
        """Are arrays of different lengths refused, naming both?"""
        data = valid_counts()
        data["n_reference"] = [210] * 3
        with pytest.raises(ValueError, match=re.escape(
                "`n_reference` has 3 elements but `successes_focal` has 4")):
            estimate_table("risk_ratio", **data)

    def test_not_one_dimensional(self):
        """Is a 2-D array refused for a measure that takes 1-D data?"""
        data = valid_counts()
        data["n_focal"] = [[60, 60], [60, 60]]
        with pytest.raises(ValueError, match=re.escape("`n_focal` must be a 1-D array")):
            estimate_table("risk_ratio", **data)

    def test_unknown_measure(self):
        """Is an unknown measure refused with the list of measures?"""
        with pytest.raises(ValueError, match=r"`measure` \('gap'\) not recognized"):
            estimate_table("gap", **valid_counts())

    def test_missing_and_unexpected_keywords(self):
        """Are a missing data array and an unknown keyword named?"""
        data = valid_counts()
        del data["n_reference"]
        with pytest.raises(TypeError, match="missing the data `n_reference`"):
            estimate_table("risk_ratio", **data)
        with pytest.raises(TypeError, match="unexpected keyword.*`interval`"):
            estimate_table("risk_ratio", interval="wald", **valid_counts())

    def test_bad_option(self):
        """Is an unknown interval refused as proportion_difference refuses it?"""
        with pytest.raises(ValueError, match=r"`interval` \('exact'\) not recognized"):
            estimate_table("proportion_difference", interval="exact", **valid_counts())

    def test_sizes_given_together(self):
        """Must probit_gap's group sizes come together?"""
        with pytest.raises(ValueError, match="must be given together"):
            estimate_table("probit_gap", p_focal=[0.3], p_reference=[0.6], n_focal=[10])

    def test_bad_level(self):
        """Is a confidence level outside (0, 1) refused?"""
        with pytest.raises(ValueError, match="`level` must be between 0 and 1"):
            estimate_table("risk_ratio", level=95, **valid_counts())

    def test_idea_has_no_level(self):
        """Is a confidence level refused for the IDEA ratio, which has no interval?"""
        with pytest.raises(ValueError, match="`level` does not apply"):
            estimate_table("idea_risk_ratio", level=0.9, **valid_counts())


# One comparison's data, by argument name: a school's English learners (focal) and everyone else.
EXAMPLE = {
    "mean_focal": 2480.0, "sd_focal": 60.0, "n_focal": 40, "mean_reference": 2530.0, "sd_reference": 70.0,
    "n_reference": 160, "successes_focal": 12, "successes_reference": 88, "p_focal": 0.3, "p_reference": 0.55,
    "counts_focal": [10, 14, 10, 6], "counts_reference": [20, 52, 56, 32],
    "state_successes_reference": 9000, "state_n_reference": 20000,
}


class TestRegistry:
    """`MEASURES` is the one list of measures: every entry is public, and its batch path is its function."""

    @pytest.mark.parametrize("name", list(gapkit.measures.MEASURES))
    def test_public_under_its_own_name(self, name):
        """Is the entry's function gapkit.<name> and gapkit.measures.<name>, named as the entry?"""
        entry = gapkit.measures.MEASURES[name]
        assert entry.function.__name__ == name
        assert getattr(gapkit, name) is entry.function and getattr(gapkit.measures, name) is entry.function
        assert name in gapkit.__all__ and name in gapkit.measures.__all__

    @pytest.mark.parametrize("name", list(gapkit.measures.MEASURES))
    def test_table_path_is_the_function(self, name):
        """For every entry, with and without its optional data: does estimate_table give the function's Estimate?"""
        entry = gapkit.measures.MEASURES[name]
        for data in (entry.data, {**entry.data, **entry.optional}):
            args = {k: EXAMPLE[k] for k in data}
            estimate = entry.function(**args)
            assert estimate.measure == name and not math.isnan(estimate.value)
            table = estimate_table(name, **{k: [v] for k, v in args.items()})
            assert_matches(table, [estimate])

    @pytest.mark.parametrize("name", list(gapkit.measures.MEASURES))
    def test_entry_is_consistent(self, name):
        """Is every measure a gap table offers worded for views, and does a ratio's 'no difference' sit at 1?"""
        entry = gapkit.measures.MEASURES[name]
        assert entry.needs is None or entry.words is not None
        assert entry.null == (1.0 if entry.ratio else 0.0)
        assert not entry.explore or gapkit.measures.EXPLORE[entry.explore] is entry
