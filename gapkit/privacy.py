"""Small-cell suppression: what decides which groups anything shown to a person may describe.

A count or an estimate for a group under the minimum size must never reach a table, chart,
sentence or report, and neither may a value that a reader could work out by subtracting shown
cells from shown totals. Suppression decides from the counts alone: `gapkit.gap_table` suppresses
each cell by its groups' sizes before it computes any measure, and computes estimates only for the
cells it shows; every view accepts only suppressed results.

* `Rule` -- the minimum group size and the top and bottom coding of percentages: the one home of
  the defaults, carried from the course configuration or the command line to `suppress`.
* `suppress` -- primary and complementary suppression of one table.
* `suppress_linked` -- further suppression across groups whose counts add up (ever English
  learners are current plus former ones), which no single table can see.
* `exposed`, `hide_exposed` -- the audit of everything shown together (several tables, several
  reports): which hidden counts a reader can pin by linear programming, knowing which ones are small,
  and which further cells to hide so that none is.
* `code_percent` -- the display string of one proportion.

Everything here is pure: each function returns a new table with an explicit mask
(``suppressed``) and a plain-words ``reason``; it never changes its input.

The rules, and the sources they follow, are written out in ``docs/privacy.md``.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Hashable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy import linalg

from gapkit._validation import check_columns, column_list, frame_like, int_like, plain, proportion_like

__all__ = ["Rule", "Family", "suppress", "suppress_linked", "exposed", "hide_exposed", "code_percent",
           "InconsistentTotalsError",
           "SUPPRESSED_MARK", "COMPLEMENTARY_REASON"]

#: Display string for a suppressed value (the ``reason`` column says why).
SUPPRESSED_MARK = "*"

#: ``reason`` of a row hidden only so that another hidden row cannot be worked out.
COMPLEMENTARY_REASON = "complementary suppression"


@dataclass(frozen=True)
class Rule:
    """What may be shown about a group of students.

    Attributes
    ----------
    min_n : int
        Smallest group that may be shown (default 10, the most common state rule: NCES, SLDS
        Technical Brief 3). A count from 1 to ``min_n - 1`` is hidden; 0 is shown.
    LOW, HIGH : int
        Percentages below ``LOW`` and above ``HIGH`` are shown as ``"<5%"`` and ``">95%"``
        (Delaware Department of Education, *Data Suppression Rules*).

    Examples
    --------
    >>> rule = Rule(min_n=5)
    >>> rule.shows(7), rule.shows(3), rule.reason
    (True, False, 'fewer than 5 students')
    >>> Rule.percent(0.97), Rule.percent(0.434)
    ('>95%', '43%')
    """

    min_n: int = 10
    LOW: ClassVar[int] = 5
    HIGH: ClassVar[int] = 95

    def __post_init__(self):
        object.__setattr__(self, "min_n", int_like(self.min_n, "min_n", minimum=1))

    @property
    def reason(self) -> str:
        """The ``reason`` of a group hidden for its size."""
        return f"fewer than {self.min_n} students"

    def shows(self, n):
        """Whether a group of `n` students may be shown (0, or at least ``min_n``); works on arrays too."""
        return np.logical_not((n > 0) & (n < self.min_n)) if isinstance(n, np.ndarray) else not 0 < n < self.min_n

    @classmethod
    def coding_bounds(cls, n=None) -> tuple[int, int]:
        """The bottom and top coding thresholds for a group of `n` students (no `n`: ``LOW``, ``HIGH``).

        A coded ``"<5%"`` of 19 students could only be 0 of them (1 of 19 is 5.3%), which reveals that no
        student had the result. So the threshold widens for small groups, in steps of 5 points, until it
        is above one student's share: ``"<t%"`` and ``">(100-t)%"`` always cover at least 0 and 1
        students. NCES SLDS Technical Brief 3 (Seastrom, 2010) describes such size-dependent coding; the
        EDFacts rules for public assessment files widen their ranges as groups get smaller in the same way.
        Groups of 1 or 2 cannot be protected by coding (the thresholds stop at 50%): they are hidden by size.
        """
        if n is None or n <= 0:
            return cls.LOW, cls.HIGH
        low = min(max(cls.LOW, 5 * math.floor(100.0 / n / 5) + 5), 50)  # 1 or 2 students: always hidden by size
        return low, 100 - low

    @classmethod
    def percent(cls, p, n=None) -> str:
        """A proportion of a group that may be shown, as a percentage with top and bottom coding.

        ``""`` when there is none. With `n` (the group's size) the coding thresholds depend on it
        (`coding_bounds`); suppression by size was decided when the group was suppressed or shown
        (see `code_percent` for both at once).

        Examples
        --------
        >>> Rule.percent(0.0, 40), Rule.percent(0.0, 19), Rule.percent(0.0, 10), Rule.percent(1.0, 12)
        ('<5%', '<10%', '<15%', '>90%')
        """
        if p is None or p is pd.NA or (isinstance(p, float) and math.isnan(p)):
            return ""
        low, high = cls.coding_bounds(None if n is None or n is pd.NA or (isinstance(n, float) and math.isnan(n))
                                      else int(n))
        percent = 100.0 * float(p)
        if percent < low:
            return f"<{low}%"
        if percent > high:
            return f">{high}%"
        return f"{math.floor(percent + 0.5)}%"

# Relative size below which an eigenvalue of A'A counts as zero. The constraint matrices
# hold only 0, +1 and -1: rounding leaves zero eigenvalues near 1e-13 of the scale, and
# the smallest non-zero ones of such matrices are far above 1e-10.
_TOL = 1e-10


# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------


def suppress(table, *, dims, count_columns, min_n=Rule.min_n, total_label="All", hide=(),
             percent_columns=()):
    r"""Hide small groups, and every cell that would let a reader work one out.

    Parameters
    ----------
    table : pandas.DataFrame
        A long table: one row per cell. The ``dims`` columns classify the cell; a value
        equal to ``total_label`` in a dim column marks a margin (total) row over that dim.
        A column ``suppressed`` already in the table is honoured: its true rows stay
        suppressed (with their ``reason``, if the table has one).
    dims : sequence of str
        The classifying columns, e.g. ``("school_id", "grade", "group")``.
    count_columns : sequence of str
        Counts of students (e.g. ``("n",)``, or ``("n_focal", "n_reference")`` for a gap
        table). Each is its own system of cells and totals; every value must be a
        non-negative whole number.
    min_n : int, optional
        Minimum group size that may be shown (default: `Rule`'s, 10, the most common state
        rule [1]_).
    total_label : object, optional
        The value that marks a margin row in a dim column (default ``"All"``).
    hide : sequence of str, optional
        Further columns to blank on suppressed rows (estimates, standard errors,
        intervals, group statistics).
    percent_columns : sequence of str, optional
        Columns holding proportions (0 to 1). Each gets a display column
        ``<col>_display`` made by :func:`code_percent`, and is blanked on suppressed rows.

    Returns
    -------
    pandas.DataFrame
        A copy of ``table`` with a boolean column ``suppressed`` and a string column
        ``reason`` (``""`` when shown). On suppressed rows every column in
        ``count_columns``, ``hide`` and ``percent_columns`` is missing (integer columns
        become pandas' nullable ``Int64``).

    Raises
    ------
    TypeError, ValueError
        If an argument is malformed; the message names it. :class:`InconsistentTotalsError`
        (a ``ValueError``) if the cells of a line add up to more than its margin row.

    See Also
    --------
    code_percent : the display string of one proportion.

    Notes
    -----
    **Primary suppression.** A row is suppressed when any of its counts is between 1 and
    ``min_n - 1``. A count of 0 is shown: an empty group describes no student, and the
    guideline followed here suppresses only non-zero small counts [3]_.

    **Complementary suppression.** A reader knows the structure of the table: in every
    *line* (the rows that agree on every dim but one, together with the margin row of
    that line when the table has it), the cells add up to the margin,

    .. math:: \sum_{i \in \text{line}} x_i + s_\ell = t_\ell, \qquad x_i, s_\ell \ge 0,

    where :math:`s_\ell` is the part of the total that belongs to categories the table
    does not list (zero, and known to be zero, when the line's cells account for all of
    its total). Moving the shown values to the right gives a linear system
    :math:`A x_S = b` in the suppressed values :math:`x_S`. A suppressed value is
    *recoverable* when every non-negative solution gives it the same value: either the
    system alone determines it (the null space of :math:`A` is zero on that coordinate),
    or non-negativity pins it (some hidden values must all be 0, and the rest of the
    system then determines it). The first case includes the "bridge" patterns that
    defeat the rule of two suppressed cells per line [2]_ [4]_. The second is checked
    exactly: the coordinates that are 0 on the whole polytope come from one linear
    program, and the polytope's affine hull is the system with those coordinates fixed.

    While some suppressed value is recoverable, the smallest shown cell (fewest students
    over ``count_columns``) in a line through it is suppressed too, with reason
    ``"complementary suppression"``. Cells are taken before margin rows, so that totals
    stay visible where possible, and non-empty cells before empty ones. Lines without a margin
    row in the table carry no equation, so they need no complement. Each count column is
    its own system; a row suppressed for one is suppressed for all.

    This guarantees that no suppressed count can be determined exactly from this table.
    It does not require a minimum width of the interval a reader can deduce (the
    "protection level" of [4]_), and it cannot account for totals published in other
    tables.

    References
    ----------
    .. [1] Seastrom, M. (2010). *Statistical Methods for Protecting Personally
       Identifiable Information in Aggregate Reporting*. SLDS Technical Brief 3,
       NCES 2011-603. National Center for Education Statistics, U.S. Department of
       Education.
    .. [2] Cox, L. H. (1980). Suppression methodology and statistical disclosure control.
       *Journal of the American Statistical Association*, 75(370), 377-385.
       https://doi.org/10.1080/01621459.1980.10477481
    .. [3] Washington State Department of Health. *Guidelines for Working with Small
       Numbers* ("suppress all non-zero counts which are less than ten").
    .. [4] Hundepool, A., Domingo-Ferrer, J., Franconi, L., Giessing, S., Schulte
       Nordholt, E., Spicer, K., & de Wolf, P.-P. (2012). *Statistical Disclosure
       Control*. Wiley. https://doi.org/10.1002/9781118348239

    Examples
    --------
    A synthetic school with three grades of English learners, and the school total:

    >>> import pandas as pd
    >>> t = pd.DataFrame({"grade": ["3", "4", "5", "All"], "n": [30, 7, 25, 62]})
    >>> out = suppress(t, dims=("grade",), count_columns=("n",))
    >>> out["n"].tolist()
    [30, <NA>, <NA>, 62]
    >>> out["reason"].tolist()
    ['', 'fewer than 10 students', 'complementary suppression', '']

    Grade 4 has 7 students, so it is hidden; grade 5, the smallest other grade, is
    hidden too, because 62 - 30 - 25 would give grade 4 back.
    """
    index = table.index if isinstance(table, pd.DataFrame) else None
    (table, dims, count_columns, rule, total_label, hide,
     percent_columns) = _suppress_iv(table, dims, count_columns, min_n, total_label, hide,
                                     percent_columns)
    counts = table[list(count_columns)].to_numpy(dtype=float)
    n_rows = len(table)

    suppressed = np.zeros(n_rows, dtype=bool)
    reason = np.full(n_rows, "", dtype=object)
    if "suppressed" in table.columns:
        before = table["suppressed"].fillna(False).to_numpy(dtype=bool)
        suppressed |= before
        if "reason" in table.columns:
            given = table["reason"].astype(object).where(table["reason"].notna(), "")
            reason[before] = given.to_numpy(dtype=object)[before]
        reason[before & (reason == "")] = "suppressed in the input"

    small = ~rule.shows(counts).all(axis=1) & ~suppressed
    suppressed |= small
    reason[small] = rule.reason

    lines = _lines(table, dims, total_label)
    remainders = _remainders(table, dims, count_columns, counts, lines)
    is_margin = np.zeros(n_rows, dtype=bool)
    for d in dims:
        is_margin |= (table[d].astype(object) == total_label).to_numpy(dtype=bool)
    _complement(counts, lines, remainders, is_margin, suppressed, reason)

    out = table.copy()
    for column in (*count_columns, *hide, *percent_columns):
        out[column] = _blank(out[column], suppressed)
    for column in percent_columns:
        shown = table[column].to_numpy(dtype=float)
        sizes = counts[:, 0] if counts.ndim == 2 else counts  # the group behind the percent: the first count
        out[f"{column}_display"] = [
            SUPPRESSED_MARK if hidden else rule.percent(value, size)
            for hidden, value, size in zip(suppressed, shown, sizes)
        ]
    out["suppressed"] = suppressed
    out["reason"] = pd.array(reason.astype(str), dtype=object)
    out.index = index
    return out


def code_percent(p, n, *, min_n=Rule.min_n):
    """Display string of a proportion with top and bottom coding.

    Parameters
    ----------
    p : float
        A proportion between 0 and 1 (e.g. the share of a group that is proficient), or
        NaN when there is none.
    n : int
        Number of students behind ``p``.
    min_n : int, optional
        Minimum group size that may be shown (default: `Rule`'s, 10).

    Returns
    -------
    str
        ``"*"`` when ``n`` is between 1 and ``min_n - 1`` (suppressed); ``""`` when there is
        no value (``p`` is NaN or ``n`` is 0); ``"<5%"`` below 5 percent; ``">95%"`` above
        95 percent; otherwise the whole percent, halves rounded up (``"43%"``).

    Raises
    ------
    TypeError, ValueError
        If ``p`` is not a number between 0 and 1, or ``n`` or ``min_n`` is not a whole
        number of the right size.

    Notes
    -----
    A percentage near 0 or 100 tells a reader that (almost) every student in the group
    had the same result, which discloses something about each of them [1]_. The rule
    followed is the Delaware Department of Education's: any percentage above 95 is
    reported as ">95%" and any below 5 as "<5%" [2]_. The brief [1]_ also describes rules
    whose thresholds widen as groups get smaller; with the minimum size of 10 used
    here, the fixed 5/95 rule is the one this kit applies everywhere.

    References
    ----------
    .. [1] Seastrom, M. (2010). *Statistical Methods for Protecting Personally
       Identifiable Information in Aggregate Reporting*. SLDS Technical Brief 3,
       NCES 2011-603. National Center for Education Statistics.
    .. [2] Delaware Department of Education. *Data Suppression Rules* (rule 4).

    Examples
    --------
    >>> code_percent(0.43, 40), code_percent(0.02, 40), code_percent(0.97, 40)
    ('43%', '<5%', '>95%')
    >>> code_percent(0.5, 6)
    '*'
    """
    rule = Rule(min_n)
    n = int_like(n, "n", minimum=0)
    p = proportion_like(p, "p", allow_nan=True)
    if not rule.shows(n):
        return SUPPRESSED_MARK
    if n == 0:
        return ""
    return rule.percent(p, n)


@dataclass(frozen=True)
class Family:
    """Groups whose counts add up in every cell: ``total`` is its ``parts`` together.

    A part that a table has no row for is shown nowhere: it joins the rest (``total`` minus the
    parts listed), which a reader who sees the total and every listed part can work out.
    """

    total: Hashable
    parts: tuple


_GROUP = "_group"  # the group column of the tables `suppress_linked` hands to `suppress`


def suppress_linked(table, *, dims, families, min_n=Rule.min_n, keep=(), total_label="All"):
    """Hide further groups so that no hidden count follows from groups that add up.

    `suppress` protects one table. Some groups overlap across tables: ever English learners are
    current plus former ones, and current ones are newcomers plus the others. A reader who sees
    current and ever English learners in a grade knows the former ones, even where the former-EL
    table hid them. This hides further groups, cell by cell, until no hidden count follows from
    the families' sums.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per group and cell: the `dims` columns (a value equal to `total_label` marks a
        margin, e.g. all grades), ``group`` (the group's name), ``n`` (its true number of
        students) and ``suppressed`` (hidden already, by `suppress` or because nothing shows it).
        A group of `families` that a cell has no row for is taken to be hidden there.
    dims : sequence of str
        The columns that name a cell, e.g. ``("year", "grade")``.
    families : sequence of Family
        The groups that add up, by the names in ``group``.
    min_n : int, optional
        Minimum group size that may be shown (default: `Rule`'s).
    keep : sequence, optional
        Groups a reader needs most: when a kept group or another one could be hidden to protect
        a third, the other one is.
    total_label : object, optional
        The value that marks a margin in a dim column (default ``"All"``).

    Returns
    -------
    pandas.DataFrame
        A copy of `table` with ``suppressed`` updated and a ``reason`` column:
        ``"complementary suppression"`` on the rows hidden here, the table's own reason (or
        ``""``) on the others.

    Notes
    -----
    Each family, with every cell's rows, is put through `suppress` as one table whose margin over
    the groups is the family's total (and whose margins over `dims` are the table's), with the
    rows already hidden marked; this repeats until nothing changes. Two cases come first in each
    cell. When a part is hidden and a kept part is shown, the total is hidden (so that the kept
    part need not be). When the rest of a family (its total minus its listed parts, a group no
    row shows) has from 1 to ``min_n - 1`` students, a shown part is hidden if the total is kept,
    and the total otherwise.

    Examples
    --------
    Grade 4 of a synthetic school has 40 current and 6 former English learners; the former ones
    are hidden, but 46 ever English learners would give them back:

    >>> t = pd.DataFrame({"grade": ["4"] * 3, "group": ["current", "former", "ever"],
    ...                   "n": [40, 6, 46], "suppressed": [False, True, False]})
    >>> out = suppress_linked(t, dims=["grade"], families=[Family("ever", ("current", "former"))],
    ...                       keep=["current"])
    >>> out[["group", "suppressed", "reason"]].values.tolist()
    [['current', False, ''], ['former', True, ''], ['ever', True, 'complementary suppression']]
    """
    rule = Rule(min_n)
    frame_like(table, "table")
    dims = column_list(dims, "dims", table, allow_empty=False)
    check_columns(table, ["group", "n", "suppressed"], "table")
    rows = table.reset_index(drop=True)
    cells = [tuple(row) for row in rows[list(dims)].itertuples(index=False)]
    n, hidden = {}, {}
    for group, cell, count, flag in zip(rows["group"], cells, rows["n"], rows["suppressed"]):
        n[(group, cell)] = int(count)
        hidden[(group, cell)] = bool(flag)
    before = dict(hidden)
    present = set(rows["group"])
    keys = sorted(set(cells), key=lambda k: tuple(map(str, k)))
    keep = set(keep)

    def is_hidden(group, k):
        return hidden.get((group, k), True)  # a group no row shows in this cell is unknown there

    def hide(group, k):
        if not hidden.get((group, k), True):
            hidden[(group, k)] = True
            return True
        return False

    linked = [(f.total, [p for p in f.parts if p in present]) for f in families if f.total in present]

    def protect(total, parts):
        names = (total, *parts)
        label = {name: total_label if name == total else f"g{i}" for i, name in enumerate(names)}
        family = pd.DataFrame([{**dict(zip(dims, k)), _GROUP: label[name], "n": n.get((name, k), 0),
                                "suppressed": is_hidden(name, k)} for k in keys for name in names])
        out = suppress(family, dims=[*dims, _GROUP], count_columns=["n"], min_n=rule.min_n,
                       total_label=total_label)
        changed = False
        for k, name, was, now in zip((k for k in keys for _ in names), (x for _ in keys for x in names),
                                     family["suppressed"], out["suppressed"]):
            if now and not was:
                changed |= hide(name, k)
        return changed

    for _ in range(20):
        changed = False
        for k in keys:
            for total, parts in linked:
                if is_hidden(total, k):
                    continue
                if any(is_hidden(p, k) and n.get((p, k), 0) > 0 for p in parts) and \
                        any(p in keep and not is_hidden(p, k) for p in parts):
                    changed |= hide(total, k)
                    continue
                rest = n.get((total, k), 0) - sum(n.get((p, k), 0) for p in parts)
                if not rule.shows(rest):  # a group no row shows, but a reader can work out
                    shown = [p for p in parts if not is_hidden(p, k)]
                    if total not in keep:
                        changed |= hide(total, k)
                    elif shown:
                        changed |= hide(min(shown, key=lambda p: n.get((p, k), 0)), k)
        for total, parts in linked:
            if parts:
                changed |= protect(total, parts)
        if not changed:
            break

    out = table.copy()
    newly = np.array([hidden[(g, c)] and not before[(g, c)] for g, c in zip(rows["group"], cells)], dtype=bool)
    reason = (rows["reason"].astype(object).where(rows["reason"].notna(), "") if "reason" in rows
              else pd.Series("", index=rows.index, dtype=object))
    out["suppressed"] = [hidden[(g, c)] for g, c in zip(rows["group"], cells)]
    out["reason"] = np.where(newly, COMPLEMENTARY_REASON, reason.to_numpy(dtype=object)).astype(object)
    return out


def exposed(truth, equations, hidden, *, min_n=Rule.min_n, checked=None) -> list:
    """Hidden counts that a reader of everything shown can pin.

    Parameters
    ----------
    truth : mapping
        The true count of every key that the equations name; ``None`` for a count nobody knows (hidden
        by the source of the data): it is free, and never checked.
    equations : sequence of (terms, exact)
        What a reader knows about the counts: ``sum(coefficient * count for key, coefficient in terms)``
        is 0 (`exact`) or at most 0 (not exact). Each must hold for `truth`.
    hidden : set
        The keys a reader does not see; every other key of `truth` is shown.
    min_n : int
        Minimum group size shown.
    checked : set, optional
        The hidden keys that must stay hidden (default: all). Others (a total no table shows) are free
        unknowns the reader may learn.

    Returns
    -------
    list
        The checked keys, in sorted order, whose count is pinned: the reader is assumed to know whether
        each hidden count is 0, small (1 to ``min_n - 1``) or at least ``min_n``, and with those bounds
        linear programming leaves a non-zero count one possible value, or a small one fewer than four
        (so it is known to within one). Counts of 0 are not checked: the reader is assumed to know them.

    Examples
    --------
    Grades 3 and 4 of a school add up to 40; grade 3 (7 students) is hidden, grade 4 shown (33):

    >>> truth = {"3": 7, "4": 33, "All": 40}
    >>> grades = [([("3", 1), ("4", 1), ("All", -1)], True)]
    >>> exposed(truth, grades, {"3"}), exposed(truth, grades, {"3", "4"})
    (['3'], [])
    """
    checked = set(hidden) if checked is None else set(checked) & set(hidden)
    system = _System(truth, equations, hidden)
    pinned = []
    for component in system.components():
        targets = [k for k in component if k in checked and truth[k]]
        if targets:
            pinned += system.pinned(component, targets, Rule(min_n).min_n)
    return sorted(pinned, key=stable_order)


def hide_exposed(units, truth, equations, hidden_units, *, min_n=Rule.min_n, weight=None) -> set:
    """The further units (rows of tables) to hide so that `exposed` finds nothing.

    Parameters
    ----------
    units : mapping
        Each unit (say a gap-table row of one report) and the keys (counts) it shows.
    truth, equations, min_n
        As for `exposed`.
    hidden_units : set
        Units hidden already. A key is shown when a unit that is not hidden shows it.
    weight : callable, optional
        What hiding a shown count costs (default 1); the units that show it are hidden together.

    Returns
    -------
    set
        The units to hide besides `hidden_units`.

    Raises
    ------
    RuntimeError
        A count that no change of the counts frees (the equations and the known zeros fix it).

    Notes
    -----
    For each pinned count, one linear program finds the cheapest change of the counts that a reader
    cannot rule out once the changed counts are hidden: it moves the pinned count by 1 (3 for a small
    one), keeps every equation, keeps each count within what a reader knows of it (0; 1 to
    ``min_n - 1``; at least ``min_n``), and costs ``weight``
    per student moved in a shown count. The shown counts it changes are hidden. This is the
    linear-programming approach to complementary suppression of Kelly, Golden and Assad (1992) and
    Fischetti and Salazar-Gonzalez (2000), one count at a time; the audit is repeated until nothing is
    pinned, since counts protected one by one may still pin one another.

    Examples
    --------
    Grade 3 (2 students) is hidden. Grade 5 (10) is the smallest cell to hide with it, but a reader who
    knows grade 5 has at least 10 students would then put grade 3 between 1 and 2; grade 4 is hidden
    (the total costs more to hide than a grade):

    >>> truth = {"3": 2, "4": 33, "5": 10, "All": 45}
    >>> grades = [([("3", 1), ("4", 1), ("5", 1), ("All", -1)], True)]
    >>> rows = {g: (g,) for g in truth}
    >>> hide_exposed(rows, truth, grades, {"3"}, weight=lambda g: 5.0 if g == "All" else 1.0)
    {'4'}
    """
    min_n = Rule(min_n).min_n
    weight = weight or (lambda key: 1.0)
    hidden_units = set(hidden_units)
    showing = {}
    for unit, keys in units.items():
        for key in keys:
            showing.setdefault(key, []).append(unit)
    checked = {key for keys in units.values() for key in keys}
    added = set()
    free = set()  # hiding more only widens what a reader cannot rule out: a count found free stays free
    system = _System(truth, equations, ())
    while True:
        shown = {key for unit, keys in units.items() if unit not in hidden_units for key in keys}
        system.hiding(set(truth) - shown)
        pinned = []
        for component in system.components():
            targets = [k for k in component if k in checked and truth[k] and k not in free]
            found = system.pinned(component, targets, min_n)
            free.update(set(targets) - set(found))
            pinned += found
        if not pinned:
            return added
        for number, key in enumerate(sorted(pinned, key=stable_order)):
            if number:  # what was hidden for the counts before may have freed this one
                system.hiding(set(truth) - shown)
                if not system.pinned(system.component(key), [key], min_n):
                    free.add(key)
                    continue
            moved = system.perturbation(key, shown, weight, min_n)
            if moved is None:
                raise RuntimeError(f"suppression could not protect the hidden count {key!r}: no change of the "
                                   f"counts frees it.")
            for k in moved:
                shown.discard(k)
                for unit in showing.get(k, ()):
                    if unit not in hidden_units:
                        hidden_units.add(unit)
                        added.add(unit)
                        shown -= set(units[unit]) - _still_shown(units[unit], showing, hidden_units)


def _still_shown(keys, showing, hidden_units):
    """Those of `keys` that some unit not hidden still shows."""
    return {k for k in keys if any(u not in hidden_units for u in showing.get(k, ()))}


def stable_order(key) -> str:
    """A sort key for the audit's keys that is the same in every process: the `repr` of a frozenset
    follows string hashing, which changes from run to run, and the order of the equations decides
    which of several equally cheap cells the audit hides."""
    if isinstance(key, (frozenset, set)):
        return "{" + ", ".join(sorted(map(stable_order, key))) + "}"
    if isinstance(key, tuple):
        return "(" + ", ".join(map(stable_order, key)) + ")"
    return repr(key)


class _System:
    """The equations of `exposed` over the hidden keys, split into sets linked through equations."""

    def __init__(self, truth, equations, hidden):
        self.truth = truth
        self.equations = [(list(terms), bool(exact)) for terms, exact in equations]
        self.of = {}
        for i, (terms, _) in enumerate(self.equations):
            for key, _ in terms:
                self.of.setdefault(key, []).append(i)
        self.hiding(hidden)

    def hiding(self, hidden):
        """Make `hidden` the keys a reader does not see (the equations stay)."""
        self.hidden = set(hidden)
        self._components = None

    def component(self, key):
        """The hidden keys linked to hidden `key` through equations."""
        seen, todo = {key}, [key]
        while todo:
            for i in self.of.get(todo.pop(), ()):
                for k, _ in self.equations[i][0]:
                    if k in self.hidden and k not in seen:
                        seen.add(k)
                        todo.append(k)
        return sorted(seen, key=stable_order)

    def components(self):
        """The hidden keys, in sets linked through equations (each can be solved alone)."""
        if self._components is None:
            seen, self._components = set(), []
            for start in sorted(self.hidden & set(self.of), key=stable_order):
                if start not in seen:
                    component = self.component(start)
                    seen.update(component)
                    self._components.append(component)
        return self._components

    def reachable(self, key):
        """Every key linked to `key` through equations, shown or hidden."""
        seen, todo = {key}, [key]
        while todo:
            for i in self.of.get(todo.pop(), ()):
                for k, _ in self.equations[i][0]:
                    if k not in seen:
                        seen.add(k)
                        todo.append(k)
        return sorted(seen, key=stable_order)

    def perturbation(self, key, shown, weight, min_n):
        """The shown counts to hide so that `key` can move by 1 (3 if small), or None (see `hide_exposed`)."""
        keys = self.reachable(key)
        index = {k: j for j, k in enumerate(keys)}
        m = len(keys)
        a_eq, b_eq, a_ub, b_ub = [], [], [], []
        for i in sorted({i for k in keys for i in self.of.get(k, ())}):
            terms, exact = self.equations[i]
            row = np.zeros(2 * m)
            for k, coefficient in terms:
                row[index[k]] += coefficient
                row[m + index[k]] -= coefficient
            if exact:
                a_eq.append(row)
                b_eq.append(0.0)
            elif all(self.truth[k] is not None for k, _ in terms):  # room left under the bound
                a_ub.append(row)
                b_ub.append(-sum(c * self.truth[k] for k, c in terms))
        bounds, cost = [], []
        for k in keys:
            n = self.truth[k]
            low, high = (None, None) if n is None else \
                (0, 0) if n == 0 else (1, min_n - 1) if n < min_n else (min_n, None)
            up = None if high is None or n is None else high - n
            down = None if low is None or n is None else n - low
            bounds.append((0, up))
            bounds.append((0, down))
            cost.append(weight(k) if k in shown else 0.0)
        bounds = bounds[0::2] + bounds[1::2]
        step = 3 if self.truth[key] < min_n else 1
        row = np.zeros(2 * m)
        row[index[key]], row[m + index[key]] = 1.0, -1.0
        program = _Program(np.array([*a_eq, row]), [*b_eq, step], np.array(a_ub) if a_ub else None, b_ub, bounds)
        cost = np.concatenate([cost, cost])
        best = None
        for direction in (1.0, -1.0):  # costs are not negative: never unbounded
            program.move_last_equation(direction * step)
            x = program.minimize(cost)
            if x is not None and (best is None or x @ cost < best @ cost):
                best = x
        if best is None:
            return None
        change = best[:m] - best[m:]
        return [k for k, d in zip(keys, change) if abs(d) > 1e-7 and k in shown]

    def pinned(self, component, targets, min_n):
        """The `targets` (keys of `component`) that a reader can pin (see `exposed`)."""
        if not targets:
            return []
        index = {key: j for j, key in enumerate(component)}
        rows = {i for key in component for i in self.of[key]}
        a_eq, b_eq, a_ub, b_ub = [], [], [], []
        for i in sorted(rows):
            terms, exact = self.equations[i]
            row, constant = np.zeros(len(component)), 0.0
            for key, coefficient in terms:
                if key in index:
                    row[index[key]] += coefficient
                else:
                    constant += coefficient * self.truth[key]
            (a_eq if exact else a_ub).append(row)
            (b_eq if exact else b_ub).append(-constant)

        def bounds(key):
            n = self.truth[key]
            return (0, None) if n is None else (0, 0) if n == 0 else (1, min_n - 1) if n < min_n else (min_n, None)

        program = _Program(np.array(a_eq) if a_eq else None, b_eq, np.array(a_ub) if a_ub else None, b_ub,
                           [bounds(key) for key in component])
        # Every point an LP finds is a table the reader cannot rule out: a target seen at values `step`
        # apart is free. A few LPs over all targets at once settle most; the rest get their own two.
        low = np.array([np.nan if self.truth[key] is None else self.truth[key] for key in component], dtype=float)
        high = low.copy()

        def solve(c):
            x = program.minimize(c)
            if x is None:  # pragma: no cover - the truth is always feasible
                raise RuntimeError("suppression audit failed: the equations have no solution")
            if x is not _UNBOUNDED:
                np.fmin(low, x, out=low)
                np.fmax(high, x, out=high)
            return x

        columns = np.array([index[key] for key in targets])
        step = np.array([3 if self.truth[key] < min_n else 1 for key in targets]) - 1e-9
        signs = np.random.default_rng(0).choice([-1.0, 1.0], size=(4 if len(targets) > 4 else 0, len(targets)))
        for weights in (np.ones(len(targets)), -np.ones(len(targets)), *signs):
            c = np.zeros(len(component))
            c[columns] = weights
            solve(c)
        pinned = []
        for key, j, needed in zip(targets, columns, step):
            for sign in (1.0, -1.0):
                if high[j] - low[j] >= needed:
                    break
                c = np.zeros(len(component))
                c[j] = sign
                if solve(c) is _UNBOUNDED:  # unbounded above: free
                    high[j] = np.inf
            if high[j] - low[j] < needed:
                pinned.append(key)
        return pinned


_UNBOUNDED = object()  # what `_Program.minimize` returns when the objective has no lower bound


class _Program:
    """A linear program ``min c @ x`` with ``a_eq @ x = b_eq``, ``a_ub @ x <= b_ub`` and bounds per
    variable (``(low, high)``, None for none), solved by HiGHS for one objective after another. HiGHS
    keeps its basis between solves, so each starts from the last optimum: the audit asks many
    objectives of the same constraints."""

    def __init__(self, a_eq, b_eq, a_ub, b_ub, bounds):
        import highspy

        self.highs = _highs()
        infinity = highspy.kHighsInf
        self.n = len(bounds)
        low = np.array([-infinity if b[0] is None else b[0] for b in bounds], dtype=float)
        high = np.array([infinity if b[1] is None else b[1] for b in bounds], dtype=float)
        self.highs.addVars(self.n, low, high)
        self.equations = 0 if a_eq is None else len(a_eq)
        for matrix, rhs, exact in ((a_eq, b_eq, True), (a_ub, b_ub, False)):
            if matrix is None or not len(matrix):
                continue
            matrix, rhs = np.asarray(matrix, dtype=float), np.asarray(rhs, dtype=float)
            rows, columns = np.nonzero(matrix)
            starts = np.searchsorted(rows, np.arange(len(matrix)))
            self.highs.addRows(len(matrix), rhs if exact else np.full(len(rhs), -infinity), rhs, len(rows),
                               starts, columns, matrix[rows, columns])
        self.status = highspy.HighsModelStatus

    def move_last_equation(self, value):
        """Make the last equation (of `a_eq`) ``... = value``."""
        self.highs.changeRowBounds(self.equations - 1, value, value)

    def minimize(self, c):
        """The optimal x; `_UNBOUNDED`; or None when no x meets the constraints."""
        self.highs.changeColsCost(self.n, np.arange(self.n, dtype=np.int32), np.asarray(c, dtype=float))
        self.highs.run()
        status = self.highs.getModelStatus()
        if status == self.status.kOptimal:
            return np.array(self.highs.getSolution().col_value)
        if status in (self.status.kUnbounded, self.status.kUnboundedOrInfeasible):
            return _UNBOUNDED if status == self.status.kUnbounded or self._feasible() else None
        if status == self.status.kInfeasible:
            return None
        raise RuntimeError(f"suppression audit failed: HiGHS stopped with {status.name}")  # pragma: no cover

    def _feasible(self):
        """Whether the constraints have a solution (asked with a zero objective)."""
        cost = np.array(self.highs.getLp().col_cost_)
        self.highs.changeColsCost(self.n, np.arange(self.n, dtype=np.int32), np.zeros(self.n))
        self.highs.run()
        feasible = self.highs.getModelStatus() == self.status.kOptimal
        self.highs.changeColsCost(self.n, np.arange(self.n, dtype=np.int32), cost)
        return feasible


def _highs():
    """A new HiGHS solver, silent."""
    import highspy

    _swallow_highs_banner()
    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    return solver


@functools.cache
def _swallow_highs_banner():
    """Make the process's first HiGHS solver with its standard output closed: HiGHS prints a banner there
    (below Python, so a kernel would show it in the report) when its first solver is made."""
    import os
    import sys

    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)


class InconsistentTotalsError(ValueError):
    """The cells of a line add up to more than the line's margin row."""


# ---------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------


def _suppress_iv(table, dims, count_columns, min_n, total_label, hide, percent_columns):
    frame_like(table, "table")
    rule = Rule(min_n)
    dims = column_list(dims, "dims", table, allow_empty=False)
    count_columns = column_list(count_columns, "count_columns", table, allow_empty=False)
    hide = column_list(hide, "hide", table)
    percent_columns = column_list(percent_columns, "percent_columns", table)
    for name, columns in (("count_columns", count_columns), ("hide", hide),
                          ("percent_columns", percent_columns)):
        for column in columns:
            if column in dims:
                raise ValueError(f"`{name}` column {column!r} is also one of `dims`.")
    for name, columns in (("hide", hide), ("percent_columns", percent_columns)):
        for column in columns:
            if column in count_columns:
                raise ValueError(f"`{name}` column {column!r} is also one of `count_columns`.")
    for column in percent_columns:
        if f"{column}_display" in table.columns:
            raise ValueError(f"`percent_columns`: the table already has a column "
                             f"'{column}_display'.")
    if "suppressed" in table.columns:
        flags = table["suppressed"]
        bad = flags.notna() & ~flags.isin([True, False])
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(f"`table` column 'suppressed' must be true or false; row {row} "
                             f"holds {plain(flags.iloc[row])!r}.")

    table = table.reset_index(drop=True)
    for column in dims:
        missing = table[column].isna().to_numpy()
        if missing.any():
            raise ValueError(f"`dims` column {column!r} has a missing value in row "
                             f"{int(np.flatnonzero(missing)[0])}.")
    duplicated = table.duplicated(subset=list(dims), keep="first").to_numpy()
    if duplicated.any():
        row = int(np.flatnonzero(duplicated)[0])
        key = ", ".join(f"{d}={table.at[row, d]!r}" for d in dims)
        raise ValueError(f"`table` has two rows for the same cell ({key}); row {row} repeats "
                         f"an earlier row. Each combination of `dims` must appear once.")
    _check_margins(table, dims, total_label)
    for column in count_columns:
        values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values) | (values < 0) | (values != np.floor(values))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            got = plain(table[column].iloc[row])
            raise ValueError(f"`count_columns` column {column!r} must hold non-negative whole "
                             f"numbers; row {row} holds {got!r}.")
    for column in percent_columns:
        values = pd.to_numeric(table[column], errors="coerce")
        bad = (values.isna() & table[column].notna()) | (values < 0) | (values > 1)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            got = plain(table[column].iloc[row])
            raise ValueError(f"`percent_columns` column {column!r} must hold proportions "
                             f"between 0 and 1; row {row} holds {got!r}.")
    return table, dims, count_columns, rule, total_label, hide, percent_columns


