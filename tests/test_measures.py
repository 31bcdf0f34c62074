"""Gap measures against published worked examples, independent libraries and hand calculations.

Independent sources used below (versions as installed with the test extra):
- scipy.stats (``ttest_ind(..., equal_var=False).confidence_interval()``, ``mannwhitneyu``);
- statsmodels (``confint_proportions_2indep``, ``Table2x2``, ``Probit``);
- published examples: Newcombe (1998) Table II; Fagerland, Lydersen & Laake (2017),
  *Statistical Analysis of Contingency Tables*, chapter 4 (as checked in the tests of the R package
  ``contingencytables``); Borenstein, Hedges, Higgins & Rothstein (2009), *Introduction to
  Meta-Analysis*, chapter 4 worked example; 34 CFR 300.647 for the IDEA calculation.
No expected number here was copied from gapkit's own output.
"""
import dataclasses
import math

import numpy as np
import pytest
from scipy import special, stats
from statsmodels.discrete.discrete_model import Probit
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.proportion import confint_proportions_2indep

from gapkit.measures import (
    Estimate,
    cohens_d,
    hedges_g,
    idea_risk_ratio,
    mean_difference,
    probit_gap,
    proportion_difference,
    risk_ratio,
    v_statistic,
)

nan = float("nan")


def summary_stats(scores):
    """Mean, sample SD (ddof=1) and n of raw scores, as gapkit.summary would give them."""
    scores = np.asarray(scores, dtype=float)
    return float(scores.mean()), float(scores.std(ddof=1)), scores.size


def expand(counts, labels=None):
    """One row per student from counts per level (levels labelled 1..K unless given)."""
    labels = np.arange(1, len(counts) + 1) if labels is None else np.asarray(labels)
    return np.repeat(labels, counts)


class TestEstimate:
    def test_fields_in_documented_order(self):
        """Are the fields those the table builder relies on, in that order?"""
        names = [f.name for f in dataclasses.fields(Estimate)]
        assert names[:10] == ["measure", "value", "se", "ci_low", "ci_high", "n_focal",
                              "n_reference", "level", "method", "note"]

    def test_frozen(self):
        """Is an Estimate immutable?"""
        est = mean_difference(1.0, 1.0, 5, 2.0, 1.0, 5)
        with pytest.raises(dataclasses.FrozenInstanceError):
            est.value = 0.0

    def test_arguments_are_keyword_callable(self):
        """Can every data argument be passed by its documented name?"""
        est = mean_difference(mean_focal=1.0, sd_focal=1.0, n_focal=5, mean_reference=2.0,
                              sd_reference=1.0, n_reference=5)
        assert est.value == 1.0
        est = v_statistic(counts_focal=[3, 2], counts_reference=[2, 3], method="nonparametric")
        assert est.n_focal == 5


class TestMeanDifference:
    @pytest.mark.parametrize("level", [0.90, 0.95, 0.99])
    @pytest.mark.parametrize("sizes", [(2, 2), (5, 40), (37, 12), (300, 900)])
    def test_matches_scipy_welch(self, sizes, level):
        """Do the gap, SE and interval equal scipy's Welch t-test on the raw scores?"""
        rng = np.random.default_rng(sum(sizes))
        focal = rng.normal(2470, 55, sizes[0])
        reference = rng.normal(2510, 75, sizes[1])
        est = mean_difference(*summary_stats(focal), *summary_stats(reference), level=level)
        # scipy 1.11+: the interval of mean(reference) - mean(focal).
        res = stats.ttest_ind(reference, focal, equal_var=False)
        ci = res.confidence_interval(confidence_level=level)
        assert est.value == pytest.approx(reference.mean() - focal.mean(), rel=1e-12)
        assert est.se == pytest.approx(est.value / res.statistic, rel=1e-9)
        assert (est.ci_low, est.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-9)
        assert est.method == "welch" and est.level == level
        assert (est.n_focal, est.n_reference) == sizes

    def test_positive_when_focal_behind(self):
        """Is the gap reference minus focal?"""
        assert mean_difference(2400, 50, 30, 2450, 50, 30).value == 50

    @pytest.mark.filterwarnings("ignore:Precision loss occurred:RuntimeWarning")
    def test_one_zero_variance_group(self):
        """With one constant group, does the interval still equal scipy's?"""
        focal = np.array([2500.0] * 6)
        reference = np.array([2510.0, 2530, 2490, 2550, 2520, 2545, 2500])
        est = mean_difference(*summary_stats(focal), *summary_stats(reference))
        ci = stats.ttest_ind(reference, focal, equal_var=False).confidence_interval()
        assert (est.ci_low, est.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-9)

    def test_no_spread_in_either_group(self):
        """With no spread at all, is the SE 0 and the interval absent, with a note?"""
        est = mean_difference(2400, 0.0, 10, 2450, 0.0, 12)
        assert est.value == 50 and est.se == 0.0
        assert math.isnan(est.ci_low) and math.isnan(est.ci_high)
        assert "spread" in est.note

    def test_group_of_one(self):
        """A group of one (SD NaN, as pandas gives it): gap but no SE, with a note?"""
        est = mean_difference(2400, nan, 1, 2450, 40.0, 12)
        assert est.value == 50
        assert math.isnan(est.se) and math.isnan(est.ci_low)
        assert "one student" in est.note

    def test_empty_group(self):
        """An empty group (mean NaN): NaN with a note?"""
        est = mean_difference(nan, nan, 0, 2450, 40.0, 12)
        assert math.isnan(est.value) and "focal group is empty" in est.note
        assert est.n_focal == 0 and est.n_reference == 12


