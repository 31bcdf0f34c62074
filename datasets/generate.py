"""Generate the synthetic sample district (no real student is in these files).

Run from the repository root::

    python datasets/generate.py            # writes datasets/sample_district/
    python datasets/generate.py --out DIR  # writes the same files into DIR

The output is deterministic: a fixed seed, one random stream drawn in a fixed order, rows sorted on
explicit keys and every number formatted by this script (never by a library's float printer), so two
runs write the same bytes. The effects built in, and the research each one imitates, are described in
``datasets/README.md``.

Files written
-------------
students.csv
    One row per student and school year, in the canonical columns of ``gapkit.records.COLUMNS``.
published.csv
    Report-card-style counts per performance level, computed from ``students.csv`` and suppressed the
    way a state would publish them (``*`` for fewer than 10 students, plus complementary suppression).
cut_scores.csv
    The lowest scale score of levels 2, 3 and 4 for each subject and grade.
"""
from __future__ import annotations

import argparse
import csv
import math
from pathlib import Path

import numpy as np

from gapkit.records import COLUMNS, GENDERS, RACE_ETHNICITY

SEED = 20240617
YEARS = (2021, 2022, 2023, 2024, 2025)
#: Grades simulated every year; grade 9 is simulated but not tested (the high school tests grade 10).
SIM_GRADES = (3, 4, 5, 6, 7, 8, 9, 10)
TESTED_GRADES = (3, 4, 5, 6, 7, 8, 10)
MIN_N = 10  # the state's reporting threshold used in published.csv

#: school_id: (name, level, grades, students per grade). Cedar Hill is small on purpose.
SCHOOLS = {
    "E01": ("Riverside Elementary", "elementary", (3, 4, 5), 250),
    "E02": ("Maple Grove Elementary", "elementary", (3, 4, 5), 200),
    "E03": ("Cedar Hill Elementary", "elementary", (3, 4, 5), 28),
    "M01": ("Lincoln Middle School", "middle", (6, 7, 8), 350),
    "M02": ("Jefferson Middle School", "middle", (6, 7, 8), 135),
    "H01": ("Central High School", "high", (9, 10), 470),
}
SCHOOL_IDS = tuple(SCHOOLS)
SCHOOL_EFFECT = {"E01": -0.05, "E02": 0.08, "E03": 0.0, "M01": 0.0, "M02": -0.04, "H01": 0.0}

RACES = RACE_ETHNICITY  # the canonical federal categories, in gapkit's order
#: Race/ethnicity mix of students entering each elementary school, of other entrants, and of newcomers.
RACE_MIX = {
    "E01": (0.60, 0.01, 0.08, 0.11, 0.01, 0.15, 0.04),
    "E02": (0.30, 0.01, 0.10, 0.12, 0.01, 0.40, 0.06),
    "E03": (0.20, 0.08, 0.01, 0.02, 0.01, 0.62, 0.06),
    "district": (0.45, 0.015, 0.08, 0.12, 0.015, 0.27, 0.05),
    "newcomer": (0.60, 0.0, 0.18, 0.12, 0.0, 0.10, 0.0),
}
#: Home language by race/ethnicity: (languages, probabilities). Newcomers never have English.
HOME_LANGUAGE = {
    "Hispanic/Latino": (("Spanish", "English"), (0.68, 0.32)),
    "American Indian/Alaska Native": (("Navajo", "English"), (0.05, 0.95)),
    "Asian": (("Vietnamese", "Mandarin", "Tagalog", "Korean", "English"), (0.25, 0.15, 0.12, 0.08, 0.40)),
    "Black/African American": (("Somali", "Haitian Creole", "English"), (0.08, 0.05, 0.87)),
    "Native Hawaiian/Pacific Islander": (("Samoan", "English"), (0.20, 0.80)),
    "White": (("Arabic", "Ukrainian", "English"), (0.04, 0.03, 0.93)),
    "Two or more races": (("Spanish", "English"), (0.05, 0.95)),
}
NEWCOMER_LANGUAGE = {
    "Hispanic/Latino": (("Spanish",), (1.0,)),
    "Asian": (("Vietnamese", "Mandarin", "Tagalog", "Korean"), (0.3, 0.3, 0.2, 0.2)),
    "Black/African American": (("Somali", "Haitian Creole"), (0.5, 0.5)),
    "White": (("Arabic", "Ukrainian"), (0.6, 0.4)),
}
ECON_BY_RACE = (0.68, 0.62, 0.35, 0.66, 0.55, 0.30, 0.42)
#: Direct score effects (SD units) standing in for unequal opportunity, not for anything about a group.
RACE_EFFECT = (-0.10, -0.25, 0.25, -0.20, -0.15, 0.10, 0.0)
GENDER_MIX = (0.49, 0.502, 0.008)
#: Score effects by gender for (math, ela).
GENDER_EFFECT = {0: (-0.03, 0.12), 1: (0.03, -0.08), 2: (0.0, 0.0)}