def _check_margins(table, dims, total_label):
    """Refuse a missing total that a reader could still work out.

    If the table has a total over ``d`` anywhere, a row's total over ``d`` (the row with
    ``total_label`` in ``d``) may be missing only when every total above it is missing
    too (as when a source hid it, and so every total that includes it). Otherwise a
    reader could derive it (e.g. the grand total minus the other schools' totals) and use
    it, and the check, which only sees the rows present, would miss that.
    """
    keys = [tuple(row) for row in table[list(dims)].astype(object).itertuples(index=False)]
    present = set(keys)
    n_dims = len(dims)
    for k, d in enumerate(dims):
        if not any(key[k] == total_label for key in keys):
            continue
        for row, key in enumerate(keys):
            if key[k] == total_label:
                continue
            needed = (*key[:k], total_label, *key[k + 1:])
            if needed in present:
                continue
            open_dims = [j for j in range(n_dims) if needed[j] != total_label]
            above = (
                tuple(total_label if j in chosen else needed[j] for j in range(n_dims))
                for size in range(1, len(open_dims) + 1)
                for chosen in itertools.combinations(open_dims, size)
            )
            if any(a in present for a in above):
                where = ", ".join(f"{o}={v!r}" for o, v in zip(dims, needed))
                raise ValueError(
                    f"`table` has totals over {d!r}, but not the one for row {row}: no row "
                    f"with {where}, although a total above it is shown. Add the missing "
                    f"total rows, or give the table without totals over {d!r}.")


