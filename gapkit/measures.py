"""Gap measures computed from per-group summary statistics.

Every function here is pure: it takes the sufficient statistics of two groups
(means, standard deviations and sizes; counts with an outcome; counts per
performance level) and returns an :class:`Estimate`. Nothing is read, written
or printed. :func:`estimate_table` computes one measure for many comparisons at
once, from arrays, with the same code (each closed-form measure has one NumPy
kernel that the scalar function calls with arrays of length one).

Conventions shared by every measure:

* a *gap* is **reference minus focal**, so a positive gap means the focal group
  (for example, current English learners) is behind;
* a *ratio* is **focal over reference**;
* a value that cannot be computed is ``NaN`` and ``note`` says why in plain
  words; a variant (a fallback method, a degenerate interval) is also named in
  ``note`` and ``method``.

These estimates are not yet safe to show: every table, chart and sentence must
pass them through :mod:`gapkit.privacy` first (the pipeline order is records ->
summary -> measures -> privacy -> views).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import optimize, special

from gapkit._validation import validate_choice, validate_int, validate_level, validate_real

__all__ = [
    "Estimate",
    "mean_difference",
    "cohens_d",
    "hedges_g",
    "proportion_difference",
    "v_statistic",
    "risk_ratio",
    "idea_risk_ratio",
    "probit_gap",
    "estimate_table",
]

_NAN = float("nan")


@dataclass(frozen=True)
class Estimate:
    """One gap measure for one comparison, with its uncertainty.

    Attributes
    ----------
    measure : str
        Name of the measure: ``"mean_difference"``, ``"cohens_d"``,
        ``"hedges_g"``, ``"proportion_difference"``, ``"v_statistic"``,
        ``"risk_ratio"``, ``"idea_risk_ratio"`` or ``"probit_gap"``.
    value : float
        The estimate (reference minus focal for gaps, focal over reference for
        ratios); ``NaN`` when it cannot be computed.
    se : float
        Standard error of ``value`` (``NaN`` where none exists).
    ci_low, ci_high : float
        Confidence interval at ``level`` (``NaN`` where none exists).
    n_focal, n_reference : int
        Number of students behind each side of the comparison.
    level : float
        Confidence level of the interval.
    method : str
        How the value or its interval was computed (for example ``"welch"``,
        ``"newcombe"``, ``"binormal"``, ``"alternate risk ratio"`` or
        ``"not calculated"``).
    note : str
        Plain-words reason when ``value`` is ``NaN`` or a variant was used;
        empty otherwise.
    """

    measure: str
    value: float
    se: float
    ci_low: float
    ci_high: float
    n_focal: int
    n_reference: int
    level: float = 0.95
    method: str = ""
    note: str = ""


# ---------------------------------------------------------------------------
# Shared validation helpers (each takes the argument's name for the message).
# ---------------------------------------------------------------------------


def _validate_count(value, name):
    """Return ``value`` as a non-negative ``int`` or raise naming ``name``."""
    return validate_int(value, name, minimum=0)


def _validate_real(value, name, *, allow_nan=False):
    """Return ``value`` as a finite ``float`` (or NaN if ``allow_nan``)."""
    value = validate_real(value, name, finite=False)
    if math.isnan(value) and allow_nan:
        return value
    if not math.isfinite(value):
        raise ValueError(f"`{name}` must be finite; got {value}.")
    return value


def _validate_sd(value, name, *, allow_nan=False):
    value = _validate_real(value, name, allow_nan=allow_nan)
    if value < 0:
        raise ValueError(f"`{name}` must be a non-negative number; got {value}.")
    return value


def _validate_successes(successes, successes_name, n, n_name):
    successes = _validate_count(successes, successes_name)
    if successes > n:
        raise ValueError(
            f"`{successes_name}` must not exceed `{n_name}` ({n}); got {successes}."
        )
    return successes


def _z(level):
    # scipy.special's quantile functions: the same values as scipy.stats' distributions, without
    # their per-call argument handling, which dominated gap tables with many cells.
    return float(special.ndtri(0.5 + level / 2))


def _normal_pdf(x):
    return np.exp(-0.5 * np.square(x)) / math.sqrt(2 * math.pi)


# ---------------------------------------------------------------------------
# Differences in means
# ---------------------------------------------------------------------------


def _group_stats_iv(mean_focal, sd_focal, n_focal, mean_reference, sd_reference, n_reference,
                    level):
    """Validate the six summary statistics shared by the mean-based measures.

    A mean may be NaN only when its group is empty, and a standard deviation
    only when its group has fewer than two students (a summary of one student
    has no spread).
    """
    n_focal = _validate_count(n_focal, "n_focal")
    n_reference = _validate_count(n_reference, "n_reference")
    mean_focal = _validate_real(mean_focal, "mean_focal", allow_nan=n_focal == 0)
    mean_reference = _validate_real(mean_reference, "mean_reference",
                                    allow_nan=n_reference == 0)
    sd_focal = _validate_sd(sd_focal, "sd_focal", allow_nan=n_focal < 2)
    sd_reference = _validate_sd(sd_reference, "sd_reference", allow_nan=n_reference < 2)
    level = validate_level(level)
    return mean_focal, sd_focal, n_focal, mean_reference, sd_reference, n_reference, level


_EMPTY_NOTES = {
    "both": "Both groups are empty, so there is no gap to estimate.",
    "focal": "The focal group is empty, so there is no gap to estimate.",
    "reference": "The reference group is empty, so there is no gap to estimate.",
}


# ---------------------------------------------------------------------------
# Kernels: each closed-form measure is computed once, on arrays. A scalar
# function validates its arguments and calls its kernel with arrays of length
# one; estimate_table validates whole arrays and calls the same kernel.
# ---------------------------------------------------------------------------


class _Columns(NamedTuple):
    """A kernel's output: one element per comparison."""

    value: np.ndarray
    se: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    method: np.ndarray  # object array of str
    note: np.ndarray  # object array of str ("" when nothing to say)


def _one(value):
    """A validated scalar as a float array of length one, for a kernel."""
    return np.array([value], dtype=float)


def _estimate_from(measure, columns, n_focal, n_reference, level):
    """The Estimate of a kernel's single element."""
    return Estimate(measure, float(columns.value[0]), float(columns.se[0]),
                    float(columns.ci_low[0]), float(columns.ci_high[0]), n_focal, n_reference,
                    level, columns.method[0], columns.note[0])


def _texts(size, cases):
    """Per-element strings: the text of the first case whose mask holds, else ``""``.

    ``cases`` are ``(mask, text)`` pairs in the order a scalar function would test them.
    """
    out = np.full(size, "", dtype=object)
    for mask, text in reversed(cases):  # an earlier case overwrites a later one
        out[mask] = text
    return out


def _empty_cases(n_focal, n_reference):
    """(mask, note) pairs for empty groups, both first."""
    focal, reference = n_focal == 0, n_reference == 0
    return [(focal & reference, _EMPTY_NOTES["both"]), (focal, _EMPTY_NOTES["focal"]),
            (reference, _EMPTY_NOTES["reference"])]


def _masked(mask, *arrays):
    """Each array with NaN where ``mask`` holds."""
    return [np.where(mask, np.nan, a) for a in arrays]


def _mean_difference_iv(mean_focal, sd_focal, n_focal, mean_reference, sd_reference,
                        n_reference, level):
    return _group_stats_iv(mean_focal, sd_focal, n_focal, mean_reference, sd_reference,
                           n_reference, level)


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
    (mean_focal, sd_focal, n_focal, mean_reference, sd_reference, n_reference,
     level) = _mean_difference_iv(mean_focal, sd_focal, n_focal, mean_reference,
                                  sd_reference, n_reference, level)
    columns = _mean_difference_kernel(_one(mean_focal), _one(sd_focal), _one(n_focal),
                                      _one(mean_reference), _one(sd_reference),
                                      _one(n_reference), level)
    return _estimate_from("mean_difference", columns, n_focal, n_reference, level)


# ---------------------------------------------------------------------------
# Standardized mean differences
# ---------------------------------------------------------------------------


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


def _normal_interval(value, se, level):
    """``value -/+ z se`` at ``level`` (NaN where ``value`` is NaN)."""
    half = _z(level) * se
    return value - half, value + half