class TestCohensD:
    def test_borenstein_worked_example(self):
        """Borenstein et al. (2009) ch. 4: means 103 vs 100, SD 5.5/4.5, n 50/50 ->
        d = 0.5970, V_d = 0.0418, SE_d = 0.2044 (published to four decimals)."""
        est = cohens_d(100, 4.5, 50, 103, 5.5, 50)
        assert round(est.value, 4) == 0.5970
        assert round(est.se**2, 4) == 0.0418
        assert round(est.se, 4) == 0.2044

    def test_matches_hand_computation_on_raw_scores(self):
        """Does d equal the mean gap over the pooled SD computed with numpy from raw scores?"""
        rng = np.random.default_rng(7)
        focal, reference = rng.normal(10, 2, 23), rng.normal(11, 3, 41)
        pooled = math.sqrt(((focal.size - 1) * focal.var(ddof=1)
                            + (reference.size - 1) * reference.var(ddof=1))
                           / (focal.size + reference.size - 2))
        expected = (reference.mean() - focal.mean()) / pooled
        est = cohens_d(*summary_stats(focal), *summary_stats(reference), level=0.9)
        assert est.value == pytest.approx(expected, rel=1e-12)
        # Hedges & Olkin (1985) large-sample SE, normal interval.
        se = math.sqrt(64 / (23 * 41) + expected**2 / (2 * 64))
        z = stats.norm.ppf(0.95)
        assert est.se == pytest.approx(se, rel=1e-12)
        assert (est.ci_low, est.ci_high) == pytest.approx((expected - z * se, expected + z * se))

    def test_no_spread(self):
        """No spread in either group: NaN with a note?"""
        est = cohens_d(3.0, 0.0, 4, 4.0, 0.0, 5)
        assert math.isnan(est.value) and "spread" in est.note

    def test_one_student_each(self):
        """One student in each group: no pooled SD, NaN with a note?"""
        est = cohens_d(3.0, nan, 1, 4.0, nan, 1)
        assert math.isnan(est.value) and "one student in each group" in est.note

    def test_group_of_one_uses_other_groups_spread(self):
        """One student against three: is the pooled SD the other group's SD (weight n - 1 = 0)?"""
        reference = np.array([4.0, 5.0, 7.0])
        est = cohens_d(3.0, nan, 1, *summary_stats(reference))
        assert est.value == pytest.approx((reference.mean() - 3.0) / reference.std(ddof=1))


class TestHedgesG:
    def test_borenstein_worked_example(self):
        """Borenstein et al. (2009) ch. 4: J = 0.9923, g = 0.5924, V_g = 0.0411, SE_g = 0.2028."""
        est = hedges_g(100, 4.5, 50, 103, 5.5, 50)
        d = cohens_d(100, 4.5, 50, 103, 5.5, 50)
        assert round(est.value / d.value, 4) == 0.9923
        assert round(est.value, 4) == 0.5924
        assert round(est.se**2, 4) == 0.0411
        assert round(est.se, 4) == 0.2028

    @pytest.mark.parametrize("df", [2, 3, 4, 5, 10, 20, 50, 120])
    def test_exact_j_against_gamma_function(self, df):
        """Is J the exact Hedges (1981) factor, computed here directly with the gamma function?"""
        n_focal = df // 2 + 1
        n_reference = df + 2 - n_focal
        d = cohens_d(10, 2, n_focal, 12, 2, n_reference)
        g = hedges_g(10, 2, n_focal, 12, 2, n_reference)
        j = special.gamma(df / 2) / (math.sqrt(df / 2) * special.gamma((df - 1) / 2))
        assert g.value == pytest.approx(j * d.value, rel=1e-12)
        assert g.se == pytest.approx(j * d.se, rel=1e-12)

    def test_large_groups_do_not_overflow(self):
        """With 20,000 students (gamma itself overflows): is J finite and near 1 - 3/(4df - 1)?"""
        g = hedges_g(10, 2, 10000, 12, 2, 10000)
        d = cohens_d(10, 2, 10000, 12, 2, 10000)
        df = 19998
        assert g.value / d.value == pytest.approx(1 - 3 / (4 * df - 1), abs=1e-9)

    def test_close_to_statsmodels_approximation(self):
        """statsmodels' effectsize_smd uses J ~ 1 - 3/(4df - 1): same g to 1e-4 for df = 58."""
        from statsmodels.stats.meta_analysis import effectsize_smd

        smd, _ = effectsize_smd(103, 5.5, 30, 100, 4.5, 30)
        assert hedges_g(100, 4.5, 30, 103, 5.5, 30).value == pytest.approx(smd, abs=1e-4)

    def test_three_students_not_defined(self):
        """With three students in all (df = 1), is g NaN with a note?"""
        est = hedges_g(3.0, nan, 1, 4.0, 1.0, 2)
        assert math.isnan(est.value) and "three students" in est.note