# ---------------------------------------------------------------------------
# Lines, totals and the reader's linear system
# ---------------------------------------------------------------------------


def _lines(table, dims, total_label):
    """Every line with a margin row: (dim, interior row positions, margin row position)."""
    lines = []
    margins = {d: (table[d].astype(object) == total_label).to_numpy(dtype=bool) for d in dims}
    for d in dims:
        if not margins[d].any():  # no total over d: its lines carry no equation
            continue
        others = [o for o in dims if o != d]
        if others:
            groups = table.groupby(others, sort=False, dropna=False).indices.values()
        else:
            groups = [np.arange(len(table))]
        for rows in groups:
            rows = np.asarray(rows)
            is_total = margins[d][rows]
            interior = rows[~is_total]
            total = rows[is_total]
            if len(total) == 1 and len(interior) > 0:
                lines.append((d, interior, int(total[0])))
    return lines


def _remainders(table, dims, count_columns, counts, lines):
    """Per count column and line: margin minus the sum of the line's cells (>= 0)."""
    remainders = np.zeros((len(lines), len(count_columns)))
    for k, (d, interior, total) in enumerate(lines):
        rest = counts[total] - counts[interior].sum(axis=0)
        for c, column in enumerate(count_columns):
            if rest[c] < 0:
                where = ", ".join(f"{o}={table.at[total, o]!r}" for o in dims if o != d)
                raise InconsistentTotalsError(
                    f"`table`: along {d!r} with {where or 'no other dims'}, the cells' "
                    f"{column!r} add up to {counts[interior, c].sum():g}, more than the "
                    f"margin row's {counts[total, c]:g} (row {total}).")
        remainders[k] = rest
    return remainders


