"""Views: gap tables turned into sentences, tables and charts for people.

Views come last and accept only results that went through `gapkit.privacy.suppress` (a table from
`gapkit.tables.gap_table`): a table without the ``suppressed`` column is refused, and a suppressed
row is only ever shown as "suppressed" with its reason, never with a number. What a measure is
called and how it is formatted come from `gapkit.measures.MEASURES`.

* `gap_sentence` -- one plain-language sentence for one cell.
* `display_table` -- a table for people (percent top/bottom coding, "suppressed" shown as such);
  `table_html` renders it as accessible HTML.
* `gap_chart` -- a matplotlib figure of the gaps with their intervals, in the Okabe-Ito
  colour-blind-safe palette, suppressed cells marked, and a text alternative (``figure.alt_text``).
* `figure_img` -- a figure as an ``<img>`` (PNG, base64) with its alt text, for HTML and Voila.
"""
from __future__ import annotations

import base64
import html
import io
import math

import pandas as pd

from gapkit._validation import frame_like, int_like
from gapkit.measures import MEASURES
from gapkit.privacy import COMPLEMENTARY_REASON, Rule
from gapkit.tables import COLUMNS as _GAP_COLUMNS

__all__ = [
    "OKABE_ITO",
    "SUPPRESSED_TEXT",
    "gap_sentence",
    "display_table",
    "table_html",
    "gap_chart",
    "chart_alt_text",
    "figure_img",
    "sentence_case",
]

#: Okabe & Ito (2008) colour-universal-design palette: distinguishable with every common colour-vision
#: deficiency. Okabe, M., & Ito, K. (2008). *Color Universal Design (CUD): How to make figures and
#: presentations that are friendly to colorblind people*. https://jfly.uni-koeln.de/color/
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky blue": "#56B4E9", "bluish green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish purple": "#CC79A7",
}

#: What a suppressed value shows in tables.
SUPPRESSED_TEXT = "suppressed"


#: The measures views can show: each one's name, unit and format (``words``) come from the registry.
_SHOWN = {name: m for name, m in MEASURES.items() if m.words is not None}

_CELL_ORDER = ("school_name", "school_id", "school_level", "grade", "year", "subject")


# ---------------------------------------------------------------------------------------------
# Input checks: only suppressed results
# ---------------------------------------------------------------------------------------------

def _table_iv(table, name="table") -> pd.DataFrame:
    frame_like(table, name, what="from gapkit.tables.gap_table")
    if "suppressed" not in table.columns:
        raise ValueError(f"`{name}` has no `suppressed` column: views show only results that went through "
                         "gapkit.privacy.suppress (make the table with gapkit.tables.gap_table).")
    missing = [c for c in ("measure", "n_focal", "n_reference", "estimate", "ci_low", "ci_high", "focal",
                           "reference", "reason") if c not in table.columns]
    if missing:
        raise ValueError(f"`{name}` is missing column(s) {', '.join(map(repr, missing))}; make it with "
                         "gapkit.tables.gap_table.")
    return table


def _row_iv(row) -> dict:
    if isinstance(row, pd.DataFrame):
        if len(row) != 1:
            raise ValueError(f"`row` must be one row of a gap table; got a table of {len(row)} rows.")
        row = row.iloc[0]
    if isinstance(row, pd.Series):
        row = row.to_dict()
    if not isinstance(row, dict):
        raise TypeError(f"`row` must be one row of a gap table (Series or dict); got {type(row).__name__}.")
    if "suppressed" not in row:
        raise ValueError("`row` has no `suppressed` field: views show only results that went through "
                         "gapkit.privacy.suppress (make the table with gapkit.tables.gap_table).")
    if row.get("measure") not in _SHOWN:
        raise ValueError(f"`row` measure ({row.get('measure')!r}) not recognized; must be one of "
                         f"{', '.join(map(repr, _SHOWN))}.")
    return row


def _missing(value) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _is_suppressed(row) -> bool:
    value = row.get("suppressed")
    return bool(value) if not _missing(value) else True


# ---------------------------------------------------------------------------------------------
# Formatting helpers
# ---------------------------------------------------------------------------------------------

