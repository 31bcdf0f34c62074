"""gapkit.readers on the messy-file corpus (tests/messy_files.py).

Expected values are the hand-written rows in `messy_files.ROWS` and hand calculations written out in
the comments; nothing is taken from the reader's own output.
"""
import argparse
import io
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import messy_files
from gapkit.cli.validate import configure_parser, run
from gapkit.readers import DataError, read_mapping, read_published, read_records
from gapkit.records import COLUMNS


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return messy_files.build_corpus(tmp_path_factory.mktemp("messy"))


def as_rows(frame, columns=messy_files.HEADER):
    """Rows as plain Python values (None for missing), for comparing with `messy_files.ROWS`."""
    out = []
    for record in frame[list(columns)].astype(object).itertuples(index=False):
        row = []
        for value in record:
            if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
                row.append(None)
            elif isinstance(value, (np.bool_, bool)):
                row.append(bool(value))
            elif isinstance(value, (np.integer,)):
                row.append(int(value))
            elif isinstance(value, np.floating):
                row.append(float(value))
            else:
                row.append(value)
        out.append(tuple(row))
    return out


class TestReadRecords:
    @pytest.mark.parametrize("name", ["clean.csv", "bom.csv", "stray_spaces.csv", "records.xlsx", "records.parquet"])
    def test_reads_every_row_as_written(self, corpus, name):
        """Do UTF-8, UTF-8 with BOM, stray spaces and mixed-case codes, Excel and Parquet all give the hand-written rows?"""
        records = read_records(corpus[name])
        assert as_rows(records) == list(messy_files.ROWS)
        assert list(records.columns) == list(COLUMNS)
        assert records.attrs["excluded"] == ()

    def test_windows_1252_with_semicolons(self, corpus):
        """Is an Excel CSV export (Windows-1252, semicolons, Yes/No) read with its accented names intact?"""
        records = read_records(corpus["excel_cp1252.csv"])
        expected = [r for r in messy_files.ROWS if r[2] == "S1"]
        assert as_rows(records) == expected
        assert records["school_name"].iloc[0] == "Peña Elementary"

    def test_local_columns_and_codes_through_a_mapping(self, corpus):
        """Does a mapping file turn local names ('ELL Status'), codes ('LEP', 'Met', '2023-24') and 'Not Tested' into canonical values?"""
        records = read_records(corpus["local_codes.csv"], mapping=corpus["local_mapping.yaml"])
        assert as_rows(records) == list(messy_files.ROWS)

    def test_dtypes(self, corpus):
        """Are the columns typed as the canonical record promises?"""
        records = read_records(corpus["clean.csv"])
        assert records["year"].dtype == "int64" and records["grade"].dtype == "int64"
        assert str(records["elp_level"].dtype) == "Int64" and str(records["math_level"].dtype) == "Int64"
        assert records["iep"].dtype == bool and str(records["advanced_course"].dtype) == "boolean"
        assert records["math_scale"].dtype == "float64"

    def test_duplicates_are_excluded_and_reported(self, corpus):
        """Is an exact copy dropped once, are conflicting rows for one student-year all left out, and is each counted with its rows?"""
        records = read_records(corpus["duplicates.csv"])
        # Rows 2-7 are A001-A006; row 8 repeats A002 exactly; row 9 is A004 with another math score.
        assert sorted(records["student_id"]) == ["A001", "A002", "A003", "A005", "A006"]
        excluded = pd.DataFrame(records.attrs["excluded"]).set_index("reason")
        assert excluded.loc["duplicate row (an exact copy of an earlier row)", "rows"] == 1
        assert excluded.loc["duplicate row (an exact copy of an earlier row)", "example_rows"] == "8"
        clash = excluded.index[excluded.index.str.startswith("same student_id and year")][0]
        assert excluded.loc[clash, "rows"] == 2 and excluded.loc[clash, "example_rows"] == "5, 9"

    def test_records_still_concatenate(self, corpus):
        """Can frames read with exclusions be concatenated (pandas compares attrs when it does)?"""
        first = read_records(corpus["duplicates.csv"])
        both = pd.concat([first, read_records(corpus["clean.csv"])])
        assert len(both) == 11

    def test_exclusions_reach_the_summary(self, corpus):
        """Can the exclusion report be handed to a Summary, so the summary says how many rows were left out and why?"""
        from gapkit.summary import Summary

        records = read_records(corpus["duplicates.csv"])
        counts = pd.DataFrame({"student_group": ["All"], "n": [5], "level_1": [5]})
        summary = Summary.from_counts(counts, group="student_group", levels=(1,),
                                      excluded=pd.DataFrame(records.attrs["excluded"])[["reason", "rows"]])
        assert summary.excluded["rows"].sum() == 3

    def test_missing_column(self, corpus):
        """Is a file without el_status refused with a message naming the file and the column?"""
        with pytest.raises(DataError, match=r"missing_column\.csv: required column 'el_status' not found"):
            read_records(corpus["missing_column.csv"])

    def test_empty_file(self, corpus):
        """Does an empty file get its own clear message?"""
        with pytest.raises(DataError, match=r"empty\.csv: the file is empty"):
            read_records(corpus["empty.csv"])

    def test_header_only_file(self, corpus):
        """Does a file with a header and no rows get its own clear message?"""
        with pytest.raises(DataError, match=r"header_only\.csv: the file has a header row but no data rows"):
            read_records(corpus["header_only.csv"])

    def test_suppression_marker_in_student_scores(self, corpus):
        """Is a '*' in a score column refused (never read as 0 or missing), naming file, column and spreadsheet row?"""
        with pytest.raises(DataError, match=r"star_in_scores\.csv: column 'math_scale', row 4: '\*' is not a number"):
            read_records(corpus["star_in_scores.csv"])

    def test_unknown_code(self, corpus):
        """Is an unknown EL code refused, naming the first row, and counting every row with it?"""
        with pytest.raises(DataError, match=r"unknown_code\.csv: column 'el_status', row 3: unknown code 'Limited'.*"
                                            r"'Limited' \(2 rows\)") as error:
            read_records(corpus["unknown_code.csv"])
        assert (error.value.column, error.value.row) == ("el_status", 3)

    def test_unknown_code_fixed_by_a_mapping(self, corpus):
        """Does naming the code in a mapping make the same file readable?"""
        records = read_records(corpus["unknown_code.csv"], mapping={"codes": {"el_status": {"Limited": "EL"}}})
        assert list(records["el_status"]) == ["EL", "EL", "IFEP", "EO", "EL", "EO"]

    def test_percent_in_a_share_column(self, corpus):
        """Is 93 in attendance_rate (a share 0-1) refused rather than guessed at?"""
        with pytest.raises(DataError, match=r"column 'attendance_rate', row 7: '93' is outside the allowed range"):
            read_records(corpus["attendance_percent.csv"])

    def test_missing_file(self, tmp_path):
        """Is a path that does not exist refused with a DataError naming it?"""
        with pytest.raises(DataError, match=r"nothing\.csv: file not found"):
            read_records(tmp_path / "nothing.csv")

    def test_unsupported_type(self, tmp_path):
        """Is an unknown file type refused with the types that work?"""
        (tmp_path / "data.json").write_text("{}")
        with pytest.raises(DataError, match=r"data\.json: file type '\.json' not recognized; use \.csv, \.xlsx"):
            read_records(tmp_path / "data.json")

    def test_undecodable_bytes(self, tmp_path):
        """Is a byte that is neither UTF-8 nor Windows-1252 reported with its row?"""
        (tmp_path / "bad.csv").write_bytes(b"student_id,year\nA1,2024\nA\x81,2024\n")
        with pytest.raises(DataError, match=r"bad\.csv: row 3: byte 0x81"):
            read_records(tmp_path / "bad.csv")

    def test_blank_rows_are_counted(self, tmp_path):
        """Is a blank line excluded and reported, not silently skipped (so row numbers stay right)?"""
        text = "student_id,year,school_id,grade,el_status,math_scale\nA1,2024,S,4,EL,2400\n,,,,,\nA2,2024,S,4,X9,1\n"
        (tmp_path / "blank.csv").write_text(text)
        with pytest.raises(DataError, match=r"row 4: unknown code 'X9'"):
            read_records(tmp_path / "blank.csv")
        (tmp_path / "blank.csv").write_text(text.replace("X9", "EO"))
        excluded = read_records(tmp_path / "blank.csv").attrs["excluded"]
        assert excluded == ({"reason": "blank row", "rows": 1, "example_rows": "3"},)

    def test_ragged_row(self, tmp_path):
        """Is a row with more cells than the header refused with its row number?"""
        (tmp_path / "ragged.csv").write_text("student_id,year,school_id,grade,el_status,math_scale\n"
                                             "A1,2024,S,4,EL,2400\nA2,2024,S,4,EL,2,400\n")
        with pytest.raises(DataError, match=r"ragged\.csv: row 3 has 7 cells but the header row has 6"):
            read_records(tmp_path / "ragged.csv")

    def test_repeated_header(self, tmp_path):
        """Is a column named twice in the header refused, naming it?"""
        (tmp_path / "twice.csv").write_text("student_id,year,school_id,grade,el_status,math_scale,year\n"
                                            "A1,2024,S,4,EL,2400,2023\n")
        with pytest.raises(DataError, match=r"twice\.csv: column 'year' appears twice in the header row"):
            read_records(tmp_path / "twice.csv")

    def test_only_blank_rows(self, tmp_path):
        """Is a file whose rows are all blank refused, saying why no row was usable?"""
        (tmp_path / "blanks.csv").write_text("student_id,year,school_id,grade,el_status,math_scale\n,,,,,\n,,,,,\n")
        with pytest.raises(DataError, match=r"blanks\.csv: no usable data rows \(2 blank row\)"):
            read_records(tmp_path / "blanks.csv")

    def test_ambiguous_el_flag_needs_a_mapping(self, tmp_path):
        """Is a Y/N EL flag refused without a mapping (N could be EO, IFEP or RFEP)?"""
        (tmp_path / "flag.csv").write_text("student_id,year,school_id,grade,el_status,math_scale\nA1,2024,S,4,Y,2400\n")
        with pytest.raises(DataError, match=r"column 'el_status', row 2: unknown code 'Y'"):
            read_records(tmp_path / "flag.csv")


