"""Gap tables: summary -> privacy -> measures, in one call.

`gap_table` is the only way student data becomes a table of gaps. It pools each cell's groups from
the summary, suppresses the cells by their groups' sizes (`gapkit.privacy.suppress`, which needs only
the counts), and then computes the measures for the cells it shows: an estimate is never computed for
a cell that may not be shown, and every view takes its rows from here. `protect_linked` suppresses
further across gap tables whose groups add up.
"""
from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._validation import label_tuple, level_like, one_of
from .measures import MEASURES, estimate_table
from .privacy import COMPLEMENTARY_REASON, Family, Rule, suppress, suppress_linked
from .records import COMPARISONS, LINKED, LINKED_KEEP, PROFICIENT_LEVEL, side_group
from .summary import Summary, pool, summarize

__all__ = ["COLUMNS", "gap_table", "group_counts", "hide", "protect_linked"]

#: Columns of a gap table, after the `by` columns.
COLUMNS = ["measure", "focal", "reference", "n_focal", "n_reference", "estimate", "se", "ci_low", "ci_high",
           "value_focal", "value_reference", "method", "note", "suppressed", "reason"]

#: What a hidden row of a gap table does not show, besides its counts.
_HIDDEN = ["estimate", "se", "ci_low", "ci_high", "value_focal", "value_reference"]
_SIDES = ("focal", "reference")


def gap_table(data, outcome: str | None = None, group: str | None = None, *, focal, reference=None,
              by: Sequence[str] = (), measures: Sequence[str] | None = None, min_n: int = Rule.min_n,
              proficient=PROFICIENT_LEVEL, levels: str | None = None, cuts=None, level: float = 0.95,
              margins: bool = False) -> pd.DataFrame:
    """Gaps between a focal and a reference group, per cell, with small cells suppressed.

    Parameters
    ----------
    data : DataFrame or Summary
        Student records (then `outcome` and `group` are required) or a `Summary`.
    outcome, group : str
        Outcome column and the column whose labels are compared (records only).
    focal, reference : label or sequence of labels
        Labels of `group` on each side; several labels are pooled exactly from their summaries.
        ``reference=None`` compares with everyone else in the cell.
    by : sequence of str
        Columns that define a cell (records only; a Summary brings its own).
    measures : sequence of str, optional
        Measures of `gapkit.measures.MEASURES` that gap tables offer (those with ``needs``). Default:
        its default measures that the data supports (percent proficient, mean, Hedges' g and V).
    min_n : int
        Minimum students in each group for a cell to be shown (default: `gapkit.privacy.Rule`'s, 10).
    proficient : level label
        Lowest performance level that counts as proficient (default `gapkit.records.PROFICIENT_LEVEL`, 3).
    levels, cuts : optional
        Performance levels of records, as for `gapkit.summarize`.
    level : float
        Confidence level of the intervals.
    margins : bool
        Add total rows (``"All"``) over each `by` column; complementary suppression then protects them.

    Returns
    -------
    DataFrame
        One row per cell and measure: the `by` columns, then `COLUMNS`. On suppressed rows the estimate,
        interval and group values are missing and ``reason`` says why.

    Raises
    ------
    ValueError
        An unknown measure or label, a measure the data cannot support, or a bad option.

    Examples
    --------
    Ten English learners and twelve never-EL students in one grade:

    >>> rows = pd.DataFrame({"el_status": ["EL"] * 10 + ["EO"] * 12,
    ...                      "level": [1, 2] * 5 + [2, 3, 3, 4] * 3,
    ...                      "score": [400.0 + i for i in range(10)] + [430.0 + i for i in range(12)]})
    >>> table = gap_table(rows, "score", "el_status", focal="EL", reference="EO", levels="level",
    ...                   measures=["proportion_difference", "mean_difference"])
    >>> table[["measure", "n_focal", "n_reference", "estimate"]].round(3).to_dict("records")
    [{'measure': 'proportion_difference', 'n_focal': 10, 'n_reference': 12, 'estimate': 0.75}, \
{'measure': 'mean_difference', 'n_focal': 10, 'n_reference': 12, 'estimate': 31.0}]
    """
    rule = Rule(min_n)
    level = level_like(level)
    if isinstance(data, Summary):
        summary = data
    elif isinstance(data, pd.DataFrame):
        if outcome is None or group is None:
            raise ValueError("`outcome` and `group` are required when `data` is student records.")
        summary = summarize(data, outcome, group, by=by, levels=levels, cuts=cuts)
    else:
        raise TypeError(f"`data` must be a DataFrame of student records or a Summary; got {type(data).__name__}.")
    measures = _measures_iv(measures, summary)
    if "successes" not in summary.table and any(MEASURES[m].needs == "proportions" for m in measures) \
            and not any(label >= proficient for label in summary.levels):
        raise ValueError(f"`proficient` ({proficient!r}) is above every performance level in the data "
                         f"({', '.join(map(str, summary.levels))}).")
    focal, reference = _labels_iv(summary, focal, reference)
    cells = _cells(summary, focal, reference, proficient=proficient, margins=margins)
    cells = _privacy(cells, summary.by, rule.min_n)
    table = _estimates(cells, summary, measures, level)
    table["focal"] = _describe(focal)
    table["reference"] = _describe(reference) if reference else "all others"
    return table[[*summary.by, *COLUMNS]]


