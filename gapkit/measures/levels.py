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
_EQUAL_VARIANCE_NOTE = ("With two performance levels the binormal model cannot estimate a separate "
                        "spread for each group, so equal spreads were assumed (V is then the probit "
                        "gap in the share above the cut score).")


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
        return v, se, "binormal (equal variance)", _EQUAL_VARIANCE_NOTE
    return v, se, "binormal", ""


# ---------------------------------------------------------------------------
# The binormal fit on many comparisons at once (Newton's method on stacked arrays)
# ---------------------------------------------------------------------------

# Newton iterations before a comparison is handed to the scalar fit; iterations after which one
# still moving is taken to be running off to the boundary, where its likelihood is highest there
# (nearly every interior maximum is reached in fewer) or flat along V; and the box outside which
# an iterate is taken to be running off (wider than the interior tests of `_binormal_fit`, so
# nothing the scalar fit would accept is cut off).
_MAX_NEWTON = 60
_BOUNDARY_AFTER = 8
_FLAT_AFTER = 15
_OUTSIDE = 20.0  # SDs; |log sigma| beyond 6
_OUTSIDE_STEPS = 3  # iterations in a row outside the box


def _level_loglik(edges, counts):
    """Stacked log-likelihood of one group's ``counts`` (m, K) in levels cut at ``edges`` (m, K-1),
    the cut points on the group's own standard-normal scale; also the level probabilities."""
    inf = np.full((counts.shape[0], 1), np.inf)
    prob = np.diff(special.ndtr(np.concatenate((-inf, edges, inf), axis=1)), axis=1)
    return special.xlogy(counts, prob).sum(axis=1), prob  # -inf where a seen level has prob 0


def _tridiagonal(dens, weight):
    """``sum_k weight_k (d prob_k)(d prob_k)'`` in the cut points, stacked; ``dens`` is the
    normal density at the cut points (level k lies between cut points k-1 and k)."""
    m, j = dens.shape
    out = np.zeros((m, j, j))
    flat = out.reshape(m, j * j)  # a view: its diagonals are strided slices
    flat[:, ::j + 1] = dens**2 * (weight[:, :-1] + weight[:, 1:])
    flat[:, 1::j + 1] = flat[:, j::j + 1] = -dens[:, :-1] * dens[:, 1:] * weight[:, 1:-1]
    return out


def _level_parts(edges, counts, expected=False):
    """`_level_loglik` with its score and observed (or, if ``expected``, expected) information
    in ``edges``."""
    loglik, prob = _level_loglik(edges, counts)
    dens = _normal_pdf(edges)
    seen = counts > 0
    ratio = np.divide(counts, prob, out=np.zeros_like(prob), where=seen)
    score = dens * (ratio[:, :-1] - ratio[:, 1:])
    if expected:
        total = counts.sum(axis=1, keepdims=True)
        weight = np.divide(total, prob, out=np.zeros_like(prob), where=prob > 0)
        return loglik, score, _tridiagonal(dens, weight)
    information = _tridiagonal(dens, np.divide(ratio, prob, out=np.zeros_like(prob), where=seen))
    j = edges.shape[1]
    information.reshape(-1, j * j)[:, ::j + 1] += edges * score  # from the derivative of the density
    return loglik, score, information


def _binormal_loglik_rows(eta, focal, reference, equal_variance):
    """The log-likelihood of `_binormal_parts` alone."""
    off = 1 if equal_variance else 2
    cuts = eta[:, off:]
    z = (cuts - eta[:, :1]) / (1.0 if equal_variance else eta[:, 1:2])
    return _level_loglik(cuts, reference)[0] + _level_loglik(z, focal)[0]


