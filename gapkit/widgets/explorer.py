"""The gap explorer: pick a subject, measure, comparison, school, grade and year; see a chart, a table and a sentence.

Data go the one way every view goes: records -> `gapkit.tables.gap_table` (summary, measures,
privacy) -> `gapkit.views`. The widget is a thin shell over `explore`, a pure function.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import ipywidgets as w
from ipywidgets.widgets.widget_description import DescriptionStyle
import pandas as pd

from gapkit import records as _records
from gapkit import views
from gapkit._validation import one_of
from gapkit.lesson_privacy import course_hidden_cells
from gapkit.measures import EXPLORE
from gapkit.privacy import Rule
from gapkit.summary import summarize
from gapkit.tables import gap_table, group_counts, protect_linked
from gapkit.widgets._common import Headless, esc, get_course, html, log, shared

__all__ = ["COMPARISONS", "ALL_SCHOOLS", "ALL_GRADES", "Exploration", "explore", "measure_label", "subject_label",
           "course_records", "ExplorerWidget", "gap_explorer"]

SUBJECTS = _records.SUBJECTS
ALL_SCHOOLS = "All schools"
ALL_GRADES = "All grades"

#: Every comparison the explorer offers (the words for each side are in `gapkit.records.COMPARISONS`).
COMPARISONS = _records.COMPARISONS
Comparison = _records.Comparison


def comparison_for(group, focal, reference) -> Comparison:
    """The named comparison matching an explore preset, or a new one named from its labels."""
    focal = tuple(focal) if isinstance(focal, (list, tuple)) else (focal,)
    if reference is not None:
        reference = tuple(reference) if isinstance(reference, (list, tuple)) else (reference,)
    for c in COMPARISONS.values():
        if c.group == group and set(c.focal) == set(focal) and (
                (c.reference is None and reference is None)
                or (c.reference is not None and reference is not None and set(c.reference) == set(reference))):
            return c
    f = " + ".join(map(str, focal))
    r = " + ".join(map(str, reference)) if reference else "all others"
    return Comparison(f"{group}: {f} vs {r}", group, focal, reference, f"{group} {f}", f"{group} {r}")


def subject_label(key: str) -> str:
    """The name shown for a subject (a key of `gapkit.records.SUBJECTS`), e.g. "Mathematics"."""
    return SUBJECTS[key].label


def measure_label(key: str) -> str:
    """The name shown for an explorer measure (a key of `gapkit.measures.EXPLORE`), e.g. "Percent proficient"."""
    return views.sentence_case(EXPLORE[key].words.name)


@functools.lru_cache(maxsize=2)
def _load_records(path: str) -> pd.DataFrame:
    from gapkit.readers import read_records

    return _records.add_el_groups(read_records(path))


def course_records(course=None) -> pd.DataFrame:
    """The course's sample records (``dataset`` in ``course_config/course.yaml``) with EL groups, read once."""
    course = get_course(course)
    path = Path(course.root) / course.dataset
    return _load_records(str(path))


@dataclass(frozen=True)
class Exploration:
    """What the explorer shows for one choice of controls."""

    subject: str
    measure: str
    comparison: str
    school: str
    grade: object
    year: int
    min_n: int
    sentence: str
    table: pd.DataFrame | None = field(default=None, compare=False, repr=False)
    alt_text: str = ""
    chart_html: str = field(default="", repr=False)
    table_html: str = field(default="", repr=False)


