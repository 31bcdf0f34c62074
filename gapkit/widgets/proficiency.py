"""English-proficiency views: growth, time to reclassification, long-term ELs and former ELs, as a table and sentences.

Data go the one way every view goes: records -> `gapkit.proficiency` (counts, estimates, then
`gapkit.privacy.suppress`) -> the table and sentences here. `proficiency_summary` is pure; the
widget only shows its result.
"""
from __future__ import annotations

import html as _html
from dataclasses import dataclass, field

import ipywidgets as w
import pandas as pd

from gapkit import proficiency as _p
from gapkit import records as _records
from gapkit._validation import one_of
from gapkit.privacy import Rule, code_percent
from gapkit.views import school_year
from gapkit.widgets._common import Headless, esc, get_course, html, shared

__all__ = ["ANALYSES", "ProficiencySummary", "proficiency_summary", "ProficiencyWidget", "proficiency_view"]

#: What each analysis is called on the page.
ANALYSES = {
    "growth": "Growth in English proficiency",
    "reclassification": "Time to reclassification",
    "long_term": "Long-term English learners",
    "former_el": "Former English learners after exit",
}

_NAMES = {"school_name": "School", "school_level": "School level", "grade": "Grade", "year": "Year",
          "elp_level_prior": "Level a year earlier", "years_in_us": "Years in US schools"}
SUPPRESSED = "suppressed"
_SUPPRESSED_CSS = ' class="gapkit-suppressed"'


@dataclass(frozen=True)
class ProficiencySummary:
    """What an English-proficiency view shows: the suppressed table, a caption, sentences and HTML."""

    analysis: str
    caption: str
    sentences: tuple[str, ...]
    table: pd.DataFrame = field(repr=False, compare=False)
    table_html: str = field(default="", repr=False)


def _pct(p, n, min_n):
    if pd.isna(p) or pd.isna(n):
        return ""
    return code_percent(float(p), int(n), min_n=min_n)


def _interval(row, coded: str) -> str:
    if coded.startswith(("<", ">")) or pd.isna(row.get("ci_low")) or pd.isna(row.get("ci_high")):
        return "–"  # a coded percentage keeps its interval hidden too: the interval would give it back
    return f"{100 * row['ci_low']:.0f}% to {100 * row['ci_high']:.0f}%"


def _cell_words(row, by) -> str:
    parts = []
    for b in by:
        value = row[b]
        if value == "All":
            continue
        parts.append(school_year(value) if b == "year" else f"{_NAMES.get(b, b).lower()} {value}"
                     if b not in ("school_name",) else str(value))
    return ", ".join(parts)


def _rows(analysis, table, by, min_n, years):
    out = []
    for _, row in table.iterrows():
        cells = {_NAMES.get(b, b.replace("_", " ").capitalize()): (school_year(row[b]) if b == "year" and row[b] != "All"
                                                                  else str(row[b])) for b in by}
        hidden = bool(row["suppressed"])
        if analysis == "growth":
            coded = "" if hidden else str(row["share_gained_display"])
            values = {"English learners with a level in both years": "" if hidden else f"{int(row['n']):,}",
                      "Moved up at least one level": coded, "95% interval": "" if hidden else _interval(row, coded),
                      "Mean change (levels)": "" if hidden else f"{row['mean_change']:+.2f}"}
        elif analysis == "reclassification":
            coded = "" if hidden else str(row["share_reclassified_display"])
            still = "" if pd.isna(row["still_el"]) else f"{100 * row['still_el']:.0f}%"
            values = {"Years in US schools": str(int(row["years_in_us"])),
                      "English learners followed (n)": "" if hidden else f"{int(row['n_at_risk']):,}",
                      "Reclassified at the end of the year": coded,
                      "Still English learners after this year": still or ("" if hidden else "–"),
                      "95% interval": "–" if not still else _interval(row, still)}
        elif analysis == "long_term":
            coded = "" if hidden else str(row["share_long_term_display"])
            values = {"Current English learners (n)": "" if hidden else f"{int(row['n']):,}",
                      f"In US schools {years} years or more": coded,
                      "95% interval": "" if hidden else _interval(row, coded)}
        else:
            pf = "" if hidden else _pct(row["value_focal"], row["n_focal"], min_n)
            pr = "" if hidden else _pct(row["value_reference"], row["n_reference"], min_n)
            gap = "" if hidden or pd.isna(row["estimate"]) else f"{100 * row['estimate']:+.0f}"
            values = {"Years since exit": str(row["years_since_exit"]),
                      "Former ELs tested (n)": "" if hidden else f"{int(row['n_focal']):,}",
                      "Former ELs proficient": pf,
                      "Never-EL students tested (n)": "" if hidden or pd.isna(row["n_reference"])
                      else f"{int(row['n_reference']):,}",
                      "Never-EL students proficient": pr,
                      "Gap in points (never-EL minus former EL)": gap,
                      "95% interval": "" if hidden or not gap else
                      f"{100 * row['ci_low']:+.0f} to {100 * row['ci_high']:+.0f}"}
        if hidden:
            values = {k: (v if k in ("Years in US schools", "Years since exit") else SUPPRESSED) for k, v in values.items()}
        values["Note"] = str(row["reason"]) if hidden else ""
        out.append({**cells, **values})
    return pd.DataFrame(out)


