"""The report's sections: each a pure function of a `ReportData`, returning a `Section` of tables, figures
and sentences made from the suppressed tables of `gapkit.report.tables`."""
from __future__ import annotations

import io
import math
from dataclasses import dataclass, field, replace

import pandas as pd

from gapkit import views
from gapkit.views import sentence_case
from gapkit.measures import MEASURES
from gapkit.privacy import SUPPRESSED_MARK, Rule, suppress
from gapkit.records import COMPARISONS, NOT_CURRENT_EL, SUBJECTS
from gapkit.report.data import (_ALL, EL_COMPARISONS, EL_FLAG_COMPARISONS, OTHER_COMPARISONS, REPORT_COMPARISONS,
                                ReportData)
from gapkit.proficiency import LONG_TERM_YEARS, SELECTION_CAVEAT
from gapkit.report.tables import (_CURRENT, former_table, gaps, has, headline, long_term_table, opportunity_table,
                                  progress_table, trend_table)

__all__ = ["Section", "ReportTable", "ReportFigure", "Finding", "cover", "data_used", "el_gaps", "other_gaps",
           "trends", "cohorts", "opportunity", "elp_progress", "findings", "how_to_read", "family_summary"]

@dataclass(frozen=True, eq=False)
class ReportTable:
    """A table ready to show: display strings, already suppressed.

    ``columns`` maps each column of ``frame`` to a role used in the HTML (``"n"`` for counts of
    students, ``"total"`` for the margin label column, ``""`` otherwise), so that readers and tests
    can tell counts from other numbers.
    """

    caption: str
    frame: pd.DataFrame
    kind: str
    roles: dict = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True, eq=False)
class ReportFigure:
    """A chart as PNG bytes with its text alternative."""

    png: bytes
    alt: str
    caption: str


@dataclass(frozen=True)
class Finding:
    """One "what this shows" sentence and the numbers it was made from.

    ``source`` names what was computed (``"gap"``, ``"trend"``, ``"opportunity"``, ``"progress"``)
    and ``keys`` the cell (comparison, subject, year), so the sentence can be checked against an
    independent computation.
    """

    text: str
    source: str
    keys: tuple = ()
    values: tuple = ()


@dataclass(frozen=True, eq=False)
class Section:
    """One part of the report."""

    key: str
    title: str
    paragraphs: tuple = ()
    tables: tuple = ()
    figures: tuple = ()
    findings: tuple = ()
    details: tuple = ()   # tables shown folded under "More detail"
    box: bool = False


def _names(comparison: str) -> dict:
    """The ``focal_name`` and ``reference_name`` arguments of the views, in plain words."""
    c = COMPARISONS[comparison]
    return {"focal_name": c.focal_words, "reference_name": c.reference_words}


def _where(data: ReportData) -> str:
    return data.school or "the district"


def _subject_name(subject):
    return SUBJECTS[subject].name


def _latest(data):
    return data.years[-1] if data.years else None


def cover(data: ReportData) -> Section:
    """The line under the report's title: which school, which years, which minimum group size."""
    years = data.years
    span = (views.school_year(years[0]) if len(years) == 1 else
            f"{views.school_year(years[0])} to {views.school_year(years[-1])}") if years else "no years"
    return Section(key="cover", title="", paragraphs=(
        f"{sentence_case(_where(data))}: school years {span}. Made from {data.source}. Groups of fewer than "
        f"{data.rule.min_n} students are not shown.",))