class TestReadPublished:
    def test_markers_are_suppressed_never_zero(self, corpus):
        """Are '*', '<10', 'N/A', '--', 'PS' and '**' read as hidden (missing, flagged), never as 0?"""
        table = read_published(corpus["published_markers.csv"]).table.set_index("student_group")
        el = table.loc["English Learners"]
        assert math.isnan(el["n"]) and (el["n_low"], el["n_high"]) == (0, 9)  # "<10" = 0 to 9 students
        assert all(math.isnan(el[f"level_{k}"]) for k in (1, 2, 3, 4))
        never = table.loc["Never English Learners"]
        assert never["n"] == 31 and all(math.isnan(never[f"level_{k}"]) for k in (1, 2, 3, 4))
        assert list(table["source_suppressed"]) == [False, True, True, True, False]
        assert (table.loc["All Students", [f"level_{k}" for k in (1, 2, 3, 4)]] == [10, 10, 12, 8]).all()

    def test_ranges_keep_their_bounds(self, corpus):
        """Do LT5, GE5 and <=3 keep their bounds (0-4, 5-n, 0-3), capped at the group's n of 12?"""
        swd = read_published(corpus["published_markers.csv"]).table.set_index("student_group").loc[
            "Students with Disabilities"]
        assert (swd["level_1_low"], swd["level_1_high"]) == (0, 4)
        assert (swd["level_2_low"], swd["level_2_high"]) == (5, 12)
        assert (swd["level_3_low"], swd["level_3_high"]) == (0, 3)
        assert swd["level_4"] == 0 and math.isnan(swd["level_1"])

    def test_percent_levels_become_counts(self, corpus):
        """Are percent cells turned into counts, exact only where the rounding band holds one whole count?"""
        table = read_published(corpus["published_percent.csv"]).table
        all4, el, all8 = (table.iloc[i] for i in range(3))
        # 25%, 25%, 30%, 20% of 40 students = 10, 10, 12, 8.
        assert [all4[f"level_{k}"] for k in (1, 2, 3, 4)] == [10, 10, 12, 8]
        # 45% of 33 lies in [44.5%, 45.5%] x 33 = [14.7, 15.0]: 15. "40-44%" -> [39.5%, 44.5%] x 33 = [13.0, 14.7]: 14.
        assert (el["level_1"], el["level_2"]) == (15, 14)
        # "<5%" of 33 -> 0 to 1.65 students: 0 or 1, not exact.
        assert math.isnan(el["level_3"]) and (el["level_3_low"], el["level_3_high"]) == (0, 1)
        # n = 200: GE50% -> 100 to 200; 30% -> [29.5%, 30.5%] -> 59 to 61; 12.5% -> [12.45%, 12.55%] -> 25.
        assert (all8["level_1_low"], all8["level_1_high"]) == (100, 200)
        assert (all8["level_2_low"], all8["level_2_high"]) == (59, 61)
        assert all8["level_3"] == 25

    def test_group_labels_with_stray_spaces_and_case(self, tmp_path):
        """Are ' english  learners ' and 'English Learners' one group, spelt as first seen?"""
        (tmp_path / "labels.csv").write_text("grade,student_group,n_tested,level_1,level_2\n"
                                             "4,English Learners,12,6,6\n5, english  learners ,10,5,5\n")
        table = read_published(tmp_path / "labels.csv").table
        assert list(table["student_group"]) == ["English Learners", "English Learners"]

    def test_bad_number_cell(self, corpus):
        """Is a cell that is no number, marker or range refused with file, column and row?"""
        with pytest.raises(DataError, match=r"published_bad\.csv: column 'level_1', row 3: 'about five' is neither"):
            read_published(corpus["published_bad.csv"])

    def test_header_only(self, corpus):
        """Does a header-only published file get the same clear message?"""
        with pytest.raises(DataError, match=r"published_header_only\.csv: the file has a header row but no data"):
            read_published(corpus["published_header_only.csv"])

    def test_counts_that_do_not_add_up(self, tmp_path):
        """Are level counts that do not add up to n_tested refused (they may be percents)?"""
        (tmp_path / "sums.csv").write_text("student_group,n_tested,level_1,level_2\nAll,40,25,25\n")
        with pytest.raises(DataError, match=r"sums\.csv: row 2: the level counts add up to 50, but column "
                                            r"'n_tested' says 40.*level_units: percent"):
            read_published(tmp_path / "sums.csv")

    def test_sample_report_card_feeds_gap_table(self):
        """Does the sample district's report card go through gap_table, with hidden cells staying hidden?"""
        from gapkit.tables import gap_table

        summary = read_published("datasets/sample_district/published.csv")
        assert summary.by == ("year", "school_id", "grade", "subject") and summary.levels == (1, 2, 3, 4)
        table = gap_table(summary, focal="English Learners", reference="Never English Learners",
                          measures=["proportion_difference"])
        small = table[(table["school_id"] == "E03") & table["grade"].isin([3, 4, 5])]
        assert len(small) == 30 and small["suppressed"].all()  # Cedar Hill never has 10 tested ELs in a grade


