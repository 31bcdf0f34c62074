"""A reader who attacks the reports: everything their gap tables show, and what linear programming gives away.

Written here, independently of gapkit: its own parsing of the HTML tables, its own definition of each
group from the student file (pandas), and its own list of the sums a reader knows. The reader is assumed
to know which hidden counts are 0, which are small (1 to min_n - 1) and which are not; a hidden count is
given away when it can take only one value, or a small one fewer than four (known to within one).
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
from scipy.optimize import linprog

SUBJECTS = {"Mathematics": "math", "English language arts": "ela"}

#: Each comparison's focal and reference group, in the reader's own names.
SIDES = {
    "Current EL vs never EL": ("current EL", "never EL"),
    "Current EL vs all others": ("current EL", "not current EL"),
    "Former EL vs never EL": ("former EL", "never EL"),
    "Ever EL vs never EL": ("ever EL", "never EL"),
    "Newcomer EL vs never EL": ("newcomer EL", "never EL"),
    "Other current EL vs never EL": ("other current EL", "never EL"),
    "Students with disabilities vs without": ("with disabilities", "without disabilities"),
    "Economically disadvantaged vs not": ("disadvantaged", "not disadvantaged"),
    "Hispanic/Latino vs White": ("Hispanic/Latino", "White"),
    "Black/African American vs White": ("Black/African American", "White"),
    "Female vs male": ("female", "male"),
}

#: Sums a reader knows: the first group is at most the others together (exactly, where the file has no
#: one else: checked on the true counts before the sum is used).
SUMS = [
    ("ever EL", "current EL", "former EL"),
    ("current EL", "newcomer EL", "other current EL"),
    ("not current EL", "former EL", "never EL"),
    ("tested", "current EL", "not current EL"),
    ("tested", "current EL", "former EL", "never EL"),
    ("tested", "with disabilities", "without disabilities"),
    ("tested", "disadvantaged", "not disadvantaged"),
    ("tested", "female", "male"),
    ("tested", "Hispanic/Latino", "Black/African American", "White"),
]


def school_year(year) -> str:
    return f"{int(year) - 1}-{str(int(year))[2:]}"


def groups_of(students: pd.DataFrame) -> dict:
    """Each group of the reader's, as a mask over `students` (the raw student file)."""
    status = students["el_status"]
    flag = {column: students[column].astype(str).str.lower().isin(["true", "1"])
            for column in ("iep", "econ_disadv") if column in students}
    newcomer = (status == "EL") & (pd.to_numeric(students.get("years_in_us"), errors="coerce") <= 2) \
        if "years_in_us" in students else status.isna()
    groups = {"current EL": status == "EL", "former EL": status == "RFEP", "never EL": status.isin(["IFEP", "EO"]),
              "ever EL": status.isin(["EL", "RFEP"]), "not current EL": status != "EL",
              "newcomer EL": newcomer, "other current EL": (status == "EL") & ~newcomer,
              "tested": pd.Series(True, index=students.index)}
    if "iep" in flag:
        groups |= {"with disabilities": flag["iep"], "without disabilities": ~flag["iep"]}
    if "econ_disadv" in flag:
        groups |= {"disadvantaged": flag["econ_disadv"], "not disadvantaged": ~flag["econ_disadv"]}
    for column, names in (("race_ethnicity", ("Hispanic/Latino", "Black/African American", "White")),
                          ("gender", ("F", "M"))):
        for name in names if column in students else ():
            groups[{"F": "female", "M": "male"}.get(name, name)] = students[column] == name
    return groups


def true_counts(students: dict) -> dict:
    """``{(report, subject, year, group, grade): count}`` from each report's students (``{report: frame}``),
    counting students with a performance level in the subject; grade "All" for all grades."""
    truth = {}
    for report, frame in students.items():
        groups = groups_of(frame)
        for subject in SUBJECTS.values():
            level = f"{subject}_level"
            if level not in frame:
                continue
            tested = frame[level].notna()
            for group, mask in groups.items():
                part = frame[mask & tested]
                for (year, grade), n in part.groupby(["year", "grade"]).size().items():
                    truth[(report, subject, school_year(year), group, str(grade))] = int(n)
                for year, n in part.groupby("year").size().items():
                    truth[(report, subject, school_year(year), group, "All")] = int(n)
    return truth