def _cohens_d_iv(mean_focal, sd_focal, n_focal, mean_reference, sd_reference, n_reference,
                 level):
    return _group_stats_iv(mean_focal, sd_focal, n_focal, mean_reference, sd_reference,
                           n_reference, level)


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
    (mean_focal, sd_focal, n_focal, mean_reference, sd_reference, n_reference,
     level) = _cohens_d_iv(mean_focal, sd_focal, n_focal, mean_reference, sd_reference,
                           n_reference, level)
    columns = _cohens_d_kernel(_one(mean_focal), _one(sd_focal), _one(n_focal),
                               _one(mean_reference), _one(sd_reference), _one(n_reference), level)
    return _estimate_from("cohens_d", columns, n_focal, n_reference, level)


def _hedges_j(df):
    """Exact small-sample correction factor J(df) of Hedges (1981), via log-gamma."""
    return np.exp(special.gammaln(df / 2) - 0.5 * np.log(df / 2)
                  - special.gammaln((df - 1) / 2))


def _hedges_g_iv(mean_focal, sd_focal, n_focal, mean_reference, sd_reference, n_reference,
                 level):
    return _group_stats_iv(mean_focal, sd_focal, n_focal, mean_reference, sd_reference,
                           n_reference, level)


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
    (mean_focal, sd_focal, n_focal, mean_reference, sd_reference, n_reference,
     level) = _hedges_g_iv(mean_focal, sd_focal, n_focal, mean_reference, sd_reference,
                           n_reference, level)
    columns = _hedges_g_kernel(_one(mean_focal), _one(sd_focal), _one(n_focal),
                               _one(mean_reference), _one(sd_reference), _one(n_reference), level)
    return _estimate_from("hedges_g", columns, n_focal, n_reference, level)


# ---------------------------------------------------------------------------
# Proportions
# ---------------------------------------------------------------------------


def _two_proportions_iv(successes_focal, n_focal, successes_reference, n_reference):
    n_focal = _validate_count(n_focal, "n_focal")
    n_reference = _validate_count(n_reference, "n_reference")
    successes_focal = _validate_successes(successes_focal, "successes_focal", n_focal,
                                          "n_focal")
    successes_reference = _validate_successes(successes_reference, "successes_reference",
                                              n_reference, "n_reference")
    return successes_focal, n_focal, successes_reference, n_reference


def _wilson(successes, n, z):
    """Wilson (1927) score interval for one proportion (arrays)."""
    p = successes / n
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return np.maximum(0.0, centre - half), np.minimum(1.0, centre + half)


def _proportion_difference_iv(successes_focal, n_focal, successes_reference, n_reference,
                              interval, level):
    out = _two_proportions_iv(successes_focal, n_focal, successes_reference, n_reference)
    interval = validate_choice(interval, "interval", ("newcombe", "wald"))
    level = validate_level(level)
    return (*out, interval, level)


def _proportion_difference_kernel(successes_focal, n_focal, successes_reference, n_reference,
                                  interval, level):
    """Difference in proportions on arrays; see :func:`proportion_difference`."""
    size = n_focal.size
    empty = (n_focal == 0) | (n_reference == 0)
    z = _z(level)
    cases = _empty_cases(n_focal, n_reference)
    with np.errstate(all="ignore"):
        p_f = successes_focal / n_focal
        p_r = successes_reference / n_reference
        value = p_r - p_f
        se = np.sqrt(p_r * (1 - p_r) / n_reference + p_f * (1 - p_f) / n_focal)
        if interval == "wald":
            low, high = value - z * se, value + z * se
            cases.append((se == 0, "Every student in each group is on the same side of the "
                                   "outcome, so the Wald interval has no width; the 'newcombe' "
                                   "interval does not have this problem."))
        else:
            l_r, u_r = _wilson(successes_reference, n_reference, z)
            l_f, u_f = _wilson(successes_focal, n_focal, z)
            low = value - np.sqrt((p_r - l_r) ** 2 + (u_f - p_f) ** 2)
            high = value + np.sqrt((u_r - p_r) ** 2 + (p_f - l_f) ** 2)
    value, se, low, high = _masked(empty, value, se, low, high)
    return _Columns(value, se, low, high, np.full(size, interval, dtype=object),
                    _texts(size, cases))


def proportion_difference(successes_focal, n_focal, successes_reference, n_reference,
                          *, interval="newcombe", level=0.95):
    r"""Difference in the share of students with an outcome, reference minus focal.

    Parameters
    ----------
    successes_focal : int
        Focal-group students with the outcome (for example, proficient).
    n_focal : int
        Focal-group students.
    successes_reference : int
        Reference-group students with the outcome.
    n_reference : int
        Reference-group students.
    interval : {'newcombe', 'wald'}, optional
        ``'newcombe'`` (default): Newcombe's hybrid score interval, his
        method 10 [1]_, built from Wilson intervals [2]_; ``'wald'``: the
        simple normal interval.
    level : float, optional
        Confidence level of the interval.

    Returns
    -------
    Estimate
        ``measure="proportion_difference"``; ``value`` is a proportion
        (multiply by 100 for percentage points). ``se`` is the unpooled
        standard error for either interval.

    Raises
    ------
    ValueError, TypeError
        If a count is not a non-negative integer, successes exceed their
        group's size, ``interval`` is unknown, or ``level`` is out of range.

    See Also
    --------
    probit_gap : the same gap on the probit scale.
    risk_ratio : the ratio of the two shares.

    Notes
    -----
    With :math:`p_r = x_r/n_r` and :math:`p_f = x_f/n_f`, the gap is
    :math:`D = p_r - p_f` and

    .. math::

        SE = \sqrt{\frac{p_r(1-p_r)}{n_r} + \frac{p_f(1-p_f)}{n_f}}.

    The Wald interval is :math:`D \pm z SE`. Newcombe's method 10 takes the
    Wilson interval :math:`(l_r, u_r)`, :math:`(l_f, u_f)` of each group and
    gives

    .. math::

        \left(D - \sqrt{(p_r - l_r)^2 + (u_f - p_f)^2},\;
              D + \sqrt{(u_r - p_r)^2 + (p_f - l_f)^2}\right).

    It stays inside :math:`[-1, 1]` and keeps a sensible width at 0% and 100%,
    where the Wald interval collapses to a point. Both match
    ``statsmodels.stats.proportion.confint_proportions_2indep`` (``'newcomb'``
    and ``'wald'``, ``compare='diff'``).

    References
    ----------
    .. [1] Newcombe, R. G. (1998). Interval estimation for the difference
       between independent proportions: comparison of eleven methods.
       *Statistics in Medicine*, 17(8), 873-890.
       https://doi.org/10.1002/(SICI)1097-0258(19980430)17:8<873::AID-SIM779>3.0.CO;2-I
    .. [2] Wilson, E. B. (1927). Probable inference, the law of succession,
       and statistical inference. *Journal of the American Statistical
       Association*, 22(158), 209-212.
       https://doi.org/10.1080/01621459.1927.10502953

    Examples
    --------
    At a synthetic high school, 18 of 60 English learners and 126 of 210 other
    students met the reading standard:

    >>> from gapkit.measures import proportion_difference
    >>> est = proportion_difference(18, 60, 126, 210)
    >>> round(est.value, 3)
    0.3
    >>> round(est.ci_low, 3), round(est.ci_high, 3)
    (0.158, 0.42)
    """
    (successes_focal, n_focal, successes_reference, n_reference, interval,
     level) = _proportion_difference_iv(successes_focal, n_focal, successes_reference,
                                        n_reference, interval, level)
    columns = _proportion_difference_kernel(_one(successes_focal), _one(n_focal),
                                            _one(successes_reference), _one(n_reference),
                                            interval, level)
    return _estimate_from("proportion_difference", columns, n_focal, n_reference, level)


# ---------------------------------------------------------------------------
# Risk ratios
# ---------------------------------------------------------------------------


