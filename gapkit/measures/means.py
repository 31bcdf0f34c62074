"""Gaps in mean scores: the difference in means and the standardized mean differences.

`mean_difference` (Welch), `cohens_d` and `hedges_g`, from each group's mean, standard deviation
and size. The gap is reference minus focal, so a positive gap means the focal group is behind.
"""
from __future__ import annotations

import numpy as np
from scipy import special

from gapkit._validation import check_finite, float_like, int_like, level_like
from gapkit.measures._core import (_COUNT, _NUMBER, _Columns, _empty_cases, _estimate_from, _masked,
                                   _normal_interval, _one, _texts)

__all__ = ["mean_difference", "cohens_d", "hedges_g"]

#: The data of every measure here, in `estimate_table`.
MEANS_DATA = {"mean_focal": _NUMBER, "sd_focal": _NUMBER, "n_focal": _COUNT, "mean_reference": _NUMBER,
              "sd_reference": _NUMBER, "n_reference": _COUNT}


def _group_stats_iv(mean_focal, sd_focal, n_focal, mean_reference, sd_reference, n_reference,
                    level):
    """Validate the six summary statistics shared by the mean-based measures.

    A mean may be NaN only when its group is empty, and a standard deviation
    only when its group has fewer than two students (a summary of one student
    has no spread).
    """
    n_focal = int_like(n_focal, "n_focal", minimum=0)
    n_reference = int_like(n_reference, "n_reference", minimum=0)
    mean_focal = float_like(mean_focal, "mean_focal", allow_nan=n_focal == 0)
    mean_reference = float_like(mean_reference, "mean_reference", allow_nan=n_reference == 0)
    sd_focal = float_like(sd_focal, "sd_focal", allow_nan=n_focal < 2, minimum=0)
    sd_reference = float_like(sd_reference, "sd_reference", allow_nan=n_reference < 2, minimum=0)
    level = level_like(level)
    return mean_focal, sd_focal, n_focal, mean_reference, sd_reference, n_reference, level


def _from_means(measure, kernel, mean_focal, sd_focal, n_focal, mean_reference, sd_reference, n_reference, level):
    """One comparison of means: its checked statistics through `kernel` as arrays of length one."""
    *stats, level = _group_stats_iv(mean_focal, sd_focal, n_focal, mean_reference, sd_reference, n_reference, level)
    return _estimate_from(measure, kernel(*map(_one, stats), level), stats[2], stats[5], level)


def _mean_difference_kernel(mean_focal, sd_focal, n_focal, mean_reference, sd_reference,
                            n_reference, level):
    """Welch gap on arrays; see :func:`mean_difference`."""
    size = n_focal.size
    empty = (n_focal == 0) | (n_reference == 0)
    single = ~empty & ((n_focal < 2) | (n_reference < 2))
    with np.errstate(all="ignore"):
        value = mean_reference - mean_focal
        v_f = sd_focal**2 / n_focal
        v_r = sd_reference**2 / n_reference
        se = np.sqrt(v_f + v_r)
        flat = ~empty & ~single & (se == 0)
        df = (v_f + v_r) ** 2 / (v_f**2 / (n_focal - 1) + v_r**2 / (n_reference - 1))
        half = special.stdtrit(df, 0.5 + level / 2) * se
    (value,) = _masked(empty, value)
    (se,) = _masked(empty | single, se)
    low, high = _masked(empty | single | flat, value - half, value + half)
    note = _texts(size, [
        *_empty_cases(n_focal, n_reference),
        (single, "A group has only one student, so there is no standard error or interval."),
        (flat, "Neither group has any spread in scores, so there is no interval."),
    ])
    return _Columns(value, se, low, high, np.full(size, "welch", dtype=object), note)


