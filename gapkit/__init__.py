"""gapkit: achievement gaps with their uncertainty, small groups suppressed before anything is shown.

The pipeline: records -> summary -> privacy -> measures -> views. `gap_table` summarises the records
(one group-by), suppresses the cells whose groups are too small, or would reveal one that is, from
their counts alone, and computes the measures for the cells it shows; views take only its rows. The
modules import in the order records, summary, measures, privacy, tables, trends, views: each uses
only the ones before it.
"""
import importlib

#: Each public name -> the module that defines it. They are imported on first use, so that a
#: command (``gapkit --help``, ``gapkit validate``) loads only what it needs.
_HOMES = {
    **dict.fromkeys(("ContentError", "load_course", "validate_course"), "content"),
    **dict.fromkeys(("Estimate", "cohens_d", "estimate_table", "hedges_g", "idea_risk_ratio", "mean_difference",
                     "probit_gap", "proportion_difference", "risk_ratio", "v_statistic"), "measures"),
    **dict.fromkeys(("Rule", "code_percent", "suppress"), "privacy"),
    **dict.fromkeys(("DataError", "read_published", "read_records"), "readers"),
    **dict.fromkeys(("COMPARISONS", "add_el_groups"), "records"),
    **dict.fromkeys(("Summary", "summarize"), "summary"),
    "gap_table": "tables",
    "gap_trend": "trends",
}


def __getattr__(name):
    if name not in _HOMES:
        raise AttributeError(f"module 'gapkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"gapkit.{_HOMES[name]}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *_HOMES})


__version__ = "0.1.0"

__all__ = [
    # records
    "COMPARISONS", "DataError", "add_el_groups", "read_published", "read_records",
    # summary
    "Summary", "summarize",
    # measures
    "Estimate", "cohens_d", "estimate_table", "hedges_g", "idea_risk_ratio", "mean_difference", "probit_gap",
    "proportion_difference", "risk_ratio", "v_statistic",
    # privacy, tables, trends
    "Rule", "code_percent", "gap_table", "gap_trend", "suppress",
    # course content
    "ContentError", "load_course", "validate_course",
]
