"""The binormal V fitted on many comparisons at once equals the scalar maximum-likelihood fit.

`_v_binormal` (BFGS on one comparison, numerical observed information) is the reference; the
stacked Newton fit must agree with it to 1e-6 in V and in its standard error, and make the same
decision (binormal or the nonparametric fallback) on every comparison.
"""
import numpy as np
import pytest
from scipy import special

from gapkit.measures import estimate_table, v_statistic
from gapkit.measures.levels import (_binormal_newton, _boundary_supremum, _cho_solve, _cholesky,
                                   _v_binormal, _v_binormal_rows)


def _draw(rng, m, k, n_focal, n_reference):
    """``m`` comparisons with ``k`` levels, drawn from the binormal model; no level empty in both."""
    focal, reference = [], []
    while len(focal) < m:
        mu, sigma = rng.normal(-0.5, 0.6), np.exp(rng.normal(0, 0.35))
        cuts = np.sort(rng.normal(0, 1, k - 1))
        p_f = np.diff(np.r_[0, special.ndtr((cuts - mu) / sigma), 1])
        p_r = np.diff(np.r_[0, special.ndtr(cuts), 1])
        f = rng.multinomial(rng.integers(1, n_focal + 1), p_f)
        r = rng.multinomial(rng.integers(1, n_reference + 1), p_r)
        if ((f + r) > 0).all():
            focal.append(f)
            reference.append(r)
    return np.array(focal, float), np.array(reference, float)


def _assert_same_as_scalar(focal, reference):
    v, se, fitted = _v_binormal_rows(focal, reference)
    for i, (f, r) in enumerate(zip(focal, reference)):
        expected = _v_binormal(f, r)
        assert fitted[i] == (expected is not None), (f, r, expected, v[i])
        if expected is not None:
            assert v[i] == pytest.approx(expected[0], abs=1e-6), (f, r)
            assert se[i] == pytest.approx(expected[1], abs=1e-6), (f, r)
        else:
            assert np.isnan(v[i]) and np.isnan(se[i])
    return fitted


@pytest.mark.parametrize("k", [2, 3, 4, 5, 6])
@pytest.mark.parametrize("n_focal", [8, 60, 400])
def test_random_counts_agree_with_the_scalar_fit(k, n_focal):
    """Large and small focal groups (small ones often leave levels at zero, near the boundary)."""
    rng = np.random.default_rng(1000 * k + n_focal)
    focal, reference = _draw(rng, 12, k, n_focal, 1500)
    fitted = _assert_same_as_scalar(focal, reference)
    if n_focal >= 60:
        assert fitted.mean() > 0.5  # the comparison is not only of fallbacks


@pytest.mark.parametrize("focal, reference", [
    ([24, 20, 12, 4], [36, 60, 84, 60]),          # the docstring's school
    ([50, 0, 0, 0], [10, 40, 5, 5]),              # a group in one level: no fit
    ([42, 9, 15, 0], [35, 3, 36, 2]),             # interior optimum with a focal cut 8.6 SDs out
    ([28, 0, 0, 2], [980, 193, 141, 399]),        # two modes: sigma runs off to infinity
    ([9, 1, 0, 0], [736, 438, 63, 167]),          # sigma drifts to 0 along a flat ridge
    ([3, 2, 6, 3], [0, 0, 3, 1]),                 # a tiny reference group
    ([5, 7, 0], [4, 9, 3]),                       # saturated with a zero: no fit
    ([5, 7, 2], [4, 9, 3]),                       # saturated: closed form
    ([30, 10], [20, 40]),                         # two levels: equal variances
    ([0, 0, 1, 6], [188, 201, 109, 394]),
    ([1, 1, 0, 0, 0], [242, 363, 85, 90, 82]),
])
def test_edge_cases_agree_with_the_scalar_fit(focal, reference):
    _assert_same_as_scalar(np.array([focal], float), np.array([reference], float))


@pytest.mark.parametrize("focal, reference", [
    ([91, 4, 0, 0], [167, 28, 5, 63]),            # the focal group in two adjacent levels
    ([0, 0, 6, 246], [119, 100, 94, 857]),
])
def test_likelihood_highest_on_the_boundary_is_decided_by_newton(focal, reference):
    """Sigma drifts to 0 so slowly that Newton's method once ran its 60 steps and left these to the
    scalar fit; as their likelihood is highest on the boundary, it now stops them itself."""
    focal, reference = np.array([focal], float), np.array([reference], float)
    assert _boundary_supremum(focal, reference)[0]
    assert _binormal_newton(focal, reference, False)[1][0] == -1
    _assert_same_as_scalar(focal, reference)


def test_boundary_supremum():
    """One group's levels span a to b and the other group has no one strictly between them."""
    focal = [[5, 3, 0, 0], [0, 2, 0, 1], [4, 1, 1, 6], [1, 2, 3, 4], [5, 3, 1, 0], [1, 2, 3, 4]]
    reference = [[1, 2, 3, 4], [4, 5, 0, 2], [3, 0, 0, 5], [0, 9, 9, 0], [1, 2, 3, 4], [4, 3, 2, 1]]
    found = _boundary_supremum(np.array(focal, float), np.array(reference, float))
    assert found.tolist() == [True, True, True, True, False, False]


def test_stacked_cholesky_agrees_with_numpy():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(60, 5, 5))
    matrices = a @ a.transpose(0, 2, 1) + np.eye(5)
    matrices[::3] -= 4 * np.eye(5)  # some of these are no longer positive definite
    matrices[1, 2, 2] = np.nan
    low, ok = _cholesky(matrices)
    expected = [bool(np.isfinite(m).all() and np.linalg.eigvalsh(m)[0] > 0) for m in matrices]
    assert ok.tolist() == expected and 0 < ok.sum() < ok.size
    np.testing.assert_allclose(low[ok], np.linalg.cholesky(matrices[ok]), atol=1e-12)
    vectors = rng.normal(size=(ok.sum(), 5))
    np.testing.assert_allclose(_cho_solve(low[ok], vectors),
                               np.linalg.solve(matrices[ok], vectors[..., None])[..., 0], atol=1e-10)


def test_rows_with_dropped_empty_single_level_and_separated_groups():
    """The whole table path: each row equals `v_statistic` on that row alone (the scalar path
    decides V there), whatever its number of levels once empty levels are dropped."""
    focal = [[24, 20, 12, 4], [0, 0, 0, 0], [10, 0, 0, 0], [5, 0, 7, 3], [6, 4, 0, 0],
             [3, 9, 0, 2], [0, 6, 4, 0]]
    reference = [[36, 60, 84, 60], [3, 4, 5, 6], [20, 0, 0, 0], [4, 0, 9, 9], [0, 0, 5, 8],
                 [12, 30, 0, 9], [0, 10, 25, 0]]
    table = estimate_table("v_statistic", counts_focal=focal, counts_reference=reference)
    for row, f, r in zip(table.itertuples(), focal, reference):
        keep = (np.add(f, r)) > 0
        expected = v_statistic(f, r)
        assert row.method == expected.method and row.note == expected.note
        np.testing.assert_allclose([row.value, row.se], [expected.value, expected.se], atol=1e-12)
        if sum(f) == 0 or sum(r) == 0 or keep.sum() == 1:  # empty or one level: not identified
            assert np.isnan(row.value) and row.note
            continue
        fit = _v_binormal(np.array(f, float)[keep], np.array(r, float)[keep])
        if fit is not None:
            np.testing.assert_allclose([row.value, row.se], fit[:2], atol=1e-6)
        else:
            assert row.method == "nonparametric"