class TestProportionDifference:
    # Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10 (score interval
    # combining Wilson intervals), written there as p1 - p2 = reference - focal here.
    NEWCOMBE_TABLE_II = [
        # (x1, n1, x2, n2, lower, upper)
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
        (0, 10, 0, 10, -0.2775, 0.2775),
        (10, 10, 0, 20, 0.6791, 1.0000),
        (10, 10, 0, 10, 0.6075, 1.0000),
    ]

    @pytest.mark.parametrize("x1, n1, x2, n2, lower, upper", NEWCOMBE_TABLE_II)
    def test_newcombe_1998_table_ii(self, x1, n1, x2, n2, lower, upper):
        """Does method 10 reproduce Newcombe's published limits to four decimals?"""
        est = proportion_difference(x2, n2, x1, n1)
        assert est.value == pytest.approx(x1 / n1 - x2 / n2)
        assert round(est.ci_low, 4) == lower
        assert round(est.ci_high, 4) == upper
        assert est.method == "newcombe"

    def test_fagerland_perondi_example(self):
        """Fagerland et al. (2017) ch. 4, Perondi et al. (2004) 7/34 vs 1/34: 0.1765 with
        Newcombe hybrid score 0.0189 to 0.3404 and Wald 0.0292 to 0.3238."""
        newcombe = proportion_difference(1, 34, 7, 34)
        wald = proportion_difference(1, 34, 7, 34, interval="wald")
        assert round(newcombe.value, 4) == 0.1765
        assert (round(newcombe.ci_low, 4), round(newcombe.ci_high, 4)) == (0.0189, 0.3404)
        assert (round(wald.ci_low, 4), round(wald.ci_high, 4)) == (0.0292, 0.3238)

    @pytest.mark.parametrize("interval, sm_method", [("newcombe", "newcomb"), ("wald", "wald")])
    @pytest.mark.parametrize("counts", [(18, 60, 126, 210), (0, 12, 5, 40), (12, 12, 30, 31),
                                        (3, 7, 1, 9), (150, 900, 1100, 3000)])
    @pytest.mark.parametrize("level", [0.9, 0.95])
    def test_matches_statsmodels(self, counts, interval, sm_method, level):
        """Does the interval equal statsmodels' confint_proportions_2indep?"""
        x_f, n_f, x_r, n_r = counts
        est = proportion_difference(x_f, n_f, x_r, n_r, interval=interval, level=level)
        low, high = confint_proportions_2indep(x_r, n_r, x_f, n_f, method=sm_method,
                                               compare="diff", alpha=1 - level)
        assert (est.ci_low, est.ci_high) == pytest.approx((low, high), abs=1e-12)
        p_f, p_r = x_f / n_f, x_r / n_r
        assert est.se == pytest.approx(math.sqrt(p_f * (1 - p_f) / n_f + p_r * (1 - p_r) / n_r))

    def test_wald_collapses_at_zero_and_one(self):
        """At 0% and 100% the Wald interval has no width: is that said in the note?"""
        est = proportion_difference(0, 10, 20, 20, interval="wald")
        assert est.ci_low == est.ci_high == 1.0
        assert "no width" in est.note
        assert proportion_difference(0, 10, 20, 20).ci_low < 1.0

    def test_group_of_one(self):
        """One student per group still gives a (wide) Newcombe interval inside [-1, 1]?"""
        est = proportion_difference(0, 1, 1, 1)
        assert est.value == 1.0 and -1 <= est.ci_low < est.ci_high <= 1

    def test_empty_group(self):
        """An empty group gives NaN with a note?"""
        est = proportion_difference(0, 0, 3, 10)
        assert math.isnan(est.value) and "empty" in est.note


