"""Small-cell suppression: the step between the measures and anything a person sees.

The pipeline order is records -> summary -> measures -> **privacy** -> views. Suppression
runs after every measure and before any view, because a count or an estimate for a group
under the minimum size must never reach a table, chart, sentence or report, and neither may
a value that a reader could work out by subtracting shown cells from shown totals.

Everything here is pure: :func:`suppress` returns a new table with an explicit mask
(``suppressed``) and a plain-words ``reason``; it never changes its input.

The rules, and the sources they follow, are written out in ``docs/privacy.md``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from scipy import linalg, optimize

from gapkit._validation import column_list, frame_like, int_like, plain, proportion_like

__all__ = ["suppress", "code_percent", "InconsistentTotalsError", "SUPPRESSED_MARK",
           "COMPLEMENTARY_REASON"]

#: Display string for a suppressed value (the ``reason`` column says why).
SUPPRESSED_MARK = "*"

#: ``reason`` of a row hidden only so that another hidden row cannot be worked out.
COMPLEMENTARY_REASON = "complementary suppression"

#: Percentages outside [LOW, HIGH] are shown as "<5%" / ">95%" (Delaware DOE rule, see
#: :func:`code_percent`).
_LOW, _HIGH = 5, 95

# Relative size below which an eigenvalue of A'A counts as zero. The constraint matrices
# hold only 0, +1 and -1: rounding leaves zero eigenvalues near 1e-13 of the scale, and
# the smallest non-zero ones of such matrices are far above 1e-10.
_TOL = 1e-10


# ---------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------


def suppress(table, *, dims, count_columns, min_n=10, total_label="All", hide=(),
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
        Minimum group size that may be shown (default 10, the most common state rule [1]_).
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
    (table, dims, count_columns, min_n, total_label, hide,
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

    small = ((counts > 0) & (counts < min_n)).any(axis=1) & ~suppressed
    suppressed |= small
    reason[small] = f"fewer than {min_n} students"

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
        out[f"{column}_display"] = [
            SUPPRESSED_MARK if hidden else _code(value)
            for hidden, value in zip(suppressed, shown)
        ]
    out["suppressed"] = suppressed
    out["reason"] = pd.array(reason.astype(str), dtype=object)
    out.index = index
    return out


def code_percent(p, n, *, min_n=10):
    """Display string of a proportion with top and bottom coding.

    Parameters
    ----------
    p : float
        A proportion between 0 and 1 (e.g. the share of a group that is proficient), or
        NaN when there is none.
    n : int
        Number of students behind ``p``.
    min_n : int, optional
        Minimum group size that may be shown (default 10).

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
    min_n = int_like(min_n, "min_n", minimum=1)
    n = int_like(n, "n", minimum=0)
    p = proportion_like(p, "p", allow_nan=True)
    if 0 < n < min_n:
        return SUPPRESSED_MARK
    if n == 0:
        return ""
    return _code(p)


class InconsistentTotalsError(ValueError):
    """The cells of a line add up to more than the line's margin row."""


# ---------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------


def _suppress_iv(table, dims, count_columns, min_n, total_label, hide, percent_columns):
    frame_like(table, "table")
    min_n = int_like(min_n, "min_n", minimum=1)
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
    return table, dims, count_columns, min_n, total_label, hide, percent_columns


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
    solution = optimize.linprog(cost, A_ub=a_ub, b_ub=np.zeros(m), A_eq=a_eq,
                                b_eq=np.zeros(matrix.shape[0]), bounds=bounds,
                                method="highs")
    if solution.status != 0:  # pragma: no cover - the cone always contains 0
        raise RuntimeError(f"suppression audit failed: {solution.message}")
    always = np.zeros(n, dtype=bool)
    always[zero] = solution.x[n + 1:] < 0.5
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


def _code(p):
    if p is None or (isinstance(p, float) and math.isnan(p)) or p is pd.NA:
        return ""
    percent = 100.0 * float(p)
    if percent < _LOW:
        return f"<{_LOW}%"
    if percent > _HIGH:
        return f">{_HIGH}%"
    return f"{math.floor(percent + 0.5)}%"


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