def mean_difference(mean_focal, sd_focal, n_focal, mean_reference, sd_reference, n_reference,
                    *, level=0.95):
    r"""Difference in mean scores, reference minus focal, with a Welch interval.

    Parameters
    ----------
    mean_focal, sd_focal : float
        Mean and sample standard deviation (``ddof=1``) of the focal group.
        ``mean_focal`` may be NaN only if ``n_focal`` is 0, ``sd_focal`` only
        if ``n_focal`` is below 2.
    n_focal : int
        Number of students in the focal group.
    mean_reference, sd_reference : float
        Mean and sample standard deviation of the reference group.
    n_reference : int
        Number of students in the reference group.
    level : float, optional
        Confidence level of the interval, strictly between 0 and 1.

    Returns
    -------
    Estimate
        ``measure="mean_difference"``, ``method="welch"``.

    Raises
    ------
    ValueError, TypeError
        If a count is not a non-negative integer, a mean or standard deviation
        is not a finite number (standard deviations also non-negative), or
        ``level`` is not strictly between 0 and 1.

    See Also
    --------
    cohens_d, hedges_g : the same gap in standard-deviation units.

    Notes
    -----
    With :math:`v_f = s_f^2/n_f` and :math:`v_r = s_r^2/n_r`, the gap, its
    standard error and the Welch-Satterthwaite degrees of freedom [1]_ [2]_ are

    .. math::

        \hat\delta = \bar x_r - \bar x_f, \qquad
        SE = \sqrt{v_f + v_r}, \qquad
        \nu = \frac{(v_f + v_r)^2}{v_f^2/(n_f - 1) + v_r^2/(n_r - 1)},

    and the interval is :math:`\hat\delta \pm t_{\nu, 1-\alpha/2} SE`. This
    matches ``scipy.stats.ttest_ind(..., equal_var=False).confidence_interval()``
    (with the groups in the order reference, focal).

    A group of one student gives a gap but no standard error. When both groups
    have no spread at all the standard error is 0 and no interval is given.

    References
    ----------
    .. [1] Welch, B. L. (1947). The generalization of "Student's" problem when
       several different population variances are involved. *Biometrika*,
       34(1-2), 28-35. https://doi.org/10.1093/biomet/34.1-2.28
    .. [2] Satterthwaite, F. E. (1946). An approximate distribution of
       estimates of variance components. *Biometrics Bulletin*, 2(6), 110-114.
       https://doi.org/10.2307/3002019

    Examples
    --------
    At a synthetic middle school, 40 English learners average 2480 on the
    mathematics scale (SD 60) and 160 other students average 2530 (SD 70):

    >>> from gapkit.measures import mean_difference
    >>> est = mean_difference(2480, 60, 40, 2530, 70, 160)
    >>> round(est.value, 1), round(est.se, 2)
    (50.0, 10.98)
    >>> round(est.ci_low, 1), round(est.ci_high, 1)
    (28.1, 71.9)
    """
    return _from_means("mean_difference", _mean_difference_kernel, mean_focal, sd_focal, n_focal, mean_reference,
                       sd_reference, n_reference, level)

def _standardized(mean_focal, sd_focal, n_focal, mean_reference, sd_reference, n_reference):
    """Return arrays ``(d, se_d, note)``; ``d`` is NaN with a note where undefined."""
    size = n_focal.size
    empty = (n_focal == 0) | (n_reference == 0)
    pair = ~empty & (n_focal + n_reference < 3)
    with np.errstate(all="ignore"):
        # A group of one contributes no spread (weight n - 1 = 0); its NaN SD is harmless.
        sd_f = np.where(n_focal < 2, 0.0, sd_focal)
        sd_r = np.where(n_reference < 2, 0.0, sd_reference)
        sp = np.sqrt(((n_focal - 1) * sd_f**2 + (n_reference - 1) * sd_r**2)
                     / (n_focal + n_reference - 2))
        flat = ~empty & ~pair & (sp == 0)
        d = (mean_reference - mean_focal) / sp
        n_sum = n_focal + n_reference
        se = np.sqrt(n_sum / (n_focal * n_reference) + d**2 / (2 * n_sum))
    d, se = _masked(empty | pair | flat, d, se)
    note = _texts(size, [
        *_empty_cases(n_focal, n_reference),
        (pair, "With one student in each group there is no pooled standard deviation to "
               "scale the gap by."),
        (flat, "Neither group has any spread in scores, so the gap cannot be put in "
               "standard-deviation units."),
    ])
    return d, se, note

def _cohens_d_kernel(mean_focal, sd_focal, n_focal, mean_reference, sd_reference, n_reference,
                    level):
    """Cohen's d on arrays; see :func:`cohens_d`."""
    d, se, note = _standardized(mean_focal, sd_focal, n_focal, mean_reference, sd_reference,
                                n_reference)
    low, high = _normal_interval(d, se, level)
    return _Columns(d, se, low, high, np.full(d.size, "pooled sd", dtype=object), note)


