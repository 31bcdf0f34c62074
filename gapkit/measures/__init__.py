"""Gap measures computed from per-group summary statistics.

Every function here is pure: it takes the sufficient statistics of two groups (means, standard
deviations and sizes; counts with an outcome; counts per performance level) and returns an
:class:`Estimate`. Nothing is read, written or printed. :func:`estimate_table` computes one measure
for many comparisons at once, from arrays, with the same code (each closed-form measure has one
NumPy kernel that the scalar function calls with arrays of length one).

One file per family: `means` (difference in means, Cohen's d, Hedges' g), `proportions`
(difference in proportions, probit gap), `levels` (the V statistic), `risk` (risk ratio, IDEA risk
ratio). `registry.MEASURES` holds one entry per measure, which tables, trends, views, the widgets
and the course content read.

Conventions shared by every measure:

* a *gap* is **reference minus focal**, so a positive gap means the focal group (for example,
  current English learners) is behind;
* a *ratio* is **focal over reference**;
* a value that cannot be computed is ``NaN`` and ``note`` says why in plain words; a variant (a
  fallback method, a degenerate interval) is also named in ``note`` and ``method``.

An estimate says nothing about whether its groups may be shown: `gapkit.gap_table` hides small
cells (`gapkit.privacy`) by their counts before it computes any measure, and computes estimates
only for the cells it shows.
"""
from gapkit.measures._core import Estimate
from gapkit.measures.levels import *  # noqa: F403 -- each family's __all__ is its measures' functions
from gapkit.measures.means import *  # noqa: F403
from gapkit.measures.proportions import *  # noqa: F403
from gapkit.measures.risk import *  # noqa: F403
from gapkit.measures.registry import EXPLORE, MEASURES, Measure, Words, estimate_table

__all__ = ["Estimate", *MEASURES, "estimate_table", "MEASURES", "EXPLORE", "Measure", "Words"]
