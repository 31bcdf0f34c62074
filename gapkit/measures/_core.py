"""What every measure shares: the result object, the kernels' array helpers and the input checks.

Each closed-form measure has one NumPy kernel, computed on arrays: its scalar function validates
its arguments and calls the kernel with arrays of length one, and `estimate_table` validates whole
arrays and calls the same kernel (see `gapkit.measures.registry`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy import special

from gapkit._validation import check_at_most, int_like

_NAN = float("nan")


@dataclass(frozen=True)
class Estimate:
    """One gap measure for one comparison, with its uncertainty.

    Attributes
    ----------
    measure : str
        Name of the measure: its key in `gapkit.measures.MEASURES` and the
        name of its function (e.g. ``"hedges_g"``).
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
# Kernels: each element of an array is one comparison.
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


def _z(level):
    # scipy.special's quantile functions: the same values as scipy.stats' distributions, without
    # their per-call argument handling, which dominated gap tables with many cells.
    return float(special.ndtri(0.5 + level / 2))


def _normal_pdf(x):
    return np.exp(-0.5 * np.square(x)) / math.sqrt(2 * math.pi)

_EMPTY_NOTES = {
    "both": "Both groups are empty, so there is no gap to estimate.",
    "focal": "The focal group is empty, so there is no gap to estimate.",
    "reference": "The reference group is empty, so there is no gap to estimate.",
}


def _empty_cases(n_focal, n_reference):
    """(mask, note) pairs for empty groups, both first."""
    focal, reference = n_focal == 0, n_reference == 0
    return [(focal & reference, _EMPTY_NOTES["both"]), (focal, _EMPTY_NOTES["focal"]),
            (reference, _EMPTY_NOTES["reference"])]


def _masked(mask, *arrays):
    """Each array with NaN where ``mask`` holds."""
    return [np.where(mask, np.nan, a) for a in arrays]


def _normal_interval(value, se, level):
    """``value -/+ z se`` at ``level`` (NaN where ``value`` is NaN)."""
    half = _z(level) * se
    return value - half, value + half


# ---------------------------------------------------------------------------
# Input checks shared by the families (each calls `gapkit._validation`)
# ---------------------------------------------------------------------------


class Arg(NamedTuple):
    """A data argument of `estimate_table`: its kind of element, its minimum and its dimensions."""

    kind: str  # "integer" or "number"
    minimum: int | None = None
    ndim: int = 1


_COUNT, _NUMBER = Arg("integer", 0), Arg("number")


def _successes(successes, successes_name, n, n_name):
    """A count of students with the outcome: a non-negative integer of at most the group's size."""
    successes = int_like(successes, successes_name, minimum=0)
    if successes > n:
        raise ValueError(f"`{successes_name}` must not exceed `{n_name}` ({n}); got {successes}.")
    return successes


def _two_proportions_iv(successes_focal, n_focal, successes_reference, n_reference):
    n_focal = int_like(n_focal, "n_focal", minimum=0)
    n_reference = int_like(n_reference, "n_reference", minimum=0)
    successes_focal = _successes(successes_focal, "successes_focal", n_focal, "n_focal")
    successes_reference = _successes(successes_reference, "successes_reference", n_reference, "n_reference")
    return successes_focal, n_focal, successes_reference, n_reference


#: Data of the measures of two shares: students with the outcome, and students, per group.
COUNTS_DATA = {"successes_focal": _COUNT, "n_focal": _COUNT, "successes_reference": _COUNT, "n_reference": _COUNT}


def _counts_table_iv(data):
    """The four count arrays of `COUNTS_DATA`, once no group has more successes than students."""
    for side in ("focal", "reference"):
        check_at_most(data[f"successes_{side}"], f"successes_{side}", data[f"n_{side}"], f"n_{side}")
    return [data[name] for name in COUNTS_DATA]