def _measures_iv(measures, summary):
    has_means = summary.table["mean"].notna().any() and summary.table["sd"].notna().any()
    has_proportions = bool(summary.levels) or "successes" in summary.table
    supported = {"means": has_means, "proportions": has_proportions, "levels": len(summary.levels) >= 2}
    offered = {name: m for name, m in MEASURES.items() if m.needs}
    if measures is None:
        return [name for name, m in offered.items() if m.default and supported[m.needs]]
    measures = list(label_tuple(measures))
    for measure in measures:
        one_of(measure, "measures", offered)
        if not supported[offered[measure].needs]:
            need = {"means": "means and standard deviations", "proportions": "performance levels or a yes/no "
                    "outcome", "levels": "counts in two or more performance levels"}[offered[measure].needs]
            raise ValueError(f"`measures` asks for {measure!r}, which needs {need}; this summary has none.")
    return measures


def _labels_iv(summary, focal, reference):
    present = summary.table[summary.group].dropna().unique().tolist()
    focal = label_tuple(focal)
    reference = label_tuple(reference)
    if not focal:
        raise ValueError("`focal` must name at least one label of the group column.")
    for name, labels in (("focal", focal), ("reference", reference)):
        unknown = [label for label in labels if label not in present]
        if unknown:
            raise ValueError(f"`{name}` label(s) {', '.join(map(repr, unknown))} not found in column "
                             f"{summary.group!r}; labels are: {', '.join(map(repr, sorted(present, key=str)))}.")
    overlap = set(focal) & set(reference)
    if overlap:
        raise ValueError(f"`focal` and `reference` share label(s) {', '.join(map(repr, overlap))}.")
    return focal, reference


def _cells(summary, focal, reference, *, proficient, margins):
    """One row per cell with each side's pooled statistics (columns <stat>_focal, <stat>_reference)."""
    table = summary.table
    labels = table[summary.group]
    in_reference = labels.isin(reference) if reference else ~labels.isin(focal)
    side = pd.Series(np.where(labels.isin(focal), "focal", np.where(in_reference, "reference", "")),
                     index=table.index)
    rows = table[side != ""].assign(_side=side[side != ""])
    level_columns = summary.level_columns
    if "successes" not in rows:
        proficient_columns = [f"level_{label}" for label in summary.levels if label >= proficient]
        rows["successes"] = rows[proficient_columns].sum(axis=1, min_count=1) if proficient_columns else np.nan
    by = list(summary.by)
    if not by:  # a single cell
        by = ["_cell"]
        rows["_cell"] = "all"
    pooled = [pool(rows, [*by, "_side"], level_columns)]
    if margins and summary.by:
        for size in range(1, len(by) + 1):
            for rolled in itertools.combinations(by, size):
                kept = [c for c in by if c not in rolled]
                part = pool(rows, [*kept, "_side"], level_columns)
                for column in rolled:
                    part[column] = "All"
                pooled.append(part[pooled[0].columns])
    pooled = pd.concat(pooled, ignore_index=True) if len(pooled) > 1 else pooled[0]
    wide = pooled.set_index([*by, "_side"]).unstack("_side")  # only cells that exist
    wide.columns = [f"{stat}_{side}" for stat, side in wide.columns]
    wide = wide.reset_index()
    for stat in ["n", "successes", "mean", "sd", "source_suppressed", *level_columns]:
        for s in _SIDES:
            column = f"{stat}_{s}"
            if column not in wide:
                wide[column] = np.nan
    for s in _SIDES:
        wide[f"n_{s}"] = wide[f"n_{s}"].fillna(0)
        wide[f"source_suppressed_{s}"] = wide[f"source_suppressed_{s}"].eq(True)
    return wide