def school_year(year) -> str:
    """A school year named by its spring as people write it: 2024 -> ``"2023-24"``."""
    try:
        y = int(year)
    except (TypeError, ValueError):
        return str(year)
    return f"{y - 1}-{str(y)[-2:]}"


def by_columns(table: pd.DataFrame) -> list[str]:
    """The columns that define a cell in a gap table (everything before ``measure``)."""
    return [c for c in table.columns if c not in _GAP_COLUMNS and not c.endswith("_display")]


def cell_label(row, by=None) -> str:
    """The cell of a row in words, e.g. ``"Riverside Elementary, grade 5, 2023-24"``."""
    row = row.to_dict() if isinstance(row, pd.Series) else dict(row)
    by = list(by) if by is not None else [c for c in row if c not in _GAP_COLUMNS]
    ordered = [c for c in _CELL_ORDER if c in by] + [c for c in by if c not in _CELL_ORDER]
    if "school_name" in ordered and "school_id" in ordered:
        ordered.remove("school_id")
    parts = []
    for column in ordered:
        value = row.get(column)
        if _missing(value):
            continue
        if value == "All":
            parts.append({"grade": "all grades", "year": "all years", "school_name": "all schools",
                          "school_id": "all schools"}.get(column, f"all {column.replace('_', ' ')}s"))
        elif column == "grade":
            parts.append(f"grade {value}")
        elif column == "year":
            parts.append(school_year(value))
        else:
            parts.append(str(value))
    return ", ".join(parts)


def _num(value, digits: int) -> str:
    if _missing(value):
        return "–"
    value = float(value)
    if digits == 0:
        out = f"{value:,.0f}"
    else:
        out = f"{value:,.{digits}f}"
    return "0" if out in ("-0", "-0.00", "-0.0") else out.replace("-", "−")


def _n(value) -> str:
    return "n not shown" if _missing(value) else f"n = {int(value):,}"


def _reason_text(reason: str, min_n: int | None = None) -> str:
    reason = (reason or "").strip()
    if reason == COMPLEMENTARY_REASON:
        return "hidden so that a smaller hidden group cannot be worked out from the totals"
    if reason:
        return reason
    return "suppressed to protect small groups"


def _short_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if reason == COMPLEMENTARY_REASON:
        return "protects a smaller hidden group"
    return reason or "small group"


def _coded_percents(row) -> tuple[str, str] | None:
    """Each group's percent with top/bottom coding, or None when the values are missing.

    Only for rows that suppression showed: both groups were found big enough then, whatever minimum
    the table was made with, so only the coding of percentages near 0 and 100 applies here.
    """
    pf, pr = row.get("value_focal"), row.get("value_reference")
    nf, nr = row.get("n_focal"), row.get("n_reference")
    if any(_missing(v) for v in (pf, pr, nf, nr)):
        return None
    return Rule.percent(float(pf), nf), Rule.percent(float(pr), nr)


def _coded_bounds(coded: str, p: float) -> tuple[float, float]:
    if coded.startswith("<"):
        return 0.0, float(coded[1:-1])
    if coded.startswith(">"):
        return float(coded[1:-1]), 100.0
    return 100 * p, 100 * p


def _gap_words(row) -> dict:
    """The gap of a shown row as words: value, interval and whether a percentage was coded."""
    entry = MEASURES[row["measure"]]
    text = entry.words
    estimate = row.get("estimate")
    out = {"gap": None, "interval": None, "coded": False, "estimate": estimate}
    if _missing(estimate):
        return out
    if text.values == "percent":
        coded = _coded_percents(row)
        if coded and any(c.startswith(("<", ">")) for c in coded):
            # Top/bottom coding hides the exact percent: so must the gap (a range, no interval).
            flo, fhi = _coded_bounds(coded[0], float(row["value_focal"]))
            rlo, rhi = _coded_bounds(coded[1], float(row["value_reference"]))
            lo, hi = rlo - fhi, rhi - flo
            out.update(coded=True, gap=f"between {_num(lo, 0)} and {_num(hi, 0)} {text.unit}", interval=None,
                       range=(lo, hi))
            return out
    out["gap"] = f"{_num(abs(float(estimate)) * text.scale, text.digits)} {text.unit}"
    lo, hi = row.get("ci_low"), row.get("ci_high")
    if not (_missing(lo) or _missing(hi)):
        out["interval"] = (f"{_num(float(lo) * text.scale, text.digits)} to "
                           f"{_num(float(hi) * text.scale, text.digits)}")
        out["includes_zero"] = float(lo) <= entry.null <= float(hi)
    return out


