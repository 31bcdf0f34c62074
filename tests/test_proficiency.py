"""English-proficiency analyses: hand calculations, independent computations, and suppression before any view.

Expected values come from hand arithmetic on tiny synthetic schools, from plain pandas group-bys on
the sample district, and from statsmodels 0.15 (Wilson and Newcombe intervals, and its Kaplan-Meier
estimator with left truncation, ``SurvfuncRight(..., entry=...)``).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.duration.survfunc import SurvfuncRight
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from gapkit import add_el_groups, read_records
from gapkit.content import find_root
from gapkit.proficiency import (SELECTION_CAVEAT, elp_growth, former_el_outcomes, long_term_el_share,
                                median_years, reclassification_time)

ROOT = find_root()


@pytest.fixture(scope="module")
def district():
    return add_el_groups(read_records(ROOT / "datasets" / "sample_district" / "students.csv"))


def growth_rows(prior, now, status="EL", **extra):
    return pd.DataFrame({"el_status": [status] * len(prior), "elp_level_prior": prior, "elp_level": now, **extra})


class TestElpGrowth:
    def test_hand_example(self):
        """Twelve ELs, eight up a level, changes summing to 7: is the share 8/12 and the mean 7/12?"""
        prior = [1, 2, 2, 3, 3, 3, 4, 4, 2, 3, 4, 1]
        now = [2, 3, 2, 4, 3, 4, 5, 4, 3, 4, 3, 2]
        t = elp_growth(growth_rows(prior, now))
        row = t.iloc[0]
        assert int(row["n"]) == 12 and row["share_gained"] == pytest.approx(8 / 12)
        assert row["mean_change"] == pytest.approx(7 / 12)
        change = np.subtract(now, prior)
        assert row["se"] == pytest.approx(change.std(ddof=1) / math.sqrt(12))
        low, high = proportion_confint(8, 12, alpha=0.05, method="wilson")
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high))
        assert row["share_gained_display"] == "67%" and not row["suppressed"]

    def test_only_current_els_with_both_levels(self):
        """Are former ELs, never-ELs and students missing a level left out?"""
        rows = pd.concat([growth_rows([1] * 10, [2] * 10),
                          growth_rows([4, 4], [5, 5], status="RFEP"),
                          growth_rows([None, 2], [3, None]),
                          growth_rows([2], [2], status="EO")], ignore_index=True)
        t = elp_growth(rows)
        assert int(t["n"].iloc[0]) == 10 and t["share_gained"].iloc[0] == 1.0
        # 10 of 10: one student is 10%, so the top code is the next 5 points above it (>85%).
        assert t["share_gained_display"].iloc[0] == ">85%"

    def test_small_school_and_its_complement_hidden(self):
        """With a school total, is a school of 6 hidden, and the smallest other school with it?"""
        rows = pd.concat([growth_rows([1] * 30, [2] * 30, school_name=["A"] * 30),
                          growth_rows([2] * 20, [2] * 20, school_name=["B"] * 20),
                          growth_rows([3] * 6, [4] * 6, school_name=["C"] * 6)], ignore_index=True)
        t = elp_growth(rows, by=["school_name"], margins=True).set_index("school_name")
        assert t.loc["C", "reason"] == "fewer than 10 students"
        assert t.loc["B", "reason"] == "complementary suppression"
        assert pd.isna(t.loc["B", "share_gained"]) and t.loc["B", "share_gained_display"] == "*"
        assert int(t.loc["All", "n"]) == 56 and int(t.loc["A", "n"]) == 30

    def test_matches_pandas_on_the_sample(self, district):
        """Does each school's share in 2025 equal a plain pandas computation?"""
        year = district[district["year"] == 2025]
        t = elp_growth(year, by=["school_name"])
        el = year[(year["el_status"] == "EL") & year["elp_level"].notna() & year["elp_level_prior"].notna()]
        expected = (el["elp_level"] > el["elp_level_prior"]).groupby(el["school_name"]).mean()
        sizes = el.groupby("school_name").size()
        for _, row in t.iterrows():
            if sizes[row["school_name"]] >= 10:
                assert row["share_gained"] == pytest.approx(expected[row["school_name"]])
            else:
                assert row["suppressed"]

    def test_missing_column_named(self):
        """Is a file without elp_level_prior refused, naming the column?"""
        with pytest.raises(ValueError, match="'elp_level_prior'"):
            elp_growth(pd.DataFrame({"el_status": ["EL"], "elp_level": [2]}))

    def test_min_n_checked(self):
        """Is a non-integer min_n refused with the argument named?"""
        with pytest.raises(TypeError, match="`min_n`"):
            elp_growth(growth_rows([1], [2]), min_n=2.5)