def _privacy(cells, by, min_n):
    """Primary and complementary suppression of each cell (both groups' sizes are shown counts).

    Cells a published file hid (and totals over them) stay hidden; their counts are unknown, so they
    are left out of the recoverability check, which protects the cells that are shown.
    """
    dims = list(by) or ["_cell"]
    hidden = cells["source_suppressed_focal"] | cells["source_suppressed_reference"]
    shown = suppress(cells[~hidden], dims=dims, count_columns=["n_focal", "n_reference"], min_n=min_n)
    source = cells[hidden].assign(suppressed=True, reason="hidden in the source", n_focal=np.nan,
                                  n_reference=np.nan)
    return pd.concat([shown, source]).sort_index() if len(source) else shown


def _estimates(cells, summary, measures, level):
    """Each measure over every computable cell at once; rows come out cell by cell, in measure order."""
    n_focal = pd.to_numeric(cells["n_focal"]).fillna(0).to_numpy()
    n_reference = pd.to_numeric(cells["n_reference"]).fillna(0).to_numpy()
    suppressed = cells["suppressed"].to_numpy(bool)
    occupied = ~suppressed & (n_focal > 0) & (n_reference > 0)
    empty_note = np.where(suppressed, "", np.where((n_focal == 0) | (n_reference == 0),
                                                   "a group has no students in this cell",
                                                   "not computable from this cell's data")).astype(object)
    columns = {c: [] for c in (*_HIDDEN, "method", "note")}
    for measure in measures:
        kind = MEASURES[measure].needs
        computable = occupied.copy()
        if kind == "means":
            computable &= cells["mean_focal"].notna().to_numpy() & cells["mean_reference"].notna().to_numpy()
        estimates = estimate_table(measure, level=level, **_data(measure, cells[computable], summary))
        for column, source in (("estimate", "value"), ("se", "se"), ("ci_low", "ci_low"), ("ci_high", "ci_high")):
            values = np.full(len(cells), np.nan)
            values[computable] = estimates[source].to_numpy(float)
            columns[column].append(values)
        for column, own in zip(("value_focal", "value_reference"), _own_values(kind, cells)):
            columns[column].append(np.where(computable, own.to_numpy(float), np.nan))
        method = np.full(len(cells), "", dtype=object)
        method[computable] = estimates["method"].to_numpy(object)
        note = empty_note.copy()
        note[computable] = estimates["note"].to_numpy(object)
        columns["method"].append(method)
        columns["note"].append(note)
    # (measures x cells) -> cell-major rows: each cell's measures together.
    table = cells[[*summary.by, "n_focal", "n_reference", "suppressed", "reason"]].loc[
        np.repeat(cells.index.to_numpy(), len(measures))].reset_index(drop=True)
    table["measure"] = np.tile(np.asarray(measures, dtype=object), len(cells))
    for column, parts in columns.items():
        table[column] = np.stack(parts, axis=1).ravel()
    for column in ("n_focal", "n_reference"):
        table[column] = table[column].astype("Int64")
    return table


def _data(measure, rows, summary):
    """The arrays `estimate_table` takes for `measure`, from the cells' pooled statistics.

    Each data argument is named ``<statistic>_<side>``: counts, means and standard deviations are cell
    columns of the same name; ``p_<side>`` is the share with the outcome and ``counts_<side>`` the
    counts per level. Optional data are given when the cells have them.
    """
    def column(name):
        stat, side = name.rsplit("_", 1)
        if stat == "p":
            return rows[f"successes_{side}"].to_numpy(int) / rows[f"n_{side}"].to_numpy(int)
        if stat == "counts":
            return rows[[f"{c}_{side}" for c in summary.level_columns]].to_numpy(int)
        if name not in rows:
            return None
        return rows[name].to_numpy(int if stat in ("n", "successes") else float)

    entry = MEASURES[measure]
    data = {name: column(name) for name in entry.data}
    optional = {name: column(name) for name in entry.optional}
    return data | optional if all(v is not None for v in optional.values()) else data


def _own_values(kind, cells):
    """Each group's own statistic beside the gap: its mean, or its proportion with the outcome."""
    if kind == "means":
        return cells["mean_focal"].astype(float), cells["mean_reference"].astype(float)
    if kind == "proportions":
        return tuple(pd.to_numeric(cells[f"successes_{side}"]) / pd.to_numeric(cells[f"n_{side}"])
                     for side in _SIDES)
    missing = pd.Series(np.nan, index=cells.index)
    return missing, missing