def explore(records: pd.DataFrame, *, subject: str = "math", measure: str = "percent_proficient",
            comparison: str = "Current EL vs never EL", school: str = ALL_SCHOOLS, grade=ALL_GRADES,
            year=None, min_n: int = Rule.min_n, comparisons=None, hidden=None) -> Exploration:
    """The gap for one choice of subject, measure, comparison, school, grade and year.

    The table is by grade, with an all-grades total, for the chosen school (or the district) and
    year, so complementary suppression protects every row shown, and it is protected together with
    the comparisons whose groups add up with its own (ever English learners are current plus former
    ones: `gapkit.tables.protect_linked`), so that switching between them reveals nothing hidden. The
    chart draws every grade with the chosen one highlighted; the sentence states the chosen grade (or
    all grades). With `hidden`, the cells that protect every view of the dataset together are hidden
    too: a participant who switches through every school, year and comparison learns no hidden count.

    Parameters
    ----------
    records : DataFrame
        Canonical student records with the EL groups of `gapkit.records.add_el_groups`.
    subject : str
        A key of `gapkit.records.SUBJECTS` (``'math'``, ``'ela'``).
    measure : str
        A key of `gapkit.measures.EXPLORE` (``'percent_proficient'``, ``'mean_scale'``, ...).
    comparison : str
        A key of `COMPARISONS` (or of `comparisons`).
    school : str
        A school name or `ALL_SCHOOLS`.
    grade : int or str
        A grade or `ALL_GRADES`.
    year : int, optional
        The school year (its spring); default the latest.
    min_n : int
        The course's minimum group size.
    comparisons : dict, optional
        Named `Comparison` objects (default `COMPARISONS`).
    hidden : gapkit.lesson_privacy.HiddenCells, optional
        The cells every view of `records` hides (`gapkit.lesson_privacy.course_hidden_cells` for the
        course's dataset).
    """
    comparisons = comparisons or COMPARISONS
    one_of(subject, "subject", SUBJECTS)
    one_of(measure, "measure", EXPLORE)
    one_of(comparison, "comparison", comparisons)
    comp = comparisons[comparison]
    years = sorted(records["year"].dropna().unique().tolist())
    year = years[-1] if year is None else year
    one_of(year, "year", years)
    data = records[records["year"] == year]
    if school != ALL_SCHOOLS:
        one_of(school, "school", sorted(records["school_name"].dropna().unique()))
        data = data[data["school_name"] == school]
    outcome, levels = SUBJECTS[subject].scale, SUBJECTS[subject].level
    table_measure = EXPLORE[measure].name
    where_school = "the district" if school == ALL_SCHOOLS else school
    grade_words = "all grades" if grade == ALL_GRADES else f"grade {grade}"
    cell = f"{where_school}, {grade_words}, {views.school_year(year)}"
    tested = data[data[outcome].notna()] if outcome in data else data.iloc[:0]
    present = set(tested[comp.group].dropna().unique().tolist()) if comp.group in tested else set()
    has_focal = bool(present & set(comp.focal))
    has_reference = bool(present - set(comp.focal)) if comp.reference is None else bool(present & set(comp.reference))
    common = dict(subject=subject, measure=measure, comparison=comparison, school=school, grade=grade, year=year,
                  min_n=min_n)
    if not (has_focal and has_reference):
        missing = comp.focal_words if not has_focal else comp.reference_words
        return Exploration(**common, sentence=f"{cell[0].upper()}{cell[1:]}: no {missing} were tested in "
                                               "this selection, so there is no gap to show.")
    table = _protected_table(tested, outcome, levels, comparison, comparisons, table_measure, min_n)
    if hidden is not None:
        table = hidden.hide(table, school=None if school == ALL_SCHOOLS else school, comparison=comparison,
                            subject=subject, year=year)
    row = table[table["grade"].astype(str) == str("All" if grade == ALL_GRADES else grade)]
    subject_words = SUBJECTS[subject].name
    if row.empty:
        sentence = f"{cell[0].upper()}{cell[1:]}: no students in this grade were tested in {subject_words}."
    else:
        sentence = views.gap_sentence(row.iloc[0], focal_name=comp.focal_words, reference_name=comp.reference_words,
                                      subject=subject_words, cell=f"{where_school}, {grade_words}, "
                                      f"{views.school_year(year)}")
    highlight = "all grades" if grade == ALL_GRADES else f"grade {grade}"
    measure_words = EXPLORE[measure].words.name
    title = f"{SUBJECTS[subject].label}, {measure_words}: {where_school}, {views.school_year(year)}"
    fig = views.gap_chart(table, measure=table_measure, focal_name=comp.focal_words,
                          reference_name=comp.reference_words, subject=subject_words, highlight=highlight,
                          title=title)
    alt = fig.alt_text
    chart = views.figure_img(fig, alt=alt)
    caption = (f"Gap in {measure_words} ({subject_words}) by grade, {where_school}, {views.school_year(year)}: "
               f"{comp.reference_words} minus {comp.focal_words}. Groups under {min_n} students are suppressed.")
    html = views.table_html(table, caption=caption, focal_name=views.sentence_case(comp.focal_words),
                            reference_name=views.sentence_case(comp.reference_words))
    return Exploration(**common, sentence=sentence, table=table, alt_text=alt, chart_html=chart, table_html=html)


