"""English-proficiency analyses: growth, time to reclassification, long-term ELs, former ELs' results.

An EL director's first look at a program is not the achievement gap but whether students are
learning English and leaving the program on time, and how they fare afterwards. Each function
here takes canonical student records (`gapkit.records.COLUMNS`), counts and estimates per cell,
and returns the table **after** `gapkit.privacy.suppress`, so that nothing from it reaches a view
unsuppressed (records -> counts -> estimates -> privacy -> views):

* `elp_growth`: the share of current ELs whose English-proficiency level rose over the year, and
  the mean change in levels;
* `reclassification_time`: a life table of years in US schools to reclassification, with the share
  still learning English after each year (Kaplan-Meier with discrete years);
* `long_term_el_share`: the share of current ELs with six or more years in US schools;
* `former_el_outcomes`: former ELs' share proficient by years since exit (the four years Title III
  asks districts to report), against never-EL students, with the selection caveat.

`median_years` reads the median time to reclassification off a suppressed life table.
"""
from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from scipy import stats

from ._validation import check_columns, frame_like, int_like, label_tuple, level_like
from .measures import proportion_difference
from .privacy import Rule, suppress
from .records import PROFICIENT_LEVEL

__all__ = [
    "SELECTION_CAVEAT",
    "LONG_TERM_YEARS",
    "elp_growth",
    "reclassification_time",
    "median_years",
    "long_term_el_share",
    "former_el_outcomes",
]

#: What every former-EL result must say: exit criteria select students on achievement.
SELECTION_CAVEAT = (
    "Former English learners were selected on achievement: a student leaves EL status only after "
    "meeting exit criteria that usually include test results, so this group's results look good "
    "partly by construction and are not a measure of the program's effect on all English learners; "
    "compare ever-EL with never-EL students for that.")

#: Years in US schools from which a current EL counts as a long-term EL (Olsen 2010 uses six).
LONG_TERM_YEARS = 6

#: The label of a margin (total) row, as in `gapkit.privacy.suppress`.
ALL = "All"
#: The dim of a table with no `by` columns: one cell, the whole selection.
_SCOPE = "scope"


# ---------------------------------------------------------------------------------------------
# Shared steps
# ---------------------------------------------------------------------------------------------

def _records_iv(records, columns, by, min_n, name="records"):
    frame_like(records, name, what="student records")
    by = label_tuple(by)
    if any(not isinstance(b, str) for b in by):
        raise TypeError(f"`by` must be column names; got {by!r}.")
    check_columns(records, [*columns, *by], name)
    min_n = Rule(min_n).min_n
    return by, min_n


def _numeric(records, column):
    return pd.to_numeric(records[column], errors="coerce")


def _cells(frame: pd.DataFrame, by: tuple, margins: bool, aggregate) -> pd.DataFrame:
    """One row per cell of `by` (plus margin rows marked ``"All"`` when asked): `aggregate(rows)` -> dict."""
    if not by:
        return pd.DataFrame([{_SCOPE: ALL, **aggregate(frame)}])
    subsets = [by]
    if margins:
        subsets = [tuple(b for b, keep in zip(by, mask) if keep)
                   for mask in itertools.product((True, False), repeat=len(by))]
    rows = []
    for subset in subsets:
        groups = frame.groupby([frame[b].astype(object) for b in subset], sort=True) if subset else [((), frame)]
        for key, part in groups:
            key = key if isinstance(key, tuple) else (key,)
            cell = dict(zip(subset, key))
            rows.append({**{b: cell.get(b, ALL) for b in by}, **aggregate(part)})
    return pd.DataFrame(rows)


def _dims(by):
    return by if by else (_SCOPE,)


def _wilson(successes: int, n: int, level: float) -> tuple[float, float]:
    if n == 0:
        return math.nan, math.nan
    ci = stats.binomtest(int(successes), int(n)).proportion_ci(confidence_level=level, method="wilson")
    return float(ci.low), float(ci.high)


