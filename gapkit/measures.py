"""Gap measures computed from per-group summary statistics.

Every function here is pure: it takes the sufficient statistics of two groups
(means, standard deviations and sizes; counts with an outcome; counts per
performance level) and returns an :class:`Estimate`. Nothing is read, written
or printed.

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

import numpy as np
from scipy import optimize, special, stats

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


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _validate_count(value, name):
    """Return ``value`` as a non-negative ``int`` or raise naming ``name``."""
    rule = f"`{name}` must be a non-negative integer; got {value!r}."
    if not _is_real(value):
        raise TypeError(rule)
    if not math.isfinite(value) or value < 0 or value != int(value):
        raise ValueError(rule)
    return int(value)


def _validate_real(value, name, *, allow_nan=False):
    """Return ``value`` as a finite ``float`` (or NaN if allowed)."""
    rule = f"`{name}` must be a finite number; got {value!r}."
    if not _is_real(value):
        raise TypeError(rule)
    value = float(value)
    if math.isnan(value) and allow_nan:
        return value
    if not math.isfinite(value):
        raise ValueError(rule)
    return value


def _validate_sd(value, name, *, allow_nan=False):
    value = _validate_real(value, name, allow_nan=allow_nan)
    if value < 0:
        raise ValueError(f"`{name}` must be a non-negative finite number; got {value!r}.")
    return value


def _validate_level(level):
    rule = f"`level` must be a number strictly between 0 and 1; got {level!r}."
    if not _is_real(level):
        raise TypeError(rule)
    if not 0 < level < 1:
        raise ValueError(rule)
    return float(level)


def _validate_option(value, name, options):
    allowed = ", ".join(repr(o) for o in options)
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"`{name}` ({value!r}) not recognized; must be one of {allowed}.")
    return value


def _validate_successes(successes, successes_name, n, n_name):
    successes = _validate_count(successes, successes_name)
    if successes > n:
        raise ValueError(
            f"`{successes_name}` must not exceed `{n_name}` ({n}); got {successes}."
        )
    return successes


def _z(level):
    return float(stats.norm.ppf(0.5 + level / 2))


def _nan_estimate(measure, n_focal, n_reference, level, method, note):
    return Estimate(measure, _NAN, _NAN, _NAN, _NAN, n_focal, n_reference, level, method, note)


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
    level = _validate_level(level)
    return mean_focal, sd_focal, n_focal, mean_reference, sd_reference, n_reference, level


def _empty_group_note(n_focal, n_reference):
    if n_focal == 0 and n_reference == 0:
        return "Both groups are empty, so there is no gap to estimate."
    if n_focal == 0:
        return "The focal group is empty, so there is no gap to estimate."
    if n_reference == 0:
        return "The reference group is empty, so there is no gap to estimate."
    return ""


def _mean_difference_iv(mean_focal, sd_focal, n_focal, mean_reference, sd_reference,
                        n_reference, level):
    return _group_stats_iv(mean_focal, sd_focal, n_focal, mean_reference, sd_reference,
                           n_reference, level)


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
    measure = "mean_difference"
    empty = _empty_group_note(n_focal, n_reference)
    if empty:
        return _nan_estimate(measure, n_focal, n_reference, level, "welch", empty)
    value = mean_reference - mean_focal
    if n_focal < 2 or n_reference < 2:
        return Estimate(measure, value, _NAN, _NAN, _NAN, n_focal, n_reference, level, "welch",
                        "A group has only one student, so there is no standard error "
                        "or interval.")
    v_f = sd_focal**2 / n_focal
    v_r = sd_reference**2 / n_reference
    se = math.sqrt(v_f + v_r)
    if se == 0:
        return Estimate(measure, value, 0.0, _NAN, _NAN, n_focal, n_reference, level, "welch",
                        "Neither group has any spread in scores, so there is no interval.")
    df = (v_f + v_r) ** 2 / (v_f**2 / (n_focal - 1) + v_r**2 / (n_reference - 1))
    half = float(stats.t.ppf(0.5 + level / 2, df)) * se
    return Estimate(measure, value, se, value - half, value + half, n_focal, n_reference, level,
                    "welch")


# ---------------------------------------------------------------------------
# Standardized mean differences
# ---------------------------------------------------------------------------


def _pooled_sd(sd_focal, n_focal, sd_reference, n_reference):
    df = n_focal + n_reference - 2
    return math.sqrt(((n_focal - 1) * sd_focal**2 + (n_reference - 1) * sd_reference**2) / df)


def _standardized(measure, mean_focal, sd_focal, n_focal, mean_reference, sd_reference,
                  n_reference, level):
    """Return ``(d, se_d, note)``; ``d`` is NaN with a note when undefined."""
    empty = _empty_group_note(n_focal, n_reference)
    if empty:
        return _NAN, _NAN, empty
    if n_focal + n_reference < 3:
        return _NAN, _NAN, ("With one student in each group there is no pooled standard "
                            "deviation to scale the gap by.")
    # A group of one contributes no spread (weight n - 1 = 0); its NaN SD is harmless.
    sd_f = 0.0 if n_focal < 2 else sd_focal
    sd_r = 0.0 if n_reference < 2 else sd_reference
    sp = _pooled_sd(sd_f, n_focal, sd_r, n_reference)
    if sp == 0:
        return _NAN, _NAN, ("Neither group has any spread in scores, so the gap cannot be "
                            "put in standard-deviation units.")
    d = (mean_reference - mean_focal) / sp
    n_sum = n_focal + n_reference
    se = math.sqrt(n_sum / (n_focal * n_reference) + d**2 / (2 * n_sum))
    return d, se, ""


def _cohens_d_iv(mean_focal, sd_focal, n_focal, mean_reference, sd_reference, n_reference,
                 level):
    return _group_stats_iv(mean_focal, sd_focal, n_focal, mean_reference, sd_reference,
                           n_reference, level)


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
    d, se, note = _standardized("cohens_d", mean_focal, sd_focal, n_focal, mean_reference,
                                sd_reference, n_reference, level)
    if math.isnan(d):
        return _nan_estimate("cohens_d", n_focal, n_reference, level, "pooled sd", note)
    half = _z(level) * se
    return Estimate("cohens_d", d, se, d - half, d + half, n_focal, n_reference, level,
                    "pooled sd")


def _hedges_j(df):
    """Exact small-sample correction factor J(df) of Hedges (1981), via log-gamma."""
    return math.exp(special.gammaln(df / 2) - 0.5 * math.log(df / 2)
                    - special.gammaln((df - 1) / 2))


def _hedges_g_iv(mean_focal, sd_focal, n_focal, mean_reference, sd_reference, n_reference,
                 level):
    return _group_stats_iv(mean_focal, sd_focal, n_focal, mean_reference, sd_reference,
                           n_reference, level)


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
    Borenstein et al. [3]_ (equation 4.22) use the approximation
    :math:`J \approx 1 - 3/(4\nu - 1)`, which agrees with the exact factor to
    within 0.0001 once :math:`\nu \ge 10`; the exact factor is the one used by
    the R package ``effectsize`` (``hedges_g``) and by ``pingouin``
    (``compute_effsize``, which however uses the approximation), so small-group
    results here can differ from the latter in the fourth decimal.
    At least two students in total beyond one per group are needed
    (:math:`\nu \ge 2`).

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
    method = "exact J"
    d, se_d, note = _standardized("hedges_g", mean_focal, sd_focal, n_focal, mean_reference,
                                  sd_reference, n_reference, level)
    if math.isnan(d):
        return _nan_estimate("hedges_g", n_focal, n_reference, level, method, note)
    df = n_focal + n_reference - 2
    if df < 2:
        return _nan_estimate("hedges_g", n_focal, n_reference, level, method,
                             "With only three students in all, the small-sample correction "
                             "is not defined.")
    j = _hedges_j(df)
    g, se = j * d, j * se_d
    half = _z(level) * se
    return Estimate("hedges_g", g, se, g - half, g + half, n_focal, n_reference, level, method)


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
    """Wilson (1927) score interval for one proportion."""
    p = successes / n
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _proportion_difference_iv(successes_focal, n_focal, successes_reference, n_reference,
                              interval, level):
    out = _two_proportions_iv(successes_focal, n_focal, successes_reference, n_reference)
    interval = _validate_option(interval, "interval", ("newcombe", "wald"))
    level = _validate_level(level)
    return (*out, interval, level)


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
    measure = "proportion_difference"
    empty = _empty_group_note(n_focal, n_reference)
    if empty:
        return _nan_estimate(measure, n_focal, n_reference, level, interval, empty)
    p_f = successes_focal / n_focal
    p_r = successes_reference / n_reference
    value = p_r - p_f
    se = math.sqrt(p_r * (1 - p_r) / n_reference + p_f * (1 - p_f) / n_focal)
    z = _z(level)
    note = ""
    if interval == "wald":
        low, high = value - z * se, value + z * se
        if se == 0:
            note = ("Every student in each group is on the same side of the outcome, so the "
                    "Wald interval has no width; the 'newcombe' interval does not have this "
                    "problem.")
    else:
        l_r, u_r = _wilson(successes_reference, n_reference, z)
        l_f, u_f = _wilson(successes_focal, n_focal, z)
        low = value - math.sqrt((p_r - l_r) ** 2 + (u_f - p_f) ** 2)
        high = value + math.sqrt((u_r - p_r) ** 2 + (p_f - l_f) ** 2)
    return Estimate(measure, value, se, low, high, n_focal, n_reference, level, interval, note)


# ---------------------------------------------------------------------------
# Risk ratios
# ---------------------------------------------------------------------------


def _risk_ratio_core(a, n1, c, n2, z):
    """Return ``(value, se_log, low, high, note)`` for ``(a/n1) / (c/n2)``."""
    if a == 0 and c == 0:
        return (_NAN, _NAN, _NAN, _NAN,
                "No student in either group has the outcome, so the ratio is not defined.")
    if c == 0:
        return (_NAN, _NAN, _NAN, _NAN,
                "No student in the comparison group has the outcome, so the ratio would "
                "divide by zero.")
    value = (a / n1) / (c / n2)
    if a == 0:
        return (value, _NAN, _NAN, _NAN,
                "No student in the focal group has the outcome, so the ratio is 0 and the "
                "log-scale interval cannot be computed.")
    se = math.sqrt(1 / a - 1 / n1 + 1 / c - 1 / n2)
    return value, se, value * math.exp(-z * se), value * math.exp(z * se), ""


def _risk_ratio_iv(successes_focal, n_focal, successes_reference, n_reference, level):
    out = _two_proportions_iv(successes_focal, n_focal, successes_reference, n_reference)
    return (*out, _validate_level(level))


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
    measure, method = "risk_ratio", "katz log"
    empty = _empty_group_note(n_focal, n_reference)
    if empty:
        return _nan_estimate(measure, n_focal, n_reference, level, method, empty)
    value, se, low, high, note = _risk_ratio_core(successes_focal, n_focal,
                                                  successes_reference, n_reference, _z(level))
    return Estimate(measure, value, se, low, high, n_focal, n_reference, level, method, note)