def cohens_d(mean_focal, sd_focal, n_focal, mean_reference, sd_reference, n_reference,
             *, level=0.95):
    r"""Standardized mean difference (Cohen's d), reference minus focal.

    Parameters
    ----------
    mean_focal, sd_focal : float
        Mean and sample standard deviation (``ddof=1``) of the focal group.
    n_focal : int
        Number of students in the focal group.
    mean_reference, sd_reference : float
        Mean and sample standard deviation of the reference group.
    n_reference : int
        Number of students in the reference group.
    level : float, optional
        Confidence level of the (normal) interval.

    Returns
    -------
    Estimate
        ``measure="cohens_d"``, ``method="pooled sd"``.

    Raises
    ------
    ValueError, TypeError
        As for :func:`mean_difference`.

    See Also
    --------
    hedges_g : the same measure with the small-sample bias removed.
    mean_difference : the gap in scale-score points.
    v_statistic : a standardized gap from performance-level counts alone.

    Notes
    -----
    The gap is divided by the pooled standard deviation [1]_; the standard
    error is the large-sample one of Hedges and Olkin [2]_ (also equation 4.20
    of Borenstein et al. [3]_):

    .. math::

        s_p = \sqrt{\frac{(n_f - 1)s_f^2 + (n_r - 1)s_r^2}{n_f + n_r - 2}}, \qquad
        d = \frac{\bar x_r - \bar x_f}{s_p}, \qquad
        SE_d = \sqrt{\frac{n_f + n_r}{n_f n_r} + \frac{d^2}{2(n_f + n_r)}},

    with the interval :math:`d \pm z_{1-\alpha/2} SE_d`.

    References
    ----------
    .. [1] Cohen, J. (1988). *Statistical power analysis for the behavioral
       sciences* (2nd ed.). Lawrence Erlbaum. https://doi.org/10.4324/9780203771587
    .. [2] Hedges, L. V., & Olkin, I. (1985). *Statistical methods for
       meta-analysis*. Academic Press. https://doi.org/10.1016/C2009-0-03396-0
    .. [3] Borenstein, M., Hedges, L. V., Higgins, J. P. T., & Rothstein, H. R.
       (2009). *Introduction to meta-analysis*. Wiley.
       https://doi.org/10.1002/9780470743386

    Examples
    --------
    The synthetic middle school of :func:`mean_difference`: English learners
    are about three quarters of a standard deviation behind.

    >>> from gapkit.measures import cohens_d
    >>> est = cohens_d(2480, 60, 40, 2530, 70, 160)
    >>> round(est.value, 3), round(est.se, 3)
    (0.734, 0.181)
    """
    return _from_means("cohens_d", _cohens_d_kernel, mean_focal, sd_focal, n_focal, mean_reference,
                       sd_reference, n_reference, level)


def _hedges_j(df):
    """Exact small-sample correction factor J(df) of Hedges (1981), via log-gamma."""
    return np.exp(special.gammaln(df / 2) - 0.5 * np.log(df / 2)
                  - special.gammaln((df - 1) / 2))


def _hedges_g_kernel(mean_focal, sd_focal, n_focal, mean_reference, sd_reference, n_reference,
                     level):
    """Hedges' g on arrays; see :func:`hedges_g`."""
    d, se_d, note = _standardized(mean_focal, sd_focal, n_focal, mean_reference, sd_reference,
                                  n_reference)
    df = n_focal + n_reference - 2
    tiny = ~np.isnan(d) & (df < 2)
    with np.errstate(all="ignore"):
        j = _hedges_j(df)
    g, se = _masked(tiny, j * d, j * se_d)
    note = np.where(tiny, "With only three students in all, the small-sample correction is "
                          "not defined.", note).astype(object)
    low, high = _normal_interval(g, se, level)
    return _Columns(g, se, low, high, np.full(d.size, "exact J", dtype=object), note)