def data_used(data: ReportData) -> Section:
    """What was read, what was left out and why (row counts through suppression)."""
    paragraphs = [
        f"Source file: {data.source} ({'student-level records' if data.kind == 'records' else 'published aggregate counts'}).",
        f"Report for {_where(data)}; school years {', '.join(views.school_year(y) for y in data.years) or 'none'}; "
        f"subjects: {', '.join(_subject_name(s) for s in data.subjects)}.",
        f"Groups smaller than {data.rule.min_n} students are not shown, and neither is any number from which a "
        "hidden group could be worked out.",
    ]
    tables = []
    excluded = data.excluded
    if len(excluded) and int(excluded["rows"].sum()) > 0:
        frame = pd.DataFrame({"why": [*excluded["reason"].astype(str), _ALL],
                              "n": [*excluded["rows"].astype(int), int(excluded["rows"].sum())]})
        out = suppress(frame, dims=["why"], count_columns=["n"], min_n=data.rule.min_n)
        shown = pd.DataFrame({"Why rows were left out": ["All rows left out" if r == _ALL else r for r in out["why"]],
                              "Rows": [_count_text(v) for v in out["n"]]})
        tables.append(ReportTable(caption=f"Rows of {data.source} left out of the report", frame=shown,
                                  kind="counts", roles={"Rows": "n"}))
        total_hidden = bool(out["suppressed"].iloc[-1])
        paragraphs.append(f"The file has {data.rows_read:,} rows." if total_hidden else
                          f"The file has {data.rows_read:,} rows; {data.rows_read - int(excluded['rows'].sum()):,} "
                          "were used.")
    else:
        paragraphs.append(f"The file has {data.rows_read:,} rows; none was left out.")
    if any(has(data, subject)["levels"] for subject in data.subjects):
        paragraphs.append(f"Percent proficient counts students at performance level {data.proficient} or above.")
    if data.kind == "records":
        for subject in data.subjects:
            scale = SUBJECTS[subject].scale
            missing = int(data.records[scale].isna().sum())
            if missing and has(data, subject)["scores"]:
                paragraphs.append(
                    f"In {_subject_name(subject)}, rows without a score (for example untested grades) are "
                    "not counted in that subject's gaps.")
    else:
        paragraphs.append(_PUBLISHED_LIMITS)
    return Section(key="data", title="The data in this report", paragraphs=tuple(paragraphs), tables=tuple(tables))


_PUBLISHED_LIMITS = (
    "This report was made from published counts per performance level. From such counts it can show the "
    "percent proficient of each group and the V statistic (a gap across all performance levels). It cannot "
    "show standardised gaps in average scores (published files have no standard deviations), newcomer "
    "English learners (not a published group), the cohort view (published counts do not follow the same "
    "students), access to advanced coursework, or English-proficiency progress. Those need student-level "
    "records.")


def _count_text(value) -> str:
    return SUPPRESSED_MARK if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)) \
        else f"{int(value):,}"


#: How a caption names the headline measure of a gap table.
_HEADLINE_WORDS = {"proportion_difference": ("gap in percent proficient", "percentage points"),
                   "mean_difference": ("gap in average scale score", "scale-score points")}


def _gap_section(data, comparisons, key, title):
    paragraphs, tables, figures, details = [], [], [], []
    for subject in data.subjects:
        measure = headline(data, subject)
        other = "hedges_g" if has(data, subject)["scores"] else "v_statistic"
        words, units = _HEADLINE_WORDS[measure]
        table = gaps(data, subject)
        table = table[table["comparison"].isin(comparisons)] if len(table) else table
        if table.empty:
            paragraphs.append(f"No comparison could be made in {_subject_name(subject)}.")
            continue
        if measure == "mean_difference":
            paragraphs.append(f"The file has no performance levels in {_subject_name(subject)}, so this report "
                              "shows gaps in average scale scores and standardised gaps; gaps in percent "
                              "proficient need performance levels.")
        overall = table[table["grade"] == _ALL]
        head = overall[overall["measure"] == measure].drop(columns=["subject", "grade"])
        tables.append(ReportTable(
            caption=f"{sentence_case(_subject_name(subject))}: {words}, all grades, by year "
                    f"(comparison group minus focal group, {units})",
            frame=_display(_ordered(head, comparisons), focal_name="Focal group",
                                      reference_name="Comparison group"),
            kind="gap"))
        latest = overall[(overall["year"] == _latest(data)) & (overall["measure"] == measure)]
        if len(latest):
            chart_rows = _ordered(latest.drop(columns=["subject", "grade", "year"]), comparisons)
            figure = views.gap_chart(chart_rows, measure=measure, focal_name="the focal group",
                                     reference_name="the comparison group", subject=_subject_name(subject),
                                     title=f"{sentence_case(_subject_name(subject))}, "
                                           f"{views.school_year(_latest(data))}: {words}")
            figures.append(_figure(figure, caption=f"{sentence_case(_subject_name(subject))}, "
                                   f"{views.school_year(_latest(data))}, all grades: each dot is a gap with its "
                                   "95% interval; right of the dashed line, the focal group is behind."))
        standardised = overall[overall["measure"] == other].drop(columns=["subject", "grade"])
        if len(standardised):
            details.append(ReportTable(
                caption=f"{sentence_case(_subject_name(subject))}: {MEASURES[other].words.name}, all grades, by year",
                frame=_display(_ordered(standardised, comparisons), focal_name="Focal group",
                                          reference_name="Comparison group"),
                kind="gap"))
        # By grade: the headline gap, and for published counts the V statistic too.
        by_grade = {measure: words}
        if data.kind == "published" and other == "v_statistic":
            by_grade[other] = MEASURES[other].words.name
        for comparison in comparisons:
            for shown, shown_words in by_grade.items():
                part = table[(table["comparison"] == comparison) & (table["measure"] == shown)]
                if part.empty:
                    continue
                details.append(ReportTable(
                    caption=f"{sentence_case(_subject_name(subject))}: {comparison}, {shown_words} by grade and year",
                    frame=_display(part.drop(columns=["subject", "comparison"]),
                                   focal_name=sentence_case(COMPARISONS[comparison].focal_words),
                                   reference_name=sentence_case(COMPARISONS[comparison].reference_words)),
                    kind="gap"))
    missing = [c for c in comparisons if c not in data.comparisons]
    if missing and data.kind == "published":
        paragraphs.append("Not available from published counts: " + "; ".join(missing) + ".")
    return Section(key=key, title=title, paragraphs=tuple(paragraphs), tables=tuple(tables),
                   figures=tuple(figures), details=tuple(details))