def _recoverable(values, lines, remainders, suppressed, cache=None):
    """Suppressed rows whose value in one count system a reader can determine exactly.

    ``values`` are the true counts of every row, ``remainders`` the true unlisted part of
    each line's total. ``cache`` (a dict) shares the linear algebra between count
    columns whose systems have the same matrix. Returns a boolean array over rows.
    """
    rows = np.flatnonzero(suppressed)
    result = np.zeros(len(values), dtype=bool)
    if len(rows) == 0:
        return result
    column_of = {int(r): j for j, r in enumerate(rows)}
    equations = []        # (variable columns, coefficients)
    true_values = list(values[rows])
    for k, (_, interior, total) in enumerate(lines):
        members = [(column_of[r], 1.0) for r in interior if r in column_of]
        if total in column_of:
            members.append((column_of[total], -1.0))
        if not members:
            continue
        if remainders[k] > 0:
            # The table does not list every category of this line: the unlisted part is
            # one more unknown, non-negative value.
            members.append((len(true_values), 1.0))
            true_values.append(remainders[k])
        equations.append(members)
    true_values = np.asarray(true_values)
    n_vars = len(true_values)

    # Connected components of variables that share an equation: each is solved alone.
    parent = list(range(n_vars))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for members in equations:
        first = find(members[0][0])
        for j, _ in members[1:]:
            parent[find(j)] = first
    component = np.array([find(i) for i in range(n_vars)])

    blocks = {}
    for members in equations:
        blocks.setdefault(int(component[members[0][0]]), []).append(members)
    determined = np.zeros(n_vars, dtype=bool)
    for root, block in blocks.items():  # a value in no equation with a margin is free
        variables = np.flatnonzero(component == root)
        local = {int(v): i for i, v in enumerate(variables)}
        matrix = np.zeros((len(block), len(variables)))
        for i, members in enumerate(block):
            for j, coefficient in members:
                matrix[i, local[j]] = coefficient
        determined[variables] = _determined(matrix, true_values[variables], cache)
    result[rows] = determined[: len(rows)]
    return result