def _risk_ratio_kernel(successes_focal, n_focal, successes_reference, n_reference, level):
    """Katz log interval for ``(a/n_f) / (c/n_r)`` on arrays; see :func:`risk_ratio`."""
    a, n1, c, n2 = successes_focal, n_focal, successes_reference, n_reference
    size = n1.size
    empty = (n1 == 0) | (n2 == 0)
    neither = ~empty & (a == 0) & (c == 0)
    no_reference = ~empty & (c == 0)
    no_focal = ~empty & (a == 0)
    z = _z(level)
    with np.errstate(all="ignore"):
        value = (a / n1) / (c / n2)
        se = np.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
        low, high = value * np.exp(-z * se), value * np.exp(z * se)
    (value,) = _masked(empty | no_reference, value)
    se, low, high = _masked(empty | no_reference | no_focal, se, low, high)
    note = _texts(size, [
        *_empty_cases(n1, n2),
        (neither, "No student in either group has the outcome, so the ratio is not defined."),
        (no_reference, "No student in the comparison group has the outcome, so the ratio would "
                       "divide by zero."),
        (no_focal, "No student in the focal group has the outcome, so the ratio is 0 and the "
                   "log-scale interval cannot be computed."),
    ])
    return _Columns(value, se, low, high, np.full(size, "katz log", dtype=object), note)


def _risk_ratio_iv(successes_focal, n_focal, successes_reference, n_reference, level):
    out = _two_proportions_iv(successes_focal, n_focal, successes_reference, n_reference)
    return (*out, validate_level(level))


def risk_ratio(successes_focal, n_focal, successes_reference, n_reference, *, level=0.95):
    r"""Ratio of the shares of students with an outcome, focal over reference.

    Parameters
    ----------
    successes_focal : int
        Focal-group students with the outcome (for example, enrolled in
        Algebra I by grade 8, or identified for special education).
    n_focal : int
        Focal-group students.
    successes_reference : int
        Reference-group students with the outcome.
    n_reference : int
        Reference-group students.
    level : float, optional
        Confidence level of the interval.

    Returns
    -------
    Estimate
        ``measure="risk_ratio"``, ``method="katz log"``. ``se`` is the
        standard error of the **logarithm** of the ratio (the interval is
        built on that scale).

    Raises
    ------
    ValueError, TypeError
        If a count is not a non-negative integer, successes exceed their
        group's size, or ``level`` is out of range.

    See Also
    --------
    idea_risk_ratio : the IDEA significant-disproportionality calculation.
    proportion_difference : the difference of the same two shares.

    Notes
    -----
    With :math:`a` of :math:`n_f` focal and :math:`c` of :math:`n_r` reference
    students having the outcome,

    .. math::

        RR = \frac{a/n_f}{c/n_r}, \qquad
        SE_{\log RR} = \sqrt{\frac1a - \frac1{n_f} + \frac1c - \frac1{n_r}},

    and the interval is :math:`RR\,\exp(\pm z\,SE_{\log RR})` [1]_. It matches
    ``statsmodels.stats.contingency_tables.Table2x2(...).riskratio_confint()``.
    No continuity correction is applied: with no focal student having the
    outcome the ratio is 0 with no interval; with no reference student having
    it the ratio is not defined (NaN). ``note`` says which.

    References
    ----------
    .. [1] Katz, D., Baptista, J., Azen, S. P., & Pike, M. C. (1978).
       Obtaining confidence intervals for the risk ratio in cohort studies.
       *Biometrics*, 34(3), 469-474. https://doi.org/10.2307/2530610

    Examples
    --------
    In a synthetic district's grade 8, 12 of 80 English learners and 90 of 300
    other students took Algebra I:

    >>> from gapkit.measures import risk_ratio
    >>> est = risk_ratio(12, 80, 90, 300)
    >>> round(est.value, 2), round(est.ci_low, 2), round(est.ci_high, 2)
    (0.5, 0.29, 0.87)
    """
    (successes_focal, n_focal, successes_reference, n_reference,
     level) = _risk_ratio_iv(successes_focal, n_focal, successes_reference, n_reference, level)
    columns = _risk_ratio_kernel(_one(successes_focal), _one(n_focal), _one(successes_reference),
                                 _one(n_reference), level)
    return _estimate_from("risk_ratio", columns, n_focal, n_reference, level)


# ---------------------------------------------------------------------------
# The V statistic (Ho & Reardon) from counts per performance level
# ---------------------------------------------------------------------------

_SQRT2 = math.sqrt(2.0)
# A binormal V with a standard error this large (in SD units) carries no information: its
# likelihood is nearly flat because zero counts push the optimum toward the boundary.
_MAX_V_SE = 5.0


def _validate_counts(counts, name):
    """Return ``counts`` as a 1-D float array of non-negative integers."""
    if isinstance(counts, (str, bytes)) or not hasattr(counts, "__len__"):
        raise TypeError(
            f"`{name}` must be a sequence of counts per performance level, lowest level "
            f"first; got {counts!r}."
        )
    values = list(counts)
    if len(values) == 0:
        raise ValueError(f"`{name}` must list at least one performance level; got {counts!r}.")
    out = [_validate_count(v, f"{name}[{i}]") for i, v in enumerate(values)]
    return np.asarray(out, dtype=float)


def _v_statistic_iv(counts_focal, counts_reference, method, level):
    focal = _validate_counts(counts_focal, "counts_focal")
    reference = _validate_counts(counts_reference, "counts_reference")
    if focal.size != reference.size:
        raise ValueError(
            "`counts_focal` and `counts_reference` must have the same number of performance "
            f"levels; got {focal.size} and {reference.size}."
        )
    method = validate_choice(method, "method", ("binormal", "nonparametric"))
    level = validate_level(level)
    return focal, reference, method, level


def _v_nonparametric(focal, reference):
    """Return arrays ``(V, se, note)`` from the probability of superiority.

    ``focal`` and ``reference`` are 2-D (comparisons x levels); levels with no student in
    either group add nothing to any sum, so they need not be dropped.
    """
    n_f = focal.sum(axis=1, keepdims=True)
    n_r = reference.sum(axis=1, keepdims=True)
    with np.errstate(all="ignore"):
        below_f = np.cumsum(focal, axis=1) - focal        # focal students below each level
        above_r = n_r - np.cumsum(reference, axis=1)      # reference students above each level
        # Placement of each reference student among the focal group, and vice versa.
        place_r = (below_f + 0.5 * focal) / n_f
        place_f = (above_r + 0.5 * reference) / n_r
        p = (reference * place_r).sum(axis=1, keepdims=True) / n_r
        v = _SQRT2 * special.ndtri(p)
        s10 = (reference * (place_r - p) ** 2).sum(axis=1, keepdims=True) / (n_r - 1)
        s01 = (focal * (place_f - p) ** 2).sum(axis=1, keepdims=True) / (n_f - 1)
        se = _SQRT2 * np.sqrt(s10 / n_r + s01 / n_f) / _normal_pdf(special.ndtri(p))
    v, se, p, n_f, n_r = v[:, 0], se[:, 0], p[:, 0], n_f[:, 0], n_r[:, 0]
    above, below = p >= 1.0, p <= 0.0
    small = (n_f < 2) | (n_r < 2)
    (v,) = _masked(above | below, v)
    (se,) = _masked(above | below | small, se)
    note = _texts(v.size, [
        *[(mask, f"Every reference student scored {side} every focal student, so the two "
                 "groups do not overlap and the gap is unbounded.")
          for mask, side in ((above, "above"), (below, "below"))],
        (small, "A group has only one student, so there is no standard error."),
    ])
    return v, se, note


def _binormal_probs(mu, sigma, cuts):
    edges_r = np.concatenate(([-np.inf], cuts, [np.inf]))
    z = (cuts - mu) / sigma
    edges_f = np.concatenate(([-np.inf], z, [np.inf]))
    return np.diff(special.ndtr(edges_r)), np.diff(special.ndtr(edges_f)), z