def _display(table, **names):
    """`gapkit.views.display_table`, tidied for one-measure tables: comparison first, no measure column (the
    caption names it) and no empty note column."""
    shown = views.display_table(table, **names)
    if shown.get("Measure") is not None and shown["Measure"].nunique() <= 1:
        shown = shown.drop(columns="Measure")
    if "Note" in shown and not shown["Note"].astype(str).str.strip().any():
        shown = shown.drop(columns="Note")
    if "Comparison" in shown:
        shown = shown[["Comparison", *[c for c in shown.columns if c != "Comparison"]]]
    return shown


def _ordered(table, comparisons):
    order = {c: i for i, c in enumerate(comparisons)}
    keys = ["comparison"] + (["year"] if "year" in table else [])
    return table.assign(_o=table["comparison"].map(order)).sort_values(["_o", *keys[1:]], kind="stable") \
        .drop(columns="_o").rename(columns={"comparison": "comparison"}).reset_index(drop=True)


def _figure(figure, *, caption):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return ReportFigure(png=buffer.getvalue(), alt=figure.alt_text, caption=caption)


def el_gaps(data: ReportData) -> Section:
    """Gaps for current, former, ever and newcomer English learners against never-EL students."""
    section = _gap_section(data, (*EL_COMPARISONS, *EL_FLAG_COMPARISONS), "el", "Gaps for English learners")
    if data.kind == "records" and data.records["el_status"].eq(NOT_CURRENT_EL).any():
        note = ("The file tells current English learners only from everyone else (a current-EL flag), so it "
                "cannot say who was an English learner before: the comparisons with former, ever and never "
                "English learners are left out, and current English learners are compared with all other "
                "students.")
        section = replace(section, paragraphs=(note, *section.paragraphs))
    return section


def other_gaps(data: ReportData) -> Section:
    """Gaps for students with disabilities, economic disadvantage, race/ethnicity and gender."""
    return _gap_section(data, OTHER_COMPARISONS, "other", "Gaps for other student groups")


def opportunity(data: ReportData) -> Section:
    """Opportunity gaps: how likely each group is to take advanced coursework, as a risk ratio."""
    if data.kind != "records":
        return Section(key="opportunity", title="Opportunity gaps", paragraphs=(
            "Access to advanced coursework cannot be computed from published test counts: it needs "
            "student-level records with course enrolment.",))
    table = opportunity_table(data)
    if table.empty:
        has_column = "advanced_course" in data.records and data.records["advanced_course"].notna().any()
        return Section(key="opportunity", title="Opportunity gaps", paragraphs=(
            "No comparison of advanced coursework can be made here: the data has none of the students it applies "
            "to with enough of both groups (grade 8 for Algebra I, and high school)." if has_column else
            "No student in this report has an advanced-coursework record (Algebra I by grade 8, or an advanced "
            "course in high school), so opportunity gaps cannot be shown.",))
    comparisons = [c for c in REPORT_COMPARISONS if c in set(table["comparison"])]
    shown = _ordered(table, comparisons)
    tables = (ReportTable(
        caption="Advanced coursework: rate of the focal group divided by the rate of the comparison group "
                "(1 means equal access; below 1, the focal group is less often enrolled)",
        frame=_display(shown, focal_name="Focal group", reference_name="Comparison group"),
        kind="gap"),)
    figures = []
    latest = table[table["year"].astype(str) == str(_latest(data))]
    if len(latest):
        figure = views.gap_chart(_ordered(latest.drop(columns="year"), comparisons), measure="risk_ratio",
                                 focal_name="the focal group", reference_name="the comparison group",
                                 title=f"Advanced coursework, {views.school_year(_latest(data))}: rate ratio")
        figures.append(_figure(figure, caption="Each dot is a rate ratio with its 95% interval; left of the "
                                               "dashed line (1), the focal group is enrolled less often."))
    return Section(key="opportunity", title="Opportunity gaps", paragraphs=(
        "Rows counted: students in grade 8 (Algebra I by grade 8) and in high school (an advanced course).",),
        tables=tables, figures=tuple(figures))


