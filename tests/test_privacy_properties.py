"""Property tests for gapkit.privacy.suppress, audited by an independent attacker.

The attacker here sees only what `suppress` returns (shown counts, the suppressed flags)
and knows the table's structure: every margin row is the sum of the cells of its line.
For each hidden count it solves two linear programs with scipy.optimize.linprog (HiGHS):
the smallest and the largest value that count can take in any non-negative table that
agrees with everything shown. A hidden count is safe when that interval has positive
width. This audit shares no code with gapkit.privacy.
"""

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from gapkit.privacy import suppress

DIM_NAMES = ("school_id", "grade", "group")
MAX_SHAPE = (4, 4, 3)


def attacker_system(out, dims, column, total_label="All"):
    """Equations A x = b over the hidden rows of ``out`` for one count column."""
    frame = out.reset_index(drop=True)
    keys = frame[list(dims)].astype(object).to_numpy()
    hidden = [int(i) for i in np.flatnonzero(frame["suppressed"].to_numpy(dtype=bool))]
    where = {r: j for j, r in enumerate(hidden)}
    values = frame[column].to_numpy(dtype=object)
    rows_a, rows_b = [], []
    for t in range(len(frame)):
        for k in range(len(dims)):
            if keys[t, k] != total_label:
                continue
            members = [
                r for r in range(len(frame))
                if keys[r, k] != total_label
                and all(keys[r, j] == keys[t, j] for j in range(len(dims)) if j != k)
            ]
            if not members:
                continue
            coefficients = np.zeros(len(hidden))
            rhs = 0.0
            for r in members:
                if r in where:
                    coefficients[where[r]] += 1
                else:
                    rhs -= float(values[r])
            if t in where:
                coefficients[where[t]] -= 1
            else:
                rhs += float(values[t])
            rows_a.append(coefficients)
            rows_b.append(rhs)
    a_eq = np.array(rows_a, dtype=float).reshape(len(rows_a), len(hidden))
    return hidden, a_eq, np.array(rows_b, dtype=float)


def attacker_intervals(out, dims, column, total_label="All"):
    """{hidden row: (lowest, highest)} that the attacker can prove for ``column``."""
    hidden, a_eq, b_eq = attacker_system(out, dims, column, total_label)
    intervals = {}
    for j, row in enumerate(hidden):
        bounds = []
        for sign in (1.0, -1.0):
            cost = np.zeros(len(hidden))
            cost[j] = sign
            result = linprog(cost, A_eq=a_eq if len(a_eq) else None,
                             b_eq=b_eq if len(b_eq) else None,
                             bounds=[(0, None)] * len(hidden), method="highs")
            if result.status == 3:  # unbounded: no upper limit at all
                bounds.append(math.inf)
            else:
                assert result.status == 0, result.message
                bounds.append(sign * result.fun)
        intervals[row] = (bounds[0], bounds[1])
    return intervals


def make_table(cells, dims, margins, total_label="All"):
    """Long table of the count arrays in ``cells``, with margin rows along ``margins``."""
    shape = cells[0].shape
    levels = [
        [f"{d[0]}{i}" for i in range(size)] + ([total_label] if has else [])
        for d, size, has in zip(dims, shape, margins)
    ]
    records = []
    for labels in itertools.product(*levels):
        index = tuple(
            slice(None) if label == total_label else int(label[1:]) for label in labels
        )
        record = dict(zip(dims, labels))
        for c, array in enumerate(cells):
            record[f"n{c}"] = int(np.sum(array[index]))
        records.append(record)
    return pd.DataFrame.from_records(records)


counts = st.one_of(st.integers(0, 14), st.integers(10, 80))


@st.composite
def tables(draw):
    n_dims = draw(st.integers(1, 3))
    shape = tuple(draw(st.integers(1, MAX_SHAPE[k])) for k in range(n_dims))
    size = int(np.prod(shape))
    n_columns = draw(st.integers(1, 2))
    cells = [
        np.array(draw(st.lists(counts, min_size=size, max_size=size))).reshape(shape)
        for _ in range(n_columns)
    ]
    margins = tuple(draw(st.booleans()) or draw(st.booleans()) for _ in range(n_dims))
    dims = DIM_NAMES[:n_dims]
    min_n = draw(st.sampled_from((5, 10)))
    return make_table(cells, dims, margins), dims, min_n