def _binormal_loglik(eta, focal, reference, equal_variance):
    """Log-likelihood and its gradient in the natural parameters.

    ``eta`` is ``(mu, sigma, c_1, ..., c_{K-1})``, or ``(mu, c_1, ...)`` when
    ``equal_variance`` (sigma fixed at 1).
    """
    if equal_variance:
        mu, sigma, cuts = eta[0], 1.0, np.asarray(eta[1:])
    else:
        mu, sigma, cuts = eta[0], eta[1], np.asarray(eta[2:])
    pr_r, pr_f, z = _binormal_probs(mu, sigma, cuts)
    with np.errstate(divide="ignore", invalid="ignore"):
        if np.any(pr_r[reference > 0] <= 0) or np.any(pr_f[focal > 0] <= 0):
            return -np.inf, np.zeros_like(eta)
        loglik = float(np.sum(reference[reference > 0] * np.log(pr_r[reference > 0]))
                       + np.sum(focal[focal > 0] * np.log(pr_f[focal > 0])))
        ratio_r = np.where(reference > 0, reference / pr_r, 0.0)
        ratio_f = np.where(focal > 0, focal / pr_f, 0.0)
    g_c = _normal_pdf(cuts) * (ratio_r[:-1] - ratio_r[1:])
    g_z = _normal_pdf(z) * (ratio_f[:-1] - ratio_f[1:])
    g_c = g_c + g_z / sigma
    g_mu = -np.sum(g_z) / sigma
    if equal_variance:
        return loglik, np.concatenate(([g_mu], g_c))
    g_sigma = -np.sum(g_z * z) / sigma
    return loglik, np.concatenate(([g_mu, g_sigma], g_c))


def _binormal_fit(focal, reference, equal_variance):
    """Maximum-likelihood fit; return ``(eta, hessian)`` or ``None`` if no interior optimum."""
    k = focal.size
    cum_r = (np.cumsum(reference)[:-1] + 0.5) / (reference.sum() + 1)
    cum_f = (np.cumsum(focal)[:-1] + 0.5) / (focal.sum() + 1)
    cuts0 = special.ndtri(cum_r)
    cuts0 = cuts0[0] + np.concatenate(([0.0], np.cumsum(np.maximum(np.diff(cuts0), 1e-2))))
    zf = special.ndtri(cum_f)
    sigma0 = 1.0
    if not equal_variance and k > 2 and np.ptp(zf) > 0:
        slope = np.polyfit(zf, cuts0, 1)[0]
        sigma0 = float(np.clip(slope, 0.2, 5.0))
    mu0 = float(np.mean(cuts0 - sigma0 * zf))

    # Unconstrained parameters: mu, log sigma, c_1, log(c_2 - c_1), ...
    def to_eta(theta):
        mu = theta[0]
        rest = theta[1:] if equal_variance else theta[2:]
        cuts = rest[0] + np.concatenate(([0.0], np.cumsum(np.exp(rest[1:]))))
        if equal_variance:
            return np.concatenate(([mu], cuts))
        return np.concatenate(([mu, math.exp(theta[1])], cuts))

    def objective(theta):
        eta = to_eta(theta)
        loglik, grad = _binormal_loglik(eta, focal, reference, equal_variance)
        if not np.isfinite(loglik):
            return np.inf, np.zeros_like(theta)
        off = 1 if equal_variance else 2
        g_c = grad[off:]
        tail = np.cumsum(g_c[::-1])[::-1]            # sum of d/dc_j over j >= i
        g_theta = [grad[0]] if equal_variance else [grad[0], grad[1] * eta[1]]
        g_theta = np.concatenate((g_theta, [tail[0]], tail[1:] * np.exp(theta[off + 1:])))
        return -loglik, -g_theta

    theta0 = [mu0] if equal_variance else [mu0, math.log(sigma0)]
    theta0 = np.concatenate((theta0, [cuts0[0]], np.log(np.diff(cuts0))))
    result = optimize.minimize(objective, theta0, jac=True, method="BFGS",
                               options={"gtol": 1e-9, "maxiter": 2000})
    eta = to_eta(result.x)
    sigma = 1.0 if equal_variance else eta[1]
    cuts = eta[1:] if equal_variance else eta[2:]
    loglik, grad = _binormal_loglik(eta, focal, reference, equal_variance)
    n_total = focal.sum() + reference.sum()
    # Bounds on both groups' scales, so the decision is the same whichever group is the
    # N(0, 1) one (swapping the groups maps mu -> -mu/sigma, sigma -> 1/sigma,
    # c -> (c - mu)/sigma).
    mu = eta[0]
    interior = (np.isfinite(loglik) and abs(math.log(sigma)) < 4
                and max(abs(mu), abs(mu / sigma)) < 10
                and np.all(np.abs(cuts) < 10) and np.all(np.abs((cuts - mu) / sigma) < 10)
                and np.all(np.diff(cuts) > 1e-4)
                and np.max(np.abs(grad)) < 1e-4 * n_total)
    if not interior:
        return None
    # Observed information: minus the Jacobian of the analytic score (central differences).
    p = eta.size
    hessian = np.empty((p, p))
    for i in range(p):
        h = 1e-6 * max(1.0, abs(eta[i]))
        up, down = eta.copy(), eta.copy()
        up[i] += h
        down[i] -= h
        hessian[:, i] = (_binormal_loglik(up, focal, reference, equal_variance)[1]
                         - _binormal_loglik(down, focal, reference, equal_variance)[1]) / (2 * h)
    information = -(hessian + hessian.T) / 2
    try:
        np.linalg.cholesky(information)
    except np.linalg.LinAlgError:
        return None  # flat or saddle: the optimum is not a well-defined interior point
    return eta, information


def _v_binormal(focal, reference):
    """Return ``(V, se, method, note)`` from the binormal ML fit."""
    if np.count_nonzero(focal) < 2 or np.count_nonzero(reference) < 2:
        return None  # a group in a single level: its mean and spread are not identified
    if focal.size <= 3 and (np.any(focal == 0) or np.any(reference == 0)):
        # With 2 or 3 levels the model is saturated: it must reproduce every share exactly,
        # and a share of 0 sits at infinity on the probit scale.
        return None
    equal_variance = focal.size == 2
    fit = _binormal_fit(focal, reference, equal_variance)
    if fit is None:
        return None
    eta, information = fit
    mu = float(eta[0])
    sigma = 1.0 if equal_variance else float(eta[1])
    scale = math.sqrt((1 + sigma**2) / 2)
    v = float(-mu / scale) + 0.0
    grad = np.zeros_like(eta)
    grad[0] = -1 / scale
    if not equal_variance:
        grad[1] = mu * sigma / (2 * scale**3)
    se = math.sqrt(float(grad @ np.linalg.solve(information, grad)))
    if not se < _MAX_V_SE:
        return None  # an almost flat likelihood: the optimum drifts toward the boundary
    if equal_variance:
        return (v, se, "binormal (equal variance)",
                "With two performance levels the binormal model cannot estimate a separate "
                "spread for each group, so equal spreads were assumed (V is then the probit "
                "gap in the share above the cut score).")
    return v, se, "binormal", ""