# ---------------------------------------------------------------------------------------------
# Sentences
# ---------------------------------------------------------------------------------------------

def gap_sentence(row, *, focal_name: str | None = None, reference_name: str | None = None,
                 subject: str | None = None, cell: str | None = None, level: float = 0.95) -> str:
    """One plain-language sentence for one cell of a gap table.

    Parameters
    ----------
    row : pandas.Series, dict or one-row DataFrame
        A row of `gapkit.tables.gap_table` (it must carry ``suppressed``).
    focal_name, reference_name : str, optional
        The groups in words (default: the labels in the row, e.g. ``"EL"``).
    subject : str, optional
        The subject in words (e.g. ``"math"``).
    cell : str, optional
        The cell in words (default: built from the row's cell columns: school, grade, year).
    level : float, optional
        Confidence level of the row's interval, for the wording (default 0.95).

    Returns
    -------
    str
        The gap (reference minus focal) stated as who is behind and by how much, both groups' values
        and n's, and the interval; or, for a suppressed cell, ``"... not shown: fewer than 10
        students."``.

    Raises
    ------
    ValueError
        The row did not go through suppression (no ``suppressed``), or has an unknown measure.

    Examples
    --------
    >>> row = {"grade": 5, "measure": "proportion_difference", "focal": "EL", "reference": "EO",
    ...        "n_focal": 84, "n_reference": 310, "estimate": 0.28, "ci_low": 0.17, "ci_high": 0.38,
    ...        "value_focal": 0.21, "value_reference": 0.49, "suppressed": False, "reason": ""}
    >>> gap_sentence(row, focal_name="current English learners", reference_name="never-EL students",
    ...              subject="math")   # doctest: +NORMALIZE_WHITESPACE
    'Grade 5, math: 21% of current English learners (n = 84) and 49% of never-EL students (n = 310) scored
    proficient, so current English learners are behind by 28 percentage points (95% interval for the gap:
    17 to 38).'
    """
    row = _row_iv(row)
    focal = focal_name or str(row.get("focal", "the focal group"))
    reference = reference_name or str(row.get("reference", "the reference group"))
    where = cell if cell is not None else cell_label(row)
    head = ", ".join(p for p in (where, subject) if p)
    head = (head[0].upper() + head[1:]) if head else "This cell"
    entry = MEASURES[row["measure"]]
    text = entry.words
    if _is_suppressed(row):
        return f"{head}: the gap between {focal} and {reference} is not shown: {_reason_text(row.get('reason'))}."
    words = _gap_words(row)
    nf, nr = _n(row.get("n_focal")), _n(row.get("n_reference"))
    if words["gap"] is None:
        note = row.get("note") or "it cannot be computed for this cell"
        return f"{head}: the {text.name} gap between {focal} ({nf}) and {reference} ({nr}) is not shown: {note}."
    estimate = float(words["estimate"])
    if entry.ratio:
        direction = ("the same rate as" if math.isclose(estimate, 1.0)
                     else f"{_num(estimate, 2)} times the rate of")
        sentence = f"{head}: {focal} ({nf}) reach the outcome at {direction} {reference} ({nr})"
    else:
        if text.values == "percent":
            pf, pr = _coded_percents(row)
            values = f"{pf} of {focal} ({nf}) and {pr} of {reference} ({nr}) scored proficient"
        elif text.values == "mean" and not (_missing(row.get("value_focal"))
                                                 or _missing(row.get("value_reference"))):
            values = (f"{focal} ({nf}) averaged {_num(row['value_focal'], 0)} and {reference} ({nr}) "
                      f"{_num(row['value_reference'], 0)} on the scale")
        else:
            values = None
        if values is None:
            if math.isclose(estimate, 0.0, abs_tol=1e-12):
                sentence = f"{head}: {focal} ({nf}) and {reference} ({nr}) show no gap in the {text.name}"
            else:
                who = "behind" if estimate > 0 else "ahead of"
                sentence = (f"{head}: {focal} ({nf}) are {who} {reference} ({nr}) by {words['gap']} "
                            f"on the {text.name}")
        elif words["coded"]:
            who = f"{focal} are behind" if estimate > 0 else f"{focal} are ahead"
            sentence = f"{head}: {values}, so {who} by {words['gap']}"
        elif math.isclose(estimate, 0.0, abs_tol=1e-12):
            sentence = f"{head}: {values}, with no gap"
        else:
            who = f"{focal} are behind" if estimate > 0 else f"{focal} are ahead"
            sentence = f"{head}: {values}, so {who} by {words['gap']}"
    if words["interval"]:
        pct = f"{level * 100:g}%"
        sentence += f" ({pct} interval for the {'ratio' if entry.ratio else 'gap'}: {words['interval']})"
        if words.get("includes_zero"):
            sentence += "; the interval includes no difference, so the data are also consistent with no gap"
    return sentence + "."


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------