def _binormal_parts(eta, focal, reference, equal_variance, expected=False):
    """Log-likelihood, score and observed (or, if ``expected``, expected) information at stacked
    ``eta``.

    ``eta`` rows are ``(mu, sigma, c_1, ..., c_{K-1})`` (``(mu, c_1, ...)`` with sigma = 1 when
    ``equal_variance``), as in `_binormal_loglik`.
    """
    m, p = eta.shape
    off = 1 if equal_variance else 2
    sigma = np.ones((m, 1)) if equal_variance else eta[:, 1:2]
    cuts = eta[:, off:]
    z = (cuts - eta[:, :1]) / sigma
    loglik_r, score_r, information_r = _level_parts(cuts, reference, expected)
    loglik_f, score_f, information_f = _level_parts(z, focal, expected)
    # The focal cut points z = (c - mu) / sigma: d z_j / d(mu, sigma, c_j) = (-1, -z_j, 1) / sigma.
    score = np.empty((m, p))
    score[:, 0] = -score_f.sum(axis=1) / sigma[:, 0]
    score[:, off:] = score_r + score_f / sigma
    information = np.empty((m, p, p))
    scaled = information_f / sigma[..., None] ** 2
    column = scaled.sum(axis=1)
    information[:, off:, off:] = scaled + information_r
    information[:, 0, off:] = information[:, off:, 0] = -column
    information[:, 0, 0] = column.sum(axis=1)
    if equal_variance:
        return loglik_r + loglik_f, score, information
    score[:, 1] = -(score_f * z).sum(axis=1) / sigma[:, 0]
    weighted = (scaled * z[..., None]).sum(axis=1)
    information[:, 1, off:] = information[:, off:, 1] = -weighted
    information[:, 0, 1] = information[:, 1, 0] = weighted.sum(axis=1)
    information[:, 1, 1] = (weighted * z).sum(axis=1)
    if not expected:
        # Minus sum_j score_j times the second derivatives of z_j (in mu and sigma, sigma and c_j).
        s2 = sigma**2
        information[:, 0, 1] -= score_f.sum(axis=1) / s2[:, 0]
        information[:, 1, 0] = information[:, 0, 1]
        information[:, 1, 1] -= 2.0 * (score_f * z).sum(axis=1) / s2[:, 0]
        information[:, 1, off:] += score_f / s2
        information[:, off:, 1] = information[:, 1, off:]
    return loglik_r + loglik_f, score, information


def _cholesky(matrices):
    """Stacked lower Cholesky factors of symmetric ``matrices`` and whether each is positive
    definite (the factor of one that is not means nothing)."""
    m, p, _ = matrices.shape
    low = np.zeros_like(matrices)
    ok = np.isfinite(matrices).all(axis=(1, 2))
    with np.errstate(all="ignore"):
        for j in range(p):
            row = low[:, j, :j]
            pivot = matrices[:, j, j] - (row * row).sum(axis=1)
            ok &= pivot > 0
            low[:, j, j] = root = np.sqrt(np.where(ok, pivot, 1.0))
            low[:, j + 1:, j] = (matrices[:, j + 1:, j]
                                 - (low[:, j + 1:, :j] * row[:, None, :]).sum(axis=2)) / root[:, None]
    return low, ok


def _cho_solve(low, vectors):
    """Stacked ``(low low')^-1 vectors``, from the factors of `_cholesky`."""
    p = vectors.shape[1]
    y = np.empty_like(vectors)
    for j in range(p):
        y[:, j] = (vectors[:, j] - (low[:, j, :j] * y[:, :j]).sum(axis=1)) / low[:, j, j]
    x = np.empty_like(vectors)
    for j in reversed(range(p)):
        x[:, j] = (y[:, j] - (low[:, j + 1:, j] * x[:, j + 1:]).sum(axis=1)) / low[:, j, j]
    return x


def _binormal_start(focal, reference, equal_variance):
    """Starting values of `_binormal_fit`, stacked."""
    cum_r = (np.cumsum(reference, axis=1)[:, :-1] + 0.5) / (reference.sum(axis=1, keepdims=True) + 1)
    cum_f = (np.cumsum(focal, axis=1)[:, :-1] + 0.5) / (focal.sum(axis=1, keepdims=True) + 1)
    cuts0 = special.ndtri(cum_r)
    cuts0 = cuts0[:, :1] + np.concatenate(
        (np.zeros((cuts0.shape[0], 1)), np.cumsum(np.maximum(np.diff(cuts0, axis=1), 1e-2), axis=1)),
        axis=1)
    zf = special.ndtri(cum_f)
    sigma0 = np.ones(focal.shape[0])
    if not equal_variance and focal.shape[1] > 2:
        dz = zf - zf.mean(axis=1, keepdims=True)
        spread = np.ptp(zf, axis=1) > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = (dz * (cuts0 - cuts0.mean(axis=1, keepdims=True))).sum(axis=1) / (dz**2).sum(axis=1)
        sigma0 = np.where(spread, np.clip(slope, 0.2, 5.0), 1.0)
    mu0 = (cuts0 - sigma0[:, None] * zf).mean(axis=1)
    if equal_variance:
        return np.column_stack((mu0, cuts0))
    return np.column_stack((mu0, sigma0, cuts0))


def _to_eta(theta, equal_variance):
    """Stacked natural parameters from the unconstrained ``(mu, log sigma, c_1, log(c_2 - c_1), ...)``
    of `_binormal_fit` (no ``log sigma`` when ``equal_variance``)."""
    off = 1 if equal_variance else 2
    with np.errstate(over="ignore"):
        gaps = np.exp(theta[:, off + 1:])
        cuts = np.cumsum(np.concatenate((theta[:, off:off + 1], gaps), axis=1), axis=1)
        return np.concatenate((theta[:, :1], np.exp(theta[:, 1:off]), cuts), axis=1)