def _determined(matrix, truth, cache=None):
    """Which coordinates are constant on {x >= 0 : matrix @ x = matrix @ truth}."""
    zero_everywhere = np.zeros(len(truth), dtype=bool)
    if (truth == 0).any():
        zero_everywhere = _always_zero(matrix, truth)
    free = ~zero_everywhere
    constant = zero_everywhere.copy()
    if free.any():
        reduced = np.ascontiguousarray(matrix[:, free])
        cache = {} if cache is None else cache
        key = (reduced.shape, reduced.tobytes())
        if key not in cache:
            cache[key] = _fixed_by_equations(reduced)
        constant[free] = cache[key]
    return constant


def _fixed_by_equations(matrix):
    """Coordinates on which the null space of ``matrix`` is zero.

    The null space is the eigenspace of ``matrix.T @ matrix`` for eigenvalue 0 (a
    symmetric eigenproblem of the size of the unknowns, much cheaper than a full SVD of
    a tall matrix). Entries are 0 and +-1, so the gap between zero and non-zero
    eigenvalues is wide.
    """
    gram = matrix.T @ matrix
    # Every eigenvalue is at most the largest absolute row sum (Gershgorin); only the
    # eigenvectors of the (numerically) zero eigenvalues are computed.
    scale = max(float(np.abs(gram).sum(axis=1).max()), 1.0)
    _, basis = linalg.eigh(gram, subset_by_value=(-np.inf, _TOL * scale))
    if basis.shape[1] == 0:
        return np.ones(matrix.shape[1], dtype=bool)
    return np.abs(basis).max(axis=1) < 1e-6