def elp_progress(data: ReportData) -> Section:
    """English-proficiency progress: share of current ELs who moved up a level since the year before and, in the
    district report, the share of long-term ELs and former ELs' results by years since exit with the selection
    caveat (`gapkit.proficiency`)."""
    title = "English-proficiency progress"
    if data.kind != "records":
        return Section(key="progress", title=title, paragraphs=(
            "English-proficiency progress cannot be computed from published test counts: it needs each "
            "current English learner's proficiency level this year and last year.",))
    table = progress_table(data)
    paragraphs, tables = [], []
    if table.empty:
        paragraphs.append("The data has no English-proficiency levels for two consecutive years, so progress "
                          "cannot be shown.")
    else:
        table = table.assign(_all=table["grade"] == _ALL).sort_values(["year", "_all"], kind="stable")
        paragraphs.append(
            "Each row counts current English learners who have an English-proficiency level both this year and "
            "the year before, and shows the share whose level went up by at least one. Shares below 5% or above "
            "95% are shown as <5% or >95%.")
        tables.append(ReportTable(
            caption="Current English learners who moved up at least one English-proficiency level since the "
                    "year before",
            frame=pd.DataFrame({
                "Year": [views.school_year(int(y)) for y in table["year"]],
                "Grade": ["All grades" if g == _ALL else g for g in table["grade"]],
                "Current English learners with a level this year and last year: n": [_count_text(v)
                                                                                     for v in table["n"]],
                "Moved up at least one level": _shown(table, "share_gained_display")}),
            kind="counts"))
    if data.school is not None:  # a school's small groups would follow from the district's numbers minus the others'
        paragraphs.append("Long-term and former English learners are shown in the district report only.")
        return Section(key="progress", title=title, paragraphs=tuple(paragraphs), tables=tuple(tables))
    long_term = long_term_table(data)
    if len(long_term):
        paragraphs.append(f"A long-term English learner is counted here as a current English learner who has been in "
                          f"US schools {LONG_TERM_YEARS} years or more (states' definitions differ).")
        tables.append(ReportTable(
            caption=f"Long-term English learners: current English learners in US schools {LONG_TERM_YEARS} "
                    "years or more",
            frame=pd.DataFrame({
                "Year": [views.school_year(int(y)) for y in long_term["year"]],
                "Current English learners with known years in US schools: n": [_count_text(v)
                                                                               for v in long_term["n"]],
                f"In US schools {LONG_TERM_YEARS} years or more": _shown(long_term, "share_long_term_display")}),
            kind="shares"))
    year = _latest(data)
    for subject in data.subjects:
        former = former_table(data, subject)
        former = former[former["year"] == str(year)] if len(former) else former
        if former.empty or not _former_matches_gaps(data, subject, year, former):
            continue
        tables.append(ReportTable(
            caption=f"{sentence_case(_subject_name(subject))}, {views.school_year(year)}: former English learners' "
                    "percent proficient by years since they left EL status",
            frame=pd.DataFrame({
                "Years since leaving EL status": ["All years" if y == _ALL else y for y in former["years_since_exit"]],
                "Former English learners tested: n": [_count_text(v) for v in former["n_focal"]],
                "Former English learners proficient": _percents(former, "focal"),
                "Never-EL students proficient": _percents(former, "reference")}),
            kind="counts", note=SELECTION_CAVEAT))
    return Section(key="progress", title=title, paragraphs=tuple(paragraphs), tables=tuple(tables))


def _shown(table, column):
    """A table's display column, with the suppression mark on hidden rows."""
    return [SUPPRESSED_MARK if s else v for s, v in zip(table["suppressed"], table[column])]


