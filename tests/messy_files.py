"""A corpus of messy data files, as schools' own exports arrive, built in a temporary folder.

`build_corpus(folder)` writes every file and returns ``{name: path}``. The student rows are written
by hand below (`ROWS`), so a test knows what a correct reader must return without asking gapkit.
Other test modules import this module; it has no tests of its own.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

#: Six students in one school year, in canonical columns and codes (None = missing).
HEADER = ("student_id", "year", "school_id", "school_name", "school_level", "grade", "el_status", "el_exit_year",
          "elp_level", "years_in_us", "home_language", "iep", "econ_disadv", "race_ethnicity", "gender",
          "math_scale", "math_level", "ela_scale", "ela_level", "attendance_rate", "advanced_course")
ROWS = (
    ("A001", 2024, "S1", "Peña Elementary", "elementary", 4, "EL", None, 2, 3, "Spanish", False, True,
     "Hispanic/Latino", "F", 2380.0, 1, 2350.0, 1, 0.95, None),
    ("A002", 2024, "S1", "Peña Elementary", "elementary", 4, "RFEP", 2022, None, 6, "Vietnamese", False, True,
     "Asian", "M", 2470.0, 3, 2455.0, 3, 0.97, None),
    ("A003", 2024, "S1", "Peña Elementary", "elementary", 4, "IFEP", None, None, 6, "Spanish", True, False,
     "Hispanic/Latino", "X", 2420.0, 2, None, None, 0.9, None),
    ("A004", 2024, "S1", "Peña Elementary", "elementary", 4, "EO", None, None, 6, "English", False, False,
     "White", "F", 2510.0, 4, 2490.0, 3, 1.0, None),
    ("A005", 2024, "S2", "Żółw Middle", "middle", 8, "EL", None, 4, 9, "Arabic", False, True,
     "White", "M", 2500.0, 2, 2480.0, 2, 0.88, False),
    ("A006", 2024, "S2", "Żółw Middle", "middle", 8, "EO", None, None, 9, "English", False, False,
     "Black/African American", "F", 2600.0, 3, 2575.0, 3, 0.93, True),
)
#: `ROWS` as a frame with the dtypes `gapkit.read_records` promises.
EXPECTED = pd.DataFrame(ROWS, columns=HEADER)

#: Local spellings used by `local_codes.csv` (the mapping in `local_mapping.yaml` undoes them).
LOCAL_COLUMNS = {
    "student_id": "Local Student ID", "year": "School Year", "school_id": "School Code", "school_name": "School",
    "school_level": "Level", "grade": "Grade Level", "el_status": "ELL Status", "el_exit_year": "Exit Year",
    "elp_level": "ELPA", "years_in_us": "Yrs US", "home_language": "Home Lang", "iep": "SPED", "econ_disadv": "FRL",
    "race_ethnicity": "Race", "gender": "Sex", "math_scale": "Math SS", "math_level": "Math PL", "ela_scale": "ELA SS",
    "ela_level": "ELA PL", "attendance_rate": "Attend", "advanced_course": "Alg1",
}
LOCAL_CODES = {
    "el_status": {"EL": "LEP", "RFEP": "Exited", "IFEP": "FEP", "EO": "English"},
    "iep": {True: "SPED", False: "Gen Ed"},
    "econ_disadv": {True: "F", False: "P"},
    "race_ethnicity": {"Hispanic/Latino": "1", "Asian": "3", "Black/African American": "4", "White": "6"},
    "gender": {"F": "Woman", "M": "Man", "X": "X"},
    "math_level": {1: "Not Met", 2: "Nearly Met", 3: "Met", 4: "Exceeded"},
    "advanced_course": {True: "Y", False: "N"},
}
LOCAL_MAPPING = """\
columns:
{columns}
codes:
  el_status: {{LEP: EL, Exited: RFEP, FEP: IFEP, English: EO}}
  iep: {{SPED: true, Gen Ed: false}}
  econ_disadv: {{F: true, P: false}}
  race_ethnicity: {{"1": Hispanic/Latino, "3": Asian, "4": Black/African American, "6": White}}
  gender: {{Woman: F, Man: M}}
  math_level: {{Not Met: 1, Nearly Met: 2, Met: 3, Exceeded: 4}}
