"""The gap explorer: redraws on every dropdown, data only through gap_table, small groups suppressed."""
import numpy as np
import pandas as pd
import pytest

from gapkit.widgets import explore, gap_explorer


def _records():
    """Two schools, grades 3-4, year 2024 (and 2023 for the year list).

    Riverside grade 3: 20 ELs (4 proficient), 30 EO (18 proficient); grade 4: 15 ELs (3), 25 EO (20).
    Hilltop grade 3: 5 ELs only (too few), 40 EO.
    """
    rows = []

    def add(school, grade, status, n, n_prof, year=2024):
        for i in range(n):
            level = 3 if i < n_prof else 2
            rows.append({"student_id": f"{school}{grade}{status}{i}{year}", "year": year, "school_id": school[:2],
                         "school_name": school, "school_level": "elementary", "grade": grade,
                         "el_status": status, "el_exit_year": pd.NA, "years_in_us": 5,
                         "math_scale": 2400.0 + 10 * level + i, "math_level": level,
                         "ela_scale": 2400.0 + 10 * level, "ela_level": level, "iep": False, "econ_disadv": False,
                         "gender": "F" if i % 2 else "M", "race_ethnicity": "White"})
    add("Riverside", 3, "EL", 20, 4)
    add("Riverside", 3, "EO", 30, 18)
    add("Riverside", 4, "EL", 15, 3)
    add("Riverside", 4, "EO", 25, 20)
    add("Hilltop", 3, "EL", 5, 1)
    add("Hilltop", 3, "EO", 40, 20)
    add("Riverside", 3, "EL", 12, 6, year=2023)
    add("Riverside", 3, "EO", 12, 6, year=2023)
    frame = pd.DataFrame(rows)
    for c in ("el_exit_year", "years_in_us", "math_level", "ela_level"):
        frame[c] = frame[c].astype("Int64")
    return frame


@pytest.fixture(scope="module")
def records():
    from gapkit.records import add_el_groups
    return add_el_groups(_records())


class TestExplore:
    def test_school_grade_sentence(self, records):
        """Riverside grade 3 math: 20% vs 60% proficient, gap 40 points (4/20 and 18/30 by hand)."""
        r = explore(records, school="Riverside", grade=3, year=2024, min_n=10)
        assert "20% of current English learners (n = 20)" in r.sentence
        assert "60% of students who were never English learners (n = 30)" in r.sentence
        assert "behind by 40 percentage points" in r.sentence

    def test_small_group_suppressed_everywhere(self, records):
        """Hilltop has 5 ELs: is the gap hidden in the sentence, table and chart alt text?"""
        r = explore(records, school="Hilltop", grade=3, year=2024, min_n=10)
        assert "not shown: fewer than 10 students" in r.sentence
        assert "suppressed" in r.table_html and "suppressed" in r.alt_text
        assert r.table.loc[r.table["suppressed"], "estimate"].isna().all()

    def test_no_group_in_selection(self, records):
        """A comparison with nobody on one side says so instead of failing."""
        r = explore(records, comparison="Former EL vs never EL", year=2024, min_n=10)
        assert "no former English learners were tested" in r.sentence and r.table is None

    def test_bad_choice(self, records):
        """Is an unknown measure refused by name?"""
        with pytest.raises(ValueError, match="`measure` \\('median'\\) not recognized"):
            explore(records, measure="median")


class TestExplorerWidget:
    def test_redraws_on_every_dropdown(self, records):
        """Does changing each dropdown give a new result matching `explore` for the same choice?"""
        w = gap_explorer(records, min_n=10)
        first = w.result
        assert first.year == 2024 and first.school == "All schools"
        w.school.value = "Riverside"
        assert w.result.school == "Riverside"
        w.grade.value = 4
        assert w.result.grade == 4 and "grade 4" in w.result.sentence
        w.measure.value = "mean_scale"
        assert "scale-score points" in w.result.sentence
        expected = explore(records, school="Riverside", grade=4, year=2024, measure="mean_scale", min_n=10)
        assert w.result.sentence == expected.sentence
        assert w.chart.value.startswith('<img class="gapkit-chart"') and 'alt="' in w.chart.value

    def test_grade_options_follow_school(self, records):
        """Does choosing a school offer only its grades (Hilltop: grade 3)?"""
        w = gap_explorer(records, min_n=10)
        w.school.value = "Hilltop"
        assert [v for _, v in w.grade.options] == ["All grades", 3]

    def test_preset_from_explore_block(self, records):
        """Does an explore block's group/focal/reference pick the matching named comparison?"""
        w = gap_explorer(records, min_n=10, group="el_status", focal="EL", reference=["IFEP", "EO"],
                         subject="ela", look_for="Look at grade 3.")
        assert w.comparison.value == "Current EL vs never EL" and w.subject.value == "ela"
        assert "Look at grade 3." in w.children[0].value

    def test_controls_labelled(self, records):
        """Does every dropdown carry a label?"""
        w = gap_explorer(records, min_n=10)
        labels = [c.description for c in (w.subject, w.measure, w.comparison, w.school, w.grade, w.year)]
        assert labels == ["Subject", "Measure", "Compare", "School", "Grade", "Year"]

    def test_failure_is_friendly(self, records, monkeypatch):
        """If computing fails, is there a friendly message instead of a traceback?"""
        import gapkit.widgets.explorer as E
        w = gap_explorer(records, min_n=10)

        def boom(*a, **k):
            raise RuntimeError("engine down")
        monkeypatch.setattr(E, "explore", boom)
        w.subject.value = "ela"
        assert "could not be drawn" in w.sentence.value and "Traceback" not in w.sentence.value