def _percents(table, side):
    return [SUPPRESSED_MARK if s or pd.isna(p) else Rule.percent(float(p), n)
            for s, p, n in zip(table["suppressed"], table[f"value_{side}"], table[f"n_{side}"])]


def _former_matches_gaps(data, subject, year, former) -> bool:
    """Whether the former ELs behind `former` are exactly the former-EL side of the gap table's all-grades cell
    (shown there). Otherwise the two counts together would give away the students left out of one of them."""
    gap = gaps(data, subject)
    row = _cell(gap, comparison="Former EL vs never EL", year=year, grade=_ALL, measure="proportion_difference") \
        if len(gap) else None
    total = _cell(former, years_since_exit=_ALL)
    return row is not None and total is not None and not row["suppressed"] and not total["suppressed"] \
        and int(row["n_focal"]) == int(total["n_focal"]) and int(row["n_reference"]) == int(total["n_reference"])


def _cell(table, **keys):
    """The one row of `table` matching `keys` (None when absent)."""
    mask = pd.Series(True, index=table.index)
    for column, value in keys.items():
        mask &= table[column].astype(str) == str(value)
    rows = table[mask]
    return None if rows.empty else rows.iloc[0]


def findings(data: ReportData) -> Section:
    """A short list of "what this shows" sentences, each built from numbers computed above.

    Each `Finding` keeps the cell it describes (``keys``) so its numbers can be checked against an
    independent run of `gapkit.tables.gap_table`.
    """
    items = []
    year = _latest(data)
    if year is None:
        return Section(key="findings", title="What this shows", paragraphs=("The data has no school year.",))
    shown_years = [y for y in data.years for subject in data.subjects
                   if len(t := gaps(data, subject)) and ((t["year"] == y) & (t["grade"] == _ALL)
                                                        & ~t["suppressed"].astype(bool)).any()]
    if shown_years and year not in shown_years:  # the latest year is too small: the latest with a gap shown
        year = max(shown_years)
    when = views.school_year(year)
    for subject in data.subjects:
        table = gaps(data, subject)
        if table.empty:
            continue
        measure = headline(data, subject)
        for comparison in ("Current EL vs never EL", "Former EL vs never EL", *EL_FLAG_COMPARISONS):
            row = _cell(table, comparison=comparison, year=year, grade=_ALL, measure=measure)
            if row is None:
                continue
            grade = _ALL
            if row["suppressed"]:  # e.g. published data with a hidden grade: the largest gap shown by grade
                by_grade = table[(table["comparison"] == comparison) & (table["year"] == year)
                                 & (table["grade"] != _ALL) & (table["measure"] == measure)
                                 & ~table["suppressed"].astype(bool) & table["estimate"].notna()]
                if len(by_grade):
                    row = by_grade.loc[by_grade["estimate"].abs().idxmax()]
                    grade = row["grade"]
            cell = f"{when}, all grades" if grade == _ALL else f"{when}, grade {grade} (largest gap shown by grade)"
            text = views.gap_sentence(row, **_names(comparison), subject=_subject_name(subject), cell=cell)
            items.append(Finding(text=text, source="gap", keys=(comparison, subject, year, grade, measure)))
        row = _trend_finding(data, table, subject)
        if row is not None:
            items.append(row)
        others = table[(table["comparison"].isin(OTHER_COMPARISONS)) & (table["year"] == year)
                       & (table["grade"] == _ALL) & (table["measure"] == measure)
                       & ~table["suppressed"].astype(bool) & table["estimate"].notna()]
        if len(others):
            row = others.loc[others["estimate"].abs().idxmax()]
            comparison = row["comparison"]
            text = ("Largest gap among the other groups: " +
                    views.gap_sentence(row, **_names(comparison), subject=_subject_name(subject),
                                       cell=f"{when}, all grades"))
            items.append(Finding(text=text, source="gap", keys=(comparison, subject, year, _ALL, measure)))
    if data.kind == "records":
        access = opportunity_table(data)
        if len(access):
            row = _cell(access, comparison="Current EL vs never EL", year=year)
            if row is not None:
                items.append(Finding(text=_access_sentence(row, when), source="opportunity",
                                     keys=("Current EL vs never EL", year)))
        progress = progress_table(data)
        if len(progress):
            row = _cell(progress, year=year, grade=_ALL)
            if row is not None and not row["suppressed"]:
                items.append(Finding(
                    text=f"{when}: {row['share_gained_display']} of current English learners with an English-proficiency "
                         f"level this year and last year (n = {int(row['n']):,}) moved up at least one level.",
                    source="progress", keys=(year,)))
    if not items:
        items.append(Finding(text=f"No finding can be shown: in every school year, every group is below the "
                                  f"minimum size ({data.rule.min_n} students) or a side has no student.",
                             source="none"))
    return Section(key="findings", title="What this shows", findings=tuple(items))