missing: ["Not Tested"]
"""


def _text(value, *, booleans=("true", "false")) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return booleans[0] if value else booleans[1]
    if isinstance(value, float) and value.is_integer() and value > 1:
        return str(int(value))
    return str(value)


def _csv(rows, header=HEADER, *, delimiter=",", booleans=("true", "false")) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_text(v, booleans=booleans) for v in row])
    return buffer.getvalue()


def _local_rows():
    out = []
    for row in ROWS:
        local = []
        for name, value in zip(HEADER, row):
            codes = LOCAL_CODES.get(name, {})
            if name == "year":
                value = f"{value - 1}-{str(value)[2:]}"  # 2024 -> "2023-24"
            elif name == "ela_scale" and value is None:
                value = "Not Tested"
            elif value is not None and value in codes:
                value = codes[value]
            local.append(value)
        out.append(local)
    return out


def build_corpus(folder) -> dict[str, Path]:
    """Write the messy-file corpus into `folder`; return ``{file name: path}``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {}
    clean = _csv(ROWS)
    files["clean.csv"] = clean.encode("utf-8")
    files["bom.csv"] = b"\xef\xbb\xbf" + clean.encode("utf-8")
    # Excel on Windows: Windows-1252, semicolons, Yes/No booleans.
    files["excel_cp1252.csv"] = _csv([r for r in ROWS if "Ż" not in r[3]], delimiter=";",
                                     booleans=("Yes", "No")).encode("cp1252")
    # Stray spaces and mixed-case codes.
    spaced = []
    for row in ROWS:
        cells = [f"  {_text(v, booleans=('Y', 'n'))} " for v in row]
        cells[6] = {"EL": " lep", "RFEP": "r-fep ", "IFEP": "Initially Fluent", "EO": "english only"}[row[6]]
        cells[14] = {"F": "female", "M": "MALE", "X": "Non-Binary"}[row[14]]
        spaced.append(cells)
    files["stray_spaces.csv"] = _csv_raw([f" {h} " for h in HEADER], spaced).encode("utf-8")
    # Local column names and codes, read with local_mapping.yaml.
    local_header = [LOCAL_COLUMNS[h] for h in HEADER]
    files["local_codes.csv"] = _csv(_local_rows(), local_header).encode("utf-8")
    columns = "\n".join(f"  {k}: {v}" for k, v in LOCAL_COLUMNS.items())
    files["local_mapping.yaml"] = LOCAL_MAPPING.format(columns=columns).encode("utf-8")
    # Duplicates: row A002 exported twice (identical), A004 twice with different scores.
    conflicting = list(ROWS[3])
    conflicting[15] = 2300.0
    files["duplicates.csv"] = _csv([*ROWS, ROWS[1], tuple(conflicting)]).encode("utf-8")
    # Refused files.
    files["missing_column.csv"] = _csv([r[:6] + r[7:] for r in ROWS], HEADER[:6] + HEADER[7:]).encode("utf-8")
    files["empty.csv"] = b""
    files["header_only.csv"] = (",".join(HEADER) + "\r\n").encode("utf-8")
    star = [list(r) for r in ROWS]
    star[2][15] = "*"  # spreadsheet row 4
    files["star_in_scores.csv"] = _csv(star).encode("utf-8")
    unknown = [list(r) for r in ROWS]
    unknown[1][6] = "Limited"  # spreadsheet row 3
    unknown[4][6] = "Limited"
    files["unknown_code.csv"] = _csv(unknown).encode("utf-8")
    out_of_range = [list(r) for r in ROWS]
    out_of_range[5][19] = 93  # a percent in a share column, row 7
    files["attendance_percent.csv"] = _csv(out_of_range).encode("utf-8")
    # Published files.
    files["published_markers.csv"] = PUBLISHED_MARKERS.encode("utf-8")
    files["published_percent.csv"] = PUBLISHED_PERCENT.encode("utf-8")
    files["published_bad.csv"] = PUBLISHED_BAD.encode("utf-8")
    files["published_header_only.csv"] = b"grade,student_group,n_tested,level_1,level_2,level_3,level_4\n"
    paths = {}
    for name, content in files.items():
        (folder / name).write_bytes(content)
        paths[name] = folder / name
    # The same rows as Excel and Parquet (typed cells, as those formats store them).
    EXPECTED.to_excel(folder / "records.xlsx", index=False)
    EXPECTED.astype({"el_exit_year": "Int64", "elp_level": "Int64", "advanced_course": "boolean"}).to_parquet(
        folder / "records.parquet", index=False)
    paths["records.xlsx"] = folder / "records.xlsx"
    paths["records.parquet"] = folder / "records.parquet"
    return paths


def _csv_raw(header, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


#: Counts with every kind of marker a report card uses for a hidden number.
PUBLISHED_MARKERS = """\
year,grade,subject,student_group,n_tested,level_1,level_2,level_3,level_4
2024,4,math,All Students,40,10,10,12,8
2024,4,math,English Learners,<10,*,*,*,*
2024,4,math,Never English Learners,31,N/A,--,PS,**
2024,4,math,Students with Disabilities,12,LT5,GE5,<=3,0
2024,4,math,Female,20,5,5,6,4
"""
#: Percent level columns (read with level_units: percent): whole percents, a range and top/bottom coding.
PUBLISHED_PERCENT = """\
year,grade,subject,student_group,n_tested,level_1,level_2,level_3,level_4
2024,4,ela,All Students,40,25%,25%,30%,20%
2024,4,ela,English Learners,33,45%,40-44%,<5%,<5%
2024,8,ela,All Students,200,GE50%,30%,12.5%,LT5%
"""
#: A cell that is neither a number, a marker nor a range (row 3).
PUBLISHED_BAD = """\
year,grade,subject,student_group,n_tested,level_1,level_2,level_3,level_4
2024,4,math,All Students,40,10,10,12,8
2024,4,math,English Learners,12,about five,3,2,2
"""
