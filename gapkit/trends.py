"""How gaps changed between periods, and which group moved.

Stage after :mod:`gapkit.tables` and before the views. :func:`gap_trend` reads only rows that a
gap table already shows:
a change is computed from two shown cells, so it reveals nothing the gap table hides, and
a hidden cell at either end hides the change.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from ._validation import frame_like, level_like, one_of
from .measures import MEASURES
from .tables import COLUMNS as GAP_COLUMNS

__all__ = ["gap_trend", "TREND_COLUMNS"]

_REQUIRED = ("measure", "focal", "reference", "estimate", "se", "value_focal",
             "value_reference", "suppressed", "reason")

#: Columns of a trend table after its cell columns (``<period>_from``/``_to`` are named
#: after the period column; the cohort view adds ``grade_from`` and ``grade_to``).
TREND_COLUMNS = ("measure", "focal", "reference", "gap_from", "gap_to", "change", "se",
                 "ci_low", "ci_high", "change_focal", "change_reference", "label",
                 "suppressed", "reason")

NO_CHANGE = "no change beyond the uncertainty"

#: The views of `gap_trend`.
VIEWS = ("cross-sectional", "cohort")


def gap_trend(table, *, period="year", view="cross-sectional", level=0.95, total_label="All"):
    r"""Change of each gap between successive periods, split into the two groups' changes.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`gapkit.gap_table` with ``period`` among its ``by`` columns: the
        ``by`` columns, then ``measure``, ``focal``, ``reference``, ``estimate``, ``se``,
        ``value_focal``, ``value_reference``, ``suppressed`` and ``reason`` (other gap-table
        columns are allowed).
    period : str, optional
        The column that orders the table in time (default ``"year"``).
    view : {'cross-sectional', 'cohort'}, optional
        ``'cross-sectional'`` (default): each cell against the same cell in the next
        period present (the same grade, different students). ``'cohort'``: grade
        :math:`g` in period :math:`t` against grade :math:`g + (t' - t)` in the next
        period :math:`t'` (largely the same students one grade on) [3]_; needs a
        ``grade`` column and whole-number periods and grades.
    level : float, optional
        Confidence level of the interval of the change (default 0.95).
    total_label : object, optional
        Label of margin rows (default ``"All"``); rows with it in ``period`` are skipped, and
        in the cohort view so are rows with it in ``grade``.

    Returns
    -------
    pandas.DataFrame
        One row per cell, measure, comparison and pair of periods: the cell columns (the
        ``by`` columns without ``period``, and without ``grade`` in the cohort view), then
        ``grade_from`` and ``grade_to`` (cohort view), ``<period>_from``, ``<period>_to``
        and `TREND_COLUMNS`: ``gap_from``, ``gap_to``, ``change`` (to minus from), its
        ``se``, ``ci_low`` and ``ci_high``, ``change_focal`` and ``change_reference`` (each
        group's own statistic, to minus from), a plain-words ``label``, ``suppressed`` and
        ``reason``. A cell hidden at either end gives a suppressed row with no numbers.

    Raises
    ------
    TypeError, ValueError
        If ``table`` is not a gap table (a required column is missing, a cell appears
        twice, or it holds a ratio measure), or an option is not recognised.

    See Also
    --------
    gapkit.gap_table : the input.

    Notes
    -----
    Every gap is reference minus focal, :math:`G = \bar y_R - \bar y_F`, so its change
    splits exactly into the two groups' changes [1]_:

    .. math:: \Delta G = G_{t'} - G_t = \Delta \bar y_R - \Delta \bar y_F .

    This is exact for ``mean_difference`` and ``proportion_difference``. For the
    standardised measures (``cohens_d``, ``hedges_g``, ``probit_gap``) ``change`` is in
    the measure's units and the groups' changes in their own (means or proportions), so
    the identity holds only in direction; ``v_statistic`` has no group statistic and gets
    no split. Ratio measures are refused: their change is not a change in a gap.

    The two periods are taken as independent samples, so the standard error of the
    change is :math:`\sqrt{SE_t^2 + SE_{t'}^2}` and the interval is
    :math:`\Delta G \pm z_{(1+\text{level})/2}\, SE` [2]_. In the cohort view many students
    are in both periods; their positive correlation makes this standard error larger
    than the true one, so the label errs towards "no change".

    The ``label`` reads "no change beyond the uncertainty" when the interval includes 0.
    Otherwise it says whether the gap narrowed, widened or reversed (the group behind
    changed), and why, from the signs and sizes of the two groups' changes: e.g.
    "narrowed: the focal group improved faster", "narrowed: the reference group
    declined", "widened: the reference group improved and the focal group declined".
    Higher values of the groups' statistic are taken to be better (scores, percent
    proficient).

    References
    ----------
    .. [1] Reardon, S. F. (2011). The widening academic achievement gap between the rich
       and the poor: New evidence and possible explanations. In G. J. Duncan & R. J.
       Murnane (Eds.), *Whither Opportunity?* (pp. 91-116). Russell Sage Foundation.
    .. [2] Altman, D. G., & Bland, J. M. (2003). Interaction revisited: the difference
       between two estimates. *BMJ*, 326(7382), 219.
       https://doi.org/10.1136/bmj.326.7382.219
    .. [3] New York State Education Department. *Assessment data business rules*:
       cross-sectional and cohort-group views (data.nysed.gov).

    Examples
    --------
    A synthetic school's grade-4 gap in percent proficient, in two years:

    >>> import pandas as pd
    >>> gaps = pd.DataFrame({
    ...     "year": [2023, 2024], "grade": [4, 4], "measure": "proportion_difference",
    ...     "focal": "EL", "reference": "EO", "estimate": [0.30, 0.22], "se": [0.02, 0.02],
    ...     "value_focal": [0.30, 0.40], "value_reference": [0.60, 0.62],
    ...     "suppressed": False, "reason": ""})
    >>> trend = gap_trend(gaps)
    >>> trend[["change", "change_focal", "change_reference"]].round(2).to_dict("records")
    [{'change': -0.08, 'change_focal': 0.1, 'change_reference': 0.02}]
    >>> trend["label"].item()
    'narrowed: the focal group improved faster'
    """
    table, by, view, level = _gap_trend_iv(table, period, view, level, total_label)
    cohort = view == "cohort"
    keys = [c for c in by if c != period and not (cohort and c == "grade")]
    ids = [*keys, "measure", "focal", "reference"]

    rows = table[~_is(table[period], total_label)]
    if cohort:
        rows = rows[~_is(rows["grade"], total_label)]
    times = _whole_numbers(rows[period], period) if cohort else rows[period]
    order = sorted(pd.unique(times), key=_sort_key)
    following = dict(zip(order[:-1], order[1:]))
    grades = _whole_numbers(rows["grade"], "grade") if cohort else None

    lookup = {}
    for position, record in enumerate(rows.to_dict("records")):
        when = times.iloc[position]
        where = grades.iloc[position] if cohort else None
        lookup[(*_key(record, ids), _hashable(when), where)] = record

    z = float(stats.norm.ppf(0.5 + level / 2))
    out = []
    for (*cell, when, where), start in lookup.items():
        if when not in following:
            continue
        then = following[when]
        after = where + (then - when) if cohort else None
        end = lookup.get((*cell, _hashable(then), after))
        if end is None:
            continue
        record = dict(zip(ids, cell))
        if cohort:
            record["grade_from"], record["grade_to"] = start["grade"], end["grade"]
        record[f"{period}_from"], record[f"{period}_to"] = start[period], end[period]
        record.update(_change(start, end, period, z))
        out.append(record)

    columns = [*keys, *(("grade_from", "grade_to") if cohort else ()), f"{period}_from",
               f"{period}_to", *TREND_COLUMNS]
    result = pd.DataFrame.from_records(out, columns=columns)
    result["suppressed"] = result["suppressed"].astype(bool)
    return result.reset_index(drop=True)


# ---------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------


def _gap_trend_iv(table, period, view, level, total_label):
    frame_like(table, "table", what="a gap table")
    view = one_of(view, "view", VIEWS)
    level = level_like(level)
    if not isinstance(period, str) or period not in table.columns:
        have = ", ".join(repr(c) for c in table.columns)
        raise ValueError(f"`period` column {period!r} is not in the table; columns are {have}.")
    missing = [c for c in _REQUIRED if c not in table.columns]
    if missing:
        raise ValueError(f"`table` is not a gap table: column(s) "
                         f"{', '.join(map(repr, missing))} missing (see gapkit.gap_table).")
    if view == "cohort" and "grade" not in table.columns:
        raise ValueError("`view` 'cohort' follows a grade from year to year, so the table "
                         "needs a 'grade' column; it has none.")
    ratios = sorted(m for m in set(table["measure"]) if m in MEASURES and MEASURES[m].ratio)
    if ratios:
        raise ValueError(f"`table` holds the ratio measure {ratios[0]!r}; gap_trend follows "
                         f"gaps (differences). Keep other measures, e.g. "
                         f"table[table['measure'] != {ratios[0]!r}].")
    by = [c for c in table.columns if c not in GAP_COLUMNS]
    if period not in by:
        raise ValueError(f"`period` column {period!r} is one of the gap table's own columns.")
    flags = table["suppressed"]
    if flags.isna().any() or not flags.isin([True, False]).all():
        raise ValueError("`table` column 'suppressed' must be true or false on every row.")
    key = [*by, "measure", "focal", "reference"]
    duplicated = table.astype({c: object for c in key}).duplicated(subset=key).to_numpy()
    if duplicated.any():
        row = int(np.flatnonzero(duplicated)[0])
        raise ValueError(f"`table` row {row} repeats the cell, measure and comparison of an "
                         f"earlier row ({', '.join(map(repr, key))} must be unique).")
    return table.reset_index(drop=True), by, view, level


def _is(column, label):
    return column.astype(object).eq(label).to_numpy(dtype=bool)


def _whole_numbers(column, name):
    values = pd.to_numeric(column, errors="coerce")
    bad = values.isna() | (values != np.floor(values))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"the cohort view needs whole numbers in column {name!r}; a row holds "
                         f"{column.iloc[row]!r}.")
    return values.astype("int64").reset_index(drop=True)


def _sort_key(value):
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return (0, float(number), "") if pd.notna(number) else (1, 0.0, str(value))


def _hashable(value):
    return value.item() if isinstance(value, np.generic) else value


def _key(record, ids):
    return tuple(_hashable(record[c]) for c in ids)


# ---------------------------------------------------------------------------
# One change
# ---------------------------------------------------------------------------


def _change(start, end, period, z):
    nan = math.nan
    empty = {"gap_from": nan, "gap_to": nan, "change": nan, "se": nan, "ci_low": nan,
             "ci_high": nan, "change_focal": nan, "change_reference": nan, "label": ""}
    hidden = [(row, row[period]) for row in (start, end) if bool(row["suppressed"])]
    if hidden:
        why = "; ".join(f"hidden in {period} {when}: {row['reason'] or 'suppressed'}"
                        for row, when in hidden)
        return {**empty, "suppressed": True, "reason": why}
    gap_from, gap_to = _number(start["estimate"]), _number(end["estimate"])
    result = {**empty, "gap_from": gap_from, "gap_to": gap_to, "suppressed": False,
              "reason": ""}
    if math.isnan(gap_from) or math.isnan(gap_to):
        result["label"] = "no gap to compare in one of the two periods"
        return result
    change = gap_to - gap_from
    se = math.hypot(_number(start["se"]), _number(end["se"]))
    change_focal = _number(end["value_focal"]) - _number(start["value_focal"])
    change_reference = _number(end["value_reference"]) - _number(start["value_reference"])
    result.update(change=change, se=se, ci_low=change - z * se, ci_high=change + z * se,
                  change_focal=change_focal, change_reference=change_reference)
    result["label"] = _label(gap_from, gap_to, change, result["ci_low"], result["ci_high"],
                             change_focal, change_reference)
    return result


def _number(value):
    try:
        return float(value) if value is not None and value is not pd.NA else math.nan
    except (TypeError, ValueError):
        return math.nan


def _label(gap_from, gap_to, change, low, high, change_focal, change_reference):
    """Plain words for one change of a gap."""
    if math.isnan(low) or math.isnan(high):
        uncertain = " (its uncertainty is unknown)"
    elif low <= 0 <= high:
        return NO_CHANGE
    else:
        uncertain = ""
    if change == 0:
        return "no change"
    if gap_from * gap_to < 0:
        head = ("reversed: the reference group is now behind" if gap_to < 0
                else "reversed: the focal group is now behind")
        return head + uncertain
    closer = abs(gap_to) < abs(gap_from)
    head = "narrowed" if closer else "widened"
    why = _why(change, change_focal, change_reference)
    return f"{head}{uncertain}: {why}" if why else head + uncertain


def _why(change, focal, reference):
    """Which group's change moved the gap, in the direction of ``change``."""
    if math.isnan(focal) or math.isnan(reference):
        return ""
    if np.sign(reference - focal) != np.sign(change):
        return ""  # standardised measures: the raw changes disagree with the change
    if change < 0:  # the focal group gained on the reference group
        gainer, other = "focal", "reference"
        up, down = focal, reference
    else:
        gainer, other = "reference", "focal"
        up, down = reference, focal
    if up > 0 and down > 0:
        return f"the {gainer} group improved faster"
    if up > 0 and down < 0:
        return f"the {gainer} group improved and the {other} group declined"
    if up > 0:
        return f"the {gainer} group improved"
    if up < 0 and down < 0:
        return f"the {other} group declined faster"
    return f"the {other} group declined"