def _access_sentence(row, when):
    current = COMPARISONS["Current EL vs never EL"]
    focal, reference = current.focal_words, current.reference_words
    if row["suppressed"]:
        return f"{when}: access to advanced coursework for {focal} is not shown ({row['reason']})."
    if pd.isna(row["estimate"]):
        return f"{when}: access to advanced coursework for {focal} cannot be computed ({row['note']})."
    pf = Rule.percent(float(row["value_focal"]), row["n_focal"])
    pr = Rule.percent(float(row["value_reference"]), row["n_reference"])
    return (f"{when}: {pf} of {focal} (n = {int(row['n_focal']):,}) and {pr} of {reference} "
            f"(n = {int(row['n_reference']):,}) took advanced coursework; {focal} were "
            f"{row['estimate']:.2f} times as likely to be enrolled (95% interval {row['ci_low']:.2f} to "
            f"{row['ci_high']:.2f}).")


def how_to_read(data: ReportData) -> Section:
    """A plain-words box for readers who do not work with statistics."""
    points = (
        "A gap is the comparison group's result minus the focal group's result. A positive gap means the focal "
        "group (for example, current English learners) is behind.",
        "Percent proficient is the share of students who scored at the state's proficient level or above. "
        "A gap of 20 percentage points means, for example, 60% against 40%.",
        "The 95% interval is the range of gaps that fit the data. A narrow interval comes from many students; "
        "a wide one means the gap is uncertain. An interval that includes zero is consistent with no gap.",
        "A standardised gap (Hedges' g) puts average scale scores on a common scale: about 0.2 is small, "
        "0.5 medium and 0.8 large by a common rule of thumb (Cohen, 1988).",
        "A rate ratio compares how often two groups take advanced coursework: 0.5 means the focal group is "
        "enrolled half as often; 1 means equally often.",
        f"A star (*) or \u201csuppressed\u201d marks a number hidden to protect students: the group has fewer "
        f"than {data.rule.min_n} students, or the number would let a reader work out a hidden one.",
        "Current English learners change every year as students are reclassified, so the current-EL gap can "
        "stay wide even when every learner improves. Looking at former and ever English learners, and at the "
        "cohort view, gives the fuller picture.",
    )
    return Section(key="how-to-read", title="How to read this report", paragraphs=points, box=True)


def family_summary(data: ReportData) -> Section:
    """A short summary for families, in `data.language` (English or Spanish)."""
    year = _latest(data)
    lines = []
    for subject in data.subjects:
        table = gaps(data, subject)
        # ever ELs when current ones are hidden; all other students when the file cannot tell never-EL ones
        for comparison in ("Current EL vs never EL", "Ever EL vs never EL", *EL_FLAG_COMPARISONS):
            row = None if table.empty or year is None else _cell(table, comparison=comparison, year=year,
                                                                  grade=_ALL, measure="proportion_difference")
            if row is None or row["suppressed"] or pd.isna(row["value_focal"]):
                continue
            pf = Rule.percent(float(row["value_focal"]), row["n_focal"])
            pr = Rule.percent(float(row["value_reference"]), row["n_reference"])
            lines.append(_family_line(data.language, subject, year, pf, pr, _where(data), comparison))
            break
    if not lines and not any(has(data, subject)["levels"] for subject in data.subjects):
        lines.append("Este archivo no tiene niveles de desempeño, así que no se puede decir cuántos estudiantes "
                     "alcanzaron el nivel esperado." if data.language == "es" else
                     "This file has no performance levels, so it cannot say how many students met the expected "
                     "level.")
    if not lines:
        lines.append("No hay datos suficientes para un resumen: los grupos son demasiado pequeños."
                     if data.language == "es" else
                     "There is not enough data for a summary: the groups are too small to show.")
    title = "Resumen para las familias" if data.language == "es" else "Summary for families"
    closing = ("Estas cifras describen a grupos de estudiantes, no a ningún estudiante en particular. Los grupos "
               f"de menos de {data.rule.min_n} estudiantes no se muestran." if data.language == "es" else
               "These numbers describe groups of students, never one student. Groups of fewer than "
               f"{data.rule.min_n} students are not shown.")
    return Section(key="families", title=title, paragraphs=(*lines, closing))


