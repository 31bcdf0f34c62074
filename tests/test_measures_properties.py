"""Properties every gap measure must have, checked with hypothesis on modest random inputs.

- Swapping the focal and reference groups flips the sign of every gap (and inverts a ratio).
- Shifting all scores leaves the mean difference unchanged; shifting or rescaling leaves the
  standardized measures (d, g) unchanged.
- V depends only on the counts: relabelling the levels monotonically (here, inserting empty
  levels anywhere) leaves it unchanged, and the nonparametric P equals the Mann-Whitney U on
  student rows carrying any increasing scores for the levels (scipy, an independent computation).
"""
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import stats

from gapkit.measures import (
    cohens_d,
    hedges_g,
    mean_difference,
    probit_gap,
    proportion_difference,
    risk_ratio,
    v_statistic,
)

FAST = settings(max_examples=40, deadline=None)

means = st.floats(min_value=-1e3, max_value=1e4, allow_nan=False)
sds = st.floats(min_value=0.5, max_value=500.0)
sizes = st.integers(min_value=2, max_value=5000)


@st.composite
def two_groups(draw):
    """(mean, sd, n) for the focal and the reference group."""
    return (draw(means), draw(sds), draw(sizes)), (draw(means), draw(sds), draw(sizes))


@st.composite
def two_counts(draw):
    """(successes, n) for each group."""
    n_f = draw(st.integers(min_value=1, max_value=2000))
    n_r = draw(st.integers(min_value=1, max_value=2000))
    return (draw(st.integers(0, n_f)), n_f), (draw(st.integers(0, n_r)), n_r)


@st.composite
def level_counts(draw, min_levels=2, max_levels=6):
    """Counts per level for two groups, each group with at least two students."""
    k = draw(st.integers(min_value=min_levels, max_value=max_levels))
    counts = st.lists(st.integers(min_value=0, max_value=60), min_size=k, max_size=k)
    focal, reference = draw(counts), draw(counts)
    assume(sum(focal) >= 2 and sum(reference) >= 2)
    return focal, reference


def flipped(a, b, *, rel=1e-9, abs=1e-9):
    """True when estimate ``b`` is the sign-flipped ``a`` (value and interval)."""
    if math.isnan(a.value):
        return math.isnan(b.value)
    return (b.value == pytest.approx(-a.value, rel=rel, abs=abs)
            and (math.isnan(a.se) or b.se == pytest.approx(a.se, rel=rel, abs=abs))
            and (math.isnan(a.ci_low)
                 or (b.ci_low == pytest.approx(-a.ci_high, rel=rel, abs=abs)
                     and b.ci_high == pytest.approx(-a.ci_low, rel=rel, abs=abs))))


class TestSwappingGroups:
    @FAST
    @given(two_groups())
    @pytest.mark.parametrize("func", [mean_difference, cohens_d, hedges_g])
    def test_mean_based_gaps_flip_sign(self, func, groups):
        """Does swapping the groups flip the gap and its interval?"""
        focal, reference = groups
        assert flipped(func(*focal, *reference), func(*reference, *focal))

    @FAST
    @given(two_counts(), st.sampled_from(["newcombe", "wald"]))
    def test_proportion_difference_flips_sign(self, counts, interval):
        """Does swapping the groups flip the difference and its interval?"""
        focal, reference = counts
        a = proportion_difference(*focal, *reference, interval=interval)
        b = proportion_difference(*reference, *focal, interval=interval)
        assert flipped(a, b, abs=1e-12)

    @FAST
    @given(two_counts())
    def test_risk_ratio_inverts(self, counts):
        """Does swapping the groups invert the ratio and its interval?"""
        focal, reference = counts
        assume(focal[0] > 0 and reference[0] > 0)
        a, b = risk_ratio(*focal, *reference), risk_ratio(*reference, *focal)
        assert b.value == pytest.approx(1 / a.value, rel=1e-12)
        assert b.ci_low == pytest.approx(1 / a.ci_high, rel=1e-12)
        assert b.ci_high == pytest.approx(1 / a.ci_low, rel=1e-12)
        assert b.se == pytest.approx(a.se, rel=1e-12)

    @FAST
    @given(st.floats(0.01, 0.99), st.floats(0.01, 0.99), sizes, sizes)
    def test_probit_gap_flips_sign(self, p_f, p_r, n_f, n_r):
        """Does swapping the groups flip the probit gap?"""
        a = probit_gap(p_f, p_r, n_focal=n_f, n_reference=n_r)
        b = probit_gap(p_r, p_f, n_focal=n_r, n_reference=n_f)
        assert flipped(a, b, abs=1e-12)

    @FAST
    @given(level_counts())
    def test_nonparametric_v_flips_sign(self, counts):
        """Does swapping the groups flip the nonparametric V exactly?"""
        focal, reference = counts
        a = v_statistic(focal, reference, method="nonparametric")
        b = v_statistic(reference, focal, method="nonparametric")
        assert flipped(a, b, abs=1e-12)

    @settings(max_examples=25, deadline=None)
    @given(level_counts(min_levels=3, max_levels=5))
    def test_binormal_v_flips_sign(self, counts):
        """The binormal fit is invariant to which group is the N(0, 1) one, so V flips sign
        (up to the optimizer's tolerance), and both directions use the same method."""
        focal, reference = counts
        a, b = v_statistic(focal, reference), v_statistic(reference, focal)
        assert a.method == b.method
        assert flipped(a, b, rel=1e-4, abs=1e-4)