class TestRiskRatio:
    def test_fagerland_katz_example(self):
        """Fagerland et al. (2017) ch. 4, 7/34 vs 1/34: Katz log 7.0000 (0.9096 to 53.8695)."""
        est = risk_ratio(7, 34, 1, 34)
        assert round(est.value, 4) == 7.0
        assert (round(est.ci_low, 4), round(est.ci_high, 4)) == (0.9096, 53.8695)

    @pytest.mark.parametrize("counts", [(12, 80, 90, 300), (30, 30, 10, 40), (1, 50, 49, 50),
                                        (5, 9, 2, 3)])
    @pytest.mark.parametrize("level", [0.9, 0.95])
    def test_matches_statsmodels_table2x2(self, counts, level):
        """Do the ratio and interval equal statsmodels' Table2x2 risk ratio?"""
        a, n1, c, n2 = counts
        # shift_zeros=False: statsmodels would otherwise add 0.5 to every cell of a table with
        # a zero cell (gapkit applies no continuity correction).
        table = Table2x2(np.array([[a, n1 - a], [c, n2 - c]], dtype=float), shift_zeros=False)
        est = risk_ratio(a, n1, c, n2, level=level)
        assert est.value == pytest.approx(table.riskratio)
        low, high = table.riskratio_confint(alpha=1 - level)
        assert (est.ci_low, est.ci_high) == pytest.approx((low, high))
        assert est.se == pytest.approx(table.log_riskratio_se)

    def test_no_focal_outcome(self):
        """No focal student with the outcome: ratio 0, no interval, a note?"""
        est = risk_ratio(0, 40, 10, 100)
        assert est.value == 0.0 and math.isnan(est.ci_low) and "ratio is 0" in est.note

    def test_no_reference_outcome(self):
        """No reference student with the outcome: NaN with a note?"""
        est = risk_ratio(4, 40, 0, 100)
        assert math.isnan(est.value) and "divide by zero" in est.note

    def test_nobody_has_outcome(self):
        """No student in either group with the outcome: NaN with a note?"""
        est = risk_ratio(0, 40, 0, 100)
        assert math.isnan(est.value) and "either group" in est.note

    def test_everybody_has_outcome(self):
        """100% in both groups: ratio 1 with an interval of no width (log SE 0)."""
        est = risk_ratio(20, 20, 50, 50)
        assert est.value == 1.0 and est.se == 0.0 and est.ci_low == est.ci_high == 1.0


class TestIdeaRiskRatio:
    # 34 CFR 300.647 (81 FR 92376, 92463, Dec. 19, 2016): risk = children of a group with the
    # outcome / children of the group enrolled (a)(5); risk ratio = risk of the group in the LEA /
    # risk of all other children in the LEA (a)(6), (b)(3)-(4); alternate risk ratio = risk of the
    # group in the LEA / risk of all other children in the State, used when the LEA comparison
    # group misses the minimum cell size or n-size (a)(1), (b)(5); nothing is calculated for a
    # group that itself misses them (c). Expected values below are hand calculations.

    def test_ordinary_risk_ratio(self):
        """24/120 = 0.20 against 45/600 = 0.075: 0.20 / 0.075 = 2.6667."""
        est = idea_risk_ratio(24, 120, 45, 600)
        assert est.method == "risk ratio"
        assert est.value == pytest.approx(0.20 / 0.075)
        assert (est.n_focal, est.n_reference) == (120, 600)

    def test_alternate_when_comparison_below_min_cell(self):
        """Comparison group with 8 (< 10) outcomes: 0.20 / (900/12000 = 0.075) = 2.6667."""
        est = idea_risk_ratio(24, 120, 8, 200, state_successes_reference=900,
                              state_n_reference=12000)
        assert est.method == "alternate risk ratio"
        assert est.value == pytest.approx(0.20 / 0.075)
        assert est.n_reference == 12000
        assert "State comparison group" in est.note

    def test_alternate_when_comparison_below_min_enrolled(self):
        """Comparison group of 25 (< 30) enrolled: 12/40 = 0.30 over 600/10000 = 0.06 -> 5.0."""
        est = idea_risk_ratio(12, 40, 12, 25, state_successes_reference=600,
                              state_n_reference=10000)
        assert est.method == "alternate risk ratio" and est.value == pytest.approx(5.0)

    def test_alternate_needs_state_counts(self):
        """Comparison group too small and no State counts: not calculated, with a note."""
        est = idea_risk_ratio(12, 40, 12, 25)
        assert est.method == "not calculated" and math.isnan(est.value)
        assert "no State comparison group" in est.note

    @pytest.mark.parametrize("counts, words", [
        ((9, 120, 45, 600), "9 children with the outcome (minimum cell size 10)"),
        ((12, 29, 45, 600), "29 children enrolled (minimum n-size 30)"),
    ])
    def test_group_below_minimum_not_calculated(self, counts, words):
        """A group below the minimum cell size or n-size: not calculated, even with State data."""
        est = idea_risk_ratio(*counts, state_successes_reference=900, state_n_reference=12000)
        assert est.method == "not calculated" and math.isnan(est.value)
        assert words in est.note

    def test_thresholds_are_inclusive(self):
        """Exactly 10 outcomes among exactly 30 children meets the minimums."""
        est = idea_risk_ratio(10, 30, 10, 30)
        assert est.method == "risk ratio" and est.value == 1.0

    def test_custom_minimums(self):
        """A State with minimum cell size 5 and n-size 20 calculates for 6 of 25."""
        est = idea_risk_ratio(6, 25, 20, 200, min_cell=5, min_enrolled=20)
        assert est.method == "risk ratio" and est.value == pytest.approx(0.24 / 0.10)

    def test_no_interval(self):
        """The regulation defines a point value: SE and interval are NaN."""
        est = idea_risk_ratio(24, 120, 45, 600)
        assert math.isnan(est.se) and math.isnan(est.ci_low) and math.isnan(est.ci_high)


