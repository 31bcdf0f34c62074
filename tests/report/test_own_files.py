"""Reports from a school's own files, laid out as real files are: the numbers behind each report section,
checked against an independent pandas computation (scipy's gamma function for Hedges' g).

The sections are pure functions of `gapkit.report.load`'s data, so no kernel runs here: what the
report notebook shows is what these functions return (the notebook only calls them).
"""
from __future__ import annotations

import math

import numpy as np
import openpyxl
import pandas as pd
import pytest
from scipy.special import gammaln

import attacker

from gapkit.readers import check_file
from gapkit.report import data_used, el_gaps, family_summary, findings, gaps, load, schools


def student_file(folder, *, levels=False, scores=True, school_names=False, years=(2024,), seed=3):
    """Student rows of two schools and two grades: EL, RFEP and EO students, as a district exports them."""
    rng = np.random.default_rng(seed)
    n = 360
    frame = pd.DataFrame({"student_id": [f"S{i:04d}" for i in range(n)], "year": rng.choice(years, n),
                          "school_id": rng.choice(["S1", "S2"], n), "grade": rng.choice([3, 4], n),
                          "el_status": rng.choice(["EL", "RFEP", "EO"], n, p=[0.3, 0.2, 0.5])})
    shift = frame["el_status"].map({"EL": -40.0, "RFEP": 5.0, "EO": 0.0})
    if scores:
        frame["math_scale"] = (2450 + shift + rng.normal(0, 70, n)).round(1)
    if levels:
        frame["math_level"] = np.clip(np.round(3 + shift / 40 + rng.normal(0, 1.1, n)), 1, 5).astype(int)
    if school_names:
        frame["school_name"] = frame["school_id"].map({"S1": "Peña Elementary", "S2": "Oak Middle"})
    path = folder / "students.csv"
    frame.to_csv(path, index=False)
    return path, frame


def _cell(table, **keys):
    mask = pd.Series(True, index=table.index)
    for column, value in keys.items():
        mask &= table[column].astype(str) == str(value)
    rows = table[mask]
    assert len(rows) == 1, keys
    return rows.iloc[0]


def test_scale_scores_only(tmp_path):
    """A file with scale scores and no levels: mean and standardised gaps, and one sentence on what is left out."""
    path, frame = student_file(tmp_path)
    data = load(path, subjects=["math"])
    table = gaps(data, "math")
    assert set(table["measure"]) == {"mean_difference", "hedges_g"}
    rows = frame[frame["year"] == 2024]
    focal = rows.loc[rows["el_status"] == "EL", "math_scale"]
    reference = rows.loc[rows["el_status"] == "EO", "math_scale"]
    mean_gap = reference.mean() - focal.mean()
    n1, n2 = len(focal), len(reference)
    pooled = math.sqrt(((n1 - 1) * focal.var() + (n2 - 1) * reference.var()) / (n1 + n2 - 2))
    nu = n1 + n2 - 2
    j = math.exp(gammaln(nu / 2) - 0.5 * math.log(nu / 2) - gammaln((nu - 1) / 2))
    shown = _cell(table, comparison="Current EL vs never EL", year=2024, grade="All", measure="mean_difference")
    assert shown["estimate"] == pytest.approx(mean_gap, abs=1e-9)
    g = _cell(table, comparison="Current EL vs never EL", year=2024, grade="All", measure="hedges_g")
    assert g["estimate"] == pytest.approx(j * mean_gap / pooled, abs=1e-9)
    section = el_gaps(data)
    assert sum("no performance levels in mathematics" in p for p in section.paragraphs) == 1
    assert "average scale score" in section.tables[0].caption
    assert any("averaged" in f.text for f in findings(data).findings)
    assert "no performance levels" in family_summary(data).paragraphs[0]
    text = check_file(path).text
    assert "mathematics: mean and standardised gaps (no performance levels" in text and "usable" in text


def test_current_el_flag(tmp_path):
    """A 0/1 current-EL flag whose 0 means "not a current English learner" (former or never, unknown), mapped
    as such: current English learners are compared with all other students, the comparisons that need former or
    never English learners are left out with one sentence, and the gap is the one pandas computes."""
    path, frame = student_file(tmp_path, levels=True)
    flagged = frame.assign(el_flag=(frame.pop("el_status") == "EL").astype(int), math_level=frame["math_level"].clip(upper=4))
    flagged.to_csv(path, index=False)
    mapping = tmp_path / "flag.yaml"
    mapping.write_text('columns: {el_status: el_flag}\ncodes: {el_status: {"1": EL, "0": not EL}}\n')
    data = load(path, mapping=mapping, subjects=["math"])
    table = gaps(data, "math")
    assert set(table["comparison"]) == {"Current EL vs all others"}
    rows = flagged[flagged["year"] == 2024]
    proficient = rows["math_level"] >= 3
    expected = proficient[rows["el_flag"] == 0].mean() - proficient[rows["el_flag"] == 1].mean()
    shown = _cell(table, comparison="Current EL vs all others", year=2024, grade="All", measure="proportion_difference")
    assert (shown["n_focal"], shown["n_reference"]) == ((rows["el_flag"] == 1).sum(), (rows["el_flag"] == 0).sum())
    assert shown["estimate"] == pytest.approx(expected, abs=1e-12)
    section = el_gaps(data)
    assert sum("cannot say who was an English learner before" in p for p in section.paragraphs) == 1
    assert set(section.tables[0].frame["Comparison"]) == {"Current EL vs all others"}
    assert "all other students" in findings(data).findings[0].text
    assert "among all other students" in family_summary(data).paragraphs[0]


