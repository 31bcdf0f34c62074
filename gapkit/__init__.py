"""gapkit: achievement gaps with their uncertainty, small groups suppressed before anything is shown.

The pipeline, in order (each stage uses only the ones before it):
records -> summary -> measures -> privacy -> tables -> trends -> views.
"""
from .measures import (Estimate, cohens_d, estimate_table, hedges_g, idea_risk_ratio, mean_difference, probit_gap,
                       proportion_difference, risk_ratio, v_statistic)
from .privacy import code_percent, suppress
from .readers import DataError, read_published, read_records
from .records import COMPARISONS, add_el_groups
from .summary import Summary, summarize
from .tables import gap_table
from .trends import gap_trend

__version__ = "0.1.0"

__all__ = [
    "COMPARISONS", "DataError", "Estimate", "Summary", "add_el_groups", "code_percent", "cohens_d", "estimate_table", "gap_table", "gap_trend", "hedges_g",
    "idea_risk_ratio", "mean_difference", "probit_gap", "proportion_difference", "read_published", "read_records", "risk_ratio", "summarize",
    "suppress", "v_statistic",
]
