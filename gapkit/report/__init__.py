"""The gap report: what the report notebook shows, and writing it (``gapkit report``).

The report notebook (``notebooks/reports/gap_report.ipynb``) is thin: a parameters cell, headings, and
one call per section into this package. The parts, in the order a report is made:

* `data` -- `load` reads a data file (student records or published counts) and keeps what one report
  needs (`ReportData`: one school or the district, its years, subjects, comparisons and privacy rule);
* `tables` -- the numbers: gap tables, trends, access to advanced coursework and English-proficiency
  progress, every one suppressed (see `gapkit.report.tables`);
* `sections` -- each section a pure function of a `ReportData`, returning a `Section` of tables,
  figures and sentences made from those tables;
* `joint` -- `hide_across`: suppression over the school reports of one ``--each school`` run and the
  district report together (no hidden count follows from reading them side by side);
* `html` -- `show` puts a section into the notebook as HTML, `export_html` writes the executed notebook
  as one page with no code;
* `write` -- `write_reports` (what ``gapkit report`` calls) reads and checks the data file *before*
  anything is written, executes the notebook with papermill in a temporary folder, exports the page,
  and moves the finished files into place only when every step succeeded.
"""
from gapkit.report.data import (EACH, EL_COMPARISONS, KINDS, LANGUAGES, OTHER_COMPARISONS, REPORT_COMPARISONS, ReportData,
                                ReportError, load, schools)
from gapkit.report.html import CSS, export_html, show, to_html
from gapkit.report.sections import (Finding, ReportFigure, ReportTable, Section, cohorts, cover, data_used, el_gaps,
                                    elp_progress, family_summary, findings, how_to_read, opportunity, other_gaps,
                                    trends)
from gapkit.report.tables import former_table, gaps, long_term_table, opportunity_table, progress_table, trend_table
from gapkit.report.write import NOTEBOOK, write_reports

__all__ = [
    "ReportData", "ReportTable", "ReportFigure", "Finding", "Section", "ReportError",
    "load", "schools", "gaps", "trend_table", "opportunity_table", "progress_table", "long_term_table", "former_table",
    "cover", "data_used", "el_gaps", "other_gaps", "trends", "cohorts", "opportunity", "elp_progress",
    "findings", "how_to_read", "family_summary", "to_html", "show", "export_html", "write_reports", "NOTEBOOK",
    "EACH", "KINDS", "LANGUAGES", "EL_COMPARISONS", "OTHER_COMPARISONS", "REPORT_COMPARISONS", "CSS",
]
