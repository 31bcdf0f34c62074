"""The vocabulary of gapkit: canonical columns, codes, subjects, group labels and comparisons.

Every stage reads these names from here. A school's own files arrive in other shapes;
`gapkit.readers` maps them onto these columns and codes (and refuses what it cannot map).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

EL_STATUSES = ("EL", "RFEP", "IFEP", "EO", "not EL")
#: The status of a student who is not a current English learner, when the file cannot say whether they ever
#: were one (a 0/1 current-EL flag): such students are in no former-, ever- or never-EL group.
NOT_CURRENT_EL = "not EL"
RACE_ETHNICITY = (
    "Hispanic/Latino",
    "American Indian/Alaska Native",
    "Asian",
    "Black/African American",
    "Native Hawaiian/Pacific Islander",
    "White",
    "Two or more races",
)
GENDERS = ("F", "M", "X")
SCHOOL_LEVELS = ("elementary", "middle", "high")
PERFORMANCE_LEVELS = (1, 2, 3, 4)
#: The lowest performance level that counts as proficient (the default of every proficiency count).
PROFICIENT_LEVEL = 3

#: A newcomer is a current EL in their first years in US schools.
NEWCOMER_MAX_YEARS = 2


@dataclass(frozen=True)
class Column:
    """One canonical column: what it means and what a value may be.

    ``kind`` is ``"text"``, ``"code"`` (one of ``codes``), ``"yes/no"``, ``"whole number"`` or
    ``"number"``; ``bounds`` are the smallest and largest values of a number (None: unbounded).
    """

    meaning: str
    kind: str = "text"
    bounds: tuple = (None, None)
    codes: tuple = ()


_LEVEL = Column("performance level 1-4 (3 and 4 are proficient)", "whole number", (1, len(PERFORMANCE_LEVELS)))

#: Canonical columns of student-year records, in order.
COLUMNS = {
    "student_id": Column("stable student identifier (string), the same across years"),
    "year": Column("school year, named by its spring (2024 = 2023-24)", "whole number", (1990, 2100)),
    "school_id": Column("school identifier"),
    "school_name": Column("school name"),
    "school_level": Column("elementary, middle or high", "code", codes=SCHOOL_LEVELS),
    "grade": Column("tested grade (3-8 and 10)", "whole number", (0, 13)),
    "el_status": Column("EL (current English learner), RFEP (reclassified fluent: former EL), "
                        "IFEP (initially fluent English proficient), EO (English only), or 'not EL' (not a current "
                        "English learner, former or never unknown)", "code", codes=EL_STATUSES),
    "el_exit_year": Column("year a former EL was reclassified (RFEP only)", "whole number", (1990, 2100)),
    "elp_level": Column("English-proficiency level 1-5 this year (current ELs)", "whole number", (1, 5)),
    "elp_level_prior": Column("English-proficiency level 1-5 the year before", "whole number", (1, 5)),
    "years_in_us": Column("years enrolled in US schools", "whole number", (0, 20)),
    "home_language": Column("primary language spoken at home"),
    "iep": Column("has an individualized education program (disability)", "yes/no"),
    "econ_disadv": Column("economically disadvantaged", "yes/no"),
    "race_ethnicity": Column("federal race/ethnicity category", "code", codes=RACE_ETHNICITY),
    "gender": Column("F, M or X", "code", codes=GENDERS),
    "math_scale": Column("mathematics scale score", "number"),
    "math_level": Column(f"mathematics {_LEVEL.meaning}", _LEVEL.kind, _LEVEL.bounds),
    "ela_scale": Column("English language arts scale score", "number"),
    "ela_level": Column(f"English language arts {_LEVEL.meaning}", _LEVEL.kind, _LEVEL.bounds),
    "attendance_rate": Column("share of enrolled days attended, 0-1", "number", (0.0, 1.0)),
    "advanced_course": Column("enrolled in Algebra I by grade 8, or an advanced course in high school", "yes/no"),
}

#: Columns a file of student records must have (and at least one subject's score or level).
REQUIRED = ("student_id", "year", "school_id", "grade", "el_status")


@dataclass(frozen=True)
class Subject:
    """A tested subject: its scale-score and performance-level columns, and its name in words."""

    scale: str
    level: str
    name: str
    name_es: str

    @property
    def label(self) -> str:
        """The name as a heading or a menu shows it: ``"Mathematics"``."""
        return self.name[:1].upper() + self.name[1:]


SUBJECTS = {
    "math": Subject("math_scale", "math_level", "mathematics", "matemáticas"),
    "ela": Subject("ela_scale", "ela_level", "English language arts", "lengua y literatura en inglés"),
}


def subject_of(column: str) -> str | None:
    """The key of `SUBJECTS` whose scale-score column is `column` (``"math_scale"`` -> ``"math"``), or None."""
    return next((key for key, subject in SUBJECTS.items() if subject.scale == column), None)

#: Canonical columns of a published (report-card) file of counts per student group: one row per cell
#: (year, school, grade, subject) and group, with ``level_1`` ... ``level_K`` found by name.
PUBLISHED_COLUMNS = {
    "year": COLUMNS["year"],
    "school_id": COLUMNS["school_id"],
    "school_name": COLUMNS["school_name"],
    "grade": COLUMNS["grade"],
    "subject": Column("the subject tested: math or ela (other subjects are kept as the file writes them)"),
    "student_group": Column("the student group of the row, e.g. English Learners"),
    "n_tested": Column("students of the group who were tested", "whole number", (0, None)),
    "n_scored": Column("students of the group with a score (when the level counts add up to this, not to "
                       "n_tested: set `denominator: scored`)", "whole number", (0, None)),
    "percent_proficient": Column("percent of the group at the proficient level or above (when the file has no "
                                 "level counts)", "number", (0, 100)),
    "mean_scale_score": Column("the group's average scale score", "number"),
}
#: The columns that name a cell of a published file.
PUBLISHED_CELL = ("year", "school_id", "grade", "subject")
#: The label of every student's row in a published file.
ALL_STUDENTS = "All Students"
#: Published groups that are all students minus another group (the file seldom lists them).
PUBLISHED_COMPLEMENTS = {"Students without Disabilities": "Students with Disabilities",
                         "Not Economically Disadvantaged": "Economically Disadvantaged"}


@dataclass(frozen=True)
class Comparison:
    """A named comparison: the group column, the focal and reference labels (reference ``None`` means
    everyone else), each side in plain words for sentences and headings, and the labels of each side
    in published files (None: not a published group)."""

    name: str
    group: str
    focal: tuple
    reference: tuple | None
    focal_words: str
    reference_words: str
    published: tuple | None = None


_NEVER_EL = "students who were never English learners"

#: The comparisons an analyst needs, by name.
COMPARISONS = {c.name: c for c in (
    Comparison("Current EL vs never EL", "el_status", ("EL",), ("IFEP", "EO"),
               "current English learners", _NEVER_EL, (("English Learners",), ("Never English Learners",))),
    Comparison("Current EL vs all others", "el_status", ("EL",), None,
               "current English learners", "all other students"),
    Comparison("Former EL vs never EL", "el_status", ("RFEP",), ("IFEP", "EO"),
               "former English learners", _NEVER_EL, (("Former English Learners",), ("Never English Learners",))),
    Comparison("Ever EL vs never EL", "ever_el", (True,), (False,),
               "students who were ever English learners", _NEVER_EL,
               (("Ever English Learners",), ("Never English Learners",))),
    Comparison("Newcomer EL vs never EL", "newcomer_status", ("newcomer EL",), ("never EL",),
               "newcomer English learners", _NEVER_EL),
    Comparison("Other current EL vs never EL", "newcomer_status", ("other current EL",), ("never EL",),
               "current English learners who are not newcomers", _NEVER_EL),
    Comparison("Students with disabilities vs without", "iep", (True,), (False,),
               "students with disabilities", "students without disabilities",
               (("Students with Disabilities",), ("Students without Disabilities",))),
    Comparison("Economically disadvantaged vs not", "econ_disadv", (True,), (False,),
               "economically disadvantaged students", "students who are not economically disadvantaged",
               (("Economically Disadvantaged",), ("Not Economically Disadvantaged",))),
    Comparison("Hispanic/Latino vs White", "race_ethnicity", ("Hispanic/Latino",), ("White",),
               "Hispanic/Latino students", "White students", (("Hispanic/Latino",), ("White",))),
    Comparison("Black/African American vs White", "race_ethnicity", ("Black/African American",), ("White",),
               "Black/African American students", "White students", (("Black/African American",), ("White",))),
    Comparison("Female vs male", "gender", ("F",), ("M",), "female students", "male students",
               (("Female",), ("Male",))),
)}


def side_group(comparison: Comparison | str, side: str) -> tuple:
    """The student group on one side (``"focal"`` or ``"reference"``) of a comparison (or its name).

    Two sides are the same group when they name the same students: the same labels of the same column
    ("Current EL vs never EL" and "Current EL vs all others" share their focal group), or a column that
    `add_el_groups` derives from EL status (never-EL students are ``ever_el`` false, and ``IFEP`` or
    ``EO``). Everyone else in a cell is its own group.

    >>> side_group("Current EL vs all others", "focal") == side_group("Current EL vs never EL", "focal")
    True
    >>> side_group("Ever EL vs never EL", "reference") == side_group("Newcomer EL vs never EL", "reference")
    True
    """
    c = COMPARISONS[comparison] if isinstance(comparison, str) else comparison
    if side == "focal":
        group = (c.group, frozenset(c.focal))
    else:
        group = (c.group, frozenset(c.reference)) if c.reference is not None else (c.group, "not", frozenset(c.focal))
    return _SAME_STUDENTS.get(group, group)


#: Sides named by another column that hold the same students as English-learner statuses (see
#: `add_el_groups`): a reader who sees never-EL students in one table knows them in every other.
_SAME_STUDENTS = {
    ("ever_el", frozenset({True})): ("el_status", frozenset({"EL", "RFEP"})),
    ("ever_el", frozenset({False})): ("el_status", frozenset({"IFEP", "EO"})),
    ("newcomer_status", frozenset({"never EL"})): ("el_status", frozenset({"IFEP", "EO"})),
}


#: Groups whose counts add up in every cell, as (total, parts), each a side of a named comparison:
#: ever ELs are current plus former ELs, current ELs are newcomers plus the others, and everyone but
#: current ELs is former plus never ELs. A reader who sees some of them can work out the others, so
#: they are suppressed together (`gapkit.tables.protect_linked`).
LINKED = (
    (("Ever EL vs never EL", "focal"), (("Current EL vs never EL", "focal"), ("Former EL vs never EL", "focal"))),
    (("Current EL vs never EL", "focal"),
     (("Newcomer EL vs never EL", "focal"), ("Other current EL vs never EL", "focal"))),
    (("Current EL vs all others", "reference"),
     (("Former EL vs never EL", "focal"), ("Current EL vs never EL", "reference"))),
)
#: The linked groups hidden last: current English learners, whom a reader needs most, and never-EL
#: students, the comparison group of most tables.
LINKED_KEEP = (("Current EL vs never EL", "focal"), ("Current EL vs never EL", "reference"))


def linked_comparisons(comparison: str, comparisons=None) -> list[str]:
    """The names in `comparisons` (default `COMPARISONS`) whose groups are `LINKED` to those of `comparison`.

    In the order of `comparisons`, whichever of them is asked about, so that each is protected the
    same way; a comparison with no linked group has only itself.

    >>> linked_comparisons("Ever EL vs never EL", {n: COMPARISONS[n] for n in ("Female vs male",
    ...                    "Former EL vs never EL", "Ever EL vs never EL")})
    ['Former EL vs never EL', 'Ever EL vs never EL']
    """
    comparisons = COMPARISONS if comparisons is None else comparisons
    groups = {side_group(*g) for total, parts in LINKED for g in (total, *parts)}

    def sides(c):
        return {side_group(c, "focal"), side_group(c, "reference")}

    if not sides(comparisons[comparison]) & groups:
        return [comparison]
    return [name for name, c in comparisons.items() if sides(c) & groups]


def add_el_groups(records: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of `records` with the EL groups an analyst compares.

    Adds boolean columns ``current_el``, ``former_el``, ``ever_el`` (missing for ``"not EL"``: former or
    never unknown), ``never_el`` and ``newcomer``,
    ``years_since_exit`` (former ELs: years since reclassification) and ``newcomer_status``
    (``"newcomer EL"``, ``"other current EL"``, ``"former EL"`` or ``"never EL"``).

    Examples
    --------
    >>> rows = pd.DataFrame({"year": [2024, 2024, 2024], "el_status": ["EL", "RFEP", "EO"],
    ...                      "el_exit_year": [pd.NA, 2021, pd.NA], "years_in_us": [1, 6, 9]})
    >>> groups = add_el_groups(rows)
    >>> groups["ever_el"].tolist(), groups["newcomer"].tolist(), int(groups["years_since_exit"].iloc[1])
    ([True, True, False], [True, False, False], 3)
    """
    if "el_status" not in records.columns:
        raise ValueError("`records` has no 'el_status' column; map the local EL column first (see gapkit.readers).")
    out = records.copy()
    status = out["el_status"]
    out["current_el"] = status.eq("EL").fillna(False).astype(bool)
    out["former_el"] = status.eq("RFEP").fillna(False).astype(bool)
    out["ever_el"] = out["current_el"] | out["former_el"]
    if status.eq(NOT_CURRENT_EL).any():  # former or never: unknown
        out["ever_el"] = out["ever_el"].astype("boolean").mask(status.eq(NOT_CURRENT_EL).fillna(False))
    out["never_el"] = status.isin(["IFEP", "EO"]).fillna(False).astype(bool)
    years_in_us = pd.to_numeric(out.get("years_in_us"), errors="coerce") if "years_in_us" in out else None
    newcomer = out["current_el"] & (years_in_us <= NEWCOMER_MAX_YEARS).fillna(False) if years_in_us is not None \
        else pd.Series(False, index=out.index)
    out["newcomer"] = newcomer.astype(bool)
    if "el_exit_year" in out:
        since = pd.to_numeric(out["year"], errors="coerce") - pd.to_numeric(out["el_exit_year"], errors="coerce")
        out["years_since_exit"] = since.where(out["former_el"]).astype("Int64")
    labels = pd.Series(pd.NA, index=out.index, dtype="object")
    labels[out["current_el"]] = "other current EL"
    labels[out["newcomer"]] = "newcomer EL"
    labels[out["former_el"]] = "former EL"
    labels[out["never_el"]] = "never EL"
    out["newcomer_status"] = labels
    return out