class TestProbitGap:
    def test_hand_computation(self):
        """Phi^-1(0.6) - Phi^-1(0.3) = 0.253347 + 0.524401 = 0.777748 (normal table)."""
        est = probit_gap(0.3, 0.6)
        assert est.value == pytest.approx(0.253347 + 0.524401, abs=1e-6)
        assert math.isnan(est.se) and est.method == "point"

    def test_delta_method_matches_statsmodels_probit(self):
        """With counts, are gap and SE those of a probit regression on a group indicator
        (statsmodels Probit: coefficient = Phi^-1(p_focal) - Phi^-1(p_reference))?"""
        x_f, n_f, x_r, n_r = 15, 50, 90, 150
        y = np.concatenate([np.r_[np.ones(x_f), np.zeros(n_f - x_f)],
                            np.r_[np.ones(x_r), np.zeros(n_r - x_r)]])
        focal = np.r_[np.ones(n_f), np.zeros(n_r)]
        fit = Probit(y, np.column_stack([np.ones_like(focal), focal])).fit(disp=0, tol=1e-12)
        est = probit_gap(x_f / n_f, x_r / n_r, n_focal=n_f, n_reference=n_r)
        assert est.value == pytest.approx(-fit.params[1], rel=1e-6)
        assert est.se == pytest.approx(fit.bse[1], rel=1e-5)
        assert est.method == "delta"

    @pytest.mark.parametrize("p_f, p_r", [(0.0, 0.5), (0.5, 1.0), (1.0, 0.0)])
    def test_zero_and_one(self, p_f, p_r):
        """At 0% or 100% the probit is infinite: NaN with a note."""
        est = probit_gap(p_f, p_r, n_focal=10, n_reference=10)
        assert math.isnan(est.value) and "0% or 100%" in est.note


class TestVStatisticNonparametric:
    @pytest.mark.parametrize("focal, reference", [
        ([24, 20, 12, 4], [36, 60, 84, 60]),
        ([5, 0, 3, 2, 0], [1, 4, 0, 6, 9]),
        ([1, 1], [0, 2]),
        ([40, 10, 30], [10, 60, 30]),
    ])
    def test_p_equals_mann_whitney(self, focal, reference):
        """Is P = U / (n_f n_r) from scipy's mannwhitneyu on the expanded student rows?"""
        est = v_statistic(focal, reference, method="nonparametric")
        u = stats.mannwhitneyu(expand(reference), expand(focal)).statistic
        p = u / (sum(focal) * sum(reference))
        assert est.value == pytest.approx(math.sqrt(2) * stats.norm.ppf(p), rel=1e-12)
        assert est.method == "nonparametric"

    def test_se_matches_brute_force_delong(self):
        """Is the SE DeLong's, computed here from the full matrix of student pairs?"""
        focal, reference = [7, 9, 5, 3], [3, 8, 12, 10]
        x_r, x_f = expand(reference), expand(focal)
        psi = (x_r[:, None] > x_f[None, :]) + 0.5 * (x_r[:, None] == x_f[None, :])
        p = psi.mean()
        v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
        var_p = v10.var(ddof=1) / x_r.size + v01.var(ddof=1) / x_f.size
        expected = math.sqrt(2) * math.sqrt(var_p) / stats.norm.pdf(stats.norm.ppf(p))
        est = v_statistic(focal, reference, method="nonparametric")
        assert est.se == pytest.approx(expected, rel=1e-10)
        z = stats.norm.ppf(0.975)
        assert est.ci_low == pytest.approx(est.value - z * est.se)

    def test_complete_separation(self):
        """Groups that do not overlap: V unbounded, NaN with a note."""
        est = v_statistic([5, 5, 0, 0], [0, 0, 3, 4], method="nonparametric")
        assert math.isnan(est.value) and "do not overlap" in est.note