def v_statistic(counts_focal, counts_reference, *, method="binormal", level=0.95):
    r"""Ho and Reardon's V: a standardized gap from counts per performance level.

    Parameters
    ----------
    counts_focal : sequence of int
        Focal-group students in each ordered performance level, lowest level
        first (for example, ``[levels 1, 2, 3, 4]`` of a state test).
    counts_reference : sequence of int
        Reference-group students in the same levels; same length.
    method : {'binormal', 'nonparametric'}, optional
        ``'binormal'`` (default): maximum-likelihood fit of the binormal
        (heteroskedastic ordered probit) model [1]_ [2]_; ``'nonparametric'``:
        from the probability that a reference student outscores a focal
        student [1]_.
    level : float, optional
        Confidence level of the (normal) interval.

    Returns
    -------
    Estimate
        ``measure="v_statistic"``, in standard-deviation units; ``method``
        says which estimator was used (see Notes for fallbacks).

    Raises
    ------
    ValueError, TypeError
        If a count is not a non-negative integer, the two sequences differ in
        length or are empty, ``method`` is unknown, or ``level`` is out of
        range.

    See Also
    --------
    cohens_d : the same kind of gap from means and standard deviations.
    probit_gap : V from a single cut score.

    Notes
    -----
    *Nonparametric.* With :math:`P = \Pr(X_r > X_f) + \tfrac12 \Pr(X_r = X_f)`
    for a random reference and focal student (the Mann-Whitney :math:`U`
    divided by :math:`n_f n_r`, which is also the trapezoidal area under the
    ordinal ROC curve that Ho and Reardon connect through the cumulative
    shares),

    .. math::

        V = \sqrt2\, \Phi^{-1}(P).

    Its standard error comes from the variance of :math:`P` by the structural
    components of DeLong et al. [3]_ (which handle ties by giving them half
    weight), :math:`\widehat{Var}(P) = S_{10}/n_r + S_{01}/n_f`, and the
    delta method: :math:`SE_V = \sqrt2\, SE_P / \phi(\Phi^{-1}(P))`.

    *Binormal.* The reference group's latent score is :math:`N(0, 1)`, the
    focal group's :math:`N(\mu, \sigma^2)`, and both share the cut scores
    :math:`c_1 < \dots < c_{K-1}`. The likelihood of the counts is maximised
    over :math:`(\mu, \sigma, c)` and

    .. math::

        V = \frac{-\mu}{\sqrt{(1 + \sigma^2)/2}},

    so that, as everywhere here, a positive V means the focal group is
    behind. The standard error is the delta method applied to the inverse of
    the observed information matrix (the Jacobian of the analytic score,
    differentiated numerically). With three levels the model is saturated and
    V equals the closed form from the probits of the cumulative proportions.

    Edge cases, each reported in ``note``:

    * levels with no student in either group carry no information and are
      dropped;
    * an empty group, or every student of both groups in one level: V is not
      identified (NaN);
    * two levels: the binormal model cannot separate :math:`\sigma` from the
      cut score, so equal variances (:math:`\sigma = 1`) are assumed and V is
      the probit gap in the share above the cut score (``method`` is
      ``"binormal (equal variance)"``);
    * zero counts that push the binormal optimum to the edge of the parameter
      space: the nonparametric estimate is reported instead and ``method``
      says ``"nonparametric"``. This happens when a group sits in a single
      level, when any count is zero with two or three levels (the model is
      then saturated and a share of 0 lies at infinity on the probit scale),
      or when the fit ends at extreme parameters (:math:`|\log\sigma| \ge 4`,
      a mean or cut score beyond 10 SDs on either group's scale) or with a
      standard error of V above 5;
    * groups that do not overlap at all: V is unbounded (NaN).

    References
    ----------
    .. [1] Ho, A. D., & Reardon, S. F. (2012). Estimating achievement gaps
       from test scores reported in ordinal "proficiency" categories.
       *Journal of Educational and Behavioral Statistics*, 37(4), 489-517.
       https://doi.org/10.3102/1076998611411918
    .. [2] Reardon, S. F., & Ho, A. D. (2015). Practical issues in estimating
       achievement gaps from coarsened data. *Journal of Educational and
       Behavioral Statistics*, 40(2), 158-189.
       https://doi.org/10.3102/1076998615570944
    .. [3] DeLong, E. R., DeLong, D. M., & Clarke-Pearson, D. L. (1988).
       Comparing the areas under two or more correlated receiver operating
       characteristic curves: a nonparametric approach. *Biometrics*, 44(3),
       837-845. https://doi.org/10.2307/2531595

    Examples
    --------
    A synthetic middle school publishes mathematics results in four levels.
    Of 60 English learners, 24, 20, 12 and 4 are in levels 1 to 4; of 240
    other students, 36, 60, 84 and 60.

    >>> from gapkit.measures import v_statistic
    >>> est = v_statistic([24, 20, 12, 4], [36, 60, 84, 60])
    >>> est.method, round(est.value, 2), round(est.se, 2)
    ('binormal', 0.83, 0.16)
    >>> est = v_statistic([24, 20, 12, 4], [36, 60, 84, 60], method="nonparametric")
    >>> round(est.value, 2)
    0.76
    """
    focal, reference, method, level = _v_statistic_iv(counts_focal, counts_reference, method,
                                                      level)
    return _v_statistic_one(focal, reference, method, level)


def _v_statistic_one(focal, reference, method, level):
    """V from validated 1-D float arrays of counts (one comparison)."""
    columns = _v_statistic_rows(focal[None, :], reference[None, :], method, level)
    return _estimate_from("v_statistic", columns, int(focal.sum()), int(reference.sum()), level)


def _joined(*parts):
    """Per-element notes joined by a space, leaving out empty ones (object arrays of str)."""
    out = parts[0]
    for part in parts[1:]:
        space = np.where((out != "") & (part != ""), " ", "").astype(object)
        out = out + space + part
    return out


def _v_statistic_rows(focal, reference, method, level):
    """V for each row of 2-D float counts (comparisons x levels); see :func:`v_statistic`.

    The nonparametric V is computed on all rows at once; the binormal fit runs row by row.
    """
    size = focal.shape[0]
    n_f, n_r = focal.sum(axis=1), reference.sum(axis=1)
    empty = (n_f == 0) | (n_r == 0)
    keep = (focal + reference) > 0
    dropped = ~empty & ~keep.all(axis=1)
    one_level = ~empty & (keep.sum(axis=1) == 1)
    dropped_note = np.full(size, "", dtype=object)
    if dropped.any():
        patterns, which = np.unique(keep[dropped], axis=0, return_inverse=True)
        texts = []
        for pattern in patterns:
            empty_levels = np.flatnonzero(~pattern) + 1
            label = "level" if empty_levels.size == 1 else "levels"
            listed = ", ".join(str(i) for i in empty_levels)
            texts.append(f"Levels with no students in either group were dropped ({label} "
                         f"{listed}).")
        dropped_note[dropped] = np.array(texts, dtype=object)[which.ravel()]
    v, se, note = _v_nonparametric(focal, reference)
    used = np.full(size, method, dtype=object)
    fallback = np.full(size, "", dtype=object)
    if method == "binormal":
        for i in np.flatnonzero(~empty & ~one_level):
            fitted = _v_binormal(focal[i, keep[i]], reference[i, keep[i]])
            if fitted is None:
                used[i] = "nonparametric"
                fallback[i] = ("The binormal model has no interior maximum for these counts "
                               "(zero counts leave a group's mean or spread undetermined), so "
                               "the nonparametric V is reported instead.")
            else:
                v[i], se[i], used[i], note[i] = fitted
    note = np.where(one_level, "All students of both groups are in one performance level, so "
                               "the gap is not identified.", note).astype(object)
    note = _joined(dropped_note, fallback, note)
    note = np.where(empty, _texts(size, _empty_cases(n_f, n_r)), note).astype(object)
    undefined = empty | one_level | ~np.isfinite(v)
    v, se = _masked(undefined, v, se)
    low, high = _masked(~np.isfinite(se), *_normal_interval(v, se, level))
    return _Columns(v, se, low, high, used, note)


# ---------------------------------------------------------------------------
# IDEA significant disproportionality (34 CFR 300.647)
# ---------------------------------------------------------------------------


def _idea_risk_ratio_iv(successes_focal, n_focal, successes_reference, n_reference, min_cell,
                        min_n, state_successes_reference, state_n_reference):
    out = _two_proportions_iv(successes_focal, n_focal, successes_reference, n_reference)
    min_cell = _validate_count(min_cell, "min_cell")
    min_n = _validate_count(min_n, "min_n")
    if (state_successes_reference is None) != (state_n_reference is None):
        raise ValueError(
            "`state_successes_reference` and `state_n_reference` must be given together; got "
            f"{state_successes_reference!r} and {state_n_reference!r}."
        )
    if state_n_reference is not None:
        state_n_reference = _validate_count(state_n_reference, "state_n_reference")
        state_successes_reference = _validate_successes(
            state_successes_reference, "state_successes_reference", state_n_reference,
            "state_n_reference")
    return (*out, min_cell, min_n, state_successes_reference, state_n_reference)


