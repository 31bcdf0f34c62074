"""A corpus of bad and awkward inputs for the readers: each is read right or refused, never read wrong.

Every case writes its own file (bytes written out below) and says what a correct reader must do:
read it to values written by hand here, or refuse it with a `DataError` naming the file and, where one
is at fault, the column and row. The corpus test counts wrong-but-silent results and tracebacks (any
exception other than `DataError`) over the whole corpus: both must be 0. `gapkit validate` must agree
with the reader on every case (usable exactly when the reader reads it). No kernel, no server.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd
import pytest

from gapkit.readers import DataError, check_file, read_published, read_records

HEAD = "student_id,year,school_id,grade,el_status,math_scale"


@dataclass
class Case:
    name: str  # file name (its suffix picks the format)
    content: object  # bytes, or a callable(path) that writes the file
    expect: dict | None = None  # column -> values a correct read gives (None: the file must be refused)
    refuse: str = ""  # regex the refusal must match
    column: str | None = None  # the column the refusal must name
    row: int | None = None  # the row the refusal must name
    mapping: dict | None = None
    kind: str = "records"
    extra: dict = field(default_factory=dict)


def csv(*lines, encoding="utf-8", bom=b""):
    return bom + ("\n".join(lines) + "\n").encode(encoding)


def scores(*values, sep=",", head=HEAD):
    """A student file of one school, grade 4, with the given math scale scores as written."""
    return csv(head.replace(",", sep), *(sep.join([f"A{i}", "2024", "S1", "4", "EL" if i % 2 else "EO", v])
                                          for i, v in enumerate(values)))


def two_sheets(path):
    with pd.ExcelWriter(path) as book:
        pd.DataFrame({"student_id": ["A1"], "year": [2024], "school_id": ["S1"], "grade": [4], "el_status": ["EL"],
                      "math_scale": [2400]}).to_excel(book, sheet_name="Grade 4", index=False)
        pd.DataFrame({"student_id": ["B1"], "year": [2024], "school_id": ["S1"], "grade": [5], "el_status": ["EO"],
                      "math_scale": [2500]}).to_excel(book, sheet_name="Grade 5", index=False)


PUBLISHED = "year,grade,subject,student_group,n_tested,level_1,level_2,level_3,level_4"

CASES = [
    # --- how numbers are written
    Case("decimal_comma.csv", scores("2450,5", "2380,25", sep=";"), {"math_scale": [2450.5, 2380.25]}),
    Case("short_decimal_comma.csv", scores("24,50", "2380,5", sep=";"), {"math_scale": [24.5, 2380.5]}),
    Case("thousands_comma.csv", scores('"2,450"', '"2,455.5"'), {"math_scale": [2450.0, 2455.5]}),
    Case("thousands_dot.csv", scores("2.450", "2.455,5", sep=";"), {"math_scale": [2450.0, 2455.5]}),
    Case("ambiguous_comma.csv", scores('"2,450"', '"2,380"'), refuse=r"could be 2450 or 2\.450",
         column="math_scale", row=2),
    Case("ambiguous_dot.csv", scores("2.450", "2.380"), refuse=r"could be", column="math_scale", row=2),
    Case("mixed_marks.csv", scores('"2450,5"', "2380.5"), refuse=r"decimal point.*decimal comma"),
    Case("comma_mapped.csv", scores('"2,450"', '"2,380"'), {"math_scale": [2.45, 2.38]},
         mapping={"decimal": ",", "ranges": {"math_scale": [0, 10]}}),
    Case("comma_mapped_thousands.csv", scores('"2,450"', '"2,380"'), {"math_scale": [2450.0, 2380.0]},
         mapping={"decimal": "."}),
    Case("bad_grouping.csv", scores('"24,50,5"', "2400"), refuse=r"not a number", column="math_scale", row=2),
    # --- plausible scale scores
    Case("negative.csv", scores("2400", "-5"), refuse=r"row 3: '-5' is outside the allowed range",
         column="math_scale", row=3),
    Case("huge.csv", scores("99999999", "2400"), refuse=r"row 2: '99999999' is outside", column="math_scale", row=2),
    Case("scientific.csv", scores("2400", "1e5"), refuse=r"row 3: '1e5' is not a number", column="math_scale",
         row=3),
    Case("infinite.csv", scores("inf", "2400"), refuse=r"row 2: 'inf' is not a number", column="math_scale", row=2),
    Case("hex.csv", scores("0x10", "2400"), refuse=r"not a number", column="math_scale", row=2),
    Case("out_of_mapped_range.csv", scores("2400", "1900"), refuse=r"'1900' is outside.*between 2100 and 2900",
         mapping={"ranges": {"math_scale": [2100, 2900]}}, column="math_scale", row=3),
    # --- years and keys
    Case("year_span.csv", csv(HEAD, "A1,2023-25,S1,4,EL,2400"), refuse=r"'2023-25' is not a number.*one school "
         r"year", column="year", row=2),
    Case("school_year.csv", csv(HEAD, "A1,2023-24,S1,4,EL,2400", "A2,2023-2024,S1,4,EO,2500"),
         {"year": [2024, 2024]}),
    Case("century_year.csv", csv(HEAD, "A1,1999-00,S1,4,EL,2400"), {"year": [2000]}),
    Case("empty_el.csv", csv(HEAD, "A1,2024,S1,4,,2400", "A2,2024,S1,4,,2500"),
         refuse=r"'el_status' \(el_status\) is empty in every row", column="el_status"),
    Case("empty_school.csv", csv(HEAD, "A1,2024,,4,EL,2400"), refuse=r"'school_id' \(school_id\) is empty",
         column="school_id"),
    Case("no_year_no_grade.csv", csv("student_id,school_id,el_status,math_scale", "A1,S1,EL,2400"),
         refuse=r"required columns 'year', 'grade' not found", column="year"),
    Case("case_duplicate.csv", csv(HEAD + ",Math Scale", "A1,2024,S1,4,EL,2400,2410"),
         refuse=r"'Math Scale' and column 'math_scale' are the same name", column="Math Scale", row=1),
    Case("exact_duplicate.csv", csv(HEAD + ",grade", "A1,2024,S1,4,EL,2400,4"), refuse=r"'grade' appears twice",
         column="grade", row=1),
    Case("no_score.csv", csv("student_id,year,school_id,grade,el_status", "A1,2024,S1,4,EL"),
         refuse=r"no score or level column"),
    # --- encodings
    Case("utf16.csv", csv(HEAD + ",school_name", "A1,2024,S1,4,EL,2400,Peña", encoding="utf-16"),
         {"school_name": ["Peña"], "math_scale": [2400.0]}),
    Case("utf16_no_bom.csv", csv(HEAD + ",school_name", "A1,2024,S1,4,EL,2400,Żółw", encoding="utf-16-le"),
         {"school_name": ["Żółw"]}),
    Case("bom_then_cp1252.csv", csv(HEAD + ",school_name", "A1,2024,S1,4,EL,2400,Peña", encoding="cp1252",
                                    bom=b"\xef\xbb\xbf"), {"school_name": ["Peña"]}),
    Case("binary.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, refuse=r"binary\.csv"),
    Case("nul_inside.csv", csv(HEAD, "A1,2024,S1,4,EL,24\x0000"), refuse=r"zero byte", row=2),
    # --- rows around the table
    Case("preamble_footer.csv", csv("Grade 4 mathematics results, spring 2024", "Source: district export", HEAD,
                                    "A1,2024,S1,4,EL,2400", "A2,2024,S1,4,EO,2500", "",
                                    "Note: scores are scale scores.", "* not tested"),
         {"math_scale": [2400.0, 2500.0]}, mapping={"header_row": 3, "footer": ["Note:"]}),
    Case("preamble_unmapped.csv", csv("Grade 4 mathematics results", HEAD, "A1,2024,S1,4,EL,2400"),
         refuse=r"row 2 has 6 cells but the header row has 1.*`header_row:`", row=2),
    # a footnote without a mapping is a row without a year: left out, and listed as such (not silent)
    Case("footer_unmapped.csv", csv(HEAD, "A1,2024,S1,4,EL,2400", "Note: scores are scale scores."),
         {"student_id": ["A1"]}, extra={"excluded": "missing year"}),
    Case("two_sheets.xlsx", two_sheets, refuse=r"2 sheets with data \('Grade 4', 'Grade 5'\).*`sheet:`"),
    Case("second_sheet.xlsx", two_sheets, {"student_id": ["B1"], "grade": [5]}, mapping={"sheet": "Grade 5"}),
    Case("no_such_sheet.xlsx", two_sheets, refuse=r"no sheet 'Grade 6'", mapping={"sheet": "Grade 6"}),
    # --- performance levels
    Case("five_levels.csv", csv(HEAD + ",math_level", "A1,2024,S1,4,EL,2400,5"),
         refuse=r"'5' is outside the allowed range for math_level: between 1 and 4.*performance_levels",
         column="math_level", row=2),
    Case("five_levels_mapped.csv", csv(HEAD + ",math_level", "A1,2024,S1,4,EL,2400,5"), {"math_level": [5]},
         mapping={"performance_levels": 5, "proficient": 4}),
    Case("elp_five_levels.csv", csv(HEAD + ",elp_level,math_level", "A1,2024,S1,4,EL,2400,5,2"),
         {"elp_level": [5], "math_level": [2]}),
    Case("el_flag.csv", csv(HEAD, "A1,2024,S1,4,1,2400", "A2,2024,S1,4,0,2500"), refuse=r"unknown code '1'",
         column="el_status", row=2),
    Case("el_flag_mapped.csv", csv(HEAD, "A1,2024,S1,4,1,2400", "A2,2024,S1,4,0,2500"),
         {"el_status": ["EL", "EO"]}, mapping={"codes": {"el_status": {1: "EL", 0: "EO"}}}),
    # --- published files
    Case("pub_dashes.csv", csv(PUBLISHED, "2024,4,math,All Students,40,10,10,12,8",
                               "2024,4,math,English Learners,--,--,--,--,--"),
         {"n": [40.0, 0.0], "level_3": [12.0, 0.0]}, kind="published",
         mapping={"codes": {"n_tested": {"--": 0}, "levels": {"--": 0}}}),
    Case("pub_dashes_default.csv", csv(PUBLISHED, "2024,4,math,All Students,40,10,10,12,8",
                                       "2024,4,math,English Learners,--,--,--,--,--"),
         {"n": [40.0, math.nan], "source_suppressed": [False, True]}, kind="published"),
    Case("pub_scored.csv", csv(PUBLISHED + ",n_scored", "2024,4,math,All Students,42,10,10,12,8,40"),
         {"n": [40.0]}, kind="published", mapping={"denominator": "scored"}),
    Case("pub_scored_unmapped.csv", csv(PUBLISHED + ",n_scored", "2024,4,math,All Students,42,10,10,12,8,40"),
         refuse=r"add up to 40, but column 'n_tested' says 42.*denominator: scored", row=2, kind="published"),
    Case("pub_percent_comma.csv", csv(PUBLISHED.replace(",", ";"), "2024;4;math;All Students;40;25,0%;25,0%;"
                                      "30,0%;20,0%", "2024;4;math;English Learners;12;< 5,0%;50,0%;25,0%;25,0%"),
         {"level_2": [10.0, 6.0], "level_1_high": [10.0, 0.0]}, kind="published"),
    Case("pub_over_100.csv", csv(PUBLISHED, "2024,4,math,All Students,40,25%,25%,130%,20%"),
         refuse=r"'level_3', row 2: '130%' is more than 100 percent", kind="published", column="level_3", row=2),
    Case("pub_mean_huge.csv", csv(PUBLISHED + ",mean_scale_score", "2024,4,math,All Students,40,10,10,12,8,99999"),
         refuse=r"'99999' is outside the allowed range for mean_scale_score", kind="published",
         column="mean_scale_score", row=2),
    Case("pub_unknown_marker.csv", csv(PUBLISHED, "2024,4,math,All Students,40,10,10,12,8",
                                       "2024,4,math,English Learners,12,^,^,^,^"),
         refuse=r"'\^' is neither a number.*`codes: levels:`", kind="published", column="level_1", row=3),
    Case("pub_marker_mapped.csv", csv(PUBLISHED, "2024,4,math,English Learners,12,^,^,^,^"),
         {"n": [12.0], "source_suppressed": [True]}, kind="published",
         mapping={"codes": {"levels": {"^": "suppressed"}}}),
    Case("pub_text_numbers.csv", csv(PUBLISHED, '2024,4,math,All Students,"1,040",240,"300","300",200'),
         {"n": [1040.0], "level_2": [300.0]}, kind="published"),
    Case("pub_school_names.csv", csv("year,school_id,school_name,grade,subject,student_group,n_tested,level_1,"
                                     "level_2", "2024,842,Peña Elementary,4,math,All Students,20,10,10"),
         {"school_name": ["Peña Elementary"]}, kind="published"),
    Case("pub_no_year.csv", csv("grade,subject,student_group,n_tested,level_1,level_2",
                                "4,math,All Students,20,10,10"), {"year": [2024]}, kind="published",
         mapping={"constants": {"year": 2024}}),
]


def _write(case, folder):
    path = folder / case.name
    if callable(case.content):
        case.content(path)
    else:
        path.write_bytes(case.content)
    return path


def _outcome(case, folder):
    """'right', 'refused right', or what went wrong ('wrong but silent', 'traceback', 'refused badly')."""
    path = _write(case, folder)
    reader = read_records if case.kind == "records" else read_published
    try:
        result = reader(path, mapping=case.mapping)
    except DataError as error:
        if case.expect is not None:
            return f"refused a readable file: {error}"
        problems = []
        if path.name not in str(error) or not pytest.importorskip("re").search(case.refuse, str(error)):
            problems.append(f"message {str(error)!r} does not match {case.refuse!r}")
        if case.column is not None and (error.column != case.column or case.column not in str(error)):
            problems.append(f"names column {error.column!r}, not {case.column!r}")
        if case.row is not None and (error.row != case.row or f"row {case.row}" not in str(error)):
            problems.append(f"names row {error.row!r}, not {case.row}")
        if str(folder) in str(error).replace(str(path), path.name):
            problems.append("shows a folder path")
        return "refused badly: " + "; ".join(problems) if problems else "refused right"
    except Exception as error:  # noqa: BLE001 -- the point of the corpus
        return f"traceback: {type(error).__name__}: {error}"
    if case.expect is None:
        return "wrong but silent: read a file that must be refused"
    frame = result if case.kind == "records" else result.table
    for column, values in case.expect.items():
        got = frame[column].tolist()
        same = len(got) == len(values) and all(
            (isinstance(v, float) and math.isnan(v) and pd.isna(g)) or (not pd.isna(g) and g == v)
            for g, v in zip(got, values))
        if not same:
            return f"wrong but silent: {column} read as {got}, not {values}"
    if "excluded" in case.extra and not any(case.extra["excluded"] in e["reason"] for e in frame.attrs["excluded"]):
        return "wrong but silent: a row left out without saying why"
    return "right"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case, tmp_path):
    """Is this input read to the values written by hand, or refused naming the file, column and row?"""
    assert _outcome(case, tmp_path) in ("right", "refused right")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_validate_agrees_with_the_reader(case, tmp_path):
    """Does `gapkit validate` call a file usable exactly when the reader reads it (and never crash)?"""
    path = _write(case, tmp_path)
    check = check_file(path, mapping=case.mapping, kind=case.kind)
    assert check.usable == (case.expect is not None), check.text
    assert "Traceback" not in check.text and str(tmp_path) not in check.text


def test_corpus_totals(tmp_path_factory):
    """Over the whole corpus: 0 wrong-but-silent results and 0 tracebacks."""
    outcomes = [_outcome(case, tmp_path_factory.mktemp("fuzz")) for case in CASES]
    wrong = [o for o in outcomes if o.startswith("wrong")]
    tracebacks = [o for o in outcomes if o.startswith("traceback")]
    assert len(CASES) >= 50 and (len(wrong), len(tracebacks)) == (0, 0), (wrong, tracebacks)


# ------------------------------------------------------------------ a federal school-level file, wide
FEDERAL = csv(
    "LEAID,LEANM,NCESSCH,SCHNAM,ALL_MTH00NUMVALID_1718,ALL_MTH00PCTPROF_1718,LEP_MTH00NUMVALID_1718,"
    "LEP_MTH00PCTPROF_1718,ALL_RLA00NUMVALID_1718,ALL_RLA00PCTPROF_1718,LEP_RLA00NUMVALID_1718,LEP_RLA00PCTPROF_1718",
    "0100005,Albertville City,010000500870,Albertville Middle Sch,250,45,60,30,250,52,60,LT50",
    "0100005,Albertville City,010000500871,Albertville High Sch,40,GE50,8,PS,40,40-44,8,PS",
    "0100005,Albertville City,010000500879,Evans Elementary Sch,120,40-44,.,.,120,61,.,.",
    "0100006,Marshall County,010000600193,Peña Elementary,20,55,10,20,20,50,10,20",
)
FEDERAL_MAPPING = {
    "layout": "wide", "columns": {"school_id": "NCESSCH", "school_name": "SCHNAM"}, "constants": {"year": 2018},
    "wide": {"groups": {"ALL": "All Students", "LEP": "English Learners"},
             "measures": {"MTH00NUMVALID_1718": {"column": "n_tested", "subject": "math"},
                          "MTH00PCTPROF_1718": {"column": "percent_proficient", "subject": "math"},
                          "RLA00NUMVALID_1718": {"column": "n_tested", "subject": "ela"},
                          "RLA00PCTPROF_1718": {"column": "percent_proficient", "subject": "ela"}}},
}


def test_federal_wide_layout(tmp_path):
    """`<GROUP>_<MEASURE>` columns with PS, GE50, LT50, ranges and '.': exact percents become counts, a range or
    marker hides the cell (never a guessed number), and the gap equals the one computed by hand."""
    from gapkit.tables import gap_table

    path = tmp_path / "federal.csv"
    path.write_bytes(FEDERAL)
    summary = read_published(path, mapping=FEDERAL_MAPPING)
    table = summary.table.set_index(["school_id", "subject", "student_group"])
    middle = table.loc[("010000500870", "math", "English Learners")]
    assert (middle["n"], middle["level_2"], middle["level_1"]) == (60, 18, 42)  # 30% of 60 = 18 proficient
    assert table.loc[("010000500870", "ela", "English Learners"), "source_suppressed"]  # LT50: a range
    assert table.loc[("010000500871", "math", "English Learners"), "source_suppressed"]  # PS
    high = table.loc[("010000500871", "math", "All Students")]
    assert high["source_suppressed"] and (high["level_2_low"], high["level_2_high"]) == (20, 40)  # GE50 of 40
    evans = table.loc[("010000500879", "math", "English Learners")]
    assert pd.isna(evans["n"])  # '.' = not reported
    assert table.loc[("010000600193", "math", "All Students"), "school_name"] == "Peña Elementary"
    # a whole percent of 250 students could be any of several counts (45% -> 111.25 to 113.75: 112 or 113)
    everyone = table.loc[("010000500870", "math", "All Students")]
    assert everyone["source_suppressed"] and (everyone["level_2_low"], everyone["level_2_high"]) == (112, 113)
    gaps = gap_table(summary, focal="English Learners", reference="All Students", measures=["proportion_difference"],
                     proficient=2, min_n=10)
    row = gaps[(gaps["school_id"] == "010000600193") & (gaps["subject"] == "math")].iloc[0]
    # by hand: all students 55% of 20 = 11 (54.5-55.5% holds one count); English learners 20% of 10 = 2
    assert row["estimate"] == pytest.approx(11 / 20 - 2 / 10, abs=1e-12)
    assert check_file(path, mapping=FEDERAL_MAPPING).usable


def test_federal_wide_layout_names_the_wide_column(tmp_path):
    """A bad cell in a wide file is named by its own column and row, not by a reshaped one."""
    path = tmp_path / "federal_bad.csv"
    path.write_bytes(FEDERAL.replace(b",45,60,30,", b",45,60,abc,"))
    with pytest.raises(DataError, match=r"column 'LEP_MTH00PCTPROF_1718', row 2: 'abc'") as error:
        read_published(path, mapping=FEDERAL_MAPPING)
    assert (error.value.column, error.value.row) == ("LEP_MTH00PCTPROF_1718", 2)