def _out_of_100(coded, language):
    """'43%' -> 'about 43 out of every 100'; '<5%' -> 'fewer than 5 out of every 100'."""
    number = coded.strip("<>%")
    if coded.startswith("<"):
        return f"menos de {number} de cada 100" if language == "es" else f"fewer than {number} out of every 100"
    if coded.startswith(">"):
        return f"más de {number} de cada 100" if language == "es" else f"more than {number} out of every 100"
    return f"alrededor de {number} de cada 100" if language == "es" else f"about {number} out of every 100"


def _family_line(language, subject, year, pf, pr, where, comparison):
    ever, others = comparison.startswith("Ever"), comparison in EL_FLAG_COMPARISONS
    if language == "es":
        where = "el distrito" if where == "the district" else where
        who = "que aprenden o aprendieron inglés en la escuela" if ever else "que están aprendiendo inglés"
        rest = "los demás estudiantes" if others else "los estudiantes que nunca necesitaron apoyo en inglés"
        return (f"En el año escolar {views.school_year(year)}, en {where}, {_out_of_100(pf, 'es')} estudiantes {who} "
                f"alcanzaron el nivel esperado en {SUBJECTS[subject].name_es}; entre {rest}, lo alcanzaron "
                f"{_out_of_100(pr, 'es')}.")
    place = "in the district" if where == "the district" else f"at {where}"
    who = "who are learning English or learned it at school" if ever else "who are learning English"
    rest = "all other students" if others else "students who never needed English-language support"
    return (f"In the {views.school_year(year)} school year, {place}, {_out_of_100(pf, 'en')} students {who} met "
            f"the expected level in {_subject_name(subject)}; among {rest}, {_out_of_100(pr, 'en')} did.")


def trends(data: ReportData) -> Section:
    """How each gap changed from the first to the latest year, split into each group's change."""
    return _trend_section(data, view="cross-sectional")


def cohorts(data: ReportData) -> Section:
    """The cohort view: one grade followed as it moves up a grade each year (grade g in year y, g + k in y + k)."""
    return _trend_section(data, view="cohort")


def _signed_points(value) -> str:
    points = round(float(value) * 100)
    return "0" if points == 0 else f"{points:+d}".replace("-", "\u2212")


def _trend_sentence(row, comparison, subject) -> str:
    """A trend row in plain words, with its numbers."""
    focal, reference = COMPARISONS[comparison].focal_words, COMPARISONS[comparison].reference_words
    start, end = views.school_year(int(row["year_from"])), views.school_year(int(row["year_to"]))
    head = f"From {start} to {end}, {_subject_name(subject)}, {focal} against {reference}"
    if row["suppressed"]:
        return f"{head}: the change is not shown ({views._reason_text(row['reason'])})."
    if pd.isna(row["change"]):
        return f"{head}: {row['label'] or 'the change cannot be computed'}."
    return (f"{head}: the gap changed by {_signed_points(row['change'])} percentage points (95% interval "
            f"{_signed_points(row['ci_low'])} to {_signed_points(row['ci_high'])}); the share proficient changed by "
            f"{_signed_points(row['change_focal'])} points for {focal} and by "
            f"{_signed_points(row['change_reference'])} points for {reference}: {row['label']}.")


def _trend_finding(data, table, subject):
    trend = trend_table(data, subject, view="cross-sectional")
    if trend.empty:
        return None
    rows = trend[(trend["comparison"] == _CURRENT) & (trend["year_to"].astype(int) == _latest(data))]
    if rows.empty:
        return None
    row = rows.iloc[0]
    return Finding(text=_trend_sentence(row, _CURRENT, subject), source="trend",
                   keys=(_CURRENT, subject, int(row["year_from"]), int(row["year_to"])))