def idea_risk_ratio(successes_focal, n_focal, successes_reference, n_reference, *, min_cell=10,
                    min_n=30, state_successes_reference=None, state_n_reference=None):
    r"""Risk ratio as calculated for IDEA significant disproportionality.

    Follows the standard methodology of 34 CFR 300.647 [1]_ [2]_: the risk
    of an outcome (for example, identification for special education) for
    children of one group in a district (LEA), divided by the risk for all
    other children in the district (the comparison group).

    Parameters
    ----------
    successes_focal : int
        Children of the group with the outcome (the risk numerator).
    n_focal : int
        Children of the group enrolled (the risk denominator).
    successes_reference : int
        Children of the local comparison group with the outcome.
    n_reference : int
        Children of the local comparison group enrolled.
    min_cell : int, optional
        The State's minimum cell size: the fewest children with the outcome
        for a risk to be used. 10 or less is presumptively reasonable.
    min_n : int, optional
        The State's minimum n-size: the fewest children enrolled for a risk to
        be used. 30 or less is presumptively reasonable.
    state_successes_reference, state_n_reference : int, optional
        The comparison group in the whole State, used for the alternate risk
        ratio. Give both or neither.

    Returns
    -------
    Estimate
        ``measure="idea_risk_ratio"`` with ``method`` one of
        ``"risk ratio"``, ``"alternate risk ratio"`` (then ``n_reference`` is
        the State comparison group's size) or ``"not calculated"``.
        The regulation defines a point value compared with the State's
        threshold, not an interval, so ``se``, ``ci_low`` and ``ci_high`` are
        NaN; use :func:`risk_ratio` for an interval.

    Raises
    ------
    ValueError, TypeError
        If a count is not a non-negative integer, successes exceed their
        group's size, or only one of the two State counts is given.

    See Also
    --------
    risk_ratio : the same ratio with a confidence interval.

    Notes
    -----
    With risk :math:`R = x/n`, the three cases of the regulation are:

    1. the group itself is below the minimum cell size (numerator) or the
       minimum n-size (denominator): the ratio is **not calculated**
       (300.647(c));
    2. otherwise, if the local comparison group is below either minimum, the
       **alternate risk ratio** :math:`R_{group, LEA} / R_{comparison, State}`
       is used (300.647(a)(1) and (b)(5)); without State counts it is not
       calculated;
    3. otherwise the **risk ratio** :math:`R_{group, LEA} / R_{comparison, LEA}`
       (300.647(a)(6) and (b)(3)-(4)).

    A comparison group with no child having the outcome gives no ratio (NaN).
    With minimums of 0, a group with no children enrolled is not calculated
    and an empty local comparison group counts as below the minimum n-size.

    References
    ----------
    .. [1] Assistance to States for the Education of Children With
       Disabilities; Preschool Grants for Children With Disabilities, 34 CFR
       300.647, Determining significant disproportionality.
       81 Fed. Reg. 92376, 92463 (December 19, 2016).
    .. [2] U.S. Department of Education, Office of Special Education Programs
       (2017, March). *IDEA Part B regulations, significant disproportionality
       (equity in IDEA), 81 FR 92376 (December 19, 2016): essential questions
       and answers*.

    Examples
    --------
    In a synthetic district, 24 of 120 Hispanic/Latino children and 45 of 600
    other children were identified with a specific learning disability:

    >>> from gapkit.measures import idea_risk_ratio
    >>> est = idea_risk_ratio(24, 120, 45, 600)
    >>> est.method, round(est.value, 3)
    ('risk ratio', 2.667)

    In a small district whose comparison group has only 8 children with the
    outcome, the State comparison group (900 of 12000) is used instead:

    >>> est = idea_risk_ratio(24, 120, 8, 200, state_successes_reference=900,
    ...                       state_n_reference=12000)
    >>> est.method, round(est.value, 3)
    ('alternate risk ratio', 2.667)
    """
    (successes_focal, n_focal, successes_reference, n_reference, min_cell, min_n,
     state_successes, state_n) = _idea_risk_ratio_iv(
        successes_focal, n_focal, successes_reference, n_reference, min_cell, min_n,
        state_successes_reference, state_n_reference)
    return _idea_risk_ratio_one(successes_focal, n_focal, successes_reference, n_reference,
                                min_cell, min_n, state_successes, state_n)


def _idea_risk_ratio_one(successes_focal, n_focal, successes_reference, n_reference, min_cell,
                         min_n, state_successes, state_n):
    """The IDEA risk ratio from validated ``int`` counts (one comparison)."""
    measure = "idea_risk_ratio"

    def result(value, method, n_ref, note=""):
        return Estimate(measure, value, _NAN, _NAN, _NAN, n_focal, n_ref, 0.95, method, note)

    short = []
    if successes_focal < min_cell:
        short.append(f"{successes_focal} children with the outcome (minimum cell size {min_cell})")
    if n_focal < min_n:
        short.append(f"{n_focal} children enrolled (minimum n-size {min_n})")
    if short:
        return result(_NAN, "not calculated", n_reference,
                      "Not calculated: the group has " + " and ".join(short) + ".")
    if n_focal == 0:  # only reachable with a minimum n-size of 0
        return result(_NAN, "not calculated", n_reference,
                      "Not calculated: the group has no children enrolled.")
    risk = successes_focal / n_focal
    if successes_reference < min_cell or n_reference < max(min_n, 1):
        if state_n is None:
            return result(_NAN, "not calculated", n_reference,
                          "Not calculated: the comparison group in the district is below the "
                          "minimum cell size or n-size, and no State comparison group was "
                          "given for the alternate risk ratio.")
        if state_successes == 0:
            return result(_NAN, "alternate risk ratio", state_n,
                          "No child in the State comparison group has the outcome, so the "
                          "ratio would divide by zero.")
        return result(risk / (state_successes / state_n), "alternate risk ratio", state_n,
                      "The comparison group in the district is below the minimum cell size or "
                      "n-size, so the State comparison group was used.")
    if successes_reference == 0:  # only reachable with a minimum cell size of 0
        return result(_NAN, "risk ratio", n_reference,
                      "No child in the comparison group has the outcome, so the ratio would "
                      "divide by zero.")
    return result(risk / (successes_reference / n_reference), "risk ratio", n_reference)


# ---------------------------------------------------------------------------
# Probit gap
# ---------------------------------------------------------------------------


def _probit_gap_iv(p_focal, p_reference, n_focal, n_reference, level):
    p_focal = _validate_real(p_focal, "p_focal")
    p_reference = _validate_real(p_reference, "p_reference")
    for value, name in ((p_focal, "p_focal"), (p_reference, "p_reference")):
        if not 0 <= value <= 1:
            raise ValueError(f"`{name}` must be a proportion between 0 and 1; got {value}.")
    if (n_focal is None) != (n_reference is None):
        raise ValueError(
            f"`n_focal` and `n_reference` must be given together; got {n_focal!r} and "
            f"{n_reference!r}."
        )
    if n_focal is not None:
        n_focal = validate_int(n_focal, "n_focal", minimum=1)
        n_reference = validate_int(n_reference, "n_reference", minimum=1)
    level = validate_level(level)
    return p_focal, p_reference, n_focal, n_reference, level


def _probit_gap_kernel(p_focal, p_reference, n_focal, n_reference, level):
    """Probit gap on arrays (``n_focal``/``n_reference`` None: no sizes); see :func:`probit_gap`."""
    size = p_focal.size
    extreme_f = (p_focal == 0) | (p_focal == 1)
    extreme_r = (p_reference == 0) | (p_reference == 1)
    extreme = extreme_f | extreme_r
    cases = [(mask, f"The {which} share is 0% or 100%, where the probit scale is infinite, "
                    "so there is no probit gap.")
             for mask, which in ((extreme_f & extreme_r, "focal and reference"),
                                 (extreme_f, "focal"), (extreme_r, "reference"))]
    with np.errstate(all="ignore"):
        z_f, z_r = special.ndtri(p_focal), special.ndtri(p_reference)
        value = z_r - z_f
        if n_focal is None:
            method = "point"
            se = np.full(size, np.nan)
            cases.append((~extreme, "No group sizes were given, so there is no standard error."))
        else:
            method = "delta"
            se = np.sqrt(p_focal * (1 - p_focal) / (n_focal * _normal_pdf(z_f) ** 2)
                         + p_reference * (1 - p_reference)
                         / (n_reference * _normal_pdf(z_r) ** 2))
    value, se = _masked(extreme, value, se)
    low, high = _normal_interval(value, se, level)
    return _Columns(value, se, low, high, np.full(size, method, dtype=object),
                    _texts(size, cases))


