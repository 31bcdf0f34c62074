"""The self-assessment across a cohort: participants' journals read without change, and a summary that
shows no count under the minimum and no count that can be worked out from the others."""
import os

import numpy as np
import pytest
from scipy import optimize

from gapkit.assessment import cohort_summary, save_ratings, summary_markdown
from gapkit.journal import Journal
from gapkit.participants import read_cohort


def take(folder, pid, kit, phase, rate, *, where="course-work"):
    """Participant `pid` rates every item: `rate(item index)` gives the value (None leaves it unrated)."""
    ratings = {it.id: rate(i) for i, it in enumerate(kit.items()) if rate(i) is not None}
    save_ratings(Journal(folder / pid / where / "reflections.json"), "leaders", phase, ratings)


@pytest.fixture
def cohort_folder(tmp_path, kit):
    """25 participants. Item 0: before, 14 confident (rating 3-4) and 11 not yet; 20 take the end,
    18 of them confident. Item 1: before 24 confident and 1 not yet."""
    for p in range(25):
        pid = f"p{p:02d}"
        take(tmp_path, pid, kit, "pre", lambda i, p=p: (3 if p < 14 else 2) if i == 0 else (4 if p > 0 else 1) if i == 1 else 2)
        if p < 20:
            take(tmp_path, pid, kit, "post", lambda i, p=p: (4 if p < 18 else 1) if i == 0 else 3)
    return tmp_path


class TestReadCohort:
    def test_journals_merged_newest_wins(self, tmp_path, kit):
        """With a lesson-page journal and an assignment journal, is each participant's newest answer used?"""
        take(tmp_path, "ana", kit, "pre", lambda i: 1, where="course-work")
        take(tmp_path, "ana", kit, "pre", lambda i: 4, where="m07")  # later save, in another journal
        cohort = read_cohort(tmp_path)
        (ana,) = cohort.participants
        assert len(ana.journals) == 2
        assert set(ana.get("assessments", "leaders-pre")["ratings"].values()) == {4}

    def test_unreadable_journal_left_alone(self, tmp_path, kit):
        """Is a broken journal reported by path, and left byte for byte as it was, with no lock file beside it?"""
        take(tmp_path, "ben", kit, "pre", lambda i: 2)
        broken = tmp_path / "cal" / "m01" / "reflections.json"
        broken.parent.mkdir(parents=True)
        broken.write_bytes(b"{half a journal")
        cohort = read_cohort(tmp_path)
        assert [p.id for p in cohort.participants] == ["ben", "cal"]
        assert cohort.problems == ("cal/m01/reflections.json: it cannot be read as a journal; it was left unchanged",)
        assert broken.read_bytes() == b"{half a journal"
        assert sorted(os.listdir(broken.parent)) == ["reflections.json"]

    def test_roster_order_names_and_absentees(self, tmp_path, kit):
        """With a roster, are participants in roster order with names, facilitators left out, absentees listed?"""
        take(tmp_path / "c", "dee", kit, "pre", lambda i: 2)
        roster = tmp_path / "roster.csv"
        roster.write_text("id,first_name,last_name,email,role\nzoe,Zoé,Peña,z@example.org,participant\n"
                          "fac,Fay,Lee,f@example.org,facilitator\ndee,Dee,Ruiz,d@example.org,participant\n",
                          encoding="utf-8")
        cohort = read_cohort(tmp_path / "c", roster=roster)
        assert [(p.id, p.name) for p in cohort.participants] == [("zoe", "Zoé Peña"), ("dee", "Dee Ruiz")]
        assert cohort.participants[0].journals == ()


def hidden_is_recoverable(table, dims, min_n):
    """An attacker who knows the table's structure: for each hidden count, the least and greatest value a
    non-negative solution of all shown equations allows (scipy linprog). True when any is pinned."""
    t = table.reset_index(drop=True)
    hidden = [i for i in t.index if t.at[i, "suppressed"]]
    if not hidden:
        return False
    col = {i: k for k, i in enumerate(hidden)}
    a_rows, b = [], []
    for d in dims:
        others = [x for x in dims if x != d]
        for _, line in t.groupby(others):
            margin = line[line[d] == "All"]
            cells = line[line[d] != "All"]
            if margin.empty:
                continue
            row = np.zeros(len(hidden))
            rhs = 0.0
            for i in cells.index:
                if t.at[i, "suppressed"]:
                    row[col[i]] += 1
                else:
                    rhs -= t.at[i, "n"]
            m = margin.index[0]
            if t.at[m, "suppressed"]:
                row[col[m]] -= 1
            else:
                rhs += t.at[m, "n"]
            a_rows.append(row)
            b.append(rhs)
    for k in range(len(hidden)):
        c = np.zeros(len(hidden))
        c[k] = 1
        lo = optimize.linprog(c, A_eq=np.array(a_rows), b_eq=np.array(b), bounds=(0, None)).fun
        hi = -optimize.linprog(-c, A_eq=np.array(a_rows), b_eq=np.array(b), bounds=(0, None)).fun
        if hi - lo < 0.5:
            return True
    return False


