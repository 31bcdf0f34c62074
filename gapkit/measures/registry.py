"""The registry of gap measures: one entry per measure, which every other part of gapkit reads.

An entry says what the measure computes from (its data and options), how the batch path computes
it, what a summary must hold for `gapkit.gap_table` to offer it, whether it is a gap (reference
minus focal, no difference at 0) or a ratio (focal over reference, no difference at 1), and how views
name and format it. `gapkit.tables`, `gapkit.trends`, `gapkit.views`, the lesson widgets and the
course content read `MEASURES`; none keeps a list of its own.

Adding a measure: write its scalar function, kernel and ``_<name>_table`` in its family's file
(`means`, `proportions`, `levels`, `risk`; the family's ``__all__`` makes it public as
``gapkit.<name>``), add its entry here, and test it in ``tests/test_measures.py`` (against an
independent computation) and ``tests/test_measures_arrays.py`` (its batch path against its scalar
function on random and edge-case rows; ``TestRegistry`` there checks every entry, and needs an
example value for any new argument name).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from gapkit._validation import array_like, level_like, one_of
from gapkit.measures import levels, means, proportions, risk
from gapkit.measures._core import COUNTS_DATA, _Columns

__all__ = ["Measure", "Words", "MEASURES", "EXPLORE", "estimate_table"]


@dataclass(frozen=True)
class Words:
    """How views name and format a measure for people."""

    name: str           # "percent proficient"
    unit: str           # "percentage points"
    scale: float = 1.0  # multiply the estimate by this to show it
    digits: int = 2     # decimals of the value shown
    values: str = ""    # each group's own value beside the gap: "percent", "mean" or "" (not shown)


@dataclass(frozen=True)
class Measure:
    """One gap measure: what it needs, how it is computed, how it is worded.

    Attributes
    ----------
    name : str
        The measure's name, also the name of its function in `gapkit.measures`.
    function : callable
        The measure for one comparison (returns an `Estimate`).
    table : callable
        ``table(arrays, level, **options) -> columns``: the same measure on arrays of comparisons,
        after `estimate_table` has checked each array's elements (`data`, `optional`).
    data, optional : mapping of str to Arg
        The data arguments of `estimate_table` and the kind of each element; `optional` ones are
        given together or not at all.
    options : tuple of str
        Options of `estimate_table` (single values; their defaults are the function's).
    needs : {'means', 'proportions', 'levels', None}
        What a `gapkit.Summary` must hold for `gapkit.gap_table` to compute it (means and standard
        deviations; counts with an outcome or performance levels; counts in two or more levels).
        None: not offered by gap tables.
    ratio : bool
        Focal over reference (no difference is 1); otherwise a gap, reference minus focal (0).
    interval : bool
        Whether it has a confidence interval (and `estimate_table` a ``level``).
    default : bool
        Among `gapkit.gap_table`'s default measures.
    words : Words or None
        How views name and format it (None: not shown in views).
    explore : str
        Its name in lesson ``explore`` presets and the gap explorer ("" when not offered there).
    """

    name: str
    function: Callable
    table: Callable[..., _Columns]
    data: Mapping
    optional: Mapping = field(default_factory=dict)
    options: tuple = ()
    needs: str | None = None
    ratio: bool = False
    interval: bool = True
    default: bool = False
    words: Words | None = None
    explore: str = ""

    @property
    def null(self) -> float:
        """The value of no difference: 1 for a ratio, 0 for a gap."""
        return 1.0 if self.ratio else 0.0


_SD_UNITS = "standard deviations"

#: Every measure, by name. The order is the order of `gapkit.gap_table`'s default measures and of
#: the gap explorer's list.
MEASURES = {m.name: m for m in (
    Measure("proportion_difference", proportions.proportion_difference, proportions._proportion_difference_table,
            COUNTS_DATA, options=("interval",), needs="proportions", default=True,
            words=Words("percent proficient", "percentage points", 100.0, 0, "percent"),
            explore="percent_proficient"),
    Measure("mean_difference", means.mean_difference, means._mean_difference_table, means.MEANS_DATA,
            needs="means", default=True, words=Words("mean scale score", "scale-score points", 1.0, 0, "mean"),
            explore="mean_scale"),
    Measure("hedges_g", means.hedges_g, means._hedges_g_table, means.MEANS_DATA, needs="means", default=True,
            words=Words("standardized gap (Hedges' g)", _SD_UNITS), explore="standardized"),
    Measure("v_statistic", levels.v_statistic, levels._v_statistic_table, levels.LEVELS_DATA,
            options=("method",), needs="levels", default=True,
            words=Words("V statistic (gap across all performance levels)", _SD_UNITS), explore="v_statistic"),
    Measure("cohens_d", means.cohens_d, means._cohens_d_table, means.MEANS_DATA, needs="means",
            words=Words("standardized gap (Cohen's d)", _SD_UNITS)),
    Measure("probit_gap", proportions.probit_gap, proportions._probit_gap_table, proportions.SHARES_DATA,
            optional=proportions.SIZES_DATA, needs="proportions", words=Words("probit gap", _SD_UNITS)),
    Measure("risk_ratio", risk.risk_ratio, risk._risk_ratio_table, COUNTS_DATA, needs="proportions", ratio=True,
            words=Words("rate ratio (focal over reference)", "times the reference rate")),
    Measure("idea_risk_ratio", risk.idea_risk_ratio, risk._idea_risk_ratio_table, COUNTS_DATA,
            optional=risk.STATE_DATA, options=("min_cell", "min_enrolled"), ratio=True, interval=False),
)}

#: The measures of lesson ``explore`` presets and the gap explorer, by their name there.
EXPLORE = {m.explore: m for m in MEASURES.values() if m.explore}

_TABLE_COLUMNS = list(_Columns._fields)


def _estimate_table_iv(measure, level, data):
    entry = MEASURES[one_of(measure, "measure", MEASURES)]
    required, optional = entry.data, entry.optional
    unknown = [k for k in data if k not in (*required, *optional, *entry.options)]
    if unknown:
        allowed = ", ".join(f"`{k}`" for k in (*required, *optional, *entry.options))
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
    if not entry.interval:
        if level != 0.95:
            raise ValueError(f"`level` does not apply to {measure!r} (the regulation "
                             f"defines no interval); got {level!r}.")
    else:
        level = level_like(level)
    options = {k: data.pop(k) for k in entry.options if k in data}
    specs = {**required, **optional}
    arrays = {name: array_like(values, name, ndim=specs[name].ndim, kind=specs[name].kind,
                          minimum=specs[name].minimum) for name, values in data.items()}
    first = next(iter(required))
    for name, values in arrays.items():
        if len(values) != len(arrays[first]):
            raise ValueError(f"`{name}` has {len(values)} elements but `{first}` has "
                             f"{len(arrays[first])}; the data arrays must have equal lengths.")
    return entry, level, arrays, options


def estimate_table(measure, *, level=0.95, **data):
    r"""One measure for many comparisons at once, as a table.

    The batch form of the measure functions: element ``i`` of the result is
    exactly what the scalar function (for example :func:`mean_difference`)
    returns for element ``i`` of the inputs, computed by the same code on
    whole arrays, so a table of 70,000 cells takes milliseconds.

    Parameters
    ----------
    measure : str
        Name of the measure function: a key of `MEASURES`.
    level : float, optional
        Confidence level of the intervals (not for ``'idea_risk_ratio'``,
        which has none).
    **data : array_like
        The measure function's arguments, by name, as equal-length 1-D
        arrays (one element per comparison), for example ``mean_focal``, ``sd_focal``,
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
        ``method`` (v_statistic), ``min_cell`` and ``min_enrolled``
        (idea_risk_ratio). `MEASURES` lists each measure's data and options.

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
    return pd.DataFrame(dict(zip(_TABLE_COLUMNS, estimate_columns(measure, level=level, **data))))


def estimate_columns(measure, *, level=0.95, **data) -> _Columns:
    """`estimate_table` as arrays (``value``, ``se``, ``ci_low``, ``ci_high``, ``method``, ``note``), not a frame."""
    entry, level, arrays, options = _estimate_table_iv(measure, level, dict(data))
    return entry.table(arrays, level, **options)