def _describe(labels) -> str:
    return " + ".join(map(str, labels))


# ---------------------------------------------------------------------------
# Suppression across gap tables whose groups add up
# ---------------------------------------------------------------------------


def hide(table, mask, *, reason=None) -> pd.DataFrame:
    """A copy of a gap table with the rows of `mask` suppressed: counts and estimates blanked.

    `reason`, when given, becomes the ``reason`` of those rows.
    """
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return table
    table = table.copy()
    for column in ("n_focal", "n_reference"):
        table[column] = pd.array(table[column], dtype="Int64")
        table.loc[mask, column] = pd.NA
    for column in _HIDDEN:
        if column in table:
            table.loc[mask, column] = np.nan
    table.loc[mask, "suppressed"] = True
    if reason is not None:
        table.loc[mask, "reason"] = reason
    return table


def group_counts(summary: Summary, labels, *, margins: Sequence[str] = ()) -> pd.DataFrame:
    """The true number of students with any of `labels` in each cell of `summary`, for privacy checks.

    The counts behind a gap table's side before suppression, for `protect_linked`; never to be shown.
    With `margins`, rows with ``"All"`` in those `by` columns count over them too (as in a gap table
    made with ``margins=True``). Returns the `by` columns and ``n``, one row per cell of the summary
    (0 where it has no such student).
    """
    table = summary.table
    rows = table.assign(n=table["n"].where(table[summary.group].isin(label_tuple(labels)), 0))
    by = list(summary.by)
    parts = []
    for size in range(len(margins) + 1):
        for rolled in itertools.combinations(margins, size):
            kept = [b for b in by if b not in rolled]
            part = (rows.groupby(kept, sort=True, dropna=False)["n"].sum().reset_index() if kept
                    else pd.DataFrame({"n": [rows["n"].sum()]}))
            for column in rolled:
                part[column] = "All"
            parts.append(part[[*by, "n"]])
    return pd.concat(parts, ignore_index=True)


def protect_linked(table, counts, *, by, min_n=Rule.min_n, comparisons=COMPARISONS, linked=LINKED,
                   keep=LINKED_KEEP) -> pd.DataFrame:
    """Hide further cells of stacked gap tables so that no hidden count follows from groups that add up.

    Parameters
    ----------
    table : DataFrame
        Gap tables of named comparisons (keys of `comparisons`) made with the same `by`, stacked, with a
        ``comparison`` column.
    counts : DataFrame
        The true counts of the sides of those comparisons: ``comparison``, ``side`` (``"focal"`` or
        ``"reference"``), the `by` columns and ``n`` (see `group_counts`).
    by : sequence of str
        The cell columns.
    min_n : int
        Minimum group size shown.
    comparisons : mapping of str to gapkit.records.Comparison, optional
        The comparisons by name (default `gapkit.records.COMPARISONS`).
    linked, keep : optional
        The groups that add up, and the one to hide last (default `gapkit.records.LINKED` and
        ``LINKED_KEEP``).

    Returns
    -------
    DataFrame
        `table` with the cells `gapkit.privacy.suppress_linked` hides, reason "complementary
        suppression".
    """
    by = list(by)

    def cell(record):
        return tuple(str(record[b]) for b in by)

    shown = {(r["comparison"], cell(r)): not bool(r["suppressed"])
             for r in table.drop_duplicates(["comparison", *by]).to_dict("records")}
    n, hidden, members = {}, {}, {}
    for r in counts.to_dict("records"):
        key = (side_group(comparisons[r["comparison"]], r["side"]), cell(r))
        n[key] = int(r["n"])
        # A group is known when any table shows it.
        hidden[key] = hidden.get(key, True) and not shown.get((r["comparison"], key[1]), False)
        members.setdefault(key, []).append(r["comparison"])
    if not n:
        return table
    groups = pd.DataFrame([{**dict(zip(by, k)), "group": g, "n": n[(g, k)], "suppressed": hidden[(g, k)]}
                           for g, k in n])
    families = [Family(side_group(*total), tuple(side_group(*p) for p in parts)) for total, parts in linked]
    out = suppress_linked(groups, dims=by, families=families, keep=[side_group(*k) for k in keep], min_n=min_n)
    newly = {(c, k) for (g, k), was, now in zip(n, groups["suppressed"], out["suppressed"]) if now and not was
             for c in members[(g, k)]}
    mask = [(r["comparison"], cell(r)) in newly for r in table[["comparison", *by]].to_dict("records")]
    return hide(table, mask, reason=COMPLEMENTARY_REASON)