def _trend_section(data, *, view):
    key = "trends" if view == "cross-sectional" else "cohort"
    title = "How the gaps changed" if view == "cross-sectional" else "The cohort view"
    if view == "cohort" and data.kind == "published":
        return Section(key=key, title=title, paragraphs=(
            "The cohort view cannot be computed from published counts: they do not follow the same students. "
            "The grade-by-year tables above show each year's students.",))
    if len(data.years) < 2:
        return Section(key=key, title=title, paragraphs=("The data has one school year, so there is no change "
                                                         "to show.",))
    paragraphs = [
        ("Each row compares one year with the next, for all grades together (different students in the same "
         "grades). The change in a gap is the comparison group's change minus the focal group's: a gap can "
         "narrow because the focal group improved, or because the comparison group declined. Changes whose "
         "interval includes zero are labelled \u201cno change beyond the uncertainty\u201d. Numbers are rounded to "
         "whole points, so a change can differ by one from the difference of the rounded gaps.")
        if view == "cross-sectional" else
        ("Each row follows one grade of one year to the next grade the next year: largely the same students, "
         "minus those who moved. For English learners, the current-EL group shrinks as students are "
         "reclassified, so the ever-EL comparison is the steadier one here.")]
    tables, figures, details = [], [], []
    latest = _latest(data)
    for subject in data.subjects:
        trend = trend_table(data, subject, view=view)
        if trend.empty:
            continue
        if view == "cohort":
            trend = trend[trend["comparison"].isin((*EL_COMPARISONS, *EL_FLAG_COMPARISONS))]
        order = {c: i for i, c in enumerate(REPORT_COMPARISONS)}
        trend = trend.assign(_o=trend["comparison"].map(order)).sort_values(
            ["_o", "year_from", *(["grade_from"] if view == "cohort" else [])], kind="stable").drop(columns="_o")
        last = trend[trend["year_to"].astype(int) == latest]
        what = "all grades" if view == "cross-sectional" else "each grade one year on"
        tables.append(ReportTable(
            caption=f"{sentence_case(_subject_name(subject))}: change in the gap in percent proficient, "
                    f"{views.school_year(latest - 1)} to {views.school_year(latest)}, {what} (percentage points)",
            frame=_trend_display(last, view), kind="trend"))
        details.append(ReportTable(
            caption=f"{sentence_case(_subject_name(subject))}: change in the gap in percent proficient, every pair of "
                    f"years, {what} (percentage points)", frame=_trend_display(trend, view), kind="trend"))
        if view == "cross-sectional":
            table = gaps(data, subject)
            line = table[(table["comparison"] == _CURRENT) & (table["grade"] == _ALL)
                         & (table["measure"] == "proportion_difference")].drop(columns=["subject", "grade",
                                                                                         "comparison"])
            if len(line):
                figure = views.gap_chart(line, measure="proportion_difference", **_names(_CURRENT),
                                         subject=_subject_name(subject),
                                         title=f"{sentence_case(_subject_name(subject))}: current-EL gap by year")
                figures.append(_figure(figure, caption=f"{sentence_case(_subject_name(subject))}: the gap between "
                                                       "current English learners and never-EL students, each year, "
                                                       "all grades, with 95% intervals."))
    return Section(key=key, title=title, paragraphs=tuple(paragraphs), tables=tuple(tables),
                   figures=tuple(figures), details=tuple(details))


def _trend_display(trend, view):
    def points(value):
        return "" if value is None or pd.isna(value) else f"{round(float(value) * 100):d}".replace("-", "\u2212")

    def signed(value):
        return "" if value is None or pd.isna(value) else _signed_points(value)

    out = []
    for row in trend.to_dict("records"):
        if view == "cohort":
            start = f"{views.school_year(int(row['year_from']))}, grade {row['grade_from']}"
            end = f"{views.school_year(int(row['year_to']))}, grade {row['grade_to']}"
        else:
            start, end = views.school_year(int(row["year_from"])), views.school_year(int(row["year_to"]))
        hidden = bool(row["suppressed"])
        out.append({
            "Comparison": row["comparison"], "From": start, "To": end,
            "Gap then": views.SUPPRESSED_TEXT if hidden else points(row["gap_from"]),
            "Gap now": views.SUPPRESSED_TEXT if hidden else points(row["gap_to"]),
            "Change in gap": views.SUPPRESSED_TEXT if hidden else signed(row["change"]),
            "95% interval": views.SUPPRESSED_TEXT if hidden else (
                f"{signed(row['ci_low'])} to {signed(row['ci_high'])}" if not pd.isna(row["ci_low"]) else ""),
            "Change, focal group": views.SUPPRESSED_TEXT if hidden else signed(row["change_focal"]),
            "Change, comparison group": views.SUPPRESSED_TEXT if hidden else signed(row["change_reference"]),
            "In words": views._reason_text(row["reason"]) if hidden else row["label"],
        })
    return pd.DataFrame(out)