def students(spells, *, first_year=2021):
    """Records from spells: (student id, first years_in_us, years as EL, then 'RFEP', 'left' or 'EL' to the end,
    years recorded in all). Each student is one row a year from `first_year`."""
    rows = []
    for sid, t0, el_years, after, recorded in spells:
        for k in range(recorded):
            year = first_year + k
            if k < el_years:
                rows.append({"student_id": sid, "year": year, "el_status": "EL", "el_exit_year": None,
                             "years_in_us": t0 + k})
            elif after == "RFEP":
                rows.append({"student_id": sid, "year": year, "el_status": "RFEP",
                             "el_exit_year": first_year + el_years - 1, "years_in_us": t0 + k})
    return pd.DataFrame(rows)


class TestReclassificationTime:
    def test_hand_example_with_censoring(self):
        """20 ELs at year 3 (5 exit); 15 reach year 4, 3 of whom leave the district (4 of the other 12 exit):
        is S(3) = 15/20, S(4) = 0.75 x 8/12 = 0.5, the median 4 and Greenwood's SE as computed by hand?"""
        spells = ([(f"a{i}", 3, 1, "RFEP", 3) for i in range(5)]       # exit at the end of year 3
                  + [(f"b{i}", 3, 2, "RFEP", 3) for i in range(4)]     # exit at the end of year 4
                  + [(f"c{i}", 3, 3, "EL", 3) for i in range(8)]       # still EL in the last year
                  + [(f"d{i}", 3, 2, "left", 2) for i in range(3)])    # EL in year 4, then leave
        t = reclassification_time(students(spells))
        by_t = t.set_index("years_in_us")
        assert list(by_t.index) == [3, 4]
        assert int(by_t.loc[3, "n_at_risk"]) == 20 and int(by_t.loc[4, "n_at_risk"]) == 12
        assert by_t.loc[3, "share_reclassified"] == pytest.approx(5 / 20)
        assert by_t.loc[4, "still_el"] == pytest.approx(0.75 * 8 / 12)
        greenwood = 0.5 ** 2 * (5 / (20 * 15) + 4 / (12 * 8))
        assert by_t.loc[4, "se"] == pytest.approx(math.sqrt(greenwood))
        assert median_years(t) == 4

    def test_matches_statsmodels_kaplan_meier(self):
        """On 300 random students entering at different years, does the table equal statsmodels' KM with
        left truncation?"""
        rng = np.random.default_rng(7)
        spells = []
        for i in range(300):
            t0 = int(rng.integers(1, 6))
            recorded = int(rng.integers(2, 6))
            el_years = int(rng.integers(1, recorded + 1))
            after = str(rng.choice(["RFEP", "left", "EL"])) if el_years < recorded else "EL"
            if after == "left":
                recorded = el_years
            if after == "EL":  # still an English learner in the last year of records
                el_years = recorded
            spells.append((f"s{i}", t0, el_years, after, recorded))
        records = students(spells)
        ours = reclassification_time(records, min_n=1)
        time, status, entry = [], [], []
        for sid, t0, el_years, after, recorded in spells:
            followed = el_years if after == "RFEP" else min(el_years, recorded - 1)
            if followed < 1:
                continue
            time.append(t0 + followed - 1)
            status.append(1 if after == "RFEP" else 0)
            entry.append(t0 - 1)
        km = SurvfuncRight(np.array(time, float), np.array(status), entry=np.array(entry, float))
        expected = pd.Series(km.surv_prob, index=km.surv_times)
        for _, row in ours.iterrows():
            t = row["years_in_us"]
            if t in expected.index:
                assert row["still_el"] == pytest.approx(expected[t]), t
        assert set(expected.index) <= set(ours["years_in_us"])

    def test_small_year_hidden_and_what_follows(self):
        """Is a year with fewer than 10 students at risk hidden, with the share still EL after it too?"""
        spells = ([(f"a{i}", 1, 3, "RFEP", 4) for i in range(30)]
                  + [(f"b{i}", 3, 1, "RFEP", 2) for i in range(3)])
        t = reclassification_time(students(spells)).set_index("years_in_us")
        # years 1 and 2: 30 at risk; year 3: 30 + 3 = 33 at risk; all shown
        assert not t["suppressed"].any()
        spells = [(f"a{i}", 1, 2, "RFEP", 3) for i in range(20)] + [(f"b{i}", 3, 2, "RFEP", 3) for i in range(4)]
        t = reclassification_time(students(spells)).set_index("years_in_us")
        assert not t.loc[1, "suppressed"] and not t.loc[2, "suppressed"]
        assert t.loc[3, "suppressed"] and t.loc[3, "reason"] == "fewer than 10 students"
        assert pd.isna(t.loc[3, "still_el"]) and pd.isna(t.loc[4, "still_el"])

    def test_one_year_of_records_refused(self):
        """Does a single year of records (no one followed) give a clear error, not an empty table?"""
        one = students([(f"a{i}", 3, 1, "EL", 1) for i in range(20)])
        with pytest.raises(ValueError, match="at least two school years"):
            reclassification_time(one)

    def test_sample_median_in_the_research_range(self, district):
        """Is the sample district's median time to reclassification within the 4-7 years of Hakuta et al. (2000)?"""
        assert 4 <= median_years(reclassification_time(district)) <= 7