class TestVStatisticBinormal:
    @pytest.mark.parametrize("focal, reference", [
        ([24, 20, 16], [36, 60, 144]),
        ([50, 30, 20], [20, 30, 50]),
        ([12, 30, 8], [5, 30, 25]),
    ])
    def test_three_levels_saturated_closed_form(self, focal, reference):
        """With 3 levels the binormal model is saturated, so ML reproduces the data exactly.

        Hand derivation: with cumulative reference shares a_k and focal shares b_k (k = 1, 2),
        Phi(c_k) = a_k and Phi((c_k - mu)/sigma) = b_k, so c_k = Phi^-1(a_k) = mu + sigma
        Phi^-1(b_k). Subtracting: sigma = (Phi^-1(a_2) - Phi^-1(a_1)) / (Phi^-1(b_2) -
        Phi^-1(b_1)), mu = Phi^-1(a_1) - sigma Phi^-1(b_1), and V = -mu / sqrt((1 + sigma^2)/2).
        The SE is then the delta method over the two multinomial share vectors (computed here
        by finite differences, independent of gapkit's information matrix).
        """
        def closed_form(shares_r, shares_f):
            za = stats.norm.ppf(np.cumsum(shares_r)[:2])
            zb = stats.norm.ppf(np.cumsum(shares_f)[:2])
            sigma = (za[1] - za[0]) / (zb[1] - zb[0])
            mu = za[0] - sigma * zb[0]
            return -mu / math.sqrt((1 + sigma**2) / 2)

        f, r = np.array(focal, float), np.array(reference, float)
        pf, pr = f / f.sum(), r / r.sum()
        expected = closed_form(pr, pf)
        est = v_statistic(focal, reference)
        assert est.method == "binormal" and est.note == ""
        assert est.value == pytest.approx(expected, abs=1e-6)

        def gradient(fun, x, h=1e-6):
            return np.array([(fun(x + h * e) - fun(x - h * e)) / (2 * h) for e in np.eye(3)])

        g_r = gradient(lambda s: closed_form(s, pf), pr)
        g_f = gradient(lambda s: closed_form(pr, s), pf)
        cov_r = (np.diag(pr) - np.outer(pr, pr)) / r.sum()
        cov_f = (np.diag(pf) - np.outer(pf, pf)) / f.sum()
        se = math.sqrt(g_r @ cov_r @ g_r + g_f @ cov_f @ g_f)
        assert est.se == pytest.approx(se, rel=1e-4)

    def test_two_levels_equal_variance_matches_statsmodels_probit(self):
        """Two levels: equal-variance binormal = probit regression on a group indicator
        (statsmodels Probit, observed-information SE); V = -coefficient."""
        focal, reference = [30, 20], [40, 110]
        y = np.r_[expand(focal) == 2, expand(reference) == 2].astype(float)
        indicator = np.r_[np.ones(50), np.zeros(150)]
        fit = Probit(y, np.column_stack([np.ones(200), indicator])).fit(disp=0, tol=1e-12)
        est = v_statistic(focal, reference)
        assert est.method == "binormal (equal variance)"
        assert "two performance levels" in est.note
        assert est.value == pytest.approx(-fit.params[1], rel=1e-6)
        assert est.se == pytest.approx(fit.bse[1], rel=1e-4)
        gap = probit_gap(20 / 50, 110 / 150, n_focal=50, n_reference=150)
        assert est.value == pytest.approx(gap.value, rel=1e-6)

    def test_many_levels_recover_normal_gap(self):
        """Normal scores cut into 12 levels: is binormal V close to the gap in SD units computed
        from the raw scores, (mean_r - mean_f) / sqrt((var_r + var_f) / 2) (Ho & Reardon 2012)?"""
        rng = np.random.default_rng(2012)
        reference = rng.normal(0.0, 1.0, 6000)
        focal = rng.normal(-0.5, 1.3, 3000)
        cuts = np.linspace(-2.2, 2.2, 11)
        counts_r = np.bincount(np.searchsorted(cuts, reference), minlength=12)
        counts_f = np.bincount(np.searchsorted(cuts, focal), minlength=12)
        raw = (reference.mean() - focal.mean()) / math.sqrt(
            (reference.var(ddof=1) + focal.var(ddof=1)) / 2)
        est = v_statistic(counts_f.tolist(), counts_r.tolist())
        assert est.method == "binormal"
        assert est.value == pytest.approx(raw, abs=0.02)
        assert est.ci_low < raw < est.ci_high
        # The true population value is 0.5 / sqrt((1 + 1.69) / 2) = 0.4311.
        assert est.value == pytest.approx(0.5 / math.sqrt(1.345), abs=0.06)

    def test_group_in_one_level_falls_back(self):
        """A focal group all in the lowest level has no interior binormal fit: is the
        nonparametric V reported, and said so?"""
        est = v_statistic([50, 0, 0, 0], [10, 40, 5, 5])
        assert est.method == "nonparametric"
        assert "nonparametric V is reported instead" in est.note
        expected = v_statistic([50, 0, 0, 0], [10, 40, 5, 5], method="nonparametric")
        assert est.value == expected.value