def shown_counts(soup, report) -> dict:
    """``{(report, subject, year, group, grade): count or None (hidden)}`` from every gap table of a report."""
    shown = {}
    for table in soup.select("table.gapkit-table"):
        caption = table.find("caption").get_text(strip=True)
        by_grade = re.match(r"(.+?): (.+), (?:gap in percent proficient|standardized gap).* by grade and year", caption)
        all_grades = re.match(r"(.+?): (?:gap in percent proficient|standardized gap \(Hedges' g\)), all grades, "
                              r"by year", caption)
        if not (by_grade or all_grades):
            continue
        header = [th.get_text(strip=True) for th in table.find("thead").find_all("th")]
        counts = [i for i, th in enumerate(table.find("thead").find_all("th")) if th.get("data-role") == "n"]
        subject = SUBJECTS[(by_grade or all_grades).group(1)]
        for tr in table.find("tbody").find_all("tr"):
            cells = [td.get_text(strip=True) for td in tr.find_all("td")]
            row = dict(zip(header, cells))
            comparison = by_grade.group(2) if by_grade else row["Comparison"]
            grade = row["Grade"] if by_grade else "All"
            for side, i in zip(SIDES[comparison], counts):
                key = (report, subject, row["Year"], side, grade)
                value = None if cells[i] in ("*", "suppressed") else int(cells[i].replace(",", ""))
                if value is not None or key not in shown:
                    shown[key] = value
    return shown


def given_away(shown: dict, truth: dict, min_n: int, *, district=None) -> list:
    """The hidden counts a reader can pin: ``[(key, low, high)]``. With `district` (the district report's
    name), the schools' counts add up to the district's as well."""
    keys = set(truth) | set(shown)
    value = {k: truth.get(k, 0) for k in keys}
    for k, v in shown.items():
        assert v is None or v == value[k], f"the report shows {v} for {k}, the file has {value[k]}"
    hidden = sorted((k for k in keys if shown.get(k) is None), key=str)
    index = {k: i for i, k in enumerate(hidden)}
    equalities, inequalities = [], []

    def add(terms):
        total = sum(c * value.get(k, 0) for k, c in terms)
        assert total <= 0, terms
        (equalities if total == 0 else inequalities).append(terms)

    cells = {k[:3] for k in keys}
    for report, subject, year in cells:
        grades = sorted({k[4] for k in keys if k[:3] == (report, subject, year) and k[4] != "All"})
        names = {k[3] for k in keys if k[:3] == (report, subject, year)}
        for group in names:
            add([*(((report, subject, year, group, g), 1) for g in grades), ((report, subject, year, group, "All"), -1)])
        for grade in [*grades, "All"]:
            for total, *parts in SUMS:
                if total in names and all(p in names for p in parts):
                    add([*(((report, subject, year, p, grade), 1) for p in parts), ((report, subject, year, total, grade), -1)])
    if district is not None:
        for _, subject, year, group, grade in {k for k in keys if k[0] == district}:
            schools = [k for k in keys if k[0] != district and k[1:] == (subject, year, group, grade)]
            add([*((k, 1) for k in schools), ((district, subject, year, group, grade), -1)])

    def system(rows):
        a, b = np.zeros((len(rows), len(hidden))), np.zeros(len(rows))
        for r, terms in enumerate(rows):
            for k, c in terms:
                if k in index:
                    a[r, index[k]] += c
                else:
                    b[r] -= c * value.get(k, 0)
        keep = a.any(axis=1)
        return (a[keep], b[keep]) if keep.any() else (None, None)

    a_eq, b_eq = system(equalities)
    a_ub, b_ub = system(inequalities)
    bounds = [(0, 0) if value[k] == 0 else (1, min_n - 1) if value[k] < min_n else (min_n, None) for k in hidden]
    out = []
    for k, i in index.items():
        if value[k] == 0 or k[3] == "tested" or k not in shown:
            continue
        c = np.zeros(len(hidden))
        c[i] = 1
        low = linprog(c, A_eq=a_eq, b_eq=b_eq, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
        high = linprog(-c, A_eq=a_eq, b_eq=b_eq, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
        assert low.status == 0 and high.status in (0, 3), (k, low.message)
        width = np.inf if high.status == 3 else -high.fun - low.fun
        if width < (3 if value[k] < min_n else 1) - 1e-9:
            out.append((k, round(low.fun), round(-high.fun)))
    return out