def _protected_table(tested, outcome, levels, comparison, comparisons, measure, min_n):
    """The gap table by grade of `comparison`, protected with every comparison the explorer offers whose groups
    add up with its groups (`gapkit.records.LINKED`): a participant can switch to each of them."""
    frames, counts, summaries = [], [], {}
    for name in _records.linked_comparisons(comparison, comparisons):
        comp = comparisons[name]
        present = set(tested[comp.group].dropna().unique().tolist()) if comp.group in tested else set()
        # A pooled side may lack some of its labels in a selection (no IFEP students at a school): pool those present.
        focal = [label for label in comp.focal if label in present]
        reference = ([label for label in comp.reference if label in present] if comp.reference is not None
                     else [label for label in present if label not in comp.focal])
        if not focal or not reference:
            continue
        if comp.group not in summaries:  # comparisons on the same column share one group-by
            summaries[comp.group] = summarize(tested, outcome, comp.group, by=("grade",), levels=levels)
        summary = summaries[comp.group]
        frames.append(gap_table(summary, focal=focal, reference=reference if comp.reference is not None else None,
                                measures=[measure], margins=True, min_n=min_n).assign(comparison=name))
        for side, labels in (("focal", focal), ("reference", reference)):
            counts.append(group_counts(summary, labels, margins=("grade",)).assign(comparison=name, side=side))
    stacked = frames[0] if len(frames) == 1 else protect_linked(
        pd.concat(frames, ignore_index=True), pd.concat(counts, ignore_index=True), by=("grade",), min_n=min_n,
        comparisons=comparisons)
    return stacked[stacked["comparison"] == comparison].drop(columns="comparison").reset_index(drop=True)


class ExplorerWidget(Headless, w.VBox):
    """Dropdowns for the gap explorer, and the chart, sentence and table they choose. Build with `gap_explorer`.

    Attributes
    ----------
    subject, measure, comparison, school, grade, year : ipywidgets.Dropdown
    result : Exploration
        What is shown now; `update` recomputes it (what changing any dropdown does).
    """

    def __init__(self, records: pd.DataFrame, *, min_n: int, look_for: str | None = None, comparisons=None,
                 hidden=None, **presets):
        self.records = records
        self.min_n = min_n
        self.hidden = hidden
        self.comparisons = dict(comparisons or COMPARISONS)
        self.result: Exploration | None = None
        self._busy = False
        schools = sorted(records["school_name"].dropna().unique().tolist())
        years = sorted(int(y) for y in records["year"].dropna().unique())
        style = shared(DescriptionStyle, description_width="initial")
        layout = shared(w.Layout, width="auto", min_width="15em")

        def dropdown(description, options, value):
            return w.Dropdown(description=description, options=options, value=value, style=style, layout=layout)

        self.subject = dropdown("Subject", [(subject_label(k), k) for k in SUBJECTS], presets.get("subject", "math"))
        self.measure = dropdown("Measure", [(measure_label(k), k) for k in EXPLORE],
                                presets.get("measure", "percent_proficient"))
        self.comparison = dropdown("Compare", list(self.comparisons),
                                   presets.get("comparison", "Current EL vs never EL"))
        self.school = dropdown("School", [ALL_SCHOOLS, *schools], presets.get("school") or ALL_SCHOOLS)
        self.year = dropdown("Year", [(views.school_year(y), y) for y in years], presets.get("year") or years[-1])
        self.grade = dropdown("Grade", self._grade_options(), ALL_GRADES)
        preset_grade = presets.get("grade")
        if preset_grade is not None and preset_grade in [v for _, v in self.grade.options]:
            self.grade.value = preset_grade
        self.sentence = html()
        self.chart = html()
        self.table = html()
        head = '<h3 class="gapkit-widget-title">Gap explorer</h3>'
        if look_for:
            head += f'<p class="gapkit-look-for"><strong>What to look for:</strong> {esc(look_for)}</p>'
        controls = w.GridBox([self.subject, self.measure, self.comparison, self.school, self.grade, self.year],
                             layout=w.Layout(grid_template_columns="repeat(auto-fill, minmax(19em, 1fr))",
                                             grid_gap="0.4em 1em"))
        super().__init__(children=[html(head), controls, self.sentence, self.chart, self.table])
        self.add_class("gapkit-explorer")
        self.sentence.add_class("gapkit-sentence")
        for control in (self.subject, self.measure, self.comparison, self.grade, self.year):
            control.observe(self._on_value, names="value")
        self.school.observe(self._on_school, names="value")
        self.update()

    def _grade_options(self):
        data = self.records
        if getattr(self, "school", None) is not None and self.school.value != ALL_SCHOOLS:
            data = data[data["school_name"] == self.school.value]
        grades = sorted(int(g) for g in data["grade"].dropna().unique())
        return [(ALL_GRADES, ALL_GRADES), *((f"Grade {g}", g) for g in grades)]

    def _on_school(self, change):
        self._busy = True
        try:
            current = self.grade.value
            self.grade.options = self._grade_options()
            values = [v for _, v in self.grade.options]
            self.grade.value = current if current in values else ALL_GRADES
        finally:
            self._busy = False
        self.update()

    def _on_value(self, change):
        if not self._busy:
            self.update()

    def update(self) -> Exploration | None:
        """Recompute and redraw for the current dropdown values."""
        try:
            self.result = explore(self.records, subject=self.subject.value, measure=self.measure.value,
                                  comparison=self.comparison.value, school=self.school.value,
                                  grade=self.grade.value, year=self.year.value, min_n=self.min_n,
                                  comparisons=self.comparisons, hidden=self.hidden)
        except Exception as exc:  # a participant never sees a traceback
            log.error("gap explorer: %s", exc, exc_info=exc)
            self.sentence.value = ('<p role="status" class="gapkit-problem">This view could not be drawn for '
                                   "this choice. Try another selection; the problem was noted in the log.</p>")
            self.chart.value = self.table.value = ""
            return None
        r = self.result
        self.sentence.value = f'<p role="status" aria-live="polite" class="gapkit-sentence-text">{esc(r.sentence)}</p>'
        self.chart.value = r.chart_html
        self.table.value = (f'<details class="gapkit-table-details"><summary>Show the table</summary>'
                            f'<div class="gapkit-table-wrap">{r.table_html}</div></details>' if r.table_html else "")
        return r

    def markdown(self) -> str:
        r = self.result
        return f"**Gap explorer**\n\n{r.sentence if r else 'No view.'}\n"


