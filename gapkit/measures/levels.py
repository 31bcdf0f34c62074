"""Gaps from counts per performance level: Ho and Reardon's V statistic.

`v_statistic` needs only the number of students of each group in each ordered performance level (a
state's published results), binormal (maximum likelihood) or nonparametric. In standard-deviation
units, positive when the focal group is behind.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special

from gapkit._validation import array_like, level_like, one_of
from gapkit.measures._core import (Arg, _Columns, _empty_cases, _estimate_from, _masked, _normal_interval,
                                   _normal_pdf, _texts)

__all__ = ["v_statistic"]

#: Estimators of `v_statistic`.
METHODS = ("binormal", "nonparametric")
#: The data of `v_statistic` in `estimate_table`: counts per level, comparisons x levels.
LEVELS_DATA = {"counts_focal": Arg("integer", 0, ndim=2), "counts_reference": Arg("integer", 0, ndim=2)}

_SQRT2 = math.sqrt(2.0)
# A binormal V with a standard error this large (in SD units) carries no information: its
# likelihood is nearly flat because zero counts push the optimum toward the boundary.
_MAX_V_SE = 5.0


def _counts_per_level(counts, name):
    """Return ``counts`` as a 1-D float array of non-negative integers."""
    if isinstance(counts, (str, bytes)) or not hasattr(counts, "__len__"):
        raise TypeError(
            f"`{name}` must be a sequence of counts per performance level, lowest level "
            f"first; got {counts!r}."
        )
    values = list(counts)
    if len(values) == 0:
        raise ValueError(f"`{name}` must list at least one performance level; got {counts!r}.")
    return array_like(values, name, kind="integer", minimum=0)


def _v_statistic_iv(counts_focal, counts_reference, method, level):
    focal = _counts_per_level(counts_focal, "counts_focal")
    reference = _counts_per_level(counts_reference, "counts_reference")
    if focal.size != reference.size:
        raise ValueError(
            "`counts_focal` and `counts_reference` must have the same number of performance "
            f"levels; got {focal.size} and {reference.size}."
        )
    method = one_of(method, "method", METHODS)
    level = level_like(level)
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
# Many comparisons at once (`estimate_table`)
# ---------------------------------------------------------------------------


def _v_statistic_table(data, level, *, method="binormal"):
    focal, reference = data["counts_focal"], data["counts_reference"]
    if focal.shape != reference.shape:
        raise ValueError("`counts_focal` and `counts_reference` must have the same shape "
                         f"(comparisons x levels); got {focal.shape} and {reference.shape}.")
    if focal.shape[1] == 0:
        raise ValueError("`counts_focal` must list at least one performance level; got 0 columns.")
    method = one_of(method, "method", METHODS)
    return _v_statistic_rows(focal, reference, method, level)