EFFECT_ECON = -0.30
EFFECT_IEP = -0.85
#: School-year effect: scores recover over the years after the 2020-21 disruption.
YEAR_EFFECT = {2021: -0.14, 2022: -0.09, 2023: -0.05, 2024: -0.02, 2025: 0.0}

#: Scale: mean and SD of the state's reference population by subject and grade.
SUBJECT_NAMES = ("math", "ela")


def scale_center(subject: str, grade: int) -> int:
    step = 35 if subject == "math" else 32
    return (2410 if subject == "math" else 2420) + step * (grade - 3)


def scale_sd(subject: str, grade: int) -> int:
    return (80 if subject == "math" else 85) + 4 * (grade - 3)


#: Level cut points in reference-population SD units (lowest z of levels 2, 3 and 4).
CUT_Z = (-0.85, -0.2, 0.65)


def cut_scores(subject: str, grade: int) -> tuple[int, int, int]:
    """Lowest scale score of levels 2, 3 and 4 (level 3 = proficient)."""
    center, sd = scale_center(subject, grade), scale_sd(subject, grade)
    return tuple(int(math.floor(center + z * sd + 0.5)) for z in CUT_Z)


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


class District:
    """The student population, simulated one school year at a time."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.next_id = 1
        self.cols: dict[str, np.ndarray] = {}
        self.rows: list[tuple] = []

    # ------------------------------------------------------------------ creating students
    def new_students(self, n: int, grade, school, year: int, *, kind: str) -> dict[str, np.ndarray]:
        """`kind`: "cohort" (in US schools since kindergarten) or "newcomer" (arrived this year)."""
        rng = self.rng
        grade = np.broadcast_to(np.asarray(grade, dtype=np.int64), (n,)).copy()
        school = np.broadcast_to(np.asarray(school, dtype=np.int64), (n,)).copy()
        ids = np.arange(self.next_id, self.next_id + n, dtype=np.int64)
        self.next_id += n
        race = np.empty(n, dtype=np.int64)
        for i in range(n):
            key = "newcomer" if kind == "newcomer" else (
                SCHOOL_IDS[school[i]] if SCHOOL_IDS[school[i]] in RACE_MIX else "district")
            race[i] = rng.choice(len(RACES), p=RACE_MIX[key])
        language = np.empty(n, dtype=object)
        table = NEWCOMER_LANGUAGE if kind == "newcomer" else HOME_LANGUAGE
        for i in range(n):
            langs, probs = table[RACES[race[i]]]
            language[i] = langs[rng.choice(len(langs), p=probs)]
        gender = rng.choice(3, size=n, p=GENDER_MIX)
        iep = rng.random(n) < 0.13
        ability = rng.normal(-0.2 if kind == "newcomer" else 0.0, 1.0, n)
        # English-proficiency growth per year (ELP levels): slower with a disability or lower ability.
        rate = np.clip(0.55 + 0.08 * ability - 0.3 * iep + rng.normal(0, 0.15, n), 0.1, 1.3)
        start = rng.uniform(1.5, 3.5, n) if kind == "cohort" else rng.uniform(1.0, 2.2, n)
        non_english = language != "English"
        identified = non_english & ((rng.random(n) < 0.72) | (kind == "newcomer"))
        status = np.where(identified, "EL", np.where(non_english, "IFEP", "EO")).astype(object)
        years_in_us = grade + 1 if kind == "cohort" else np.ones(n, dtype=np.int64)
        # English proficiency at the end of last school year, and reclassification before the first year seen.
        elp = start + rate * (years_in_us - 2)
        exit_year = np.full(n, -1, dtype=np.int64)
        passed_ela = (ability + rng.normal(0, 0.5, n)) > -1.0
        if kind == "cohort":
            done = identified & (elp >= 5.0) & passed_ela
            arrival = year - years_in_us + 1
            exit_at = arrival + np.ceil((5.0 - start) / rate).astype(np.int64) - 1
            exit_year = np.where(done, np.minimum(exit_at, year - 1), -1)
            status = np.where(done, "RFEP", status).astype(object)
        elp = np.where(identified, np.clip(elp, 1.0, 5.4), np.nan)
        econ_p = np.array([ECON_BY_RACE[r] for r in race])
        econ_p = np.where(identified, np.maximum(econ_p, 0.82 if kind == "cohort" else 0.88), econ_p)
        econ = rng.random(n) < econ_p
        return {
            "id": ids, "grade": grade, "school": school, "race": race, "language": language,
            "gender": gender, "iep": iep, "econ": econ, "ability": ability, "rate": rate,
            "status": status, "elp": elp, "elp_prior_level": np.full(n, -1, dtype=np.int64),
            "exit_year": exit_year, "years_in_us": years_in_us.astype(np.int64),
            "last_math_z": np.full(n, np.nan),
        }

    def add(self, new: dict[str, np.ndarray]) -> None:
        if not self.cols:
            self.cols = new
        else:
            self.cols = {k: np.concatenate([self.cols[k], new[k]]) for k in self.cols}

    def keep(self, mask: np.ndarray) -> None:
        self.cols = {k: v[mask] for k, v in self.cols.items()}

    # ------------------------------------------------------------------ one school year
    def start_year(self, year: int) -> None:
        """Progress, retain, lose and enrol students at the start of `year` (not for the first year)."""
        rng, c = self.rng, self.cols
        n = len(c["id"])
        low = ~np.isnan(c["last_math_z"]) & (c["last_math_z"] < -1.4)
        retained = (c["grade"] <= 8) & (rng.random(n) < np.where(low, 0.04, 0.004))
        leave_p = np.where(c["econ"], 0.08, 0.05)
        stays = (rng.random(n) >= leave_p) & ~((c["grade"] == 10) & ~retained)
        grade = np.where(retained, c["grade"], c["grade"] + 1)
        school = c["school"].copy()
        to_middle = (grade == 6) & ~retained
        split = rng.random(n)
        e = [SCHOOL_IDS.index(s) for s in ("E01", "E02", "E03", "M01", "M02", "H01")]
        school = np.where(to_middle & (school == e[0]), e[3], school)
        school = np.where(to_middle & (school == e[1]), np.where(split < 0.5, e[3], e[4]), school)
        school = np.where(to_middle & (school == e[2]), e[4], school)
        school = np.where((grade == 9) & ~retained, e[5], school)
        c["grade"], c["school"] = grade, school
        c["years_in_us"] = c["years_in_us"] + 1
        self.keep(stays & (grade <= 10))

    def enrol(self, year: int, *, first: bool) -> None:
        """Fill every school and grade up to its size with new students; some are newcomers."""
        rng = self.rng
        for s, sid in enumerate(SCHOOL_IDS):
            _, level, grades, size = SCHOOLS[sid]
            grades = (9, 10) if level == "high" else grades
            for g in grades:
                target = int(round(size * (1.0 + 0.03 * (year - 2021)) * (1.0 + rng.normal(0, 0.02))))
                have = int(np.sum((self.cols["grade"] == g) & (self.cols["school"] == s))) if self.cols else 0
                need = max(target - have, 0)
                if need == 0:
                    continue
                newcomer_share = {"elementary": 0.08, "middle": 0.12, "high": 0.18}[level] * (0.5 if first else 1.0)
                if level == "elementary" and g == 3:
                    newcomer_share *= 0.2
                n_new = int(rng.binomial(need, newcomer_share)) if newcomer_share else 0
                if need - n_new:
                    self.add(self.new_students(need - n_new, g, s, year, kind="cohort"))
                if n_new:
                    self.add(self.new_students(n_new, g, s, year, kind="newcomer"))

    def test_year(self, year: int) -> None:
        """English-proficiency test, state tests, course placement and reclassification for `year`."""
        rng, c = self.rng, self.cols
        n = len(c["id"])
        el = c["status"] == "EL"
        elp_before = c["elp"].copy()
        known_prior = el & (c["years_in_us"] > 1)
        prior_level = np.where(known_prior, np.clip(np.floor(np.nan_to_num(elp_before, nan=1.0)), 1, 5), -1)
        first_year = el & (c["years_in_us"] == 1)
        grow = np.where(first_year, 0.0, c["rate"] + rng.normal(0, 0.25, n))
        c["elp"] = np.where(el, np.clip(np.nan_to_num(elp_before, nan=1.0) + grow, 1.0, 5.4), np.nan)
        elp_level = np.where(el, np.clip(np.floor(np.nan_to_num(c["elp"], nan=1.0)), 1, 5), -1).astype(np.int64)
        # prior level for students reclassified at the end of last year
        just_exited = (c["status"] == "RFEP") & (c["exit_year"] == year - 1)
        prior_level = np.where(just_exited, 5, prior_level).astype(np.int64)

        shared = rng.normal(0, 1, n)
        att_noise = rng.normal(0, 1, n)
        grade = c["grade"]
        gap_grade = np.clip(grade, 3, 10) - 3
        z = {}
        for k, subject in enumerate(SUBJECT_NAMES):
            own = rng.normal(0, 1, n)
            race_eff = np.array(RACE_EFFECT)[c["race"]]
            gender_eff = np.array([GENDER_EFFECT[g][k] for g in range(3)])[c["gender"]]
            # Language demand of the test grows with grade; ELA more than math.
            weight = (1.0 if subject == "ela" else 0.85) * (2.0 - 0.04 * gap_grade)
            penalty = np.where(el, weight * (5.0 - np.minimum(np.nan_to_num(c["elp"], nan=5.0), 5.0)) / 4.0 + 0.1,
                               0.0)
            school_eff = np.array([SCHOOL_EFFECT[s] for s in SCHOOL_IDS])[c["school"]]
            z[subject] = (YEAR_EFFECT[year] + 0.80 * c["ability"] + 0.35 * shared + 0.30 * own
                          + EFFECT_ECON * c["econ"] + EFFECT_IEP * c["iep"] + race_eff + gender_eff
                          + school_eff - penalty)
        # Attendance: share of days attended.
        absent = 0.045 + 0.02 * c["econ"] + 0.012 * c["iep"] + 0.025 * np.abs(att_noise) ** 1.5
        attendance = np.clip(1.0 - absent, 0.55, 1.0)
        # Missing tests: absent on test days; first-year newcomers exempt from ELA (most of them).
        miss = rng.random(n)
        miss_math = miss < 0.012
        miss_ela = (miss < 0.012) | ((miss > 0.99) & (miss < 0.995)) | (first_year & (rng.random(n) < 0.8))
        # Course placement: Algebra I by grade 8; an advanced course in high school.
        u_course = rng.random(n)
        course_score = np.where(grade == 8, -1.0 + 1.3 * z["math"], -0.7 + 1.2 * (z["math"] + z["ela"]) / 2)
        course_score = course_score - 0.5 * el - 0.6 * c["iep"] - 0.25 * c["econ"]
        advanced = u_course < _logistic(course_score)
        scale, level = {}, {}
        for subject in SUBJECT_NAMES:
            centers = np.array([scale_center(subject, g) for g in grade], dtype=float)
            sds = np.array([scale_sd(subject, g) for g in grade], dtype=float)
            raw = np.clip(centers + sds * z[subject], centers - 3.5 * sds, centers + 3.5 * sds)
            scale[subject] = np.floor(raw + 0.5).astype(np.int64)
            cuts = np.array([cut_scores(subject, g) for g in grade])
            level[subject] = 1 + (scale[subject][:, None] >= cuts).sum(axis=1)
        for i in range(n):
            g = int(grade[i])
            if g not in TESTED_GRADES:
                continue
            sid = SCHOOL_IDS[c["school"][i]]
            status = c["status"][i]
            self.rows.append((
                f"S{c['id'][i]:06d}", year, sid, SCHOOLS[sid][0], SCHOOLS[sid][1], g, status,
                int(c["exit_year"][i]) if status == "RFEP" else None,
                int(elp_level[i]) if status == "EL" else None,
                int(prior_level[i]) if prior_level[i] > 0 else None,
                int(c["years_in_us"][i]), c["language"][i], bool(c["iep"][i]), bool(c["econ"][i]),
                RACES[c["race"][i]], GENDERS[c["gender"][i]],
                None if miss_math[i] else int(scale["math"][i]), None if miss_math[i] else int(level["math"][i]),
                None if miss_ela[i] else int(scale["ela"][i]), None if miss_ela[i] else int(level["ela"][i]),
                int(math.floor(attendance[i] * 1000 + 0.5)),
                bool(advanced[i]) if g in (8, 10) else None,
            ))
        # Reclassification at the end of the year: ELP level 5 and at least level 2 in ELA.
        ela_ok = ~miss_ela & (level["ela"] >= 2)
        exits = el & (elp_level == 5) & ela_ok
        c["status"] = np.where(exits, "RFEP", c["status"]).astype(object)
        c["exit_year"] = np.where(exits, year, c["exit_year"])
        c["elp"] = np.where(exits, np.nan, c["elp"])
        c["last_math_z"] = np.where(miss_math, np.nan, z["math"])


STUDENT_COLUMNS = tuple(COLUMNS)  # the canonical columns, in gapkit's order (each row is built in it)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def simulate(seed: int = SEED) -> list[tuple]:
    """Return the student-year rows, sorted by year, school, grade and student."""
    district = District(np.random.default_rng(seed))
    for k, year in enumerate(YEARS):
        if k:
            district.start_year(year)
        district.enrol(year, first=k == 0)
        district.test_year(year)
    rows = sorted(district.rows, key=lambda r: (r[1], r[2], r[5], r[0]))
    return rows


def write_students(rows: list[tuple], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(STUDENT_COLUMNS)
        for r in rows:
            r = list(r)
            r[20] = f"{r[20] // 1000}.{r[20] % 1000:03d}"  # attendance, exactly three decimals
            out.writerow([_cell(v) for v in r])


# ---------------------------------------------------------------------- published report card
DISTRICT_ID, DISTRICT_NAME = "D00", "Sample District (all schools)"
GROUPS = (
    "All Students", "English Learners", "Former English Learners", "Ever English Learners",
    "Never English Learners", "Students with Disabilities", "Economically Disadvantaged",
    *RACES, "Female", "Male", "Nonbinary",
)
#: Sets of groups where one hidden member could be recovered from the others and a total.
FAMILIES = (
    ("All Students", ("English Learners", "Former English Learners", "Never English Learners")),
    ("Ever English Learners", ("English Learners", "Former English Learners")),
    ("All Students", ("Ever English Learners", "Never English Learners")),
    ("All Students", RACES),
    ("All Students", ("Female", "Male", "Nonbinary")),
)
PUBLISHED_COLUMNS = ("year", "school_id", "school_name", "grade", "subject", "student_group", "n_tested",
                     "level_1", "level_2", "level_3", "level_4", "mean_scale_score")


def _groups_of(row) -> list[str]:
    status = row[6]
    out = ["All Students"]
    if status == "EL":
        out += ["English Learners", "Ever English Learners"]
    elif status == "RFEP":
        out += ["Former English Learners", "Ever English Learners"]
    else:
        out.append("Never English Learners")
    if row[12]:
        out.append("Students with Disabilities")
    if row[13]:
        out.append("Economically Disadvantaged")
    out.append(row[14])
    out.append({"F": "Female", "M": "Male", "X": "Nonbinary"}[row[15]])
    return out


def published_cells(rows: list[tuple]) -> dict[tuple, list[int]]:
    """Counts per level and the sum of scale scores by (year, school, grade, subject, group)."""
    cells: dict[tuple, list[int]] = {}
    for r in rows:
        groups = _groups_of(r)
        for subject, (si, li) in (("math", (16, 17)), ("ela", (18, 19))):
            if r[li] is None:
                continue
            for school in (r[2], DISTRICT_ID):
                for group in groups:
                    cell = cells.setdefault((r[1], school, r[5], subject, group), [0, 0, 0, 0, 0, 0])
                    cell[0] += 1
                    cell[r[li]] += 1
                    cell[5] += r[si]
    return cells


def suppress_published(cells: dict[tuple, list[int]]) -> set[tuple]:
    """Keys of the cells the state hides: n < MIN_N, then complementary cells until none can be recovered.

    Complementary rule: within a family whose members add up to a published total (the EL statuses, the
    race groups, the genders, and the schools adding up to the district), a lone hidden member (or a hidden
    set whose total would be under MIN_N) forces the smallest shown member to be hidden too.
    """
    hidden = {k for k, v in cells.items() if v[0] < MIN_N}
    schools_by_grade: dict[int, list[str]] = {}
    for sid, (_, _, grades, _) in SCHOOLS.items():
        for g in grades:
            schools_by_grade.setdefault(g, []).append(sid)
    families = []
    keys_by_cell = sorted({k[:4] for k in cells})
    for (year, school, grade, subject) in keys_by_cell:
        for total, members in FAMILIES:
            families.append(((year, school, grade, subject, total),
                             [(year, school, grade, subject, m) for m in members]))
    for (year, school, grade, subject) in keys_by_cell:
        if school != DISTRICT_ID:
            continue
        for group in GROUPS:
            families.append(((year, DISTRICT_ID, grade, subject, group),
                             [(year, s, grade, subject, group) for s in schools_by_grade[grade]]))
    changed = True
    while changed:
        changed = False
        for total, members in families:
            present = [m for m in members if m in cells]
            if total not in cells or total in hidden:
                continue
            gone = [m for m in present if m in hidden]
            if not gone:
                continue
            hidden_n = sum(cells[m][0] for m in gone)
            if len(gone) >= 2 and hidden_n >= MIN_N:
                continue
            shown = sorted((m for m in present if m not in hidden), key=lambda m: (cells[m][0], m))
            if shown:
                hidden.add(shown[0])
                changed = True
    return hidden


def write_published(rows: list[tuple], path: Path) -> None:
    cells = published_cells(rows)
    hidden = suppress_published(cells)
    names = {sid: spec[0] for sid, spec in SCHOOLS.items()} | {DISTRICT_ID: DISTRICT_NAME}
    order = {g: i for i, g in enumerate(GROUPS)}
    school_order = {s: i for i, s in enumerate((DISTRICT_ID, *SCHOOL_IDS))}
    keys = sorted(cells, key=lambda k: (k[0], school_order[k[1]], k[2], k[3], order[k[4]]))
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(PUBLISHED_COLUMNS)
        for k in keys:
            v = cells[k]
            if k in hidden:
                numbers = ["*"] * 6
            else:
                mean10 = (20 * v[5] + v[0]) // (2 * v[0])  # mean scale score x10, rounded half up
                numbers = [str(x) for x in v[:5]] + [f"{mean10 // 10}.{mean10 % 10}"]
            out.writerow([str(k[0]), k[1], names[k[1]], str(k[2]), k[3], k[4], *numbers])


def write_cut_scores(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(("subject", "grade", "level_2_min", "level_3_min", "level_4_min"))
        for subject in SUBJECT_NAMES:
            for g in TESTED_GRADES:
                out.writerow((subject, g, *cut_scores(subject, g)))


def generate(out_dir: Path, *, seed: int = SEED) -> list[Path]:
    """Write students.csv, published.csv and cut_scores.csv into `out_dir`; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = simulate(seed)
    paths = [out_dir / "students.csv", out_dir / "published.csv", out_dir / "cut_scores.csv"]
    write_students(rows, paths[0])
    write_published(rows, paths[1])
    write_cut_scores(paths[2])
    return paths


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Generate the synthetic sample district.")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "sample_district",
                        help="folder to write into (default: datasets/sample_district)")
    args = parser.parse_args(argv)
    for path in generate(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