def test_five_levels_proficient_at_four(tmp_path):
    """Five levels, proficient at 4 (from the mapping): percent proficient and V, the cut stated in the report."""
    path, frame = student_file(tmp_path, levels=True, scores=False)
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("performance_levels: 5\nproficient: 4\n")
    data = load(path, mapping=mapping, subjects=["math"])
    table = gaps(data, "math")
    assert set(table["measure"]) == {"proportion_difference", "v_statistic"}
    for grade in (3, 4, "All"):
        rows = frame if grade == "All" else frame[frame["grade"] == grade]
        share = rows.groupby("el_status")["math_level"].apply(lambda s: (s >= 4).mean())
        row = _cell(table, comparison="Current EL vs never EL", year=2024, grade=grade,
                    measure="proportion_difference")
        assert row["estimate"] == pytest.approx(share["EO"] - share["EL"], abs=1e-12)
    assert any("level 4 or above" in p for p in data_used(data).paragraphs)
    assert "percent proficient and V (no scale scores" in check_file(path, mapping=mapping).text
    assert "level 3 and above proficient (the default)" in check_file(path, mapping={}).text


def test_one_report_per_school_without_school_names(tmp_path):
    """`--each school` on a file without school names: each school is named by its id."""
    path, _ = student_file(tmp_path)
    data = load(path)
    assert data.all_schools == (("S1", "S1"), ("S2", "S2"))
    assert load(path, school="S2").school == "S2"
    named, _ = student_file(tmp_path, school_names=True)
    assert schools(load(named)) == [("S1", "Peña Elementary"), ("S2", "Oak Middle")]
    assert load(named, school="peña elementary").school == "Peña Elementary"


def test_findings_use_the_latest_year_with_a_gap_shown(tmp_path):
    """A large file whose latest year is tiny: the findings speak of the latest year that can be shown."""
    path, frame = student_file(tmp_path)
    extra = frame.head(6).assign(year=2025, student_id=[f"N{i}" for i in range(6)])
    pd.concat([frame, extra]).to_csv(path, index=False)
    texts = [f.text for f in findings(load(path, subjects=["math"])).findings]
    assert texts and texts[0].startswith("2023-24")


# ------------------------------------------------------------------------ a state's workbook, as published
STATE_ROWS = [  # school, name, grade, group, tested, scored, % levels 1-4 (as printed), mean
    ("842", "Peña Elementary", "4", "All Students", "61", "60", "25.0%", "25.0%", "30.0%", "20.0%", "2431.5"),
    ("842", "Peña Elementary", "4", "English Learners", "21", "20", "50.0%", "25.0%", "15.0%", "10.0%", "2390.1"),
    ("842", "Peña Elementary", "4", "Never English Learners", "40", "40", "12.5%", "25.0%", "37.5%", "25.0%",
     "2452.0"),
    ("842", "Peña Elementary", "5", "All Students", "45", "44", "< 5.0%", "50.0%", "25.0%", "22.7%", "2470.2"),
    ("842", "Peña Elementary", "5", "English Learners", "*", "*", "*", "*", "*", "*", "*"),
    ("842", "Peña Elementary", "5", "Never English Learners", "38", "38", "*", "*", "*", "*", "*"),
    ("842", "Peña Elementary", "6", "All Students", "--", "--", "--", "--", "--", "--", "--"),
    ("842", "Peña Elementary", "6", "English Learners", "--", "--", "--", "--", "--", "--", "--"),
    ("842", "Peña Elementary", "6", "Never English Learners", "--", "--", "--", "--", "--", "--", "--"),
]
STATE_MAPPING = """\
header_row: 4
footer: ["Notes:"]
level_units: percent
denominator: scored
proficient: 3
constants: {year: 2024, subject: math}
columns:
  school_id: School Code
  school_name: School Name
  grade: Grade
  student_group: Student Group
  n_tested: Number Tested
  n_scored: Number Scored
  level_1: "% Level 1"
  level_2: "% Level 2"
  level_3: "% Level 3"
  level_4: "% Level 4"
  mean_scale_score: Mean Scale Score
codes:
  n_tested: {"--": 0}
  n_scored: {"--": 0}
  levels: {"--": 0}
  mean_scale_score: {"--": missing}
"""