def _theta_scale(theta, equal_variance):
    """The scale of ``d eta / d theta``, stacked: 1 for mu and c_1, sigma for log sigma and the gap
    for each log gap."""
    with np.errstate(over="ignore"):
        scale = np.exp(theta)
    scale[:, [0, 1 if equal_variance else 2]] = 1.0
    return scale


def _gap_sums(a, axis, off):
    """``a`` with each entry from ``off`` on along ``axis`` replaced by its sum with those after it:
    the chain rule from cut points to ``(c_1, gaps)``, as each cut point is c_1 plus the gaps
    before it."""
    a = np.moveaxis(a.copy(), axis, 0)
    for k in range(a.shape[0] - 2, off - 1, -1):
        a[k] += a[k + 1]
    return np.moveaxis(a, 0, axis)


def _to_theta(vector, theta, equal_variance, matrix=None):
    """Stacked ``J' vector`` and ``J' matrix J`` for ``J = d eta / d theta``."""
    off = 1 if equal_variance else 2
    scale = _theta_scale(theta, equal_variance)
    with np.errstate(invalid="ignore"):
        vector = _gap_sums(vector, 1, off) * scale
        if matrix is None:
            return vector
        matrix = _gap_sums(_gap_sums(matrix, 1, off), 2, off) * scale[:, :, None] * scale[:, None, :]
        return vector, matrix


def _theta_parts(theta, focal, reference, equal_variance, expected=False):
    """`_binormal_parts` in the unconstrained parameters (chain rule, exact second derivatives)."""
    loglik, score, information = _binormal_parts(_to_eta(theta, equal_variance), focal, reference,
                                                 equal_variance, expected)
    score, information = _to_theta(score, theta, equal_variance, information)
    if not expected:
        # d2 sigma / d(log sigma)^2 = sigma and d2 c_j / d(log gap_i)^2 = gap_i (i < j): the
        # score in those coordinates times -1 on the diagonal of the observed information.
        off = 1 if equal_variance else 2
        p = theta.shape[1]
        curved = np.ones(p, dtype=bool)
        curved[[0, off]] = False
        diag = np.arange(p)[curved]
        information[:, diag, diag] -= score[:, diag]
    return loglik, score, information


def _solve(matrices, vectors):
    """Stacked ``matrices^-1 vectors``: by Cholesky where positive definite, else least squares
    (NaN where not finite)."""
    low, ok = _cholesky(matrices)
    out = np.full(vectors.shape, np.nan)
    out[ok] = _cho_solve(low[ok], vectors[ok])
    finite = np.isfinite(matrices).all(axis=(1, 2)) & np.isfinite(vectors).all(axis=1)
    for i in np.flatnonzero(finite & ~ok):  # rare: indefinite or singular
        out[i] = np.linalg.lstsq(matrices[i], vectors[i], rcond=None)[0]
    return out


def _v_gradient(eta, equal_variance):
    """V = -mu / sqrt((1 + sigma^2) / 2) and its gradient in ``eta``, stacked."""
    mu = eta[:, 0]
    sigma = 1.0 if equal_variance else eta[:, 1]
    scale = np.sqrt((1 + sigma**2) / 2)
    grad = np.zeros_like(eta)
    grad[:, 0] = -1 / scale
    if not equal_variance:
        grad[:, 1] = mu * sigma / (2 * scale**3)
    return -mu / scale + 0.0, grad


def _v_variance(theta, information, equal_variance):
    """Delta-method variance of V from ``information`` in the unconstrained parameters."""
    grad = _v_gradient(_to_eta(theta, equal_variance), equal_variance)[1]
    grad = _to_theta(grad, theta, equal_variance)
    with np.errstate(all="ignore"):
        variance = np.einsum("mp,mp->m", grad, _solve(information, grad))
    return np.where(np.isfinite(variance), variance, np.inf)


def _boundary_supremum(focal, reference):
    """Per stacked comparison (three or more levels, each group in two or more): is the likelihood
    highest on the boundary?

    So it is when one group's students lie in levels a to b and the other group has none strictly
    between them: as the first group's spread shrinks to 0 on the other's scale, with its cut
    points a to b-1 closing in on one point there, every share is reproduced exactly, which no
    interior point does (there a level with no students keeps a positive probability).
    """
    out = np.zeros(focal.shape[0], dtype=bool)
    for group, other in ((focal, reference), (reference, focal)):
        seen = group > 0
        low = seen.argmax(axis=1)
        high = seen.shape[1] - 1 - seen[:, ::-1].argmax(axis=1)
        below = np.cumsum(other, axis=1)  # the other group's students up to each level
        rows = np.arange(focal.shape[0])
        out |= below[rows, high - 1] == below[rows, low]  # none in levels low+1 .. high-1
    return out