def display_table(table, *, focal_name: str | None = None, reference_name: str | None = None) -> pd.DataFrame:
    """A gap table for people: every value a formatted string, suppressed cells shown as such.

    Parameters
    ----------
    table : pandas.DataFrame
        A table from `gapkit.tables.gap_table` (it must carry ``suppressed``).
    focal_name, reference_name : str, optional
        Column headings for the two groups (default "Focal group" / "Reference group" labels).

    Returns
    -------
    pandas.DataFrame
        One row per cell and measure: the cell (school, grade, year...), ``Measure``, the n and
        value of each group (percentages top/bottom coded with `gapkit.privacy.Rule.percent`),
        ``Gap (reference − focal)``, ``95% interval`` and ``Note``. Suppressed cells show
        ``"suppressed"`` and the reason, and no number.
    """
    table = _table_iv(table)
    by = by_columns(table)
    focal_label = focal_name or "Focal group"
    reference_label = reference_name or "Reference group"
    rows = []
    for record in _margins_last(table.to_dict("records"), by):
        measure = record["measure"]
        text = _SHOWN[measure].words if measure in _SHOWN else None
        out = {}
        for column in by:
            value = record[column]
            if column == "year" and value != "All":
                value = school_year(value)
            name = {"school_name": "School", "school_id": "School ID", "grade": "Grade",
                    "year": "Year"}.get(column, column.replace("_", " ").capitalize())
            out[name] = "All" if value == "All" else ("" if _missing(value) else str(value))
        out["Measure"] = text.name if text else str(measure)
        if _is_suppressed(record):
            shown = dict.fromkeys([f"{focal_label}: n", f"{focal_label}: value", f"{reference_label}: n",
                                   f"{reference_label}: value", "Gap (reference − focal)", "95% interval"],
                                  SUPPRESSED_TEXT)
            out.update(shown)
            out["Note"] = _reason_text(record.get("reason"))
            rows.append(out)
            continue
        out[f"{focal_label}: n"] = "" if _missing(record["n_focal"]) else f"{int(record['n_focal']):,}"
        values = text.values if text else ""
        if values == "percent":
            coded = _coded_percents(record)
            vf, vr = coded if coded else ("", "")
        elif values == "mean":
            vf, vr = _num(record.get("value_focal"), 0), _num(record.get("value_reference"), 0)
        else:
            vf = vr = ""
        out[f"{focal_label}: value"] = vf
        out[f"{reference_label}: n"] = "" if _missing(record["n_reference"]) else f"{int(record['n_reference']):,}"
        out[f"{reference_label}: value"] = vr
        words = _gap_words(record) if text else {"gap": None, "interval": None}
        if words["gap"] is None:
            out["Gap (reference − focal)"] = "–"
        elif words["coded"]:
            out["Gap (reference − focal)"] = words["gap"]
        else:
            out["Gap (reference − focal)"] = f"{_num(float(record['estimate']) * text.scale, text.digits)}"
        out["95% interval"] = words["interval"] or "–"
        out["Note"] = str(record.get("note") or "")
        rows.append(out)
    return pd.DataFrame(rows)


