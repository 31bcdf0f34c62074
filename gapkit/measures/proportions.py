"""Gaps in the share of students with an outcome: the difference in proportions and the probit gap.

`proportion_difference` (Newcombe or Wald interval) from counts of students with the outcome, and
`probit_gap` from the two shares on the standard-normal scale. Reference minus focal.
"""
from __future__ import annotations

import numpy as np
from scipy import special

from gapkit._validation import check_proportions, int_like, level_like, one_of, proportion_like
from gapkit.measures._core import (_NUMBER, Arg, _Columns, _counts_table_iv, _empty_cases,
                                   _estimate_from, _masked, _normal_interval, _normal_pdf, _one, _texts,
                                   _two_proportions_iv, _z)

__all__ = ["proportion_difference", "probit_gap"]

#: Intervals of `proportion_difference`.
INTERVALS = ("newcombe", "wald")
#: The data of `probit_gap` in `estimate_table`: the shares, and optionally both group sizes.
SHARES_DATA = {"p_focal": _NUMBER, "p_reference": _NUMBER}
SIZES_DATA = {"n_focal": Arg("integer", 1), "n_reference": Arg("integer", 1)}


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
    interval = one_of(interval, "interval", INTERVALS)
    level = level_like(level)
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

def _probit_gap_iv(p_focal, p_reference, n_focal, n_reference, level):
    p_focal = proportion_like(p_focal, "p_focal")
    p_reference = proportion_like(p_reference, "p_reference")
    if (n_focal is None) != (n_reference is None):
        raise ValueError(
            f"`n_focal` and `n_reference` must be given together; got {n_focal!r} and "
            f"{n_reference!r}."
        )
    if n_focal is not None:
        n_focal = int_like(n_focal, "n_focal", minimum=1)
        n_reference = int_like(n_reference, "n_reference", minimum=1)
    level = level_like(level)
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
# Many comparisons at once (`estimate_table`)
# ---------------------------------------------------------------------------


def _proportion_difference_table(data, level, *, interval="newcombe"):
    interval = one_of(interval, "interval", INTERVALS)
    return _proportion_difference_kernel(*_counts_table_iv(data), interval, level)


def _probit_gap_table(data, level):
    for name in SHARES_DATA:
        check_proportions(data[name], name)
    sizes = "n_focal" in data
    return _probit_gap_kernel(data["p_focal"], data["p_reference"], data["n_focal"] if sizes else None,
                              data["n_reference"] if sizes else None, level)
