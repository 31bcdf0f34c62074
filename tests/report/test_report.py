"""`gapkit report` end to end: the real command, papermill, nbconvert, and the HTML a reader gets.

Each report is made once per module by running ``python -m gapkit report`` in a subprocess, and the
HTML is parsed with BeautifulSoup. What is checked, and against what:

* privacy: every count of students shown is 0 or at least the minimum n; and no hidden count can be
  worked out from the shown ones. The second check is independent of `gapkit.privacy`: it writes the
  table's own sums (grades add up to "All grades"; ever ELs = current + former ELs; newcomers are part of
  current ELs) as a linear program and asks scipy's `linprog` for the smallest and largest value each
  hidden count can take; a hidden count whose range is a single number would be recoverable;
* every chart has a non-empty text alternative;
* each "what this shows" sentence carries the numbers of an independent `gap_table` call on the raw
  file (or, for progress, a pandas count written out here);
* no code, prompt, traceback, script or network address is in the page;
* a bad file gives a message naming the file, column and row, a non-zero exit, and no report.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from scipy.optimize import linprog

import attacker
import messy_files
from gapkit.privacy import code_percent
from gapkit.readers import read_published, read_records
from gapkit.records import COMPARISONS, SUBJECTS, add_el_groups
from gapkit.summary import Summary
from gapkit.tables import gap_table

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "datasets" / "sample_district"
MIN_N = 10
HIDDEN = {"*", "suppressed"}


def gapkit_report(*args, timeout=900):
    """Run the real command, as a user would."""
    return subprocess.run([sys.executable, "-m", "gapkit", "report", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, cwd=REPO)


def soup_of(path):
    return BeautifulSoup(Path(path).read_text(encoding="utf-8"), "html.parser")


def table_frame(table):
    """A parsed HTML table as strings, with the header texts as columns."""
    header = [th.get_text(strip=True) for th in table.find("thead").find_all("th")]
    rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in table.find("tbody").find_all("tr")]
    return pd.DataFrame(rows, columns=header)


def count_columns(table):
    return [th.get_text(strip=True) for th in table.find("thead").find_all("th") if th.get("data-role") == "n"]


def as_count(text):
    """A shown count as an int; None when hidden."""
    if text in HIDDEN:
        return None
    return int(text.replace(",", ""))


def normal(text):
    return text.replace("\u2212", "-")


# ------------------------------------------------------------------------------------------------
# Independent recoverability check
# ------------------------------------------------------------------------------------------------

def recoverable(equalities, inequalities, values):
    """Hidden unknowns whose value is pinned by the shown values.

    `values` maps a key to a shown count or None (hidden). `equalities` are lists of (key, coefficient)
    whose weighted sum is 0; `inequalities` the same with sum <= 0. Every count is >= 0. For each hidden
    key, linprog finds its smallest and largest possible value; equal bounds mean a reader can work it out.
    """
    hidden = sorted({k for eq in (*equalities, *inequalities) for k, _ in eq if values.get(k) is None}, key=str)
    if not hidden:
        return []
    index = {k: i for i, k in enumerate(hidden)}

    def system(rows):
        a = np.zeros((len(rows), len(hidden)))
        b = np.zeros(len(rows))
        for r, eq in enumerate(rows):
            for key, coefficient in eq:
                if values.get(key) is None:
                    a[r, index[key]] += coefficient
                else:
                    b[r] -= coefficient * values[key]
        return a, b

    a_eq, b_eq = system(equalities) if equalities else (None, None)
    a_ub, b_ub = system(inequalities) if inequalities else (None, None)
    pinned = []
    for key, i in index.items():
        c = np.zeros(len(hidden))
        c[i] = 1
        low = linprog(c, A_eq=a_eq, b_eq=b_eq, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
        high = linprog(-c, A_eq=a_eq, b_eq=b_eq, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
        assert low.status == 0, f"the shown counts of {key} are inconsistent"
        if high.status == 0 and abs(-high.fun - low.fun) < 0.5:
            pinned.append((key, low.fun))
    return pinned


def grade_tables(soup):
    """The by-grade gap tables: {(subject caption, comparison): frame}."""
    out = {}
    for table in soup.select("table.gapkit-table"):
        caption = table.find("caption").get_text(strip=True)
        match = re.match(r"(.+?): (.+), gap in percent proficient by grade and year", caption)
        if match:
            out[(match.group(1), match.group(2))] = (table_frame(table), count_columns(table))
    return out


def check_no_recoverable_cells(soup):
    values, equalities, inequalities = {}, [], []
    tables = grade_tables(soup)
    assert tables, "no by-grade table found"
    for (subject, comparison), (frame, counts) in tables.items():
        assert len(counts) == 2, counts
        for side, column in zip(("focal", "reference"), counts):
            for row in frame.itertuples(index=False):
                record = dict(zip(frame.columns, row))
                values[(subject, comparison, side, record["Year"], record["Grade"])] = as_count(record[column])
            for year, part in frame.groupby("Year"):
                grades = [g for g in part["Grade"] if g != "All"]
                if "All" in set(part["Grade"]):
                    equalities.append([((subject, comparison, side, year, g), 1) for g in grades]
                                      + [((subject, comparison, side, year, "All"), -1)])
    # The EL groups overlap: ever = current + former; newcomers <= current (focal counts).
    subjects = {s for s, _ in tables}
    for subject in subjects:
        keys = {k[3:] for k in values if k[0] == subject and k[2] == "focal"}
        for year, grade in keys:
            f = lambda c: (subject, c, "focal", year, grade)  # noqa: E731
            if all(f(c) in values for c in ("Ever EL vs never EL", "Current EL vs never EL", "Former EL vs never EL")):
                equalities.append([(f("Ever EL vs never EL"), 1), (f("Current EL vs never EL"), -1),
                                   (f("Former EL vs never EL"), -1)])
            if f("Newcomer EL vs never EL") in values and f("Current EL vs never EL") in values:
                inequalities.append([(f("Newcomer EL vs never EL"), 1), (f("Current EL vs never EL"), -1)])
    pinned = recoverable(equalities, inequalities, values)
    assert not pinned, f"hidden counts a reader can work out: {pinned[:5]}"
    return len(equalities)


def check_counts_respect_min_n(soup):
    checked = 0
    for table in soup.select("table.gapkit-table"):
        frame = table_frame(table)
        for column in count_columns(table):
            for text in frame[column]:
                value = as_count(text)
                assert value is None or value == 0 or value >= MIN_N, (column, text)
                checked += 1
    return checked


def check_tables_with_totals(soup):
    """Count tables with an "All" row (progress, rows left out): no hidden cell can be worked out."""
    for table in soup.select('table.gapkit-table[data-kind="counts"]'):
        frame = table_frame(table)
        counts = count_columns(table)
        if "Grade" in frame:
            for year, part in frame.groupby("Year"):
                values = {(year, g): as_count(v) for g, v in zip(part["Grade"], part[counts[0]])}
                equalities = [[((year, g), 1) for g in part["Grade"] if g != "All grades"] + [((year, "All grades"), -1)]]
                assert not recoverable(equalities, [], values), (year, part)
        else:
            values = {i: as_count(v) for i, v in enumerate(frame[counts[0]])}
            last = len(frame) - 1
            equalities = [[(i, 1) for i in range(last)] + [(last, -1)]]
            assert not recoverable(equalities, [], values), frame


def check_no_code(html_text, soup):
    assert "Traceback" not in html_text
    assert "<script" not in html_text.lower()
    assert not soup.select(".jp-CodeCell .jp-InputArea, .jp-InputPrompt, .jp-OutputPrompt, .highlight, pre code")
    text = soup.get_text(" ")
    for fragment in ("report.show(", "report.load(", "import ", "data_path =", "Error:", "Exception"):
        assert fragment not in text, fragment
    for tag in soup.find_all(src=True) + soup.find_all(href=True):
        address = tag.get("src") or tag.get("href")
        assert not re.match(r"(https?:)?//", address), address


def check_images(soup):
    images = soup.find_all("img")
    assert images, "the report has no chart"
    for image in images:
        assert image.get("alt", "").strip(), image.get("src", "")[:40]
        assert image["src"].startswith("data:image/png;base64,")
    return len(images)


def table_by_caption(soup, start):
    """The one report table whose caption starts with `start`, as a frame of strings."""
    found = [t for t in soup.select("table.gapkit-table") if t.find("caption").get_text(strip=True).startswith(start)]
    assert len(found) == 1, (start, len(found))
    return table_frame(found[0])


def school_year(year):
    return f"{int(year) - 1}-{str(int(year))[2:]}"


def check_share_rows(frame, expected, *, key, n, share):
    """Each row of `frame` is either hidden (count and share both marked) or shows exactly the expected
    ``(n, share)`` of its key; returns how many rows are shown."""
    shown = 0
    for record in frame.to_dict("records"):
        count, value = expected[tuple(record[k] for k in key)]
        if as_count(record[n]) is None:
            assert record[share] in HIDDEN, record
            continue
        assert as_count(record[n]) == count, (record, count)
        assert record[share] == code_percent(value, count), (record, value)
        shown += 1
    return shown


# ------------------------------------------------------------------------------------------------
# Expected numbers of a finding, recomputed with gap_table on the raw file
# ------------------------------------------------------------------------------------------------

def expected_gap_text(row):
    """The numbers a sentence about one gap_table row must carry."""
    nf, nr = int(row["n_focal"]), int(row["n_reference"])
    pf, pr = code_percent(float(row["value_focal"]), nf), code_percent(float(row["value_reference"]), nr)
    parts = [f"{pf} of", f"(n = {nf:,})", f"{pr} of", f"(n = {nr:,})"]
    if not (pf.startswith(("<", ">")) or pr.startswith(("<", ">"))):
        parts += [f"by {abs(row['estimate']) * 100:.0f} percentage points",
                  f"{row['ci_low'] * 100:.0f} to {row['ci_high'] * 100:.0f}",
                  "behind" if row["estimate"] > 0 else "ahead"]
    return parts


def check_gap_finding(item, recompute):
    comparison, subject, year, grade, measure = (item[f"data-key-{i}"] for i in range(5))
    table = recompute(comparison, subject)
    rows = table[(table["year"].astype(str) == year) & (table["grade"].astype(str) == grade)
                 & (table["measure"] == measure)]
    assert len(rows) == 1, (comparison, subject, year, grade)
    row = rows.iloc[0]
    text = normal(item.get_text(" ", strip=True))
    if "not shown" in text:
        assert "%" not in text
        return
    assert not row["suppressed"], f"the report shows a cell that gap_table hides: {text}"
    for part in expected_gap_text(row):
        assert normal(part) in text, (part, text)


# ------------------------------------------------------------------------------------------------
# The sample district, student level
# ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def district(tmp_path_factory):
    out = tmp_path_factory.mktemp("district") / "report"
    result = gapkit_report(SAMPLE / "students.csv", "--out", out)
    assert result.returncode == 0, result.stderr
    html_text = (out / "gap_report.html").read_text(encoding="utf-8")
    return {"out": out, "html": html_text, "soup": BeautifulSoup(html_text, "html.parser"), "result": result}


@pytest.fixture(scope="module")
def records():
    return add_el_groups(read_records(SAMPLE / "students.csv"))


class TestStudentLevelReport:
    def test_writes_the_report_and_the_executed_notebook(self, district):
        """Are the HTML page and the executed notebook written, and nothing else?"""
        assert sorted(p.name for p in district["out"].iterdir()) == ["gap_report.html", "gap_report.ipynb"]
        assert not list(district["out"].parent.glob(".gapkit-report-*")), "a temporary folder was left behind"

    def test_has_every_section(self, district):
        """Does the page have each part a school leader expects?"""
        soup = district["soup"]
        for key in ("findings", "data", "el", "other", "trends", "cohort", "opportunity", "progress",
                    "how-to-read", "families"):
            assert soup.find(id=f"gapkit-{key}") is not None, key
        assert soup.select_one("aside.gapkit-box") is not None

    def test_shows_no_code_or_traceback(self, district):
        """Is the page free of code, prompts, tracebacks, scripts and network addresses?"""
        check_no_code(district["html"], district["soup"])

    def test_every_chart_has_alt_text(self, district):
        """Does every image carry a text alternative and come embedded in the page?"""
        assert check_images(district["soup"]) >= 4

    def test_counts_respect_minimum_n(self, district):
        """Is every count shown 0 or at least the minimum n?"""
        assert check_counts_respect_min_n(district["soup"]) > 100

    def test_no_hidden_count_can_be_worked_out(self, district):
        """Can any hidden count be recovered from the shown counts and totals (scipy linprog)?"""
        assert check_no_recoverable_cells(district["soup"]) > 50
        check_tables_with_totals(district["soup"])

    def test_no_hidden_count_follows_from_every_table_together(self, district):
        """Can a reader who knows which hidden counts are small pin one from every gap table of the report at
        once (a group shown in another comparison's table, the groups that add up to the tested students)?
        Before this audit the sample report gave away 24, one former English learner in grade 3 among them."""
        students = pd.read_csv(SAMPLE / "students.csv")
        shown = attacker.shown_counts(district["soup"], "district")
        assert sum(value is None for value in shown.values()) > 50
        assert attacker.given_away(shown, attacker.true_counts({"district": students}), MIN_N) == []

    def test_some_cells_are_hidden(self, district):
        """Does the district report hide small groups (the sample has them by design)?"""
        cells = [td.get_text(strip=True) for td in district["soup"].select("table.gapkit-table td")]
        assert sum(c in HIDDEN for c in cells) > 10

    def test_gap_findings_match_gap_table(self, district, records):
        """Does each gap sentence carry the numbers of an independent gap_table call on the raw file?"""
        cache = {}

        def recompute(comparison, subject):
            if (comparison, subject) not in cache:
                column, focal, reference = (COMPARISONS[comparison].group, COMPARISONS[comparison].focal,
                                            COMPARISONS[comparison].reference)
                scale, level = SUBJECTS[subject].scale, SUBJECTS[subject].level
                cache[comparison, subject] = gap_table(records, scale, column, focal=list(focal),
                                                       reference=list(reference), by=("year", "grade"),
                                                       levels=level, margins=True,
                                                       measures=["proportion_difference"])
            return cache[comparison, subject]

        items = district["soup"].select('li.gapkit-finding[data-source="gap"]')
        assert len(items) >= 4
        for item in items:
            check_gap_finding(item, recompute)

    def test_access_finding_matches_gap_table(self, district, records):
        """Does the advanced-coursework sentence carry gap_table's risk ratio and interval?"""
        item = district["soup"].select_one('li.gapkit-finding[data-source="opportunity"]')
        assert item is not None
        year = int(item["data-key-1"])
        c = COMPARISONS["Current EL vs never EL"]
        column, focal, reference = c.group, c.focal, c.reference
        table = gap_table(records, "advanced_course", column, focal=list(focal), reference=list(reference),
                          by=("year",), measures=["risk_ratio"])
        row = table[table["year"] == year].iloc[0]
        text = normal(item.get_text(" ", strip=True))
        nf, nr = int(row["n_focal"]), int(row["n_reference"])
        for part in (f"{code_percent(float(row['value_focal']), nf)} of", f"(n = {nf:,})",
                     f"{code_percent(float(row['value_reference']), nr)} of", f"(n = {nr:,})",
                     f"{row['estimate']:.2f} times", f"{row['ci_low']:.2f} to {row['ci_high']:.2f}"):
            assert part in text, (part, text)

    def test_progress_finding_matches_a_count_of_the_records(self, district, records):
        """Is the share of ELs who moved up a level the share counted directly from the rows?"""
        item = district["soup"].select_one('li.gapkit-finding[data-source="progress"]')
        assert item is not None
        year = int(item["data-key-0"])
        rows = records[(records["year"] == year) & (records["el_status"] == "EL")
                       & records["elp_level"].notna() & records["elp_level_prior"].notna()]
        moved = int((rows["elp_level"].astype(int) > rows["elp_level_prior"].astype(int)).sum())
        text = item.get_text(" ", strip=True)
        assert f"{code_percent(moved / len(rows), len(rows))} of" in text
        assert f"(n = {len(rows):,})" in text

    def test_progress_table_matches_a_count_of_the_records(self, district, records):
        """Does every shown row of the progress table carry the n and share counted directly from the rows
        (each grade, and all grades), and is every other row hidden?"""
        frame = table_by_caption(district["soup"], "Current English learners who moved up")
        rows = records[(records["el_status"] == "EL") & records["elp_level"].notna()
                       & records["elp_level_prior"].notna()]
        rows = rows.assign(up=rows["elp_level"].astype(int) > rows["elp_level_prior"].astype(int))
        expected = {(school_year(y), str(g)): (len(p), p["up"].mean()) for (y, g), p in rows.groupby(["year", "grade"])}
        expected |= {(school_year(y), "All grades"): (len(p), p["up"].mean()) for y, p in rows.groupby("year")}
        assert len(frame) == len(expected)
        shown = check_share_rows(frame, expected, key=("Year", "Grade"),
                                 n="Current English learners with a level this year and last year: n",
                                 share="Moved up at least one level")
        assert shown >= len(expected) - 2, shown

    def test_long_term_share_matches_a_count_of_the_records(self, district, records):
        """Is the share of current ELs in US schools six years or more, each year, the one counted from the rows?"""
        frame = table_by_caption(district["soup"], "Long-term English learners")
        rows = records[(records["el_status"] == "EL") & records["years_in_us"].notna()]
        expected = {(school_year(y),): (len(p), (p["years_in_us"] >= 6).mean()) for y, p in rows.groupby("year")}
        assert len(frame) == len(expected)
        assert check_share_rows(frame, expected, key=("Year",),
                                n="Current English learners with known years in US schools: n",
                                share="In US schools 6 years or more") == len(expected)

    def test_former_el_results_match_the_records_and_carry_the_caveat(self, district, records):
        """Are former ELs' percent proficient by years since exit (latest year) the ones counted from the rows,
        against never-EL students, and does each table say that exit criteria select on achievement?"""
        year = int(records["year"].max())
        for subject in ("math", "ela"):
            name = SUBJECTS[subject].name
            wrap = district["soup"].find("caption", string=re.compile(
                f"^{name[:1].upper() + name[1:]}, {school_year(year)}: former English learners")).find_parent(
                "div", class_="gapkit-table-wrap")
            note = wrap.select_one("p.gapkit-note").get_text(" ", strip=True)
            assert "selected on achievement" in note and "not a measure of the program" in note, note
            frame = table_frame(wrap.find("table"))
            level = SUBJECTS[subject].level
            tested = records[(records["year"] == year) & records[level].notna()]
            never = tested[tested["el_status"].isin(["IFEP", "EO"])]
            never_share = code_percent((never[level] >= 3).mean(), len(never))
            former = tested[tested["el_status"] == "RFEP"]
            since = (former["year"] - former["el_exit_year"]).astype(int)
            label = since.map(lambda v: str(v) if v <= 4 else "5 or more")
            expected = {(y,): (len(p), (p[level] >= 3).mean()) for y, p in former.groupby(label)}
            expected[("All years",)] = (len(former), (former[level] >= 3).mean())
            assert len(frame) == len(expected) == 6
            assert check_share_rows(frame, expected, key=("Years since leaving EL status",),
                                    n="Former English learners tested: n",
                                    share="Former English learners proficient") >= 4
            shown = frame[frame["Former English learners tested: n"].map(as_count).notna()]
            assert set(shown["Never-EL students proficient"]) == {never_share}

    def test_family_summary_in_english(self, district):
        """Is the summary for families written from the current-EL percentages in plain words?"""
        text = district["soup"].find(id="gapkit-families").get_text(" ", strip=True)
        assert "out of every 100" in text and "learning English" in text


# ------------------------------------------------------------------------------------------------
# The sample district's published file (counts per level), with the families' summary in Spanish
# ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def published(tmp_path_factory):
    out = tmp_path_factory.mktemp("published") / "report"
    result = gapkit_report(SAMPLE / "published.csv", "--out", out, "--language", "es")
    assert result.returncode == 0, result.stderr
    html_text = (out / "gap_report.html").read_text(encoding="utf-8")
    return {"out": out, "html": html_text, "soup": BeautifulSoup(html_text, "html.parser")}


def published_summary(subject, focal, reference):
    """District rows of published.csv for one subject; "without"/"not" groups are All Students minus the group
    (written out here with pandas, independently of the report)."""
    table = read_published(SAMPLE / "published.csv").table
    table = table[(table["school_id"] == "D00") & (table["subject"] == subject)]
    levels = [f"level_{k}" for k in (1, 2, 3, 4)]
    complements = {"Students without Disabilities": "Students with Disabilities",
                   "Not Economically Disadvantaged": "Economically Disadvantaged"}
    frames = [table]
    for name, group in complements.items():
        if name not in (*focal, *reference):
            continue
        everyone = table[table["student_group"] == "All Students"].set_index(["year", "grade"])
        part = table[table["student_group"] == group].set_index(["year", "grade"])
        rest = everyone[["n", *levels]] - part[["n", *levels]]
        rest["source_suppressed"] = everyone["source_suppressed"] | part["source_suppressed"]
        frames.append(rest.reset_index().assign(student_group=name))
    table = pd.concat(frames, ignore_index=True)
    table = table[table["student_group"].isin([*focal, *reference])]
    return Summary.from_counts(table[["year", "grade", "student_group", "n", *levels, "source_suppressed"]],
                               group="student_group", by=("year", "grade"), levels=(1, 2, 3, 4), outcome=subject)


PUBLISHED_GROUPS = {
    "Current EL vs never EL": (["English Learners"], ["Never English Learners"]),
    "Former EL vs never EL": (["Former English Learners"], ["Never English Learners"]),
    "Students with disabilities vs without": (["Students with Disabilities"], ["Students without Disabilities"]),
    "Economically disadvantaged vs not": (["Economically Disadvantaged"], ["Not Economically Disadvantaged"]),
    "Hispanic/Latino vs White": (["Hispanic/Latino"], ["White"]),
    "Black/African American vs White": (["Black/African American"], ["White"]),
    "Female vs male": (["Female"], ["Male"]),
}


class TestPublishedReport:
    def test_shows_no_code_and_charts_have_alt_text(self, published):
        """Is the published-data page free of code, with a text alternative on every chart?"""
        check_no_code(published["html"], published["soup"])
        check_images(published["soup"])

    def test_counts_respect_minimum_n_and_totals(self, published):
        """Are counts at least the minimum n, with no hidden count recoverable from the grade totals?"""
        assert check_counts_respect_min_n(published["soup"]) > 100
        check_no_recoverable_cells(published["soup"])

    def test_says_what_cannot_be_computed(self, published):
        """Does the page say plainly what published counts cannot give?"""
        text = published["soup"].get_text(" ")
        for words in ("cannot be computed from published test counts", "standard deviations", "newcomer"):
            assert words in text, words
        assert "V statistic" in text

    def test_gap_findings_match_gap_table(self, published):
        """Does each sentence carry the numbers of gap_table on the published counts?"""
        def recompute(comparison, subject):
            focal, reference = PUBLISHED_GROUPS[comparison]
            return gap_table(published_summary(subject, focal, reference), focal=focal, reference=reference,
                             margins=True, measures=["proportion_difference"])

        items = published["soup"].select('li.gapkit-finding[data-source="gap"]')
        assert len(items) >= 4
        for item in items:
            check_gap_finding(item, recompute)

    def test_family_summary_in_spanish(self, published):
        """With --language es, is the summary for families in Spanish?"""
        section = published["soup"].find(id="gapkit-families")
        assert section.find("h2").get_text(strip=True) == "Resumen para las familias"
        assert "de cada 100" in section.get_text(" ")


# ------------------------------------------------------------------------------------------------
# A messy file from the data-reading tests, one report per school
# ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return messy_files.build_corpus(tmp_path_factory.mktemp("messy"))


@pytest.fixture(scope="module")
def each(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("each") / "reports"
    result = gapkit_report(corpus["local_codes.csv"], "--mapping", corpus["local_mapping.yaml"],
                           "--each", "school", "--out", out)
    assert result.returncode == 0, result.stderr
    return out, result


class TestMessyFileEachSchool:
    def test_index_links_one_report_per_school(self, each):
        """Does the index page link the district's report and one for each of the file's two schools?"""
        out, _ = each
        links = [a["href"] for a in soup_of(out / "index.html").find_all("a")]
        assert len(links) == 3 and links[0] == "district.html"
        for link in links:
            assert (out / link).exists() and (out / link).with_suffix(".ipynb").exists()
        index = soup_of(out / "index.html")
        names = index.get_text(" ")
        assert "Peña Elementary" in names and "Żółw Middle" in names
        # Each school's line repeats its report's first finding (here: hidden, three students a school).
        for item in index.select("ul.gapkit-index li"):
            headline = item.select_one(".gapkit-headline").get_text()
            assert "shown" in headline and "%" not in headline

    def test_tiny_schools_show_no_count_below_minimum(self, each):
        """With three students per school, is every count hidden and the page still readable?"""
        out, _ = each
        for page in out.glob("s*.html"):
            html_text = page.read_text(encoding="utf-8")
            soup = BeautifulSoup(html_text, "html.parser")
            check_no_code(html_text, soup)
            check_counts_respect_min_n(soup)
            assert "%" not in soup.find(id="gapkit-findings").get_text()

    def test_progress_bar_on_stderr(self, each):
        """Does --each school show a progress bar?"""
        _, result = each
        assert "3/3" in result.stderr


class TestBadFile:
    def test_refused_with_file_column_and_row(self, corpus, tmp_path):
        """Is a bad file refused with its name, column and row, a non-zero exit, and no report left?"""
        out = tmp_path / "report"
        result = gapkit_report(corpus["star_in_scores.csv"], "--out", out, timeout=300)
        assert result.returncode != 0
        for part in ("star_in_scores.csv", "math_scale", "row 4"):
            assert part in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
        assert not out.exists()
        assert not list(tmp_path.glob(".gapkit-report-*"))

    def test_unknown_school_is_refused(self, tmp_path):
        """Is an unknown school refused before anything is written, listing the schools?"""
        out = tmp_path / "report"
        result = gapkit_report(SAMPLE / "students.csv", "--school", "Nowhere High", "--out", out, timeout=300)
        assert result.returncode != 0
        assert "Nowhere High" in result.stderr and "Riverside Elementary" in result.stderr
        assert "Traceback" not in result.stderr
        assert not out.exists()


class TestTrendFinding:
    def test_trend_sentence_matches_gap_trend(self, district, records):
        """Does the trend sentence carry the change, its interval and each group's change from gap_trend on an
        independent gap_table, and does the change equal the comparison group's minus the focal group's?"""
        from gapkit.trends import gap_trend

        items = district["soup"].select('li.gapkit-finding[data-source="trend"]')
        assert items, "no trend finding"
        for item in items:
            comparison, subject, start, end = (item[f"data-key-{i}"] for i in range(4))
            column, focal, reference = (COMPARISONS[comparison].group, COMPARISONS[comparison].focal,
                                            COMPARISONS[comparison].reference)
            scale, level = SUBJECTS[subject].scale, SUBJECTS[subject].level
            table = gap_table(records, scale, column, focal=list(focal), reference=list(reference), by=("year",),
                              levels=level, measures=["proportion_difference"])
            trend = gap_trend(table, period="year")
            row = trend[(trend["year_from"] == int(start)) & (trend["year_to"] == int(end))].iloc[0]
            # Hand check of the decomposition: change = change of the reference group - change of the focal group.
            assert row["change"] == pytest.approx(row["change_reference"] - row["change_focal"])

            def signed(value):
                points = round(value * 100)
                return "0" if points == 0 else f"{points:+d}"

            text = normal(item.get_text(" ", strip=True))
            for part in (f"changed by {signed(row['change'])} percentage points",
                         f"{signed(row['ci_low'])} to {signed(row['ci_high'])}",
                         f"by {signed(row['change_focal'])} points for", f"by {signed(row['change_reference'])} points "
                         "for", row["label"]):
                assert part in text, (part, text)


class TestReportKernel:
    def test_the_kernel_is_on_unix_sockets_removed_after(self, tmp_path, monkeypatch):
        """While a report is made (here in this process), is its kernel on transport ipc with its sockets in
        place, and are they gone once the report is written?"""
        from gapkit.report import write

        seen = []

        def watched(options, *, kernel, **kwargs):
            write_one(options, kernel=kernel, **kwargs)
            info = kernel.get_connection_info()
            sockets = [Path(f"{info['ip']}-{info[f'{c}_port']}") for c in ("shell", "iopub", "stdin", "control", "hb")]
            seen.append((info["transport"], [p.is_socket() for p in sockets], sockets, Path(kernel.connection_file)))

        write_one = write._make_one
        monkeypatch.setattr(write, "_make_one", watched)
        write.write_reports(SAMPLE / "students.csv", tmp_path / "report", school="Riverside Elementary")
        [(transport, bound, sockets, connection_file)] = seen
        assert transport == "ipc" and all(bound)
        assert not any(p.exists() for p in sockets) and not connection_file.exists()
