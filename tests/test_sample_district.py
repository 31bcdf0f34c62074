"""The sample district: deterministic, valid against its datapackage.json, and showing the patterns the
data dictionary (datasets/README.md) promises, measured with gapkit itself.

The thresholds come from the research the dictionary cites, not from the generator's output: NAEP
reports EL vs non-EL gaps of roughly 0.8-1.0 SD in grade 4 and larger in grade 8; the revolving door
(Saunders & Marcelletti 2013) makes the current-EL gap wider than the ever-EL gap; former ELs score
near or above never-ELs (Hill, Weston & Hayes 2014); ELs reach Algebra I by grade 8 less often
(Umansky 2016). Counts in published.csv are checked against a pandas groupby of students.csv.
"""
import hashlib
import importlib.util
import shutil
from pathlib import Path

import pandas as pd
import pytest

from gapkit.readers import read_published, read_records
from gapkit.summary import summarize
from gapkit.tables import gap_table

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT / "datasets"
SAMPLE = DATASETS / "sample_district"
NEVER_EL = ["IFEP", "EO"]


def load_generator():
    spec = importlib.util.spec_from_file_location("sample_generate", DATASETS / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator():
    return load_generator()


@pytest.fixture(scope="module")
def records():
    return read_records(SAMPLE / "students.csv")


@pytest.fixture(scope="module")
def published_raw():
    return pd.read_csv(SAMPLE / "published.csv", dtype=str, keep_default_na=False)


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class TestGenerator:
    def test_same_bytes_as_committed(self, generator, tmp_path):
        """Does regenerating write byte-for-byte the committed files?"""
        paths = generator.generate(tmp_path)
        assert [p.name for p in paths] == ["students.csv", "published.csv", "cut_scores.csv"]
        for path in paths:
            assert sha256(path) == sha256(SAMPLE / path.name), path.name

    def test_size(self):
        """Is the student file several thousand students a year and a few MB at most?"""
        size = (SAMPLE / "students.csv").stat().st_size
        assert 1_000_000 < size < 5_000_000

    def test_cut_scores_file_matches_levels(self, generator, records):
        """Do the documented cut scores reproduce every performance level in students.csv?"""
        cuts = pd.read_csv(SAMPLE / "cut_scores.csv")
        for subject in ("math", "ela"):
            grade_cuts = {row.grade: (row.level_2_min, row.level_3_min, row.level_4_min)
                          for row in cuts[cuts["subject"] == subject].itertuples()}
            rows = records[records[f"{subject}_scale"].notna()]
            level = [1 + sum(score >= c for c in grade_cuts[grade])
                     for score, grade in zip(rows[f"{subject}_scale"], rows["grade"])]
            assert list(rows[f"{subject}_level"]) == level


class TestDatapackage:
    def test_committed_files_are_valid(self):
        """Does frictionless find every committed file valid against datapackage.json?"""
        from frictionless import Package

        report = Package(str(DATASETS / "datapackage.json")).validate()
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]

    def test_a_wrong_code_is_caught(self, tmp_path):
        """Would frictionless notice a code outside the documented enum (so the check above can fail)?"""
        from frictionless import Package

        shutil.copy(DATASETS / "datapackage.json", tmp_path / "datapackage.json")
        (tmp_path / "sample_district").mkdir()
        for name in ("published.csv", "cut_scores.csv"):
            shutil.copy(SAMPLE / name, tmp_path / "sample_district" / name)
        lines = (SAMPLE / "students.csv").read_text(encoding="utf-8").splitlines(keepends=True)[:50]
        lines[10] = lines[10].replace(",EO,", ",LEP,").replace(",EL,", ",LEP,").replace(",IFEP,", ",LEP,") \
            .replace(",RFEP,", ",LEP,")
        (tmp_path / "sample_district" / "students.csv").write_text("".join(lines), encoding="utf-8")
        report = Package(str(tmp_path / "datapackage.json")).validate()
        assert not report.valid
        errors = report.flatten(["rowNumber", "fieldName", "type"])
        assert [11, "el_status", "constraint-error"] in errors