class TestMapping:
    def test_unknown_key(self, tmp_path):
        """Is a misspelt key in a mapping file refused with the keys that exist?"""
        (tmp_path / "m.yaml").write_text("colums:\n  student_id: ID\n")
        with pytest.raises(DataError, match=r"m\.yaml: unknown key\(s\) 'colums'; a mapping has: columns, codes"):
            read_mapping(tmp_path / "m.yaml")

    def test_unknown_canonical_code(self, tmp_path):
        """Is a code mapped to something gapkit does not know refused, listing gapkit's codes?"""
        (tmp_path / "m.yaml").write_text("codes:\n  el_status:\n    LEP: ELL\n")
        with pytest.raises(DataError, match=r"maps 'LEP' to 'ELL'; gapkit's codes for el_status are: EL, RFEP"):
            read_mapping(tmp_path / "m.yaml")

    def test_mapped_column_absent_from_file(self, corpus, tmp_path):
        """Does a mapping naming a column the file lacks say so, with the file's columns?"""
        with pytest.raises(DataError, match=r"clean\.csv: column 'Pupil' \(named for 'student_id' in mapping\)"):
            read_records(corpus["clean.csv"], mapping={"columns": {"student_id": "Pupil"}})

    def test_unknown_layout_refused(self):
        """Is a published layout gapkit has no reader for refused by name, listing the layouts?"""
        with pytest.raises(DataError, match=r"`layout` \('diagonal'\) not recognized; must be one of 'long', 'wide'"):
            read_mapping({"layout": "diagonal"})

    def test_codes_checked_against_the_schema(self):
        """Is a mapping to a code the schema does not allow refused, listing gapkit's codes?"""
        with pytest.raises(DataError, match=r"maps 'LEP' to 'ELL'; gapkit's codes for el_status are: EL, RFEP"):
            read_mapping({"codes": {"el_status": {"LEP": "ELL"}}})

    @pytest.mark.parametrize("name", ["mapping.example.yaml", "mapping.published.example.yaml"])
    def test_examples_are_valid(self, name):
        """Do the documented example mappings load?"""
        mapping = read_mapping(f"course_config/{name}")
        assert mapping.columns