def probit_gap(p_focal, p_reference, *, n_focal=None, n_reference=None, level=0.95):
    r"""Gap in the share above a cut score, on the probit (standard-normal) scale.

    Parameters
    ----------
    p_focal, p_reference : float
        Share of each group at or above the cut score (for example,
        proficient), between 0 and 1.
    n_focal, n_reference : int, optional
        Group sizes (at least 1 each, given together). Without them there is
        no standard error, and ``n_focal``/``n_reference`` of the result are 0.
    level : float, optional
        Confidence level of the (normal) interval.

    Returns
    -------
    Estimate
        ``measure="probit_gap"``, ``method="delta"`` when sizes are given,
        else ``"point"``.

    Raises
    ------
    ValueError, TypeError
        If a share is not a number between 0 and 1, only one size is given, a
        size is not a positive integer, or ``level`` is out of range.

    See Also
    --------
    v_statistic : the same idea with all performance levels.
    proportion_difference : the gap on the percentage scale.

    Notes
    -----
    If both groups' scores are normal with equal spread, the distance between
    their means in standard-deviation units is [1]_

    .. math::

        G = \Phi^{-1}(p_r) - \Phi^{-1}(p_f), \qquad
        SE_G = \sqrt{\sum_{g \in \{f, r\}} \frac{p_g (1 - p_g)}
                                            {n_g\, \phi(\Phi^{-1}(p_g))^2}}

    (delta method). It does not depend on where the cut score sits, unlike the
    difference in percentages. At 0% or 100% the probit is infinite, so the
    value is NaN with a note.

    References
    ----------
    .. [1] Ho, A. D., & Reardon, S. F. (2012). Estimating achievement gaps
       from test scores reported in ordinal "proficiency" categories.
       *Journal of Educational and Behavioral Statistics*, 37(4), 489-517.
       https://doi.org/10.3102/1076998611411918

    Examples
    --------
    At a synthetic elementary school, 30% of 50 English learners and 60% of
    150 other students are proficient in reading:

    >>> from gapkit.measures import probit_gap
    >>> est = probit_gap(0.30, 0.60, n_focal=50, n_reference=150)
    >>> round(est.value, 3), round(est.se, 3)
    (0.778, 0.213)
    """
    p_focal, p_reference, n_focal, n_reference, level = _probit_gap_iv(
        p_focal, p_reference, n_focal, n_reference, level)
    sizes = n_focal is not None
    columns = _probit_gap_kernel(_one(p_focal), _one(p_reference),
                                 _one(n_focal) if sizes else None,
                                 _one(n_reference) if sizes else None, level)
    return _estimate_from("probit_gap", columns, n_focal if sizes else 0,
                          n_reference if sizes else 0, level)


# ---------------------------------------------------------------------------
# Many comparisons at once
# ---------------------------------------------------------------------------

_MEANS_DATA = ("mean_focal", "sd_focal", "n_focal", "mean_reference", "sd_reference",
               "n_reference")
_COUNTS_DATA = ("successes_focal", "n_focal", "successes_reference", "n_reference")

#: For each measure: its data arguments, the optional ones (given together or not at all) and
#: its options.
_TABLE_ARGUMENTS = {
    "mean_difference": (_MEANS_DATA, (), ()),
    "cohens_d": (_MEANS_DATA, (), ()),
    "hedges_g": (_MEANS_DATA, (), ()),
    "proportion_difference": (_COUNTS_DATA, (), ("interval",)),
    "risk_ratio": (_COUNTS_DATA, (), ()),
    "probit_gap": (("p_focal", "p_reference"), ("n_focal", "n_reference"), ()),
    "v_statistic": (("counts_focal", "counts_reference"), (), ("method",)),
    "idea_risk_ratio": (_COUNTS_DATA, ("state_successes_reference", "state_n_reference"),
                        ("min_cell", "min_n")),
}

_TABLE_COLUMNS = ["value", "se", "ci_low", "ci_high", "method", "note"]


def _element(name, mask):
    """``name[i]`` (or ``name[i, j]``) for the first element where ``mask`` holds."""
    index = np.unravel_index(int(np.argmax(mask)), mask.shape)
    return f"{name}[{', '.join(str(int(i)) for i in index)}]"


def _float_array(values, name, ndim, kind):
    """``values`` as a float array of ``ndim`` dimensions, or raise naming the first bad element.

    ``kind`` is ``"integer"`` or ``"number"`` (the wording of the scalar functions' messages).
    """
    try:
        array = np.asarray(values)
    except ValueError:  # ragged nested sequences
        raise ValueError(f"`{name}` must be a rectangular array; got rows of different "
                         "lengths.") from None
    if array.ndim != ndim:
        shape = "1-D array" if ndim == 1 else "2-D array (comparisons x levels)"
        raise ValueError(f"`{name}` must be a {shape}; got {array.ndim} dimension(s).")
    # As in the scalar checks, a boolean passes for an integer (True is 1) but not for a number.
    if array.dtype.kind in ("iuf" + ("b" if kind == "integer" else "")):
        return array.astype(float, copy=False)
    if array.dtype.kind == "O":
        bad = np.frompyfunc(lambda v: not isinstance(v, numbers.Real)
                            or (kind != "integer" and isinstance(v, bool)), 1, 1)(array)
        bad = bad.astype(bool)
    else:  # strings, dates, complex numbers (and booleans for a number)
        bad = np.ones(array.shape, dtype=bool)
    if bad.any():
        first = array[np.unravel_index(int(np.argmax(bad)), bad.shape)]
        first = first.item() if isinstance(first, np.generic) else first
        raise TypeError(f"`{_element(name, bad)}` must be {'an' if kind == 'integer' else 'a'} "
                        f"{kind}; got {first!r}.")
    return array.astype(float)


def _check_counts(array, name, minimum=0):
    """Raise naming the first element that is not an integer of at least ``minimum``."""
    with np.errstate(invalid="ignore"):
        fraction = ~np.isfinite(array) | (array != np.floor(array))
    if fraction.any():
        value = float(array[np.unravel_index(int(np.argmax(fraction)), array.shape)])
        raise TypeError(f"`{_element(name, fraction)}` must be an integer; got {value!r}.")
    low = array < minimum
    if low.any():
        rule = "a non-negative integer" if minimum == 0 else f"an integer of at least {minimum}"
        value = int(array[np.unravel_index(int(np.argmax(low)), array.shape)])
        raise ValueError(f"`{_element(name, low)}` must be {rule}; got {value}.")


def _check_finite(array, name, allow_nan=None):
    """Raise naming the first element that is not finite (NaN allowed where ``allow_nan``)."""
    bad = ~np.isfinite(array)
    if allow_nan is not None:
        bad &= ~(np.isnan(array) & allow_nan)
    if bad.any():
        raise ValueError(f"`{_element(name, bad)}` must be finite; got {float(array[bad][0])}.")


def _check_successes(successes, name, n, n_name):
    over = successes > n
    if over.any():
        i = int(np.argmax(over))
        raise ValueError(f"`{name}[{i}]` must not exceed `{n_name}[{i}]` ({int(n[i])}); got "
                         f"{int(successes[i])}.")


def _means_table_iv(data):
    for name in ("n_focal", "n_reference"):
        _check_counts(data[name], name)
    for side in ("focal", "reference"):
        _check_finite(data[f"mean_{side}"], f"mean_{side}", allow_nan=data[f"n_{side}"] == 0)
    for side in ("focal", "reference"):
        sd, n = data[f"sd_{side}"], data[f"n_{side}"]
        _check_finite(sd, f"sd_{side}", allow_nan=n < 2)
        negative = sd < 0
        if negative.any():
            raise ValueError(f"`{_element(f'sd_{side}', negative)}` must be a non-negative "
                             f"number; got {float(sd[negative][0])}.")
    return [data[name] for name in _MEANS_DATA]


def _counts_table_iv(data):
    for name in ("n_focal", "n_reference"):
        _check_counts(data[name], name)
    for side in ("focal", "reference"):
        _check_counts(data[f"successes_{side}"], f"successes_{side}")
        _check_successes(data[f"successes_{side}"], f"successes_{side}", data[f"n_{side}"],
                         f"n_{side}")
    return [data[name] for name in _COUNTS_DATA]


def _probit_table_iv(data):
    for name in ("p_focal", "p_reference"):
        _check_finite(data[name], name)
        outside = (data[name] < 0) | (data[name] > 1)
        if outside.any():
            raise ValueError(f"`{_element(name, outside)}` must be a proportion between 0 and 1; "
                             f"got {float(data[name][outside][0])}.")
    sizes = "n_focal" in data
    if sizes:
        for name in ("n_focal", "n_reference"):
            _check_counts(data[name], name, minimum=1)
    return (data["p_focal"], data["p_reference"], data["n_focal"] if sizes else None,
            data["n_reference"] if sizes else None)