class TestLongTermShare:
    def test_hand_example(self):
        """Ten ELs, five with six or more years in US schools: is the share one half, with Wilson's interval?"""
        rows = pd.DataFrame({"el_status": ["EL"] * 10 + ["RFEP"] * 4,
                             "years_in_us": [7, 6, 8, 2, 1, 3, 9, 6, 4, 5, 9, 9, 9, 9]})
        row = long_term_el_share(rows).iloc[0]
        assert int(row["n"]) == 10 and row["share_long_term"] == 0.5
        assert (row["ci_low"], row["ci_high"]) == pytest.approx(proportion_confint(5, 10, method="wilson"))
        assert long_term_el_share(rows, years=7).iloc[0]["share_long_term"] == pytest.approx(3 / 10)

    def test_matches_pandas_by_school_level(self, district):
        """Does each school level's 2025 share equal a plain pandas computation, with a total row?"""
        year = district[district["year"] == 2025]
        t = long_term_el_share(year, by=["school_level"], margins=True).set_index("school_level")
        el = year[(year["el_status"] == "EL") & year["years_in_us"].notna()]
        expected = (el["years_in_us"] >= 6).groupby(el["school_level"]).mean()
        for level, share in expected.items():
            assert t.loc[level, "share_long_term"] == pytest.approx(share)
        assert t.loc["All", "share_long_term"] == pytest.approx((el["years_in_us"] >= 6).mean())


def former_rows(years_since, levels, *, status="RFEP", year=2025):
    return pd.DataFrame({"year": [year] * len(levels), "el_status": [status] * len(levels),
                         "el_exit_year": [year - y if y else None for y in years_since], "ela_level": levels})