class TestVStatisticEdgeCases:
    @pytest.mark.parametrize("method", ["binormal", "nonparametric"])
    def test_empty_levels_dropped(self, method):
        """Levels empty in both groups change nothing, and the note says they were dropped."""
        with_empty = v_statistic([6, 0, 9, 5, 0], [3, 0, 8, 12, 0], method=method)
        without = v_statistic([6, 9, 5], [3, 8, 12], method=method)
        assert with_empty.value == pytest.approx(without.value, abs=1e-6)
        assert "(levels 2, 5)" in with_empty.note

    @pytest.mark.parametrize("method", ["binormal", "nonparametric"])
    def test_everyone_in_one_level(self, method):
        """All students of both groups in one level: V not identified, NaN with a note."""
        est = v_statistic([0, 12, 0], [0, 30, 0], method=method)
        assert math.isnan(est.value) and "not identified" in est.note
        assert (est.n_focal, est.n_reference) == (12, 30)

    @pytest.mark.parametrize("method", ["binormal", "nonparametric"])
    def test_empty_group(self, method):
        """An empty focal group: NaN with a note?"""
        est = v_statistic([0, 0, 0], [3, 4, 5], method=method)
        assert math.isnan(est.value) and "focal group is empty" in est.note

    def test_single_level_listed(self):
        """Only one level listed: not identified."""
        est = v_statistic([4], [7])
        assert math.isnan(est.value) and "not identified" in est.note

    def test_one_student_per_group(self):
        """One student in each group: a value but no SE (nonparametric)."""
        est = v_statistic([1, 0], [0, 1], method="nonparametric")
        assert math.isnan(est.value)  # no overlap
        est = v_statistic([1, 0, 0], [0, 1, 1], method="nonparametric")
        assert math.isnan(est.value)
        est = v_statistic([1, 1], [1, 0], method="nonparametric")
        assert est.value == pytest.approx(math.sqrt(2) * stats.norm.ppf(0.25))
        assert math.isnan(est.se) and "one student" in est.note

    def test_equal_distributions_give_zero(self):
        """Identical counts: V = 0 by both methods."""
        for method in ("binormal", "nonparametric"):
            assert v_statistic([5, 10, 5], [10, 20, 10], method=method).value == pytest.approx(
                0.0, abs=1e-6)