def _table_html(shown: pd.DataFrame, caption: str) -> str:
    head = "".join(f'<th scope="col">{_html.escape(c)}</th>' for c in shown.columns)
    body = []
    for record in shown.itertuples(index=False):
        cells = "".join(f"<td{_SUPPRESSED_CSS if str(v) == SUPPRESSED else ''}>{_html.escape(str(v))}</td>"
                        for v in record)
        body.append(f"<tr>{cells}</tr>")
    return (f'<table class="gapkit-table"><caption>{_html.escape(caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _sentences(analysis, table, by, min_n, years) -> tuple[str, ...]:
    if analysis == "former_el":
        totals = table[table["years_since_exit"].astype(str) == "All"]
    else:
        totals = table if not by else table[[all(str(r[b]) == "All" for b in by) for _, r in table.iterrows()]]
    if analysis == "reclassification":
        groups = [((), table)] if not by else list(table.groupby(list(by), sort=True))
        out = []
        for key, part in groups:
            where = ", ".join(map(str, key if isinstance(key, tuple) else (key,)))
            head = f"{where}: " if where else ""
            median = _p.median_years(part)
            shown = part[~part["suppressed"] & part["still_el"].notna()]
            if shown.empty:
                out.append(f"{head}too few English learners were followed to estimate the time to reclassification.")
                continue
            last = shown.sort_values("years_in_us").iloc[-1]
            tail = (f"after {int(last['years_in_us'])} years in US schools, an estimated "
                    f"{100 * last['still_el']:.0f}% were still English learners")
            if median is not None:
                out.append(f"{head}half of English learners were reclassified by the end of their {_ordinal(median)} year in "
                           f"US schools (the median); {tail}.")
            else:
                out.append(f"{head}fewer than half of English learners had been reclassified in the years shown; {tail}.")
        return tuple(s[0].upper() + s[1:] for s in out)
    out = []
    for _, row in totals.iterrows():
        where = _cell_words(row, by)
        head = f"{where[0].upper()}{where[1:]}: " if where else ""
        if row["suppressed"]:
            out.append(f"{head}not shown: {row['reason']}.")
            continue
        if analysis == "growth":
            change = row["mean_change"]
            way = f"up {change:.2f}" if change > 0 else (f"down {-change:.2f}" if change < 0 else "by 0")
            out.append(f"{head}of {int(row['n']):,} current English learners with a level in both years, "
                       f"{row['share_gained_display']} moved up at least one English-proficiency level; on average "
                       f"they moved {way} levels.")
        elif analysis == "long_term":
            out.append(f"{head}{row['share_long_term_display']} of {int(row['n']):,} current English learners have "
                       f"been in US schools {years} years or more (long-term English learners).")
        elif analysis == "former_el":
            pf = _pct(row["value_focal"], row["n_focal"], min_n)
            pr = _pct(row["value_reference"], row["n_reference"], min_n)
            out.append(f"{head}{pf} of {int(row['n_focal']):,} former English learners tested scored proficient, "
                       f"against {pr} of {int(row['n_reference']):,} never-EL students.")
    if analysis == "former_el":
        out.append(_p.SELECTION_CAVEAT)
    return tuple(s[0].upper() + s[1:] for s in out)


def proficiency_summary(records: pd.DataFrame, analysis: str, *, by=(), year=None, school=None, subject=None,
                        min_n: int = Rule.min_n) -> ProficiencySummary:
    """One English-proficiency analysis of the records, ready to show (everything suppressed first).

    Parameters
    ----------
    records : DataFrame
        Canonical student records.
    analysis : {'growth', 'reclassification', 'long_term', 'former_el'}
    by : sequence of str, optional
        Cells of the table (with a total row for growth and long-term ELs).
    year : int, optional
        Keep one school year (growth, long-term and former ELs: default the latest; time to
        reclassification always uses every year, since it follows students).
    school : str, optional
        Keep one school.
    subject : {'math', 'ela'}, optional
        The subject of the former-EL results (required for ``former_el``).
    min_n : int
        Minimum group size shown.
    """
    one_of(analysis, "analysis", ANALYSES)
    by = tuple(by or ())
    data = records
    where = []
    if school is not None:
        data = data[data["school_name"] == school]
        where.append(str(school))
    else:
        where.append("the district")
    if analysis != "reclassification":
        years = sorted(int(y) for y in data["year"].dropna().unique())
        year = years[-1] if year is None else int(year)
        data = data[data["year"] == year]
        where.append(school_year(year))
    years_lt = _p.LONG_TERM_YEARS
    if analysis == "growth":
        table = _p.elp_growth(data, by=by, min_n=min_n, margins=bool(by))
    elif analysis == "reclassification":
        table = _p.reclassification_time(data, by=by, min_n=min_n)
        where.append("all years of records")
    elif analysis == "long_term":
        table = _p.long_term_el_share(data, by=by, min_n=min_n, margins=bool(by))
    else:
        one_of(subject, "subject", _records.SUBJECTS)
        table = _p.former_el_outcomes(data, _records.SUBJECTS[subject].level, by=by, min_n=min_n)
        where.insert(0, _records.SUBJECTS[subject].name)
    caption = f"{ANALYSES[analysis]}: {', '.join(where)}. Groups under {min_n} students are suppressed."
    shown = _rows(analysis, table, by, min_n, years_lt)
    return ProficiencySummary(analysis=analysis, caption=caption, sentences=_sentences(analysis, table, by, min_n, years_lt),
                              table=table, table_html=_table_html(shown, caption))


class ProficiencyWidget(Headless, w.VBox):
    """An English-proficiency view on a lesson page: what to look for, sentences, and the table."""

    def __init__(self, result: ProficiencySummary, *, look_for: str | None = None):
        self.result = result
        head = f'<h3 class="gapkit-widget-title">{esc(ANALYSES[result.analysis])}</h3>'
        if look_for:
            head += f'<p class="gapkit-look-for"><strong>What to look for:</strong> {esc(look_for)}</p>'
        sentences = "".join(f'<p class="gapkit-sentence-text">{esc(s)}</p>' for s in result.sentences)
        table = (f'<details class="gapkit-table-details" open><summary>The table</summary>'
                 f'<div class="gapkit-table-wrap">{result.table_html}</div></details>')
        super().__init__(children=[html(head + sentences + table)], layout=shared(w.Layout, width="100%"))
        self.add_class("gapkit-proficiency")

    def markdown(self) -> str:
        return f"**{ANALYSES[self.result.analysis]}**\n\n" + "\n\n".join(self.result.sentences) + "\n"



def proficiency_view(records=None, *, analysis: str, by=(), year=None, school=None, subject=None, min_n=None,
                     look_for: str | None = None, course=None) -> ProficiencyWidget:
    """The English-proficiency view of a ``proficiency`` block (default records: the course's sample district)."""
    course_obj = get_course(course) if records is None or min_n is None else None
    if records is None:
        from gapkit.widgets.explorer import course_records

        records = course_records(course_obj)
    min_n = course_obj.min_n if min_n is None else min_n
    return ProficiencyWidget(proficiency_summary(records, analysis, by=by, year=year, school=school, subject=subject,
                                                 min_n=min_n), look_for=look_for)