class TestFormerElOutcomes:
    def test_hand_example_and_newcombe(self):
        """12 former ELs a year after exit (9 proficient) and 18 never-ELs (9 proficient): is the gap
        0.5 - 0.75 = -0.25, with statsmodels' Newcombe interval?"""
        rows = pd.concat([former_rows([1] * 12, [3] * 9 + [2] * 3),
                          former_rows([0] * 18, [3] * 9 + [2] * 9, status="EO")], ignore_index=True)
        t = former_el_outcomes(rows, "ela_level").set_index("years_since_exit")
        assert t.loc["1", "estimate"] == pytest.approx(-0.25)
        low, high = confint_proportions_2indep(9, 18, 9, 12, method="newcomb", compare="diff")
        assert (t.loc["1", "ci_low"], t.loc["1", "ci_high"]) == pytest.approx((low, high))
        assert int(t.loc["All", "n_focal"]) == 12 and int(t.loc["2", "n_focal"]) == 0

    def test_caveat_on_every_row(self):
        """Does every row carry the selection caveat, which names exit criteria and the ever-EL comparison?"""
        rows = pd.concat([former_rows([1] * 12, [3] * 12), former_rows([0] * 12, [2] * 12, status="EO")])
        t = former_el_outcomes(rows, "ela_level")
        assert (t["note"] == SELECTION_CAVEAT).all()
        assert "exit criteria" in SELECTION_CAVEAT and "ever-EL" in SELECTION_CAVEAT

    def test_a_hidden_year_never_stands_alone(self):
        """With 20 in year 1, 12 in year 2 and 5 in year 3 after exit, is year 3 hidden and year 2 with it,
        so that the total cannot give year 3 back?"""
        rows = pd.concat([former_rows([1] * 20 + [2] * 12 + [3] * 5, [3] * 37),
                          former_rows([0] * 15, [2] * 15, status="IFEP")], ignore_index=True)
        t = former_el_outcomes(rows, "ela_level").set_index("years_since_exit")
        assert t.loc["3", "reason"] == "fewer than 10 students" and t.loc["2", "suppressed"]
        assert not t.loc["1", "suppressed"] and int(t.loc["All", "n_focal"]) == 37
        assert pd.isna(t.loc["2", "estimate"]) and pd.isna(t.loc["3", "n_focal"])

    def test_years_line_protected_on_the_sample(self, district):
        """On the sample, by school, does no shown total have exactly one hidden year beside it?"""
        t = former_el_outcomes(district[district["year"] == 2025], "math_level", by=["school_name"])
        for school, part in t.groupby("school_name"):
            total = part[part["years_since_exit"] == "All"].iloc[0]
            hidden = part[(part["years_since_exit"] != "All") & part["suppressed"] & part["n_focal"].isna()]
            if not total["suppressed"]:
                assert len(hidden) != 1, school

    def test_small_reference_group_hides_the_gap(self):
        """With only 5 never-EL students, is every gap hidden and the reason given?"""
        rows = pd.concat([former_rows([1] * 12, [3] * 12), former_rows([0] * 5, [2] * 5, status="EO")])
        t = former_el_outcomes(rows, "ela_level")
        assert t["suppressed"].all() and t["estimate"].isna().all()
        assert t.set_index("years_since_exit").loc["1", "reason"] == "never-EL students: fewer than 10 students"

    def test_matches_pandas_on_the_sample(self, district):
        """Does each year's share proficient in 2025 ELA equal a plain pandas computation?"""
        year = district[district["year"] == 2025].dropna(subset=["ela_level"])
        t = former_el_outcomes(year, "ela_level").set_index("years_since_exit")
        former = year[year["el_status"] == "RFEP"]
        since = former["year"] - former["el_exit_year"]
        for y in range(1, 5):
            part = former[since == y]
            if len(part) >= 10 and not t.loc[str(y), "suppressed"]:
                assert t.loc[str(y), "value_focal"] == pytest.approx((part["ela_level"] >= 3).mean())
        never = year[year["el_status"].isin(["IFEP", "EO"])]
        assert t.loc["All", "value_reference"] == pytest.approx((never["ela_level"] >= 3).mean())