class TestScaleInvariance:
    @FAST
    @given(two_groups(), st.floats(min_value=-1e3, max_value=1e3))
    def test_mean_difference_ignores_shift(self, groups, shift):
        """Adding the same number to every score leaves the gap and interval unchanged."""
        (m_f, s_f, n_f), (m_r, s_r, n_r) = groups
        a = mean_difference(m_f, s_f, n_f, m_r, s_r, n_r)
        b = mean_difference(m_f + shift, s_f, n_f, m_r + shift, s_r, n_r)
        assert b.value == pytest.approx(a.value, abs=1e-9 * (1 + abs(shift) + abs(m_f) + abs(m_r)))
        assert b.se == pytest.approx(a.se, rel=1e-12)

    @FAST
    @given(two_groups(), st.floats(min_value=-1e3, max_value=1e3),
           st.floats(min_value=0.01, max_value=100.0))
    @pytest.mark.parametrize("func", [cohens_d, hedges_g])
    def test_standardized_gaps_ignore_shift_and_scale(self, func, groups, shift, scale):
        """A new score scale (x -> a x + b, a > 0) leaves d and g unchanged."""
        (m_f, s_f, n_f), (m_r, s_r, n_r) = groups
        a = func(m_f, s_f, n_f, m_r, s_r, n_r)
        b = func(scale * m_f + shift, scale * s_f, n_f, scale * m_r + shift, scale * s_r, n_r)
        assert b.value == pytest.approx(a.value, rel=1e-7, abs=1e-7)
        assert b.se == pytest.approx(a.se, rel=1e-7)


class TestVDependsOnlyOnCounts:
    @FAST
    @given(level_counts(), st.data())
    @pytest.mark.parametrize("method", ["nonparametric", "binormal"])
    def test_inserting_empty_levels(self, method, counts, data):
        """Mapping the levels monotonically into a longer scale (empty levels in between)
        changes nothing but the note."""
        focal, reference = counts
        k = len(focal)
        positions = sorted(data.draw(st.lists(st.integers(0, k + 3), min_size=k, max_size=k,
                                              unique=True)))
        long_f, long_r = [0] * (k + 4), [0] * (k + 4)
        for level, position in enumerate(positions):
            long_f[position], long_r[position] = focal[level], reference[level]
        a = v_statistic(focal, reference, method=method)
        b = v_statistic(long_f, long_r, method=method)
        assert a.method == b.method
        if math.isnan(a.value):
            assert math.isnan(b.value)
        else:
            assert b.value == pytest.approx(a.value, rel=1e-6, abs=1e-6)

    @FAST
    @given(level_counts(), st.lists(st.floats(0.1, 50.0), min_size=6, max_size=6))
    def test_nonparametric_p_is_mann_whitney_on_any_increasing_scores(self, counts, steps):
        """Give each level any increasing score; P from scipy's mannwhitneyu on the student
        rows matches V's P."""
        focal, reference = counts
        # With every student in one level V is not identified (NaN, by design): nothing to compare.
        assume(np.count_nonzero(np.add(focal, reference)) >= 2)
        scores = np.cumsum(steps[: len(focal)])
        x_f, x_r = np.repeat(scores, focal), np.repeat(scores, reference)
        p = stats.mannwhitneyu(x_r, x_f).statistic / (x_f.size * x_r.size)
        est = v_statistic(focal, reference, method="nonparametric")
        if 0 < p < 1:
            assert est.value == pytest.approx(math.sqrt(2) * stats.norm.ppf(p), rel=1e-9,
                                              abs=1e-12)
        else:
            assert math.isnan(est.value)