def table_html(table, *, caption: str, focal_name: str | None = None, reference_name: str | None = None) -> str:
    """`display_table` as an accessible HTML table (a caption and column headers with ``scope``)."""
    if not isinstance(caption, str) or not caption.strip():
        raise ValueError("`caption` must say what the table shows; got an empty caption.")
    shown = display_table(table, focal_name=focal_name, reference_name=reference_name)
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in shown.columns)
    body = []
    for record in shown.itertuples(index=False):
        cells = []
        for value in record:
            value = str(value)
            css = ' class="gapkit-suppressed"' if value == SUPPRESSED_TEXT else ""
            cells.append(f"<td{css}>{html.escape(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="gapkit-table"><caption>{html.escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


# ---------------------------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------------------------

def sentence_case(text: str) -> str:
    """"former English learners" -> "Former English learners" (`str.capitalize` would lower "English")."""
    return text[:1].upper() + text[1:]


def _margins_last(records, by):
    """Cells first, total ("All") rows after them, otherwise in table order."""
    return sorted(records, key=lambda r: sum(r.get(c) == "All" for c in by))


def _one_measure(table, measure):
    measures = list(dict.fromkeys(table["measure"]))
    if measure is None:
        if len(measures) != 1:
            raise ValueError(f"`measure` is required when the table holds several measures "
                             f"({', '.join(map(repr, measures))}).")
        measure = measures[0]
    if measure not in measures:
        raise ValueError(f"`measure` ({measure!r}) not in the table; it holds {', '.join(map(repr, measures))}.")
    return measure, table[table["measure"] == measure]


def chart_alt_text(table, *, measure: str | None = None, focal_name: str | None = None,
                   reference_name: str | None = None, subject: str | None = None) -> str:
    """A text alternative for `gap_chart`: what it plots, then every cell's gap or why it is hidden."""
    table = _table_iv(table)
    measure, part = _one_measure(table, measure)
    text = MEASURES[measure].words
    first = part.iloc[0] if len(part) else {}
    focal = focal_name or str(first.get("focal", "focal group"))
    reference = reference_name or str(first.get("reference", "reference group"))
    by = by_columns(table)
    what = f"{text.name} in {subject}" if subject else text.name
    lines = [f"Chart of the gap in {what} between {focal} and {reference} (reference minus focal; above zero "
             f"means {focal} are behind), in {text.unit}, with 95% intervals, for {len(part)} "
             f"cell{'s' if len(part) != 1 else ''}."]
    for record in _margins_last(part.to_dict("records"), by):
        label = sentence_case(cell_label(record, by)) or "All students"
        if _is_suppressed(record):
            lines.append(f"{label}: suppressed ({_reason_text(record.get('reason'))}).")
            continue
        words = _gap_words(record)
        if words["gap"] is None:
            lines.append(f"{label}: not computable.")
        elif words["coded"]:
            lines.append(f"{label}: {words['gap']}.")
        else:
            value = _num(float(record["estimate"]) * text.scale, text.digits)
            interval = f" (interval {words['interval']})" if words["interval"] else ""
            lines.append(f"{label}: {value}{interval}.")
    return " ".join(lines)


def gap_chart(table, *, measure: str | None = None, focal_name: str | None = None,
              reference_name: str | None = None, subject: str | None = None, highlight=None,
              title: str | None = None):
    """The gaps of a table as points with interval bars, one row per cell.

    Parameters
    ----------
    table : pandas.DataFrame
        A table from `gapkit.tables.gap_table` (it must carry ``suppressed``).
    measure : str, optional
        The measure to draw (required when the table holds several).
    focal_name, reference_name, subject : str, optional
        Words for the groups and the subject, used in the title, axis and alt text.
    highlight : str, optional
        The cell label (as `cell_label` writes it) to draw in a second colour.
    title : str, optional
        The chart title (default: built from the measure, groups and subject).

    Returns
    -------
    matplotlib.figure.Figure
        With an attribute ``alt_text`` (see `chart_alt_text`). Colours come from the Okabe-Ito
        palette and meaning never rests on colour alone: suppressed cells are written out as
        "suppressed", the highlighted cell is also drawn with a larger diamond marker.
    """
    from matplotlib.figure import Figure

    table = _table_iv(table)
    measure, part = _one_measure(table, measure)
    text = MEASURES[measure].words
    by = by_columns(table)
    first = part.iloc[0] if len(part) else {}
    focal = focal_name or str(first.get("focal", "focal group"))
    reference = reference_name or str(first.get("reference", "reference group"))
    records = _margins_last(part.to_dict("records"), by)
    labels = [sentence_case(cell_label(r, by)) or "All students" for r in records]
    height = 1.2 + 0.42 * max(len(records), 1)
    fig = Figure(figsize=(7.5, height), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    blue, vermillion, grey = OKABE_ITO["blue"], OKABE_ITO["vermillion"], "#595959"
    zero = MEASURES[measure].null
    ax.axvline(zero, color=grey, linewidth=1, linestyle="--")
    xs = []
    for i, (record, label) in enumerate(zip(records, labels)):
        y = len(records) - 1 - i
        if _is_suppressed(record) or _missing(record.get("estimate")):
            why = "suppressed: " + _short_reason(record.get("reason")) if _is_suppressed(record) else "not computable"
            ax.annotate(why, xy=(0.01, y), xycoords=("axes fraction", "data"), va="center", fontsize=9,
                        fontstyle="italic", color=grey)
            continue
        words = _gap_words(record)
        scale = text.scale
        if words["coded"]:
            # Coded percentages: only the range the coding allows is drawn, as a bar without a point.
            lo, hi = words["range"]
            ax.plot([lo, hi], [y, y], color=grey, linewidth=6, alpha=0.5, solid_capstyle="butt")
            ax.annotate(f"{_num(lo, 0)} to {_num(hi, 0)} (a group under 5% or over 95% is shown only as a range)", xy=(hi, y),
                        xytext=(6, 0), textcoords="offset points", va="center", fontsize=8.5, color=grey)
            xs += [lo, hi]
            continue
        est = float(record["estimate"]) * scale
        is_high = highlight is not None and label.lower() == str(highlight).lower()
        color = vermillion if is_high else blue
        lo, hi = record.get("ci_low"), record.get("ci_high")
        if not (_missing(lo) or _missing(hi)):
            ax.plot([float(lo) * scale, float(hi) * scale], [y, y], color=color, linewidth=2.2)
            xs += [float(lo) * scale, float(hi) * scale]
        ax.plot([est], [y], marker="D" if is_high else "o", markersize=9 if is_high else 7, color=color,
                linestyle="none")
        xs.append(est)
        ax.annotate(_num(est, text.digits), xy=(est, y), xytext=(0, 7), textcoords="offset points",
                    ha="center", fontsize=9, color="#000000")
    ax.set_yticks(range(len(records)), labels[::-1] if records else [])
    ax.set_ylim(-0.7, max(len(records), 1) - 0.3)
    if xs:
        lo, hi = min(xs + [zero]), max(xs + [zero])
        pad = (hi - lo) * 0.12 or 1.0
        ax.set_xlim(lo - pad, hi + pad)
    ax.set_xlabel(f"Gap in {text.unit} (reference minus focal)\nright of the dashed line: {focal} behind")
    what = f"{text.name}, {subject}" if subject else text.name
    ax.set_title(title or f"Gap in {what}: {reference} minus {focal}", fontsize=11, loc="left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    fig.alt_text = chart_alt_text(table, measure=measure, focal_name=focal, reference_name=reference,
                                  subject=subject)
    return fig


def figure_img(figure, *, alt: str | None = None, dpi: int = 100) -> str:
    """A figure as an accessible ``<img>``: a base64 PNG with its text alternative.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    alt : str, optional
        The text alternative (default: ``figure.alt_text`` from `gap_chart`). Required one way or
        the other: an image without a text alternative is refused.
    dpi : int, optional
        Resolution of the PNG.
    """
    from matplotlib.figure import Figure

    if not isinstance(figure, Figure):
        raise TypeError(f"`figure` must be a matplotlib Figure; got {type(figure).__name__}.")
    alt = alt if alt is not None else getattr(figure, "alt_text", None)
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("`alt` must describe the figure for people who cannot see it; got none.")
    dpi = int_like(dpi, "dpi", minimum=10)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=int(dpi))
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (f'<img class="gapkit-chart" src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}" '
            'style="max-width:100%;height:auto">')