# ---------------------------------------------------------------------------------------------
# English-proficiency growth
# ---------------------------------------------------------------------------------------------

def elp_growth(records: pd.DataFrame, *, by=(), min_n: int = Rule.min_n, margins: bool = False,
               level: float = 0.95) -> pd.DataFrame:
    r"""How many current English learners moved up an English-proficiency level over the year.

    Parameters
    ----------
    records : pandas.DataFrame
        Student-year records with ``el_status``, ``elp_level`` (this year, 1-5) and
        ``elp_level_prior`` (a year earlier).
    by : sequence of str, optional
        Columns that define a cell (e.g. ``("year", "school_name")`` or ``("elp_level_prior",)``).
    min_n : int, optional
        Minimum number of students for a cell to be shown (default: `gapkit.privacy.Rule`'s).
    margins : bool, optional
        Add total rows (``"All"``) over each `by` column; complementary suppression then protects them.
    level : float, optional
        Confidence level of the interval for the share.

    Returns
    -------
    pandas.DataFrame
        One row per cell: the `by` columns (``scope`` when there are none), ``n`` (current ELs with
        both levels), ``share_gained`` (rose at least one level), its Wilson interval
        ``ci_low``/``ci_high``, ``share_gained_display`` (top- and bottom-coded), ``mean_change``
        (levels) with its standard error ``se``, then ``suppressed`` and ``reason``.

    Raises
    ------
    TypeError, ValueError
        A malformed argument or a missing column, named in the message.

    See Also
    --------
    reclassification_time : how long students take to leave EL status.

    Notes
    -----
    Only students with a level in both years count, so newcomers in their first year and students
    who arrived in the district mid-way are left out. For a cell with :math:`n` such students,
    :math:`g` of whom rose at least one level, the share is :math:`g/n` with the Wilson score
    interval [1]_, and the mean change :math:`\bar d` of :math:`d_i = \text{level}_i -
    \text{prior}_i` has :math:`SE = s_d/\sqrt{n}`. Growth slows at the upper levels, where the
    academic-language demands are highest [2]_, so compare cells with similar starting levels
    (``by=("elp_level_prior",)``). States set their own growth targets for the ESSA indicator of
    progress in English proficiency; this share is a plain first look, not that indicator.

    Only the share is shown, never the counts or shares of students who stayed or fell back:
    with the share gained shown exactly, a small complementary count would follow by subtraction.

    References
    ----------
    .. [1] Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
       inference. *Journal of the American Statistical Association*, 22(158), 209-212.
       https://doi.org/10.1080/01621459.1927.10502953
    .. [2] Hakuta, K., Butler, Y. G., & Witt, D. (2000). *How long does it take English learners
       to attain proficiency?* University of California Linguistic Minority Research Institute,
       Policy Report 2000-1.

    Examples
    --------
    Twelve English learners in a synthetic school, eight of whom moved up a level:

    >>> rows = pd.DataFrame({"el_status": ["EL"] * 12,
    ...                      "elp_level_prior": [1, 2, 2, 3, 3, 3, 4, 4, 2, 3, 4, 1],
    ...                      "elp_level":       [2, 3, 2, 4, 3, 4, 5, 4, 3, 4, 3, 2]})
    >>> t = elp_growth(rows)
    >>> int(t["n"].iloc[0]), round(float(t["share_gained"].iloc[0]), 3), round(float(t["mean_change"].iloc[0]), 3)
    (12, 0.667, 0.583)
    """
    by, min_n = _records_iv(records, ("el_status", "elp_level", "elp_level_prior"), by, min_n)
    level = level_like(level)
    now, prior = _numeric(records, "elp_level"), _numeric(records, "elp_level_prior")
    keep = records["el_status"].eq("EL").fillna(False) & now.notna() & prior.notna()
    frame = records.loc[keep].copy()
    frame["_change"] = (now - prior)[keep]

    def aggregate(part):
        n = len(part)
        gained = int((part["_change"] > 0).sum())
        low, high = _wilson(gained, n, level)
        change = part["_change"].to_numpy(dtype=float)
        return {"n": n, "share_gained": gained / n if n else math.nan, "ci_low": low, "ci_high": high,
                "mean_change": change.mean() if n else math.nan,
                "se": change.std(ddof=1) / math.sqrt(n) if n > 1 else math.nan}

    table = _cells(frame, by, margins, aggregate)
    return suppress(table, dims=_dims(by), count_columns=("n",), min_n=min_n,
                    hide=("ci_low", "ci_high", "mean_change", "se"), percent_columns=("share_gained",))


