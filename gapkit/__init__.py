"""gapkit: achievement gaps with their uncertainty, small groups suppressed before anything is shown.

The pipeline: records -> summary -> privacy -> measures -> views. `gap_table` summarises the records
(one group-by), suppresses the cells whose groups are too small, or would reveal one that is, from
their counts alone, and computes the measures for the cells it shows; views take only its rows. The
modules import in the order records, summary, measures, privacy, tables, trends, views: each uses
only the ones before it.
"""
import importlib

#: Each public name -> the module that defines it; every measure of the registry is also public
#: (from `gapkit.measures`). They are imported on first use, so that a command (``gapkit --help``,
#: ``gapkit validate``) loads only what it needs.
_HOMES = {
    **dict.fromkeys(("ContentError", "load_course", "validate_course"), "content"),
    **dict.fromkeys(("Estimate", "estimate_table"), "measures"),
    **dict.fromkeys(("Rule", "code_percent", "suppress"), "privacy"),
    **dict.fromkeys(("DataError", "read_published", "read_records"), "readers"),
    **dict.fromkeys(("COMPARISONS", "add_el_groups"), "records"),
    **dict.fromkeys(("Summary", "summarize"), "summary"),
    "gap_table": "tables",
    "gap_trend": "trends",
}


def _measures():
    return importlib.import_module("gapkit.measures").MEASURES


def __getattr__(name):
    if name == "__all__":
        value = [
            # records
            "COMPARISONS", "DataError", "add_el_groups", "read_published", "read_records",
            # summary
            "Summary", "summarize",
            # measures
            "Estimate", "estimate_table", *_measures(),
            # privacy, tables, trends
            "Rule", "code_percent", "gap_table", "gap_trend", "suppress",
            # course content
            "ContentError", "load_course", "validate_course",
        ]
    elif name in _HOMES or (not name.startswith("_") and name in _measures()):
        value = getattr(importlib.import_module(f"gapkit.{_HOMES.get(name, 'measures')}"), name)
    else:
        raise AttributeError(f"module 'gapkit' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *__getattr__("__all__")})


__version__ = "0.1.0"