def state_workbook(path):
    """A state's results workbook: a title preamble, text-typed numbers, markers and footnotes."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "School Results"
    sheet.append(["Spring 2024 State Assessment: Mathematics"])
    sheet.append(["Results by school, grade and student group"])
    sheet.append([])
    sheet.append(["School Code", "School Name", "Grade", "Student Group", "Number Tested", "Number Scored",
                  "% Level 1", "% Level 2", "% Level 3", "% Level 4", "Mean Scale Score"])
    for row in STATE_ROWS:
        sheet.append(list(row))  # every cell a text cell, as many state files store them
    sheet.append([])
    sheet.append(["Notes:"])
    sheet.append(["* Fewer than 10 students; -- no students tested."])
    book.save(path)


def test_state_workbook(tmp_path):
    """Preamble, footnotes, '--', '*', '< 5.0%', text-typed numbers and a scored denominator, read through a
    mapping: the percent-proficient gap equals the one computed by hand from the printed percents."""
    path = tmp_path / "state_results.xlsx"
    state_workbook(path)
    mapping = tmp_path / "state.yaml"
    mapping.write_text(STATE_MAPPING)
    check = check_file(path, mapping=mapping)
    assert check.usable, check.text
    data = load(path, mapping=mapping, school="842", subjects=["math"])
    assert data.school == "Peña Elementary"
    table = gaps(data, "math")
    # grade 4, by hand: ELs 15% + 10% of 20 scored = 5 of 20; never ELs 37.5% + 25% of 40 = 25 of 40
    row = _cell(table, comparison="Current EL vs never EL", year=2024, grade="4", measure="proportion_difference")
    assert (row["n_focal"], row["n_reference"]) == (20, 40)
    assert row["estimate"] == pytest.approx(25 / 40 - 5 / 20, abs=1e-12)
    # grade 5: the ELs are hidden by the state; grade 6 had no students tested
    row = _cell(table, comparison="Current EL vs never EL", year=2024, grade="5", measure="proportion_difference")
    assert row["suppressed"] and pd.isna(row["estimate"])
    # all grades: grade 5's ELs are unknown, so the all-grades gap cannot be computed exactly: hidden
    row = _cell(table, comparison="Current EL vs never EL", year=2024, grade="All", measure="proportion_difference")
    assert row["suppressed"]
    summary_rows = data.published
    six = summary_rows[(summary_rows["grade"] == 6)]
    assert (six["n"] == 0).all() and not six["source_suppressed"].any()


# ------------------------------------------------------------------------ an interrupted report
def test_abandoned_temporary_folders_are_removed(tmp_path):
    """A report killed outright (SIGKILL: no handler runs) leaves its temporary folder; the next report
    removes it, and leaves alone a folder whose process still runs."""
    import subprocess
    import sys

    from gapkit.report.write import _OWNER, _remove_abandoned

    finished = subprocess.run([sys.executable, "-c", "pass"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert finished.returncode == 0
    old = tmp_path / ".gapkit-report-old"
    old.mkdir()
    (old / _OWNER).write_text(str(dead.pid))
    (old / "gap_report.ipynb").write_text("{}")
    running = tmp_path / ".gapkit-report-running"
    running.mkdir()
    (running / _OWNER).write_text(str(__import__("os").getpid()))
    _remove_abandoned(tmp_path)
    assert not old.exists() and running.exists()


@pytest.mark.slow
@pytest.mark.parametrize("each", [[], ["--each", "school"]], ids=["one report", "each school"])
def test_sigterm_during_a_report_cleans_up(tmp_path, each):
    """SIGTERM while the kernel runs: exit 130 with a message, the kernel shut down, no temporary folder, no report
    (with ``--each``, the one kernel of the whole run)."""
    import signal
    import subprocess
    import sys
    import time

    import psutil

    from test_report import REPO, SAMPLE

    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "gapkit", "report", str(SAMPLE / "students.csv"), *each,
                                "--out", str(out)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    me = psutil.Process(process.pid)
    deadline = time.monotonic() + 300
    kernels = []
    while time.monotonic() < deadline and process.poll() is None:  # wait for the kernel to start
        kernels = [c for c in me.children(recursive=True) if "ipykernel" in " ".join(c.cmdline())]
        if kernels and list(tmp_path.glob(".gapkit-report-*")):
            break
        time.sleep(0.2)
    assert kernels and process.poll() is None, "the report finished or failed before a kernel started"
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130 and "stopped by SIGTERM" in stderr and "Traceback" not in stderr
    psutil.wait_procs(kernels, timeout=30)
    assert not any(k.is_running() and k.status() != psutil.STATUS_ZOMBIE for k in kernels)
    assert not list(tmp_path.glob(".gapkit-report-*")) and not (out.exists() and any(out.iterdir()))


# ------------------------------------------------------------------------ the reports of one run, together
def _small_district(folder):
    """Three schools, two grades, current, former and never English learners, some with disabilities:
    school A has 4 current English learners in grade 3 (hidden) and a few former ones."""
    rows, k = [], 0
    sizes = {("A", 3): (4, 3, 22), ("A", 4): (15, 12, 20), ("B", 3): (12, 0, 25), ("B", 4): (13, 11, 20),
             ("C", 3): (14, 12, 21), ("C", 4): (12, 2, 24)}
    rng = np.random.default_rng(5)
    for (school, grade), counts in sizes.items():
        for status, n in zip(("EL", "RFEP", "EO"), counts):
            for _ in range(n):
                rows.append((f"S{k:04d}", 2024, school, grade, status, bool(rng.random() < 0.3),
                             round(2450 + rng.normal(0, 60), 1), int(rng.integers(1, 5))))
                k += 1
    frame = pd.DataFrame(rows, columns=["student_id", "year", "school_id", "grade", "el_status", "iep",
                                        "math_scale", "math_level"])
    path = folder / "district.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_a_run_reads_its_file_once_and_protects_the_set(tmp_path, monkeypatch):
    """`load(each="school")`, as the report notebook calls it for every report of an ``--each`` run in one
    kernel: one read of the file for the whole set (its kind told from the same read); each report hides what
    the joint audit of the set, made from separate loads, finds; and a changed file is read again."""
    from gapkit.readers import _raw, check, published, records
    from gapkit.report.joint import hide_across

    path, frame = _small_district(tmp_path)
    reads = []
    for module in (check, records, published):  # every reader that opens a file
        monkeypatch.setattr(module, "_read_raw", lambda *a, **k: reads.append(a) or _raw._read_raw(*a, **k))
    pages = {school: load(path, school=school, subjects=["math"], each="school") for school in (None, "A", "B", "C")}
    assert len(reads) == 1
    assert load(path, school="A", subjects=["math"], each="school") is pages["A"]
    district = load(path, subjects=["math"])
    expected = hide_across(district, {s: load(path, school=s, subjects=["math"]) for s in "ABC"})
    assert {school: data.hide for school, data in pages.items()} == expected
    assert any(expected.values())  # the set hides more than the reports alone: the check can fail

    reads.clear()
    frame[frame["school_id"] != "C"].to_csv(path, index=False)
    assert load(path, subjects=["math"], each="school").all_schools == (("A", "A"), ("B", "B"))
    assert len(reads) == 1


def _shown(table, report):
    """What a gap table of `gaps` shows, keyed as the attacker keys the HTML tables."""
    shown = {}
    for row in table[table["measure"] == "proportion_difference"].itertuples():
        for group, count in zip(attacker.SIDES[row.comparison], (row.n_focal, row.n_reference)):
            key = (report, "math", attacker.school_year(row.year), group, str(row.grade))
            if not row.suppressed or key not in shown:
                shown[key] = None if row.suppressed else int(count)
    return shown


def test_reports_of_one_run_reveal_no_hidden_count_together(tmp_path):
    """`--each school` writes the district's report and each school's; an independent attacker who reads every
    table of them, knows which hidden counts are small and solves linear programs over every sum they obey
    (grades, schools, the English-learner groups, each comparison's two sides and the tested students) pins
    no hidden count. Each report protected alone does give counts away: school A's grade-3 English learners
    follow from the district minus schools B and C."""
    import subprocess
    import sys

    from bs4 import BeautifulSoup

    path, frame = _small_district(tmp_path)
    truth = attacker.true_counts({"district": frame, **{s: frame[frame["school_id"] == s] for s in "ABC"}})
    alone = {}
    for school in (None, "A", "B", "C"):
        alone |= _shown(gaps(load(path, school=school, subjects=["math"]), "math"), school or "district")
    assert any(key[:5] == ("A", "math", "2023-24", "current EL", "3")
               for key, *_ in attacker.given_away(alone, truth, 10, district="district"))

    out = tmp_path / "reports"
    result = subprocess.run([sys.executable, "-m", "gapkit", "report", str(path), "--each", "school", "--subject",
                             "math", "--out", str(out)], capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    shown = {}
    for page in sorted(out.glob("*.html")):
        if page.stem != "index":
            report = "district" if page.stem == "district" else page.stem.split("-")[0].upper()
            shown |= attacker.shown_counts(BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser"), report)
    assert {k[0] for k in shown} == {"district", "A", "B", "C"}
    assert sum(v is None for v in shown.values()) > 0
    assert attacker.given_away(shown, truth, 10, district="district") == []