# ---------------------------------------------------------------------------------------------
# Time to reclassification
# ---------------------------------------------------------------------------------------------

def _at_risk(records: pd.DataFrame) -> pd.DataFrame:
    """Current-EL student-years whose outcome is known: ``event`` is True when the student was
    reclassified at the end of that year (an ``el_exit_year`` equal to it on a later row)."""
    year = _numeric(records, "year")
    exits = records.loc[records["el_status"].eq("RFEP").fillna(False), ["student_id", "el_exit_year"]].copy()
    exits["el_exit_year"] = pd.to_numeric(exits["el_exit_year"], errors="coerce")
    exit_year = exits.dropna().groupby("student_id")["el_exit_year"].min()
    last_year = year.groupby(records["student_id"]).max()
    el = records.loc[records["el_status"].eq("EL").fillna(False) & _numeric(records, "years_in_us").notna()].copy()
    el["_year"] = year[el.index]
    el["_t"] = _numeric(records, "years_in_us")[el.index].astype(int)
    el["_event"] = el["student_id"].map(exit_year).eq(el["_year"]).to_numpy()
    followed = el["student_id"].map(last_year) > el["_year"]
    return el.loc[followed.to_numpy()]


def reclassification_time(records: pd.DataFrame, *, by=(), min_n: int = Rule.min_n, max_years: int | None = None,
                          level: float = 0.95) -> pd.DataFrame:
    r"""A life table of years in US schools until English learners are reclassified.

    Parameters
    ----------
    records : pandas.DataFrame
        Student-year records over at least two school years with a stable ``student_id``, and
        ``year``, ``el_status``, ``el_exit_year`` (former ELs) and ``years_in_us``.
    by : sequence of str, optional
        Columns that define a cell (e.g. ``("school_level",)``); a student is counted in the cell
        of the row for each year.
    min_n : int, optional
        Minimum number of students at risk for a year's row to be shown (default: `gapkit.privacy.Rule`'s).
    max_years : int, optional
        Last year in US schools shown (default: the largest in the data).
    level : float, optional
        Confidence level of the interval for the share still learning English.

    Returns
    -------
    pandas.DataFrame
        One row per cell and year in US schools ``years_in_us`` (:math:`t`): ``n_at_risk`` (ELs in
        their :math:`t`-th year whose next year is known), ``share_reclassified`` (the share of
        them reclassified at the end of the year, the hazard), ``still_el`` (the estimated share of
        English learners still not reclassified after :math:`t` years), its Greenwood standard
        error ``se`` and interval ``ci_low``/``ci_high``, then ``suppressed`` and ``reason``. After
        the first suppressed year of a cell, ``still_el`` and its interval are hidden too (they
        build on the hidden year).

    Raises
    ------
    ValueError
        A missing column, or no student followed into a later year (time to reclassification
        needs at least two years of records with the same ``student_id``).

    See Also
    --------
    median_years : the median time read off this table.

    Notes
    -----
    A student-year counts at :math:`t` = ``years_in_us`` when the student is a current EL that
    year and appears in a later year, so that whether they were reclassified at its end is known
    (their later rows carry ``el_exit_year``). Students who leave the district, and the last year
    of the records, are censored: they drop out of the risk set without counting as staying. With
    :math:`r_t` students at risk and :math:`d_t` reclassified at :math:`t`, the discrete-time
    Kaplan-Meier estimate [1]_ of the share still learning English is

    .. math:: S(t) = \prod_{u \le t} \left(1 - \frac{d_u}{r_u}\right),

    with Greenwood's variance :math:`\widehat{V}[S(t)] = S(t)^2 \sum_{u \le t} d_u / (r_u (r_u - d_u))`.
    Students enter the risk set at the year they are first seen (left truncation), which suits
    records that begin after many students started school. Research on typical timelines finds
    four to seven years to academic English proficiency [2]_; a long right tail is the long-term
    EL problem (`long_term_el_share`).

    References
    ----------
    .. [1] Kaplan, E. L., & Meier, P. (1958). Nonparametric estimation from incomplete
       observations. *Journal of the American Statistical Association*, 53(282), 457-481.
       https://doi.org/10.1080/01621459.1958.10501452
    .. [2] Hakuta, K., Butler, Y. G., & Witt, D. (2000). *How long does it take English learners
       to attain proficiency?* University of California Linguistic Minority Research Institute,
       Policy Report 2000-1.

    Examples
    --------
    A synthetic school followed for two years: twenty ELs in their third year, five of them
    reclassified at its end:

    >>> rows = pd.DataFrame({
    ...     "student_id": [f"S{i}" for i in range(20)] * 2, "year": [2024] * 20 + [2025] * 20,
    ...     "el_status": ["EL"] * 20 + ["RFEP"] * 5 + ["EL"] * 15,
    ...     "el_exit_year": [None] * 20 + [2024] * 5 + [None] * 15,
    ...     "years_in_us": [3] * 20 + [4] * 20})
    >>> t = reclassification_time(rows)
    >>> t[["years_in_us", "n_at_risk", "share_reclassified", "still_el"]].to_dict("records")
    [{'years_in_us': 3, 'n_at_risk': 20, 'share_reclassified': 0.25, 'still_el': 0.75}]
    """
    by, min_n = _records_iv(records, ("student_id", "year", "el_status", "el_exit_year", "years_in_us"), by, min_n)
    level = level_like(level)
    z = stats.norm.ppf(0.5 + level / 2)
    risk = _at_risk(records)
    if risk.empty:
        raise ValueError("`records` has no current English learner followed into a later year: time to "
                         "reclassification needs at least two school years of records with the same `student_id`.")
    if max_years is not None:
        max_years = int_like(max_years, "max_years", minimum=1)
        risk = risk[risk["_t"] <= max_years]
    keys = [risk[b].astype(object) for b in by] + [risk["_t"]]
    counts = risk.groupby(keys, sort=True)["_event"].agg(["size", "sum"]).reset_index()
    counts.columns = [*by, "years_in_us", "n_at_risk", "_d"]
    if not by:
        counts.insert(0, _SCOPE, ALL)
    counts["share_reclassified"] = counts["_d"] / counts["n_at_risk"]
    table = suppress(counts, dims=(*_dims(by), "years_in_us"), count_columns=("n_at_risk",), min_n=min_n,
                     percent_columns=("share_reclassified",))
    table["_d"] = counts["_d"]
    still, se, low, high = [], [], [], []
    for _, part in table.groupby(list(_dims(by)), sort=False):
        s, greenwood, blocked = 1.0, 0.0, False
        for i, row in part.sort_values("years_in_us").iterrows():
            blocked = blocked or bool(row["suppressed"])
            r = counts.at[i, "n_at_risk"]
            d = counts.at[i, "_d"]
            s *= 1 - d / r
            greenwood = greenwood + d / (r * (r - d)) if r > d else math.inf
            sd = s * math.sqrt(greenwood) if math.isfinite(greenwood) else math.nan
            shown = not blocked
            still.append((i, s if shown else math.nan))
            se.append((i, sd if shown else math.nan))
            low.append((i, max(0.0, s - z * sd) if shown and not math.isnan(sd) else math.nan))
            high.append((i, min(1.0, s + z * sd) if shown and not math.isnan(sd) else math.nan))
    for column, values in (("still_el", still), ("se", se), ("ci_low", low), ("ci_high", high)):
        table[column] = pd.Series(dict(values), dtype=float)
    columns = [*_dims(by), "years_in_us", "n_at_risk", "share_reclassified", "share_reclassified_display",
               "still_el", "se", "ci_low", "ci_high", "suppressed", "reason"]
    out = table[columns].reset_index(drop=True)
    out["years_in_us"] = out["years_in_us"].astype(int)
    return out