# ---------------------------------------------------------------------------------------------
# Linked groups: a participant can switch between comparisons whose groups add up
# ---------------------------------------------------------------------------------------------

#: Each linked comparison's sides as sums of four groups that do not overlap.
LINKED_SIDES = {
    "Current EL vs never EL": (("newcomer", "other"), ("never",)),
    "Current EL vs all others": (("newcomer", "other"), ("former", "never")),
    "Former EL vs never EL": (("former",), ("never",)),
    "Ever EL vs never EL": (("newcomer", "other", "former"), ("never",)),
    "Newcomer EL vs never EL": (("newcomer",), ("never",)),
    "Other current EL vs never EL": (("other",), ("never",)),
}


def _linked_records():
    """One school, year 2024. Grade 3: 6 newcomers, 30 other current ELs, 12 former ELs, 40 EO;
    grade 4: 14 newcomers, 25 other current ELs, 7 former ELs, 45 EO; grade 5: 12, 20, 15, 30."""
    rows = []
    for grade, groups in {3: (6, 30, 12, 40), 4: (14, 25, 7, 45), 5: (12, 20, 15, 30)}.items():
        for status, years, n in zip(("EL", "EL", "RFEP", "EO"), (1, 5, 6, 8), groups):
            for i in range(n):
                rows.append({"student_id": f"{grade}{status}{years}{i}", "year": 2024, "school_id": "S1",
                             "school_name": "Linked", "grade": grade, "el_status": status,
                             "el_exit_year": 2021 if status == "RFEP" else pd.NA, "years_in_us": years,
                             "math_scale": 2400.0 + 7 * (i % 9), "math_level": 1 + i % 4, "ela_scale": 2400.0,
                             "ela_level": 2})
    frame = pd.DataFrame(rows)
    for c in ("el_exit_year", "years_in_us", "math_level", "ela_level"):
        frame[c] = frame[c].astype("Int64")
    from gapkit.records import add_el_groups
    return add_el_groups(frame)


def _recoverable(tables):
    """Hidden counts a reader can work out from all the tables together (smallest = largest value under
    scipy's linprog), leaving out a group shown in another table in the same grade."""
    from scipy.optimize import linprog

    grades = sorted({str(g) for t in tables.values() for g in t["grade"] if str(g) != "All"})
    unknowns = [(g, a) for g in grades for a in ("newcomer", "other", "former", "never")]

    def row(grade, groups):
        return np.array([1.0 if (g == grade or grade == "All") and a in groups else 0.0 for g, a in unknowns])

    shown, hidden = [], []
    for name, t in tables.items():
        for r in t.to_dict("records"):
            for side, groups in zip(("focal", "reference"), LINKED_SIDES[name]):
                item = ((str(r["grade"]), groups), row(str(r["grade"]), groups), r[f"n_{side}"])
                (hidden if r["suppressed"] else shown).append(item)
    public = {key for key, _, _ in shown}
    a_eq, b_eq = np.array([v for _, v, _ in shown]), np.array([float(n) for _, _, n in shown])
    out = []
    for key, c, _ in hidden:
        if key in public:
            continue
        low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        high = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        if high.status == 0 and -high.fun - low.fun < 0.5:
            out.append((key, round(low.fun)))
    return out


class TestLinkedGroups:
    def test_switching_comparisons_reveals_nothing(self, monkeypatch):
        """With 6 newcomers and 7 former ELs hidden, do the six linked comparisons together still hide
        them (and would they not, table by table)?"""
        import gapkit.widgets.explorer as E

        records = _linked_records()
        tables = {name: explore(records, comparison=name, min_n=10).table for name in LINKED_SIDES}
        assert _recoverable(tables) == []
        assert tables["Newcomer EL vs never EL"].set_index("grade").loc[3, "suppressed"]
        monkeypatch.setattr(E, "protect_linked", lambda table, counts, **kw: table)
        alone = {name: explore(records, comparison=name, min_n=10).table for name in LINKED_SIDES}
        assert {key for key, _ in _recoverable(alone)} >= {("3", ("newcomer",)), ("4", ("former",))}
