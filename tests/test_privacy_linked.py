"""gapkit.privacy.Rule and suppress_linked: groups whose counts add up across tables.

Expected patterns are worked out by hand in the comments; the audit checks every result with scipy's
linear programming (independent of the eigenvector check that `suppress` uses): a hidden count must
be able to take at least two values given every count shown and every family's sums.
"""
import itertools

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from gapkit.privacy import Family, Rule, code_percent, suppress_linked

EL = [Family("ever", ("current", "former")), Family("current", ("newcomer", "other"))]


def table(cells):
    """Rows from {(grade, group): n}; nothing hidden yet."""
    return pd.DataFrame([{"grade": g, "group": group, "n": n, "suppressed": False}
                         for (g, group), n in cells.items()])


def primary(frame, rule=Rule()):
    return frame.assign(suppressed=~rule.shows(frame["n"].to_numpy()))


def hidden(out):
    return {(g, group) for g, group, h in zip(out["grade"], out["group"], out["suppressed"]) if h}


class TestRule:
    def test_defaults_live_in_the_rule(self):
        """Is the minimum 10 and percentages coded below 5 and above 95?"""
        assert Rule().min_n == 10 and (Rule.LOW, Rule.HIGH) == (5, 95)
        assert Rule().reason == "fewer than 10 students"

    @pytest.mark.parametrize("n, shown", [(0, True), (1, False), (9, False), (10, True), (400, True)])
    def test_shows(self, n, shown):
        """Is 0 shown, 1 to 9 hidden and 10 or more shown?"""
        assert Rule().shows(n) is shown
        assert Rule().shows(np.array([n])).tolist() == [shown]

    def test_code_percent_uses_the_rule(self):
        """With a minimum of 5, is a group of 7 coded, not starred (the report's --min-n 5)?"""
        assert code_percent(0.43, 7, min_n=5) == "43%"
        assert code_percent(0.43, 4, min_n=5) == "*"

    @pytest.mark.parametrize("min_n, error", [(0, ValueError), (2.5, TypeError), (True, TypeError)])
    def test_bad_minimum(self, min_n, error):
        """Is a bad minimum refused by name?"""
        with pytest.raises(error, match="`min_n` must be a positive integer"):
            Rule(min_n)


class TestSuppressLinked:
    def test_total_hidden_before_a_kept_part(self):
        """40 current and 6 former ELs (hidden), 46 ever: ever gives former back; current is kept, so ever goes."""
        t = primary(table({("4", "current"): 40, ("4", "former"): 6, ("4", "ever"): 46}))
        out = suppress_linked(t, dims=["grade"], families=EL[:1], keep=["current"])
        assert hidden(out) == {("4", "former"), ("4", "ever")}
        assert out.loc[out["group"] == "ever", "reason"].item() == "complementary suppression"

    def test_without_keep_the_smallest_part_goes(self):
        """Without a kept group, the smallest shown part (current, 40) is hidden rather than the total."""
        t = primary(table({("4", "current"): 40, ("4", "former"): 6, ("4", "ever"): 46}))
        assert hidden(suppress_linked(t, dims=["grade"], families=EL[:1])) == {("4", "former"), ("4", "current")}

    def test_small_rest_is_protected(self):
        """30 current ELs, 25 newcomers, no row for the others: 5 others follow, so the newcomers are hidden."""
        t = primary(table({("4", "current"): 30, ("4", "newcomer"): 25}))
        out = suppress_linked(t, dims=["grade"], families=EL[1:], keep=["current"])
        assert hidden(out) == {("4", "newcomer")}

    def test_large_rest_is_fine(self):
        """30 current ELs and 15 newcomers leave 15 others: nothing more is hidden."""
        t = primary(table({("4", "current"): 30, ("4", "newcomer"): 15}))
        assert hidden(suppress_linked(t, dims=["grade"], families=EL[1:], keep=["current"])) == set()

    def test_input_unchanged_and_reasons_kept(self):
        """Is the input left alone, and does a row hidden before keep its own reason?"""
        t = primary(table({("4", "current"): 40, ("4", "former"): 6, ("4", "ever"): 46}))
        t["reason"] = np.where(t["suppressed"], "fewer than 10 students", "")
        before = t.copy()
        out = suppress_linked(t, dims=["grade"], families=EL[:1], keep=["current"])
        pd.testing.assert_frame_equal(t, before)
        assert out.loc[out["group"] == "former", "reason"].item() == "fewer than 10 students"

    @pytest.mark.parametrize("seed", range(12))
    def test_no_hidden_count_recoverable(self, seed):
        """On random grades (with an all-grades margin) of the EL families, can every hidden count still
        take two values, given all that is shown and every sum a reader knows?"""
        rng = np.random.default_rng(seed)
        grades = ["3", "4", "5"]
        atoms = {(g, a): int(rng.choice([0, 2, 5, 8, 12, 20, 40])) for g in grades
                 for a in ("newcomer", "other", "former")}
        cells = {}
        for g in [*grades, "All"]:
            pick = grades if g == "All" else [g]
            n = {a: sum(atoms[(x, a)] for x in pick) for a in ("newcomer", "other", "former")}
            cells.update({(g, "newcomer"): n["newcomer"], (g, "other"): n["other"], (g, "former"): n["former"],
                          (g, "current"): n["newcomer"] + n["other"],
                          (g, "ever"): n["newcomer"] + n["other"] + n["former"]})
        out = suppress_linked(primary(table(cells)), dims=["grade"], families=EL, keep=["current"])
        assert_not_recoverable(out, grades)


def assert_not_recoverable(out, grades):
    """Each hidden count, with linprog: the smallest and largest value consistent with the shown counts."""
    groups = ["newcomer", "other", "former"]
    atoms = list(itertools.product(grades, groups))            # unknowns: the three atoms per grade
    index = {a: i for i, a in enumerate(atoms)}

    def row(grade, group):
        parts = {"current": ["newcomer", "other"], "ever": groups}.get(group, [group])
        v = np.zeros(len(atoms))
        for g in (grades if grade == "All" else [grade]):
            for p in parts:
                v[index[(g, p)]] = 1
        return v

    shown = out[~out["suppressed"]]
    a_eq = np.array([row(g, group) for g, group in zip(shown["grade"], shown["group"])]) \
        if len(shown) else np.zeros((0, len(atoms)))
    b_eq = shown["n"].to_numpy(float)
    for g, group in zip(out.loc[out["suppressed"], "grade"], out.loc[out["suppressed"], "group"]):
        c = row(g, group)
        low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert low.status == 0 and high.status in (0, 3)  # 3: unbounded above, so not recoverable
        assert high.status == 3 or -high.fun - low.fun > 0.5, f"{group} in grade {g} can be worked out"