def median_years(table: pd.DataFrame) -> float | None:
    """The median years in US schools to reclassification, from a `reclassification_time` table of one cell.

    The first year whose share still learning English (``still_el``) is at or below one half;
    ``None`` when the table never gets there, or a hidden year comes first.

    Examples
    --------
    >>> t = pd.DataFrame({"years_in_us": [3, 4, 5], "still_el": [0.8, 0.55, 0.4], "suppressed": [False] * 3})
    >>> median_years(t)
    5
    """
    if not isinstance(table, pd.DataFrame) or not {"years_in_us", "still_el", "suppressed"} <= set(table.columns):
        raise TypeError("`table` must be a table from `reclassification_time` (years_in_us, still_el, suppressed).")
    for _, row in table.sort_values("years_in_us").iterrows():
        if row["suppressed"] or pd.isna(row["still_el"]):
            return None
        if row["still_el"] <= 0.5:
            return int(row["years_in_us"])
    return None


# ---------------------------------------------------------------------------------------------
# Long-term English learners
# ---------------------------------------------------------------------------------------------

def long_term_el_share(records: pd.DataFrame, *, by=(), years: int = LONG_TERM_YEARS, min_n: int = Rule.min_n,
                       margins: bool = False, level: float = 0.95) -> pd.DataFrame:
    """The share of current English learners who have been in US schools `years` years or more.

    Parameters
    ----------
    records : pandas.DataFrame
        Student-year records with ``el_status`` and ``years_in_us``.
    by : sequence of str, optional
        Columns that define a cell (e.g. ``("year", "school_name")``).
    years : int, optional
        Years in US schools from which an EL counts as long-term (default 6, the threshold of [1]_;
        states' definitions differ, some adding conditions on progress).
    min_n : int, optional
        Minimum number of current ELs for a cell to be shown (default: `gapkit.privacy.Rule`'s).
    margins : bool, optional
        Add total rows (``"All"``) over each `by` column.
    level : float, optional
        Confidence level of the Wilson interval.

    Returns
    -------
    pandas.DataFrame
        One row per cell: ``n`` (current ELs with a known ``years_in_us``), ``share_long_term``,
        ``ci_low``/``ci_high``, ``share_long_term_display`` (top- and bottom-coded), then
        ``suppressed`` and ``reason``.

    Notes
    -----
    A long-term EL has been schooled in the US long enough to be proficient and is not: most were
    born in the US or arrived young, are orally fluent in English and need academic-language
    instruction rather than newcomer services [1]_. A large share in the middle grades usually
    points to the program (placement, monitoring, access to grade-level content), not to the
    students. Read it beside `reclassification_time`.

    References
    ----------
    .. [1] Olsen, L. (2010). *Reparable harm: Fulfilling the unkept promise of educational
       opportunity for California's long term English learners*. Californians Together.

    Examples
    --------
    >>> rows = pd.DataFrame({"el_status": ["EL"] * 10 + ["EO"] * 5, "years_in_us": [7, 6, 8, 2, 1, 3, 9, 6, 4, 5] + [8] * 5})
    >>> t = long_term_el_share(rows)
    >>> int(t["n"].iloc[0]), float(t["share_long_term"].iloc[0])
    (10, 0.5)
    """
    by, min_n = _records_iv(records, ("el_status", "years_in_us"), by, min_n)
    years = int_like(years, "years", minimum=1)
    level = level_like(level)
    in_us = _numeric(records, "years_in_us")
    keep = records["el_status"].eq("EL").fillna(False) & in_us.notna()
    frame = records.loc[keep].copy()
    frame["_long"] = in_us[keep] >= years

    def aggregate(part):
        n, k = len(part), int(part["_long"].sum())
        low, high = _wilson(k, n, level)
        return {"n": n, "share_long_term": k / n if n else math.nan, "ci_low": low, "ci_high": high}

    table = _cells(frame, by, margins, aggregate)
    return suppress(table, dims=_dims(by), count_columns=("n",), min_n=min_n, hide=("ci_low", "ci_high"),
                    percent_columns=("share_long_term",))