class TestValidate:
    def run_validate(self, *argv):
        parser = argparse.ArgumentParser(prog="gapkit validate")
        configure_parser(parser)
        out = io.StringIO()
        code = run(parser.parse_args([str(a) for a in argv]), out=out)
        return code, out.getvalue()

    def test_usable_file(self, corpus):
        """Does a usable file print rows, columns found and missing, exclusions, and exit 0?"""
        code, text = self.run_validate(corpus["duplicates.csv"])
        assert code == 0
        assert "Rows: 8 data rows; 3 excluded" in text
        assert "Columns missing: elp_level_prior" in text
        # Of the 5 rows kept, A001-A006 without A004: exit year empty for 4, ELP level for 3, ELA score for A003,
        # advanced course on the 3 grade-4 rows.
        assert "Empty cells: el_exit_year 4, elp_level 3, ela_scale 1, ela_level 1, advanced_course 3" in text
        assert "Result: usable." in text

    def test_unknown_codes_listed_and_exit_non_zero(self, corpus):
        """Are unknown codes listed with counts, and does the command exit non-zero?"""
        code, text = self.run_validate(corpus["unknown_code.csv"])
        assert code == 1
        assert "el_status: 'Limited' (2 rows)" in text

    def test_unusable_file(self, corpus):
        """Does an empty file exit non-zero with the reason and no traceback?"""
        code, text = self.run_validate(corpus["empty.csv"])
        assert code == 1 and "the file is empty" in text and "Traceback" not in text

    def test_published_file(self, corpus):
        """Is a published file recognised and its suppressed cells counted?"""
        code, text = self.run_validate(corpus["published_markers.csv"])
        assert code == 0
        assert "Read as: published aggregates" in text
        # n_tested: "<10" (1); level_1: *, N/A, LT5 (3); level_2: *, --, GE5 (3); level_3: *, PS, <=3 (3);
        # level_4: *, ** (2): 12 in all.
        assert "Suppressed or range cells: 12 (n_tested: 1, level_1: 3, level_2: 3, level_3: 3, level_4: 2)" in text

    def test_mapping_option(self, corpus):
        """Does --mapping apply a mapping file?"""
        code, text = self.run_validate(corpus["local_codes.csv"], "--mapping", corpus["local_mapping.yaml"])
        assert code == 0 and "'ELL Status' -> el_status" in text

    def test_command_line(self, corpus):
        """Does the real `gapkit validate` command run it?"""
        result = subprocess.run([sys.executable, "-m", "gapkit", "validate", str(corpus["unknown_code.csv"])],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 1, result.stderr
        assert "unknown code 'Limited'" in result.stdout and "Traceback" not in result.stderr