class TestSummary:
    def test_the_attacker_finds_a_naive_table(self):
        """Does the attacker used below pin a count hidden alone in a line with its total (so it can fail)?"""
        import pandas as pd

        naive = pd.DataFrame({"phase": ["before"] * 3, "band": ["not yet confident", "confident", "All"],
                              "n": [2, 23, 25], "suppressed": [True, False, False]})
        assert hidden_is_recoverable(naive, ("phase", "band"), 10)
        naive.loc[1, "suppressed"] = True
        assert not hidden_is_recoverable(naive, ("phase", "band"), 10)

    def test_phases_counts_by_hand(self, kit, cohort_folder):
        """Are the before and after counts of item 0 the ones built into the cohort (14/11 and 18/2)?"""
        s = cohort_summary(kit, read_cohort(cohort_folder))
        first = kit.items()[0].id
        assert s.took == {"pre": 25, "post": 20, "both": 20}
        assert (s.count(first, "before", "confident"), s.count(first, "before", "not yet confident")) == (14, 11)
        assert s.count(first, "before") == 25 and s.count(first, "after") == 20
        # after: 18 confident, 2 not yet: the 2 is hidden, and so is the 18 (20 - 18 would give it back)
        assert s.count(first, "after", "not yet confident") is None and s.count(first, "after", "confident") is None

    def test_one_person_is_never_singled_out(self, kit, cohort_folder):
        """Item 1 has one participant not yet confident at the start: is that count hidden with its complement?"""
        s = cohort_summary(kit, read_cohort(cohort_folder))
        second = kit.items()[1].id
        assert s.count(second, "before", "not yet confident") is None
        assert s.count(second, "before", "confident") is None
        page = summary_markdown(s, kit)
        row = next(line for line in page.splitlines() if kit.items()[1].statement in line)
        assert row.split("|")[3].strip() == "*"

    @pytest.mark.parametrize("mode, dims", [("phases", ("item", "phase", "band")),
                                            ("changes", ("item", "before", "after"))])
    def test_no_small_count_shown_and_none_recoverable(self, kit, cohort_folder, mode, dims):
        """Is every shown count 0 or at least 10, and can a linear-programming attacker pin no hidden count?"""
        s = cohort_summary(kit, read_cohort(cohort_folder), mode=mode)
        shown = s.table.loc[~s.table["suppressed"], "n"].astype(int)
        assert ((shown == 0) | (shown >= 10)).all()
        for item in kit.items()[:3]:
            part = s.table[s.table["item"] == item.id]
            assert not hidden_is_recoverable(part.drop(columns="item"), dims[1:], 10)

    def test_changes_by_hand(self, kit, tmp_path):
        """Over those who took both: 12 moved up on item 0, 10 stayed confident; 5 who took only the start are out."""
        for p in range(27):
            pid = f"q{p:02d}"
            take(tmp_path, pid, kit, "pre", lambda i, p=p: 2 if p < 12 else 3)
            if p < 22:
                take(tmp_path, pid, kit, "post", lambda i: 4)
        s = cohort_summary(kit, read_cohort(tmp_path), mode="changes")
        first = kit.items()[0].id
        assert s.moved(first, "not yet confident", "confident") == 12
        assert s.moved(first, "confident", "confident") == 10
        assert s.moved(first, "confident", "not yet confident") == 0
        assert s.count(first, "before") == 22
        page = summary_markdown(s, kit)
        assert f"| Course | {kit.items()[0].statement} | 45% of 22 | >95% of 22 | 12 | 0 |" in page

    def test_an_unfinished_phase_is_not_taken(self, kit, tmp_path):
        """Is a participant who left one statement unrated counted as not having taken that phase?"""
        for p in range(12):
            take(tmp_path, f"r{p:02d}", kit, "pre", lambda i, p=p: None if (p == 0 and i == 3) else 3)
        s = cohort_summary(kit, read_cohort(tmp_path))
        assert s.took["pre"] == 11 and s.count(kit.items()[0].id, "before", "confident") == 11

    def test_a_small_cohort_shows_nothing(self, kit, tmp_path):
        """With 7 participants, is every count hidden?"""
        for p in range(7):
            take(tmp_path, f"s{p}", kit, "pre", lambda i: 3)
        s = cohort_summary(kit, read_cohort(tmp_path))
        assert s.table.loc[s.table["n"].notna() & (s.table["n"] > 0)].empty

    def test_min_n_from_the_caller(self, kit, cohort_folder):
        """With a minimum of 2 passed in (and a bad mode refused), is the count of 2 shown?"""
        s = cohort_summary(kit, read_cohort(cohort_folder), min_n=2)
        assert s.count(kit.items()[0].id, "after", "not yet confident") == 2
        with pytest.raises(ValueError, match=r"`mode` \('all'\) not recognized"):
            cohort_summary(kit, read_cohort(cohort_folder), mode="all")