def _always_zero(matrix, truth):
    """Coordinates that are 0 at every point of {x >= 0 : matrix @ x = matrix @ truth}.

    One linear program over the cone {(x, lam) >= 0 : matrix @ x = lam * b}: maximise the
    number of coordinates that can be made positive (each capped at 1). A coordinate that
    is positive anywhere in the cone is positive somewhere in the polytope (scale back by
    lam, or add the point to ``truth`` when lam = 0).
    """
    n = len(truth)
    rhs = matrix @ truth
    zero = np.flatnonzero(truth == 0)
    m = len(zero)
    # variables: x (n), lam (1), y (m); maximise sum(y) with y_i <= x_zero[i], y <= 1.
    cost = np.concatenate([np.zeros(n + 1), -np.ones(m)])
    a_eq = np.hstack([matrix, -rhs[:, None], np.zeros((matrix.shape[0], m))])
    a_ub = np.zeros((m, n + 1 + m))
    a_ub[np.arange(m), zero] = -1.0
    a_ub[np.arange(m), n + 1 + np.arange(m)] = 1.0
    bounds = [(0, None)] * (n + 1) + [(0, 1)] * m
    solution = _Program(a_eq, np.zeros(matrix.shape[0]), a_ub, np.zeros(m), bounds).minimize(cost)
    if solution is None or solution is _UNBOUNDED:  # pragma: no cover - the cone always contains 0
        raise RuntimeError("suppression audit failed: no point of the cone was found")
    always = np.zeros(n, dtype=bool)
    always[zero] = solution[n + 1:] < 0.5
    return always