class TestSuppressProperties:
    @settings(max_examples=80, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(tables())
    def test_nothing_small_shown_and_nothing_recoverable(self, case):
        """For any table, is every shown count 0 or at least min_n, and every hidden count
        left with an interval of positive width by the attacker's linear programs?"""
        table, dims, min_n = case
        count_columns = tuple(c for c in table.columns if c.startswith("n"))
        before = table.copy()
        out = suppress(table, dims=dims, count_columns=count_columns, min_n=min_n)

        pd.testing.assert_frame_equal(table, before)  # the input is untouched
        hidden = out["suppressed"].to_numpy(dtype=bool)
        for column in count_columns:
            shown = table.loc[~hidden, column]
            assert ((shown == 0) | (shown >= min_n)).all()
            assert out.loc[hidden, column].isna().all()
            pd.testing.assert_series_equal(out.loc[~hidden, column].astype("int64"),
                                           table.loc[~hidden, column], check_names=False)
            truth = table[column].to_numpy()
            for row, (low, high) in attacker_intervals(out, dims, column).items():
                assert low - 1e-6 <= truth[row] <= high + 1e-6  # the audit is sound
                assert high - low > 1e-6, (
                    f"{column} of row {row} ({out.loc[row, list(dims)].tolist()}) "
                    f"is pinned to {low}")
        # every hidden row says why; every shown row says nothing
        assert (out.loc[hidden, "reason"] != "").all()
        assert (out.loc[~hidden, "reason"] == "").all()


class TestBridge:
    """Two suppressed 2x2 cycles joined by one cell: every row and column of the table
    has at least two hidden cells, yet the joining cell can be solved (Cox, 1980)."""

    @pytest.fixture
    def bridge(self):
        # Hidden by the primary rule (< 10): cycle A = rows r0,r1 x cols c0,c1;
        # cycle B = rows r2,r3 x cols c2,c3; the bridge (r1, c2) joins them.
        cells = np.array([
            [5, 6, 40, 50],
            [7, 8, 3, 60],
            [45, 55, 4, 6],
            [65, 70, 7, 8],
        ])
        return make_table([cells], ("school_id", "grade"), (True, True))

    def test_two_per_line_is_not_enough(self, bridge):
        """With only the primary cells hidden, can the attacker solve the bridge cell
        although every line holds two or more hidden cells?"""
        primary = bridge.copy()
        primary["suppressed"] = (primary["n0"] > 0) & (primary["n0"] < 10)
        interior = primary[(primary["school_id"] != "All") & (primary["grade"] != "All")]
        per_row = interior.groupby("school_id")["suppressed"].sum()
        per_col = interior.groupby("grade")["suppressed"].sum()
        assert (per_row >= 2).all() and (per_col >= 2).all()
        shown = primary.assign(n0=primary["n0"].where(~primary["suppressed"]))
        intervals = attacker_intervals(shown, ("school_id", "grade"), "n0")
        bridge_row = primary.index[(primary["school_id"] == "s1")
                                   & (primary["grade"] == "g2")][0]
        # By hand: rows r0+r1 hide 5+6+7+8+3 = 29, columns c0+c1 hide 5+6+7+8 = 26,
        # so the bridge is 29 - 26 = 3.
        assert intervals[bridge_row] == pytest.approx((3, 3))

    def test_suppress_protects_the_bridge(self, bridge):
        """Does suppress add complements until the attacker cannot solve any cell?"""
        out = suppress(bridge, dims=("school_id", "grade"), count_columns=("n0",))
        primary = (bridge["n0"] > 0) & (bridge["n0"] < 10)
        assert (out["suppressed"] >= primary).all()
        assert (out.loc[~primary & out["suppressed"], "reason"]
                == "complementary suppression").all()
        assert (out["suppressed"] & ~primary).sum() >= 1
        truth = bridge["n0"].to_numpy()
        for row, (low, high) in attacker_intervals(out, ("school_id", "grade"), "n0").items():
            assert low <= truth[row] <= high
            assert high - low > 0