def hedges_g(mean_focal, sd_focal, n_focal, mean_reference, sd_reference, n_reference,
             *, level=0.95):
    r"""Bias-corrected standardized mean difference (Hedges' g), reference minus focal.

    Parameters
    ----------
    mean_focal, sd_focal : float
        Mean and sample standard deviation (``ddof=1``) of the focal group.
    n_focal : int
        Number of students in the focal group.
    mean_reference, sd_reference : float
        Mean and sample standard deviation of the reference group.
    n_reference : int
        Number of students in the reference group.
    level : float, optional
        Confidence level of the (normal) interval.

    Returns
    -------
    Estimate
        ``measure="hedges_g"``, ``method="exact J"``.

    Raises
    ------
    ValueError, TypeError
        As for :func:`mean_difference`.

    See Also
    --------
    cohens_d : the uncorrected measure.

    Notes
    -----
    Cohen's :math:`d` (see :func:`cohens_d`) times the exact correction factor
    of Hedges [1]_, with :math:`\nu = n_f + n_r - 2`:

    .. math::

        J(\nu) = \frac{\Gamma(\nu/2)}{\sqrt{\nu/2}\,\Gamma((\nu - 1)/2)}, \qquad
        g = J(\nu)\, d, \qquad SE_g = J(\nu)\, SE_d,

    computed on the log scale (``gammaln``) so that large groups do not
    overflow. :math:`SE_d` is the Hedges-Olkin standard error of :math:`d` [2]_.
    This reproduces the worked example of Borenstein et al. [3]_ (section
    4, means 103 and 100, SDs 5.5 and 4.5, 50 per group: :math:`d = 0.5970`,
    :math:`J = 0.9923`, :math:`g = 0.5924`, :math:`SE_g = 0.2028`). Borenstein
    et al., ``statsmodels.stats.meta_analysis.effectsize_smd`` and
    ``pingouin.compute_effsize`` use the approximation
    :math:`J \approx 1 - 3/(4\nu - 1)`, which differs from the exact factor by
    less than 0.0001 once :math:`\nu \ge 19`, so very small groups can differ
    from those tools in the fourth decimal (statsmodels also uses a slightly
    different variance, :math:`g^2/(2(N - 3.94))` in place of
    :math:`d^2/(2N)`).
    At least four students in all are needed (:math:`\nu \ge 2`).

    References
    ----------
    .. [1] Hedges, L. V. (1981). Distribution theory for Glass's estimator of
       effect size and related estimators. *Journal of Educational
       Statistics*, 6(2), 107-128. https://doi.org/10.3102/10769986006002107
    .. [2] Hedges, L. V., & Olkin, I. (1985). *Statistical methods for
       meta-analysis*. Academic Press. https://doi.org/10.1016/C2009-0-03396-0
    .. [3] Borenstein, M., Hedges, L. V., Higgins, J. P. T., & Rothstein, H. R.
       (2009). *Introduction to meta-analysis*. Wiley.
       https://doi.org/10.1002/9780470743386

    Examples
    --------
    A small synthetic elementary school: 8 newcomers average 2390 on the
    reading scale (SD 50) and 12 other students average 2420 (SD 45).

    >>> from gapkit.measures import hedges_g
    >>> est = hedges_g(2390, 50, 8, 2420, 45, 12)
    >>> round(est.value, 3), round(est.se, 3)
    (0.611, 0.448)
    """
    return _from_means("hedges_g", _hedges_g_kernel, mean_focal, sd_focal, n_focal, mean_reference,
                       sd_reference, n_reference, level)


# ---------------------------------------------------------------------------
# Many comparisons at once (`estimate_table`)
# ---------------------------------------------------------------------------


def _means_table_iv(data):
    """The arrays of `MEANS_DATA`, checked element by element as `_group_stats_iv` checks scalars."""
    for side in ("focal", "reference"):
        check_finite(data[f"mean_{side}"], f"mean_{side}", allow_nan=data[f"n_{side}"] == 0)
    for side in ("focal", "reference"):
        check_finite(data[f"sd_{side}"], f"sd_{side}", allow_nan=data[f"n_{side}"] < 2, minimum=0)
    return [data[name] for name in MEANS_DATA]


def _mean_difference_table(data, level):
    return _mean_difference_kernel(*_means_table_iv(data), level)


def _cohens_d_table(data, level):
    return _cohens_d_kernel(*_means_table_iv(data), level)


def _hedges_g_table(data, level):
    return _hedges_g_kernel(*_means_table_iv(data), level)