def _binormal_newton(focal, reference, equal_variance):
    """Newton's method on stacked comparisons with the same number of levels.

    Iterates in the unconstrained parameters of `_binormal_fit`, with a step halved until the
    likelihood does not fall (Fisher scoring where the observed information is not positive
    definite). Returns ``(eta, state)``: ``state`` is 1 where the iterates converged, -1 where
    they ran off toward the boundary of the parameter space (no interior maximum), 0 where
    neither happened within `_MAX_NEWTON` steps (left to the scalar fit).
    """
    off = 1 if equal_variance else 2
    start = _binormal_start(focal, reference, equal_variance)
    theta = np.column_stack((start[:, :1], np.log(start[:, 1:off]), start[:, off],
                             np.log(np.diff(start[:, off:], axis=1))))
    boundary = (np.zeros(theta.shape[0], dtype=bool) if equal_variance
                else _boundary_supremum(focal, reference))
    state = np.zeros(theta.shape[0], dtype=int)
    away = np.zeros(theta.shape[0], dtype=int)  # iterations in a row outside the box
    active = np.arange(theta.shape[0])
    for step in range(_MAX_NEWTON):
        if step >= _BOUNDARY_AFTER:
            # Still moving after several steps toward a boundary where the likelihood is highest.
            state[active[boundary[active]]] = -1
            active = active[~boundary[active]]
        if active.size == 0:
            break
        f, r, x = focal[active], reference[active], theta[active]
        if step >= _FLAT_AFTER:
            # Still moving after many steps, along a direction in which V is nearly free: the
            # likelihood is flat toward the boundary and V's standard error is already far
            # above what the interior tests accept.
            fisher = _theta_parts(x, f, r, equal_variance, expected=True)[2]
            flat = _v_variance(x, fisher, equal_variance) > (10 * _MAX_V_SE) ** 2
            state[active[flat]] = -1
            active, f, r, x = active[~flat], f[~flat], r[~flat], x[~flat]
            if active.size == 0:
                break
        loglik, score, observed = _theta_parts(x, f, r, equal_variance)
        low, newton = _cholesky(observed)
        delta = np.empty_like(x)
        delta[newton] = _cho_solve(low[newton], score[newton])
        if not newton.all():
            rest = ~newton
            fisher = _theta_parts(x[rest], f[rest], r[rest], equal_variance, expected=True)[2]
            with np.errstate(all="ignore"):
                delta[rest] = _solve(fisher, score[rest])
        delta = np.where(np.isfinite(delta), delta, 0.0)
        t = np.ones(active.size)
        new = x.copy()
        pending = np.ones(active.size, dtype=bool)
        for _ in range(40):
            idx = np.flatnonzero(pending)
            if idx.size == 0:
                break
            trial = x[idx] + t[idx, None] * delta[idx]
            eta = _to_eta(trial, equal_variance)
            with np.errstate(all="ignore"):
                ll = _binormal_loglik_rows(eta, f[idx], r[idx], equal_variance)
            good = np.isfinite(ll) & (ll >= loglik[idx] - 1e-10 * (1 + np.abs(loglik[idx])))
            new[idx[good]] = trial[good]
            pending[idx[good]] = False
            t[idx[~good]] /= 2
        theta[active] = new
        eta = _to_eta(new, equal_variance)
        z = (eta[:, off:] - eta[:, :1]) / (1.0 if equal_variance else eta[:, 1:2])
        with np.errstate(all="ignore"):
            outside = ~((np.abs(eta[:, off:]) <= _OUTSIDE).all(axis=1) & (np.abs(z) <= _OUTSIDE).all(axis=1)
                        & (np.abs(eta[:, 0]) <= _OUTSIDE) & (new[:, off + 1:] > -20).all(axis=1))
            if not equal_variance:
                outside |= ~((np.abs(new[:, 1]) <= 6) & (np.abs(eta[:, 0] / eta[:, 1]) <= _OUTSIDE))
        away[active] = np.where(outside, away[active] + 1, 0)
        outside = away[active] >= _OUTSIDE_STEPS
        moved = np.max(np.abs(t[:, None] * delta), axis=1)
        # A full Newton step this small leaves an error of the order of its square.
        small = moved < 1e-6 * (1 + np.max(np.abs(new), axis=1))
        # No step can rise at a stationary point that is not a maximum (a saddle): the interior
        # tests then reject it, as they reject the scalar fit stopped there.
        flat = np.max(np.abs(score), axis=1) < 1e-9 * (f.sum(axis=1) + r.sum(axis=1))
        done = ~outside & ((~pending & (t == 1) & small) | (pending & flat))
        state[active[done]] = 1
        state[active[outside]] = -1
        active = active[~done & ~outside & ~pending]  # any other step that cannot rise stays 0
    eta = _to_eta(theta, equal_variance)
    return eta, state