class TestSampleProperties:
    @pytest.mark.parametrize("subject", ["math", "ela"])
    def test_grade_4_el_gap_is_naep_sized(self, records, subject):
        """Is the current-EL vs never-EL gap in grade 4 between 0.7 and 1.1 SD (Hedges' g)?"""
        table = gap_table(records[records["grade"] == 4], f"{subject}_scale", "el_status", focal="EL",
                          reference=NEVER_EL, measures=["hedges_g"])
        assert 0.7 <= table["estimate"].iloc[0] <= 1.1

    @pytest.mark.parametrize("subject", ["math", "ela"])
    def test_el_gap_widens_with_grade(self, records, subject):
        """Is the EL gap in grade 8 larger than in grade 4 by at least 0.3 SD, and is grade 10's no smaller?"""
        table = gap_table(records, f"{subject}_scale", "el_status", focal="EL", reference=NEVER_EL, by=["grade"],
                          measures=["hedges_g"]).set_index("grade")["estimate"]
        assert table[8] - table[4] >= 0.3
        assert table[10] >= table[8] - 0.05

    @pytest.mark.parametrize("subject", ["math", "ela"])
    def test_revolving_door(self, records, subject):
        """In grades 6-10, is the current-EL gap wider than the ever-EL gap by at least 0.4 SD?"""
        current = gap_table(records, f"{subject}_scale", "el_status", focal="EL", reference=NEVER_EL, by=["grade"],
                            measures=["hedges_g"]).set_index("grade")["estimate"]
        ever = gap_table(records, f"{subject}_scale", "el_status", focal=["EL", "RFEP"], reference=NEVER_EL,
                         by=["grade"], measures=["hedges_g"]).set_index("grade")["estimate"]
        for grade in (6, 7, 8, 10):
            assert current[grade] - ever[grade] >= 0.4, grade

    @pytest.mark.parametrize("subject", ["math", "ela"])
    def test_former_els_near_or_above_never_els(self, records, subject):
        """In every grade with enough former ELs, is their share proficient no more than 5 points below never-ELs'?"""
        table = gap_table(records, f"{subject}_scale", "el_status", focal="RFEP", reference=NEVER_EL, by=["grade"],
                          levels=f"{subject}_level", measures=["proportion_difference"])
        shown = table[~table["suppressed"]]
        assert set(shown["grade"]) >= {5, 6, 7, 8, 10}
        assert (shown["estimate"] <= 0.05).all()

    @pytest.mark.parametrize("grade", [8, 10])
    def test_advanced_course_access(self, records, grade):
        """Do ELs take Algebra I by grade 8 (or an advanced course in grade 10) less often: risk ratio CI below 1?"""
        rows = records[records["grade"] == grade]
        table = gap_table(rows, "advanced_course", "el_status", focal="EL", reference=NEVER_EL,
                          measures=["risk_ratio"])
        assert table["ci_high"].iloc[0] < 1

    def test_some_cells_below_minimum_n(self, records, published_raw):
        """Are some school-grade-year cells under 10 students, in gapkit's table and in the published file?"""
        table = gap_table(records, "math_scale", "el_status", focal="EL", reference=NEVER_EL,
                          by=["year", "school_id", "grade"], measures=["hedges_g"])
        assert (table["reason"] == "fewer than 10 students").sum() >= 5
        assert (published_raw["n_tested"] == "*").sum() >= 100

    def test_untested_students_are_counted_not_dropped(self, records):
        """Does summarize report the students without an ELA score (newcomers exempt, absences) as excluded?"""
        summary = summarize(records, "ela_scale", "el_status", by=["grade"])
        excluded = summary.excluded.set_index("reason")["rows"]
        assert excluded["missing ela_scale"] == records["ela_scale"].isna().sum() > 0
        first_year = records[(records["el_status"] == "EL") & (records["years_in_us"] == 1)]
        assert first_year["ela_scale"].isna().mean() > 0.5


def published_from_records(students):
    """Counts per level from students.csv with pandas, for the groups a report card shows."""
    groups = {
        "All Students": slice(None),
        "English Learners": students["el_status"] == "EL",
        "Former English Learners": students["el_status"] == "RFEP",
        "Ever English Learners": students["el_status"].isin(["EL", "RFEP"]),
        "Never English Learners": students["el_status"].isin(NEVER_EL),
        "Students with Disabilities": students["iep"],
        "Economically Disadvantaged": students["econ_disadv"],
        "Female": students["gender"] == "F",
    }
    frames = []
    for subject in ("math", "ela"):
        tested = students[f"{subject}_level"].notna()
        for label, rows in groups.items():
            part = students[tested & (rows if not isinstance(rows, slice) else True)]
            for school, school_rows in (("school", part), ("D00", part)):
                keys = ["year", "school_id", "grade"] if school == "school" else ["year", "grade"]
                counts = school_rows.groupby(keys)[f"{subject}_level"].value_counts().unstack(fill_value=0)
                counts = counts.reindex(columns=[1, 2, 3, 4], fill_value=0)
                counts.columns = [f"level_{k}" for k in counts.columns]
                counts = counts.reset_index()
                if school == "D00":
                    counts["school_id"] = "D00"
                counts["subject"], counts["student_group"] = subject, label
                counts["n"] = counts[[f"level_{k}" for k in (1, 2, 3, 4)]].sum(axis=1)
                frames.append(counts)
    return pd.concat(frames, ignore_index=True)