def _v_statistic_table(data, method, level):
    focal, reference = data["counts_focal"], data["counts_reference"]
    if focal.shape != reference.shape:
        raise ValueError("`counts_focal` and `counts_reference` must have the same shape "
                         f"(comparisons x levels); got {focal.shape} and {reference.shape}.")
    if focal.shape[1] == 0:
        raise ValueError("`counts_focal` must list at least one performance level; got 0 "
                         "columns.")
    _check_counts(focal, "counts_focal")
    _check_counts(reference, "counts_reference")
    method = validate_choice(method, "method", ("binormal", "nonparametric"))
    return _v_statistic_rows(focal, reference, method, level)


def _idea_table(data, min_cell, min_n):
    counts = [c.astype(np.int64) for c in _counts_table_iv(data)]
    min_cell = _validate_count(min_cell, "min_cell")
    min_n = _validate_count(min_n, "min_n")
    state = [None] * counts[0].size, [None] * counts[0].size
    if "state_n_reference" in data:
        _check_counts(data["state_n_reference"], "state_n_reference")
        _check_counts(data["state_successes_reference"], "state_successes_reference")
        _check_successes(data["state_successes_reference"], "state_successes_reference",
                         data["state_n_reference"], "state_n_reference")
        state = (data["state_successes_reference"].astype(np.int64).tolist(),
                 data["state_n_reference"].astype(np.int64).tolist())
    return [_idea_risk_ratio_one(s_f, n_f, s_r, n_r, min_cell, min_n, state_s, state_n)
            for s_f, n_f, s_r, n_r, state_s, state_n
            in zip(*(c.tolist() for c in counts), *state)]


def _estimate_table_iv(measure, level, data):
    measure = validate_choice(measure, "measure", _TABLE_ARGUMENTS)
    required, optional, options = _TABLE_ARGUMENTS[measure]
    unknown = [k for k in data if k not in (*required, *optional, *options)]
    if unknown:
        allowed = ", ".join(f"`{k}`" for k in (*required, *optional, *options))
        raise TypeError(f"`estimate_table` got unexpected keyword(s) "
                        f"{', '.join(f'`{k}`' for k in unknown)} for {measure!r}; it takes "
                        f"{allowed}.")
    missing = [k for k in required if k not in data]
    if missing:
        raise TypeError(f"`estimate_table` for {measure!r} is missing the data "
                        f"{', '.join(f'`{k}`' for k in missing)}.")
    given = [k for k in optional if k in data]
    if given and len(given) != len(optional):
        raise ValueError(f"{' and '.join(f'`{k}`' for k in optional)} must be given together; "
                         f"got only `{given[0]}`.")
    if measure == "idea_risk_ratio":
        if level != 0.95:
            raise ValueError(f"`level` does not apply to 'idea_risk_ratio' (the regulation "
                             f"defines no interval); got {level!r}.")
    else:
        level = validate_level(level)
    options = {k: data.pop(k) for k in options if k in data}
    arrays = {}
    ndim = 2 if measure == "v_statistic" else 1
    for name, values in data.items():
        kind = "number" if name.startswith(("mean_", "sd_", "p_")) else "integer"
        arrays[name] = _float_array(values, name, ndim, kind)
    first = required[0]
    for name, array in arrays.items():
        if len(array) != len(arrays[first]):
            raise ValueError(f"`{name}` has {len(array)} elements but `{first}` has "
                             f"{len(arrays[first])}; the data arrays must have equal lengths.")
    return measure, level, arrays, options


def estimate_table(measure, *, level=0.95, **data):
    r"""One measure for many comparisons at once, as a table.

    The batch form of the measure functions: element ``i`` of the result is
    exactly what the scalar function (for example :func:`mean_difference`)
    returns for element ``i`` of the inputs, computed by the same code on
    whole arrays, so a table of 70,000 cells takes milliseconds.

    Parameters
    ----------
    measure : {'mean_difference', 'cohens_d', 'hedges_g', 'proportion_difference', \
'risk_ratio', 'probit_gap', 'v_statistic', 'idea_risk_ratio'}
        Name of the measure function.
    level : float, optional
        Confidence level of the intervals (not for ``'idea_risk_ratio'``,
        which has none).
    **data : array_like
        The measure function's arguments, by name, as equal-length 1-D
        arrays (one element per comparison): ``mean_focal``, ``sd_focal``,
        ``n_focal``, ``mean_reference``, ``sd_reference``, ``n_reference`` for
        the mean-based measures; ``successes_focal``, ``n_focal``,
        ``successes_reference``, ``n_reference`` for the proportion
        measures; ``p_focal``, ``p_reference`` (and optionally ``n_focal``,
        ``n_reference``) for :func:`probit_gap`; ``counts_focal`` and
        ``counts_reference`` as 2-D arrays (comparisons x levels) for
        :func:`v_statistic`; for :func:`idea_risk_ratio` the counts and
        optionally ``state_successes_reference`` and ``state_n_reference``
        (one State comparison group per comparison). Options are passed the
        same way, as single values: ``interval`` (proportion_difference),
        ``method`` (v_statistic), ``min_cell`` and ``min_n``
        (idea_risk_ratio).

    Returns
    -------
    DataFrame
        One row per comparison (a ``RangeIndex``) with columns ``value``,
        ``se``, ``ci_low``, ``ci_high`` (floats) and ``method``, ``note``
        (strings), the fields of each :class:`Estimate`.

    Raises
    ------
    ValueError, TypeError
        An unknown measure, a missing or unexpected keyword, arrays of the
        wrong shape or unequal lengths, or an element the scalar function
        would reject; the message names the argument and the first bad
        element, as in "`n_focal[3]` must be a non-negative integer; got -1.".

    See Also
    --------
    mean_difference, cohens_d, hedges_g, proportion_difference, risk_ratio,
    probit_gap, v_statistic, idea_risk_ratio : the measures, one comparison
        at a time, with their formulas and references.

    Notes
    -----
    The closed-form measures and the nonparametric V are computed with NumPy
    on whole arrays. The binormal V (a maximum-likelihood fit, the default
    method of :func:`v_statistic`) and :func:`idea_risk_ratio` (a rule with
    per-comparison wording) are computed one comparison at a time after the
    arrays are validated; the binormal fit takes milliseconds per comparison.

    Examples
    --------
    Mathematics gaps for English learners in three grades of a synthetic
    school:

    >>> from gapkit.measures import estimate_table
    >>> table = estimate_table("mean_difference", mean_focal=[2480, 2490, 2470],
    ...                        sd_focal=[60, 55, 65], n_focal=[40, 35, 1],
    ...                        mean_reference=[2530, 2550, 2540], sd_reference=[70, 72, 68],
    ...                        n_reference=[160, 150, 155])
    >>> table["value"].tolist()
    [50.0, 60.0, 70.0]
    >>> table.loc[0, ["ci_low", "ci_high"]].astype(float).round(1).tolist()
    [28.1, 71.9]
    >>> table.loc[2, "note"]
    'A group has only one student, so there is no standard error or interval.'
    """
    measure, level, arrays, options = _estimate_table_iv(measure, level, dict(data))
    if measure in ("mean_difference", "cohens_d", "hedges_g"):
        kernel = {"mean_difference": _mean_difference_kernel, "cohens_d": _cohens_d_kernel,
                  "hedges_g": _hedges_g_kernel}[measure]
        columns = kernel(*_means_table_iv(arrays), level)
    elif measure == "proportion_difference":
        interval = validate_choice(options.get("interval", "newcombe"), "interval",
                                   ("newcombe", "wald"))
        columns = _proportion_difference_kernel(*_counts_table_iv(arrays), interval, level)
    elif measure == "risk_ratio":
        columns = _risk_ratio_kernel(*_counts_table_iv(arrays), level)
    elif measure == "probit_gap":
        columns = _probit_gap_kernel(*_probit_table_iv(arrays), level)
    elif measure == "v_statistic":
        columns = _v_statistic_table(arrays, options.get("method", "binormal"), level)
    else:
        estimates = _idea_table(arrays, options.get("min_cell", 10), options.get("min_n", 30))
        columns = [np.array([getattr(e, c) for e in estimates], dtype=dtype)
                   for c, dtype in zip(_TABLE_COLUMNS, [float] * 4 + [object] * 2)]
    return pd.DataFrame(dict(zip(_TABLE_COLUMNS, columns)))