def _v_binormal_rows(focal, reference):
    """Binormal V on stacked comparisons with the same levels, all kept (no level empty in both).

    Returns ``(v, se, fitted)``: where ``fitted`` is False there is no interior maximum (the
    caller reports the nonparametric V). Decides as `_v_binormal`, which it calls for any
    comparison on which Newton's method neither converges nor runs off.
    """
    m, k = focal.shape
    v, se = np.full(m, np.nan), np.full(m, np.nan)
    fitted = np.zeros(m, dtype=bool)
    nonzero_f, nonzero_r = np.count_nonzero(focal, axis=1), np.count_nonzero(reference, axis=1)
    tried = (nonzero_f >= 2) & (nonzero_r >= 2)
    if k <= 3:  # saturated: a share of 0 lies at infinity on the probit scale
        tried &= (nonzero_f == k) & (nonzero_r == k)
    rows = np.flatnonzero(tried)
    if rows.size == 0:
        return v, se, fitted
    equal_variance = k == 2
    f, r = focal[rows], reference[rows]
    eta, state = _binormal_newton(f, r, equal_variance)
    for i in np.flatnonzero(state == 0):  # the scalar fit, the reference, decides these
        one = _v_binormal(f[i], r[i])
        if one is not None:
            v[rows[i]], se[rows[i]], fitted[rows[i]] = one[0], one[1], True
    ok = np.flatnonzero(state == 1)
    if ok.size == 0:
        return v, se, fitted
    eta, f, r, rows = eta[ok], f[ok], r[ok], rows[ok]
    _, score, observed = _binormal_parts(eta, f, r, equal_variance)
    off = 1 if equal_variance else 2
    mu = eta[:, 0]
    sigma = np.ones(ok.size) if equal_variance else eta[:, 1]
    cuts = eta[:, off:]
    z = (cuts - mu[:, None]) / sigma[:, None]
    n_total = f.sum(axis=1) + r.sum(axis=1)
    with np.errstate(all="ignore"):
        # The interior tests of `_binormal_fit`, on both groups' scales.
        interior = ((np.abs(np.log(sigma)) < 4) & (np.maximum(np.abs(mu), np.abs(mu / sigma)) < 10)
                    & (np.abs(cuts) < 10).all(axis=1) & (np.abs(z) < 10).all(axis=1)
                    & (np.diff(cuts, axis=1) > 1e-4).all(axis=1)
                    & (np.max(np.abs(score), axis=1) < 1e-4 * n_total))
        low, definite = _cholesky(observed)
        interior &= definite
        value, grad = _v_gradient(eta, equal_variance)
        error = np.full(ok.size, np.inf)
        inside = grad[interior]
        error[interior] = np.sqrt((inside * _cho_solve(low[interior], inside)).sum(axis=1))
    keep = interior & (error < _MAX_V_SE)
    v[rows[keep]], se[rows[keep]], fitted[rows[keep]] = value[keep], error[keep], True
    return v, se, fitted


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

    Both estimators work on all rows at once (the binormal fit on all rows with the same number of
    levels kept).
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
        kept = keep.sum(axis=1)
        for k in np.unique(kept[~empty & ~one_level]):
            rows = np.flatnonzero(~empty & ~one_level & (kept == k))
            columns = np.nonzero(keep[rows])[1].reshape(rows.size, k)  # the kept levels, in order
            fit_v, fit_se, fitted = _v_binormal_rows(np.take_along_axis(focal[rows], columns, 1),
                                                     np.take_along_axis(reference[rows], columns, 1))
            done, missed = rows[fitted], rows[~fitted]
            v[done], se[done] = fit_v[fitted], fit_se[fitted]
            used[done] = "binormal (equal variance)" if k == 2 else "binormal"
            note[done] = _EQUAL_VARIANCE_NOTE if k == 2 else ""
            used[missed] = "nonparametric"
            fallback[missed] = ("The binormal model has no interior maximum for these counts "
                                "(zero counts leave a group's mean or spread undetermined), so "
                                "the nonparametric V is reported instead.")
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