class TestPublished:
    def test_shown_counts_match_students(self, records):
        """Does every shown published count equal a pandas groupby of students.csv?"""
        expected = published_from_records(records).set_index(
            ["year", "school_id", "grade", "subject", "student_group"])
        table = read_published(SAMPLE / "published.csv").table
        shown = table[~table["source_suppressed"]].set_index(
            ["year", "school_id", "grade", "subject", "student_group"])
        shown = shown[shown.index.get_level_values("student_group").isin(expected.index.get_level_values(4))]
        assert len(shown) > 1000
        joined = shown[["n", "level_1", "level_2", "level_3", "level_4"]].join(expected, suffixes=("", "_expected"))
        for column in ("n", "level_1", "level_2", "level_3", "level_4"):
            assert (joined[column] == joined[f"{column}_expected"]).all(), column

    def test_no_shown_cell_under_ten(self, published_raw):
        """Is every row with a number shown at least 10 students?"""
        shown = published_raw[published_raw["n_tested"] != "*"]
        assert (shown["n_tested"].astype(int) >= 10).all()
        hidden = published_raw[published_raw["n_tested"] == "*"]
        assert (hidden[["level_1", "level_2", "level_3", "level_4", "mean_scale_score"]] == "*").all(axis=None)

    def test_hidden_cells_cannot_be_recovered(self, generator, records, published_raw):
        """Within each set of groups adding up to a shown total, is a hidden row never alone, and do hidden rows
        hold 10 or more students together (so subtraction reveals nothing under the minimum)?"""
        true_n = published_from_records(records)
        students = records.copy()
        # n per group for every family, from the records (race and gender groups too).
        extra = []
        for subject in ("math", "ela"):
            tested = students[students[f"{subject}_level"].notna()]
            for column, labels in (("race_ethnicity", None), ("gender", {"F": "Female", "M": "Male",
                                                                          "X": "Nonbinary"})):
                for school_key in ("school", "D00"):
                    keys = ["year", "school_id", "grade"] if school_key == "school" else ["year", "grade"]
                    counts = tested.groupby([*keys, column]).size().rename("n").reset_index()
                    if school_key == "D00":
                        counts["school_id"] = "D00"
                    counts["student_group"] = counts[column].map(labels) if labels else counts[column]
                    counts["subject"] = subject
                    extra.append(counts.drop(columns=column))
        n = pd.concat([true_n[["year", "school_id", "grade", "subject", "student_group", "n"]], *extra])
        n = n.drop_duplicates(["year", "school_id", "grade", "subject", "student_group"])
        n_of = n.set_index(["year", "school_id", "grade", "subject", "student_group"])["n"].to_dict()
        raw = published_raw.assign(year=published_raw["year"].astype(int), grade=published_raw["grade"].astype(int))
        hidden = {tuple(k) for k in raw.loc[raw["n_tested"] == "*",
                                            ["year", "school_id", "grade", "subject", "student_group"]].values}
        cells = {tuple(k) for k in raw[["year", "school_id", "grade", "subject", "student_group"]].values}
        checked = 0
        for year, school, grade, subject in {c[:4] for c in cells}:
            families = [((year, school, grade, subject, total), [(year, school, grade, subject, m) for m in members])
                        for total, members in generator.FAMILIES]
            if school == "D00":
                schools = sorted({c[1] for c in cells if c[0] == year and c[2] == grade and c[1] != "D00"})
                for group in generator.GROUPS:
                    families.append(((year, "D00", grade, subject, group),
                                     [(year, s, grade, subject, group) for s in schools]))
            for total, members in families:
                if total not in cells or total in hidden:
                    continue
                gone = [m for m in members if m in hidden]
                if gone:
                    checked += 1
                    assert len(gone) >= 2 and sum(n_of[m] for m in gone) >= 10, (total, gone)
        assert checked > 100
