"""gapkit: achievement gaps with their uncertainty, small groups suppressed before anything is shown.

The pipeline: records -> summary -> privacy -> measures -> views. `gap_table` summarises the records
(one group-by), suppresses the cells whose groups are too small, or would reveal one that is, from
their counts alone, and computes the measures for the cells it shows; views take only its rows. The
modules import in the order records, summary, measures, privacy, tables, trends, views: each uses
only the ones before it.
"""
from .content import ContentError, load_course, validate_course
from .measures import *  # noqa: F403 -- Estimate, estimate_table and every measure of the registry
from .measures import MEASURES as _MEASURES
from .privacy import Rule, code_percent, suppress
from .readers import DataError, read_published, read_records
from .records import COMPARISONS, add_el_groups
from .summary import Summary, summarize
from .tables import gap_table
from .trends import gap_trend

__version__ = "0.1.0"

__all__ = [
    # records
    "COMPARISONS", "DataError", "add_el_groups", "read_published", "read_records",
    # summary
    "Summary", "summarize",
    # measures
    "Estimate", "estimate_table", *_MEASURES,
    # privacy, tables, trends
    "Rule", "code_percent", "gap_table", "gap_trend", "suppress",
    # course content
    "ContentError", "load_course", "validate_course",
]
