"""Ratios of the shares of students with an outcome: the risk ratio and the IDEA calculation.

`risk_ratio` (Katz interval) and `idea_risk_ratio` (34 CFR 300.647). Focal over reference, so a
ratio below 1 means the focal group has the outcome less often.
"""
from __future__ import annotations

import numpy as np

from gapkit._validation import check_at_most, int_like, level_like
from gapkit.measures._core import (_COUNT, _NAN, _Columns, _counts_table_iv, _empty_cases, _estimate_from,
                                   _masked, _one, _successes, _texts, _two_proportions_iv, _z, Estimate)

__all__ = ["risk_ratio", "idea_risk_ratio"]

#: The State's comparison group of `idea_risk_ratio`, optional data of `estimate_table`.
STATE_DATA = {"state_successes_reference": _COUNT, "state_n_reference": _COUNT}


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
    return (*out, level_like(level))


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

def _idea_risk_ratio_iv(successes_focal, n_focal, successes_reference, n_reference, min_cell,
                        min_enrolled, state_successes_reference, state_n_reference):
    out = _two_proportions_iv(successes_focal, n_focal, successes_reference, n_reference)
    min_cell = int_like(min_cell, "min_cell", minimum=0)
    min_enrolled = int_like(min_enrolled, "min_enrolled", minimum=0)
    if (state_successes_reference is None) != (state_n_reference is None):
        raise ValueError(
            "`state_successes_reference` and `state_n_reference` must be given together; got "
            f"{state_successes_reference!r} and {state_n_reference!r}."
        )
    if state_n_reference is not None:
        state_n_reference = int_like(state_n_reference, "state_n_reference", minimum=0)
        state_successes_reference = _successes(state_successes_reference, "state_successes_reference",
                                               state_n_reference, "state_n_reference")
    return (*out, min_cell, min_enrolled, state_successes_reference, state_n_reference)


def idea_risk_ratio(successes_focal, n_focal, successes_reference, n_reference, *, min_cell=10,
                    min_enrolled=30, state_successes_reference=None, state_n_reference=None):
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
    min_enrolled : int, optional
        The State's minimum n-size: the fewest children enrolled for a risk to
        be used. 30 or less is presumptively reasonable. (Not the privacy
        minimum of `gapkit.privacy`, which decides what may be shown.)
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
    (successes_focal, n_focal, successes_reference, n_reference, min_cell, min_enrolled,
     state_successes, state_n) = _idea_risk_ratio_iv(
        successes_focal, n_focal, successes_reference, n_reference, min_cell, min_enrolled,
        state_successes_reference, state_n_reference)
    return _idea_risk_ratio_one(successes_focal, n_focal, successes_reference, n_reference,
                                min_cell, min_enrolled, state_successes, state_n)


def _idea_risk_ratio_one(successes_focal, n_focal, successes_reference, n_reference, min_cell,
                         min_enrolled, state_successes, state_n):
    """The IDEA risk ratio from validated ``int`` counts (one comparison)."""
    measure = "idea_risk_ratio"

    def result(value, method, n_ref, note=""):
        return Estimate(measure, value, _NAN, _NAN, _NAN, n_focal, n_ref, 0.95, method, note)

    short = []
    if successes_focal < min_cell:
        short.append(f"{successes_focal} children with the outcome (minimum cell size {min_cell})")
    if n_focal < min_enrolled:
        short.append(f"{n_focal} children enrolled (minimum n-size {min_enrolled})")
    if short:
        return result(_NAN, "not calculated", n_reference,
                      "Not calculated: the group has " + " and ".join(short) + ".")
    if n_focal == 0:  # only reachable with a minimum n-size of 0
        return result(_NAN, "not calculated", n_reference,
                      "Not calculated: the group has no children enrolled.")
    risk = successes_focal / n_focal
    if successes_reference < min_cell or n_reference < max(min_enrolled, 1):
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
# Many comparisons at once (`estimate_table`)
# ---------------------------------------------------------------------------


def _risk_ratio_table(data, level):
    return _risk_ratio_kernel(*_counts_table_iv(data), level)


def _idea_risk_ratio_table(data, level, *, min_cell=10, min_enrolled=30):
    """The IDEA rule, one comparison at a time (its wording differs per comparison)."""
    counts = [c.astype(np.int64).tolist() for c in _counts_table_iv(data)]
    min_cell = int_like(min_cell, "min_cell", minimum=0)
    min_enrolled = int_like(min_enrolled, "min_enrolled", minimum=0)
    state = [None] * len(counts[0]), [None] * len(counts[0])
    if "state_n_reference" in data:
        check_at_most(data["state_successes_reference"], "state_successes_reference", data["state_n_reference"],
                "state_n_reference")
        state = [data[name].astype(np.int64).tolist() for name in STATE_DATA]
    estimates = [_idea_risk_ratio_one(*row, min_cell, min_enrolled, state_s, state_n)
                 for *row, state_s, state_n in zip(*counts, *state)]
    return _Columns(*(np.array([getattr(e, c) for e in estimates], dtype=float if i < 4 else object)
                      for i, c in enumerate(_Columns._fields)))
