"""`gapkit.privacy.exposed` and `hide_exposed`: what a reader of several tables can pin, and what to hide.

The checks that matter are made by an attacker written here with scipy's `linprog`, sharing no code with
gapkit.privacy: it sees the shown counts, knows every sum and, for each hidden count, whether it is 0, small
(1 to min_n - 1) or at least min_n, and finds each hidden count's smallest and largest possible value.
"""
from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from gapkit.privacy import exposed, hide_exposed

MIN_N = 10


def attack(truth, equations, hidden):
    """{hidden key: (low, high)} over every table agreeing with what is shown and the bounds the reader knows."""
    hidden = sorted(hidden)
    index = {k: i for i, k in enumerate(hidden)}
    a, b, a_ub, b_ub = [], [], [], []
    for terms, exact in equations:
        row, rest = np.zeros(len(hidden)), 0.0
        for key, c in terms:
            if key in index:
                row[index[key]] += c
            else:
                rest += c * truth[key]
        (a if exact else a_ub).append(row)
        (b if exact else b_ub).append(-rest)
    bounds = [(0, 0) if truth[k] == 0 else (1, MIN_N - 1) if truth[k] < MIN_N else (MIN_N, None) for k in hidden]
    out = {}
    for key, i in index.items():
        c = np.zeros(len(hidden))
        c[i] = 1
        kw = dict(A_eq=a or None, b_eq=b or None, A_ub=a_ub or None, b_ub=b_ub or None, bounds=bounds, method="highs")
        low, high = linprog(c, **kw), linprog(-c, **kw)
        out[key] = (low.fun, np.inf if high.status == 3 else -high.fun)
    return out


def pinned_by_attack(truth, equations, hidden, checked=None):
    """The hidden counts (of `checked`, default all) pinned to one value, or a small one to within one."""
    return sorted(k for k, (low, high) in attack(truth, equations, hidden).items()
                  if truth[k] and (checked is None or k in checked)
                  and high - low < (3 if truth[k] < MIN_N else 1) - 1e-9)


def grades(prefix, counts):
    """A group's grade counts and their total, and the equation that ties them."""
    truth = {f"{prefix}{g}": n for g, n in counts.items()}
    truth[f"{prefix}All"] = sum(counts.values())
    return truth, ([*((f"{prefix}{g}", 1) for g in counts), (f"{prefix}All", -1)], True)


def test_the_tested_students_give_a_hidden_group_away():
    """The sample report's leak, by hand: 148 current and 338 never-EL students of 487 tested leave 1 former
    English learner in grade 3, although that count is hidden."""
    truth = {"current": 148, "former": 1, "never": 338, "tested": 487}
    equations = [([("current", 1), ("former", 1), ("never", 1), ("tested", -1)], True)]
    assert exposed(truth, equations, {"former"}) == ["former"] == pinned_by_attack(truth, equations, {"former"})
    # Hiding the tested students as well leaves a reader nothing: they are not shown anywhere else.
    assert exposed(truth, equations, {"former", "tested"}) == []


def test_a_small_count_known_to_within_one_is_exposed():
    """Grades 3 and 5 hidden, 2 and 10 students: a reader who knows grade 5 has at least 10 puts grade 3 at 1
    or 2. `hide_exposed` then hides grade 4, and the attacker finds grade 3 anywhere from 1 to 9."""
    truth, line = grades("g", {3: 2, 4: 33, 5: 10})
    assert exposed(truth, [line], {"g3", "g5"}) == ["g3"]
    rows = {k: (k,) for k in truth}
    added = hide_exposed(rows, truth, [line], {"g3"}, weight=lambda k: 5.0 if k.endswith("All") else 1.0)
    assert added == {"g4"}
    low, high = attack(truth, [line], {"g3", "g4"})["g3"]
    assert (low, high) == (1, 9)


def test_a_count_shown_twice_is_hidden_in_both_tables():
    """3 newcomers and 20 other current English learners make 23, whose total costs more to hide; the 20 are
    shown in two comparisons' rows. Hiding them means hiding both rows."""
    truth = {"newcomers": 3, "others": 20, "current": 23}
    equations = [([("newcomers", 1), ("others", 1), ("current", -1)], True)]
    units = {"newcomers, grade 3": ("newcomers",), "others vs never": ("others",), "others vs all": ("others",),
             "current": ("current",)}
    added = hide_exposed(units, truth, equations, {"newcomers, grade 3"},
                         weight=lambda k: 10.0 if k == "current" else 1.0)
    assert added == {"others vs never", "others vs all"}
    assert attack(truth, equations, {"newcomers", "others"})["newcomers"] == (1, 9)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.integers(0, 40), min_size=3, max_size=4), min_size=2, max_size=4),
       st.booleans())
def test_random_tables_protected_jointly_reveal_nothing(table, with_total):
    """Groups by grade with grade totals, the groups adding up to the tested students of each grade (exactly, or
    at most when there is someone else): after `hide_exposed` the attacker pins no hidden count."""
    groups, n_grades = len(table), min(len(row) for row in table)
    truth, equations = {}, []
    for g, row in enumerate(table):
        part, line = grades(f"G{g}:", dict(enumerate(row[:n_grades])))
        truth |= part
        equations.append(line)
    for grade in [*range(n_grades), "All"]:
        tested = sum(truth[f"G{g}:{grade}"] for g in range(groups)) + (0 if with_total else 3)
        truth[f"T:{grade}"] = tested
        equations.append(([*((f"G{g}:{grade}", 1) for g in range(groups)), (f"T:{grade}", -1)], with_total))
    units = {k: (k,) for k in truth if not k.startswith("T:")}
    small = {k for k in units if 0 < truth[k] < MIN_N}
    added = hide_exposed(units, truth, equations, small)
    shown = {k for k in units if k not in small | added}
    assert all(truth[k] == 0 or truth[k] >= MIN_N for k in shown)
    assert pinned_by_attack(truth, equations, set(truth) - shown, checked=set(units)) == []