def _complement(counts, lines, remainders, is_margin, suppressed, reason):
    """Suppress further rows, in place, until no suppressed value is recoverable.

    The cell hidden next to a recoverable value is the smallest shown cell of a line
    through it: cells before margin rows (so totals stay visible where possible),
    non-empty cells before empty ones, then fewest students, then table order.
    """
    lines_of = [[] for _ in range(len(counts))]
    for k, (_, interior, total) in enumerate(lines):
        for r in (*interior, total):
            lines_of[int(r)].append(k)
    size = counts.sum(axis=1)

    def order(r):
        return (bool(is_margin[r]), size[r] == 0, size[r], r)

    # First the classic rule, which is cheap: a line with one hidden value and a margin
    # that its cells account for gives that value by subtraction.
    exact = (remainders == 0).any(axis=1)
    while True:
        picks = set()
        for k, (_, interior, total) in enumerate(lines):
            members = [*map(int, interior), total]
            hidden_members = [r for r in members if suppressed[r] or r in picks]
            if exact[k] and len(hidden_members) == 1:
                picks.add(min((r for r in members if r not in hidden_members), key=order))
        if not picks:
            break
        for pick in picks:
            suppressed[pick] = True
            reason[pick] = COMPLEMENTARY_REASON

    # Then the full check, which also finds values fixed only by several lines together.
    # Each round hides one cell next to every recoverable value whose lines were not
    # touched earlier in the round.
    while True:
        recoverable = np.zeros(len(counts), dtype=bool)
        cache = {}
        for c in range(counts.shape[1]):
            recoverable |= _recoverable(counts[:, c], lines, remainders[:, c], suppressed,
                                        cache)
        if not recoverable.any():
            return
        touched = set()
        for row in np.flatnonzero(recoverable):
            own = set(lines_of[row])
            if own & touched:
                continue
            candidates = _shown_in(own, lines, suppressed)
            if not candidates:
                _, linked_lines = _linked(row, lines, lines_of, suppressed)
                candidates = _shown_in(linked_lines, lines, suppressed)
            if not candidates:  # pragma: no cover - a fully hidden table is never solvable
                raise RuntimeError("suppression could not protect a hidden value; every "
                                   "cell linked to it is already hidden.")
            pick = min(candidates, key=order)
            suppressed[pick] = True
            reason[pick] = COMPLEMENTARY_REASON
            touched |= own | set(lines_of[pick])