class TestBadArguments:
    @pytest.mark.parametrize("func", [mean_difference, cohens_d, hedges_g])
    def test_negative_n(self, func):
        """Is a negative group size refused, naming the argument, value and rule?"""
        with pytest.raises(ValueError, match=r"`n_focal` must be a non-negative integer; got -3\."):
            func(1.0, 1.0, -3, 2.0, 1.0, 5)

    @pytest.mark.parametrize("func", [mean_difference, cohens_d, hedges_g])
    def test_fractional_n(self, func):
        """Is a fractional group size refused as not an integer?"""
        with pytest.raises(TypeError, match=r"`n_reference` must be a non-negative integer; got 2\.5\."):
            func(1.0, 1.0, 3, 2.0, 1.0, 2.5)

    @pytest.mark.parametrize("bad", [nan, float("inf")])
    def test_non_finite_mean(self, bad):
        """Is a NaN or infinite mean refused for a non-empty group?"""
        with pytest.raises(ValueError, match=r"`mean_reference` must be finite"):
            mean_difference(1.0, 1.0, 3, bad, 1.0, 5)

    def test_nan_sd_with_enough_students(self):
        """Is a NaN SD refused when the group has two or more students?"""
        with pytest.raises(ValueError, match=r"`sd_focal` must be finite; got nan"):
            cohens_d(1.0, nan, 3, 2.0, 1.0, 5)

    def test_negative_sd(self):
        """Is a negative SD refused?"""
        with pytest.raises(ValueError, match=r"`sd_reference` must be a non-negative number"):
            hedges_g(1.0, 1.0, 3, 2.0, -1.0, 5)

    def test_string_mean(self):
        """Is a mean given as text (as read from a file) refused with a TypeError?"""
        with pytest.raises(TypeError, match=r"`mean_focal` must be a number; got '12'\."):
            mean_difference("12", 1.0, 3, 2.0, 1.0, 5)

    @pytest.mark.parametrize("func", [proportion_difference, risk_ratio, idea_risk_ratio])
    def test_successes_above_n(self, func):
        """Are more successes than students refused?"""
        message = r"`successes_reference` must not exceed `n_reference` \(10\); got 11"
        with pytest.raises(ValueError, match=message):
            func(1, 5, 11, 10)

    @pytest.mark.parametrize("func", [proportion_difference, risk_ratio, idea_risk_ratio])
    def test_negative_successes(self, func):
        """Are negative successes refused?"""
        with pytest.raises(ValueError, match=r"`successes_focal` must be a non-negative integer"):
            func(-1, 5, 1, 10)

    def test_unknown_interval(self):
        """Is an unknown interval name refused, listing the allowed ones?"""
        with pytest.raises(ValueError, match=r"`interval` \('score'\) not recognized; must be one "
                                             r"of 'newcombe', 'wald'\."):
            proportion_difference(1, 5, 1, 10, interval="score")

    @pytest.mark.parametrize("level", [0, 1, 95, -0.5])
    def test_level_out_of_range(self, level):
        """Is a confidence level outside (0, 1), such as 95, refused?"""
        with pytest.raises(ValueError, match=r"`level` must be between 0 and 1"):
            risk_ratio(1, 5, 1, 10, level=level)

    def test_counts_of_different_lengths(self):
        """Are level counts of different lengths refused?"""
        with pytest.raises(ValueError, match=r"same number of performance levels; got 3 and 4"):
            v_statistic([1, 2, 3], [1, 2, 3, 4])

    def test_negative_count(self):
        """Is a negative level count refused, naming its position?"""
        with pytest.raises(ValueError, match=r"`counts_reference\[1\]` must be a non-negative "
                                             r"integer; got -2\."):
            v_statistic([1, 2, 3], [1, -2, 3])

    def test_non_finite_count(self):
        """Is a NaN level count refused, naming its position?"""
        with pytest.raises(TypeError, match=r"`counts_focal\[0\]` must be a non-negative integer; got nan"):
            v_statistic([nan, 2, 3], [1, 2, 3])

    def test_counts_not_a_sequence(self):
        """Is a string of digits refused as counts?"""
        with pytest.raises(TypeError, match=r"`counts_focal` must be a sequence of counts"):
            v_statistic("1234", [1, 2, 3, 4])

    def test_no_levels(self):
        """Are empty count lists refused?"""
        with pytest.raises(ValueError, match=r"`counts_focal` must list at least one"):
            v_statistic([], [])

    def test_unknown_method(self):
        """Is an unknown V method refused, listing the allowed ones?"""
        with pytest.raises(ValueError, match=r"`method` \('parametric'\) not recognized; must be "
                                             r"one of 'binormal', 'nonparametric'\."):
            v_statistic([1, 2], [2, 1], method="parametric")

    def test_state_counts_together(self):
        """Is a State size without State successes refused?"""
        with pytest.raises(ValueError, match=r"`state_successes_reference` and `state_n_reference` "
                                             r"must be given together"):
            idea_risk_ratio(20, 100, 5, 20, state_n_reference=1000)

    def test_state_successes_above_state_n(self):
        """Are State successes above the State size refused?"""
        with pytest.raises(ValueError, match=r"`state_successes_reference` must not exceed"):
            idea_risk_ratio(20, 100, 5, 20, state_successes_reference=2000,
                            state_n_reference=1000)

    def test_negative_min_cell(self):
        """Is a negative minimum cell size refused?"""
        with pytest.raises(ValueError, match=r"`min_cell` must be a non-negative integer"):
            idea_risk_ratio(20, 100, 5, 20, min_cell=-1)

    @pytest.mark.parametrize("p", [-0.1, 1.5])
    def test_proportion_out_of_range(self, p):
        """Is a share outside [0, 1] refused?"""
        with pytest.raises(ValueError, match=r"`p_reference` must be a proportion between 0 and 1"):
            probit_gap(0.5, p)

    def test_probit_sizes_together(self):
        """Is one group size without the other refused?"""
        with pytest.raises(ValueError, match=r"`n_focal` and `n_reference` must be given together"):
            probit_gap(0.3, 0.6, n_focal=20)

    def test_probit_size_zero(self):
        """Is a group size of 0 refused when sizes are given?"""
        with pytest.raises(ValueError, match=r"`n_reference` must be a positive integer"):
            probit_gap(0.3, 0.6, n_focal=20, n_reference=0)