# ---------------------------------------------------------------------------------------------
# Former English learners
# ---------------------------------------------------------------------------------------------

def _years_label(value, max_years):
    if pd.isna(value):
        return None
    value = int(value)
    if value < 1:
        return None
    return str(value) if value <= max_years else f"{max_years + 1} or more"


def former_el_outcomes(records: pd.DataFrame, levels: str, *, by=(), max_years: int = 4, proficient=PROFICIENT_LEVEL,
                       min_n: int = Rule.min_n, level: float = 0.95) -> pd.DataFrame:
    r"""Former English learners' share proficient by years since exit, against never-EL students.

    Parameters
    ----------
    records : pandas.DataFrame
        Student-year records with ``year``, ``el_status``, ``el_exit_year`` and the performance-level
        column `levels`.
    levels : str
        The performance-level column (e.g. ``"ela_level"``); rows without a level are not tested.
    by : sequence of str, optional
        Columns that define a cell (e.g. ``("year",)``).
    max_years : int, optional
        Years since exit shown one by one (default 4, the years Title III asks districts to
        report); later years are pooled as "5 or more".
    proficient : level label, optional
        Lowest performance level that counts as proficient (default `gapkit.records.PROFICIENT_LEVEL`, 3).
    min_n : int, optional
        Minimum students in a group for its row to be shown (default: `gapkit.privacy.Rule`'s).
    level : float, optional
        Confidence level of the gap's interval.

    Returns
    -------
    pandas.DataFrame
        One row per cell and ``years_since_exit`` (``"1"`` ... ``"4"``, ``"5 or more"`` and the
        total ``"All"``): ``n_focal`` and ``value_focal`` (former ELs tested and their share
        proficient), ``n_reference`` and ``value_reference`` (never-EL students in the same cell),
        ``estimate`` (reference minus focal, so positive means former ELs are behind) with its
        Newcombe interval ``ci_low``/``ci_high``, ``suppressed``, ``reason`` and ``note`` (the
        selection caveat, `SELECTION_CAVEAT`).

    Notes
    -----
    The years of one cell add up to its ``"All"`` row, so complementary suppression runs over
    them: a hidden year cannot be worked out from the total, here or in the gap explorer, which
    shows the same total. The never-EL side is suppressed on its own.

    **Selection.** Exit criteria select students on achievement (most states require a proficient
    score on the English-proficiency test, and many an academic measure too), so former ELs'
    results are good partly by construction, and they get better for every cohort in which the
    criteria are strict [1]_. They show whether students keep pace after support ends, which is
    what Title III's four-year reporting is for, not how well the program serves English
    learners as a whole: for that, compare ever-EL with never-EL students.

    References
    ----------
    .. [1] Saunders, W. M., & Marcelletti, D. J. (2013). The gap that can't go away: The Catch-22
       of reclassification in monitoring the progress of English learners. *Educational Evaluation
       and Policy Analysis*, 35(2), 139-156. https://doi.org/10.3102/0162373712461849

    Examples
    --------
    >>> rows = pd.DataFrame({"year": [2025] * 30, "el_status": ["RFEP"] * 12 + ["EO"] * 18,
    ...                      "el_exit_year": [2024] * 12 + [None] * 18,
    ...                      "ela_level": [3] * 9 + [2] * 3 + [3] * 9 + [2] * 9})
    >>> t = former_el_outcomes(rows, "ela_level")
    >>> t.loc[t["years_since_exit"] == "1", ["n_focal", "value_focal", "value_reference", "estimate"]].to_dict("records")
    [{'n_focal': 12, 'value_focal': 0.75, 'value_reference': 0.5, 'estimate': -0.25}]
    """
    if not isinstance(levels, str):
        raise TypeError(f"`levels` must be a performance-level column name; got {levels!r}.")
    by, min_n = _records_iv(records, ("year", "el_status", "el_exit_year", levels), by, min_n)
    max_years = int_like(max_years, "max_years", minimum=1)
    level = level_like(level)
    score = _numeric(records, levels)
    tested = records.loc[score.notna()].copy()
    tested["_proficient"] = score[score.notna()] >= proficient
    status = tested["el_status"]
    since = _numeric(tested, "year") - _numeric(tested, "el_exit_year")
    tested["_years"] = [(_years_label(v, max_years) if s == "RFEP" else None) for v, s in zip(since, status)]
    former = tested[tested["_years"].notna()]
    never = tested[status.isin(["IFEP", "EO"]).fillna(False)]
    labels = [str(y) for y in range(1, max_years + 1)] + [f"{max_years + 1} or more"]

    def count(part):
        return {"n": len(part), "k": int(part["_proficient"].sum())}

    rows = []
    cells = [((), former)] if not by else former.groupby([former[b].astype(object) for b in by], sort=True)
    for key, part in cells:
        key = key if isinstance(key, tuple) else (key,)
        cell = dict(zip(by, key)) if by else {_SCOPE: ALL}
        for label in labels:
            rows.append({**cell, "years_since_exit": label, **count(part[part["_years"] == label])})
        rows.append({**cell, "years_since_exit": ALL, **count(part)})
    dims = (*_dims(by), "years_since_exit")
    focal = pd.DataFrame(rows, columns=[*_dims(by), "years_since_exit", "n", "k"])
    focal = suppress(focal, dims=dims, count_columns=("n",), min_n=min_n, hide=("k",))

    reference = _cells(never, by, False, count)
    reference = suppress(reference, dims=_dims(by), count_columns=("n",), min_n=min_n, hide=("k",))
    reference = reference.rename(columns={"n": "n_reference", "k": "k_reference", "suppressed": "ref_hidden",
                                          "reason": "ref_reason"})
    out = focal.rename(columns={"n": "n_focal"}).merge(reference, on=list(_dims(by)), how="left")
    ref_hidden = out["ref_hidden"].astype(object).fillna(True).astype(bool)
    estimates = []
    for row, no_ref in zip(out.itertuples(index=False), ref_hidden):
        hidden = bool(row.suppressed) or no_ref or pd.isna(row.n_focal) or row.n_focal == 0 \
            or pd.isna(row.n_reference) or row.n_reference == 0
        if hidden:
            estimates.append((math.nan,) * 5)
            continue
        e = proportion_difference(int(row.k), int(row.n_focal), int(row.k_reference), int(row.n_reference),
                                  level=level)
        estimates.append((row.k / row.n_focal, row.k_reference / row.n_reference, e.value, e.ci_low, e.ci_high))
    est = np.array(estimates, dtype=float).reshape(len(out), 5)
    out["value_focal"], out["value_reference"], out["estimate"], out["ci_low"], out["ci_high"] = est.T
    ref_reason = out["ref_reason"].fillna("").astype(str)
    no_reference = ref_hidden & ~out["suppressed"].astype(bool)
    out.loc[no_reference, "reason"] = ("never-EL students: " + ref_reason[no_reference]).where(
        ref_reason[no_reference] != "", "no never-EL students tested")
    out["suppressed"] = out["suppressed"].astype(bool) | no_reference
    out["n_reference"] = out["n_reference"].astype("Int64")
    out["note"] = SELECTION_CAVEAT
    return out[[*_dims(by), "years_since_exit", "n_focal", "n_reference", "value_focal", "value_reference",
                "estimate", "ci_low", "ci_high", "suppressed", "reason", "note"]]