def _shown_in(line_ids, lines, suppressed):
    rows = set()
    for k in line_ids:
        _, interior, total = lines[k]
        rows.update(int(r) for r in (*interior, total) if not suppressed[r])
    return rows


def _linked(row, lines, lines_of, suppressed):
    """Hidden rows linked to ``row`` through lines, and those lines."""
    seen_rows, seen_lines, todo = {int(row)}, set(), [int(row)]
    while todo:
        r = todo.pop()
        for k in lines_of[r]:
            if k in seen_lines:
                continue
            seen_lines.add(k)
            _, interior, total = lines[k]
            for other in (*interior, total):
                other = int(other)
                if suppressed[other] and other not in seen_rows:
                    seen_rows.add(other)
                    todo.append(other)
    return seen_rows, seen_lines


# ---------------------------------------------------------------------------
# Display helpers
# ---------------------------------------------------------------------------


def _blank(column, mask):
    """``column`` with missing values where ``mask`` is true (integers become Int64)."""
    if not mask.any():
        return column.copy()
    if pd.api.types.is_bool_dtype(column.dtype):
        column = column.astype("boolean")
    elif pd.api.types.is_integer_dtype(column.dtype):
        column = column.astype("Int64")
    elif not (pd.api.types.is_float_dtype(column.dtype)
              or isinstance(column.dtype, pd.StringDtype)
              or pd.api.types.is_object_dtype(column.dtype)
              or isinstance(column.dtype, pd.CategoricalDtype)):
        column = column.astype(object)
    column = column.copy()
    column[mask] = pd.NA if not pd.api.types.is_float_dtype(column.dtype) else np.nan
    return column