def gap_explorer(records=None, *, min_n=None, look_for=None, course=None, subject="math",
                 measure="percent_proficient", comparison=None, group=None, focal=None, reference=None,
                 school=None, grade=None, year=None, hidden=None) -> ExplorerWidget:
    """The gap explorer widget, optionally preset (e.g. from an ``explore`` block).

    Parameters
    ----------
    records : DataFrame, optional
        Canonical student records (default: the course's sample district, see `course_records`).
    min_n : int, optional
        Minimum group size shown (default: ``min_n`` of ``course_config/course.yaml``).
    look_for : str, optional
        What the participant should look for (shown above the controls).
    subject, measure, school, grade, year : optional
        Starting values of the dropdowns.
    comparison : str, optional
        A key of `COMPARISONS`; or give `group`, `focal` and `reference` as in an ``explore`` block.
    hidden : gapkit.lesson_privacy.HiddenCells, optional
        Cells to hide besides each table's own suppression (default, with the course's records: the
        course's, `gapkit.lesson_privacy.course_hidden_cells`).
    """
    course_obj = None
    if records is None or min_n is None:
        course_obj = get_course(course)
    if records is None:
        records = course_records(course_obj)
        hidden = course_hidden_cells(course_obj) if hidden is None else hidden
    elif not isinstance(records, pd.DataFrame):
        raise TypeError(f"`records` must be a DataFrame of student records; got {type(records).__name__}.")
    if "ever_el" not in records.columns:
        records = _records.add_el_groups(records)
    min_n = course_obj.min_n if min_n is None else min_n
    comparisons = dict(COMPARISONS)
    if group is not None:
        found = comparison_for(group, focal, reference)
        comparisons.setdefault(found.name, found)
        comparison = found.name
    comparison = comparison or "Current EL vs never EL"
    one_of(comparison, "comparison", comparisons)
    return ExplorerWidget(records, min_n=min_n, look_for=look_for, comparisons=comparisons, hidden=hidden,
                          subject=subject, measure=measure, comparison=comparison, school=school, grade=grade, year=year)
