"""Completion records and certificates, made by the facilitator's real command from a cohort folder."""
import csv
import subprocess
import sys

import pytest

from kit_helpers import ROOT, pdf_text
from gapkit.assessment import save_ratings
from gapkit.completion import completion_records, quarter_hours
from gapkit.journal import Journal
from gapkit.participants import read_cohort

ANSWER = "Our newcomers in grades four and five are placed by English level rather than by what they know, " \
         "so we will review every placement with families this spring."  # 28 words


def do_module(journal, module, kit):
    """Everything a module's lesson page asks for, saved as the widgets save it."""
    for r in module.reflections:
        journal.save_reflection(r.id, ANSWER)
    for c in module.checks:
        journal.put("checks", c.id, {"chosen": [0], "correct": False, "saved_at": "2025-03-01T10:00:00+00:00"})
    if module.blocks_of("plan"):
        journal.put("plans", "action-plan", {"title": "Plan", "goals": [{"focus": "ELD and Algebra II"}],
                                             "saved_at": "2025-05-01T10:00:00+00:00"})
    for block in module.blocks_of("assessment"):
        save_ratings(journal, "leaders", block.data["phase"], {it.id: 3 for it in kit.items()})


@pytest.fixture
def cohort_folder(tmp_path, kit, course):
    folder = tmp_path / "submitted"
    all_done = Journal(folder / "zoe" / "course-work" / "reflections.json")
    for m in course.track().modules:
        do_module(all_done, m, kit)
    partial = Journal(folder / "dee" / "course-work" / "reflections.json")
    for m in course.track().modules[:2]:
        do_module(partial, m, kit)
    first = course.track().modules[2]
    partial.save_reflection(first.reflections[0].id, "Too short to count.")  # module 2 in progress, not complete
    partial.put("checks", first.checks[0].id, {"chosen": [1], "correct": True, "saved_at": "2025-03-02T10:00:00+00:00"})
    roster = tmp_path / "roster.csv"
    roster.write_text("id,first_name,last_name,email,role\nzoe,Zoé,Peña,zoe@example.org,participant\n"
                      "dee,Dee,Nguyễn,dee@example.org,participant\nsam,Sam,Okafor,sam@example.org,participant\n"
                      "fay,Fay,Lee,fay@example.org,facilitator\n", encoding="utf-8")
    return folder, roster


class TestRecords:
    def test_states_and_minutes(self, kit, course, cohort_folder):
        """Are modules complete, in progress or not started as defined, with minutes from modules/ only for complete ones?"""
        folder, roster = cohort_folder
        zoe, dee, sam = completion_records(kit, read_cohort(folder, roster=roster))
        assert zoe.complete and zoe.pre_taken and zoe.post_taken
        assert zoe.minutes == sum(m.minutes_teaching + m.minutes_exercises for m in course.track().modules)
        assert [m.state for m in dee.modules[:4]] == ["complete", "complete", "in progress", "not started"]
        assert "reflection " + course.track().modules[2].reflections[0].id in dee.modules[2].missing
        assert dee.minutes == sum(m.minutes_teaching + m.minutes_exercises for m in course.track().modules[:2])
        assert dee.pre_taken and not dee.post_taken and not dee.complete
        assert sam.minutes == 0 and {m.state for m in sam.modules} == {"not started"}

    def test_quarter_hours(self):
        """Are hours rounded down to the quarter hour (725 minutes is 12 hours, not 12.08)?"""
        assert quarter_hours(725) == 12.0 and quarter_hours(135) == 2.25 and quarter_hours(14) == 0


class TestCommand:
    def test_csv_and_certificates(self, cohort_folder, course, tmp_path):
        """Does `gapkit kit records` write the CSV and a certificate per participant with hours, names in full?"""
        folder, roster = cohort_folder
        out = tmp_path / "out"
        run = subprocess.run([sys.executable, "-m", "gapkit", "kit", "records", str(folder), "--roster", str(roster),
                              "--out", str(out), "--facilitator", "María Castañeda"],
                             cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
        assert "3 participants, 1 complete" in run.stdout and "2 certificate(s)" in run.stdout
        rows = list(csv.DictReader((out / "completion.csv").open(encoding="utf-8")))
        assert [r["id"] for r in rows] == ["zoe", "dee", "sam"]
        stated = [m.minutes_teaching + m.minutes_exercises for m in course.track().modules]
        assert rows[0]["minutes"] == str(sum(stated)) and rows[0]["course_complete"] == "yes"
        assert rows[1]["hours"] == f"{(sum(stated[:2]) // 15) / 4:.2f}" and rows[1][course.track().modules[2].id] == "in progress"
        assert rows[1]["post_self_assessment"] == "not taken"
        assert not (out / "certificates" / "sam.pdf").exists()
        zoe = pdf_text((out / "certificates" / "zoe.pdf").read_bytes())
        assert "Certificate of completion" in zoe and "Zoé Peña" in zoe
        assert f"for {(sum(stated) // 15) / 4:g} hours" in zoe and "María Castañeda" in zoe
        for m in course.track().modules:
            assert m.title.split(":")[0][:25] in zoe
        dee = pdf_text((out / "certificates" / "dee.pdf").read_bytes())
        assert "Record of professional learning" in dee and "Dee Nguyễn" in dee and "2 of 9 modules" in dee

    def test_summary_command(self, cohort_folder, tmp_path):
        """Does `gapkit kit summary` write the Markdown and PDF, hiding everything for a cohort of two?"""
        folder, roster = cohort_folder
        out = tmp_path / "summary"
        run = subprocess.run([sys.executable, "-m", "gapkit", "kit", "summary", str(folder), "--out", str(out)],
                             cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
        page = (out / "self-assessment-summary.md").read_text(encoding="utf-8")
        assert "| * | * |" in page and "% of" not in page
        assert "Self-assessment summary" in pdf_text((out / "self-assessment-summary.pdf").read_bytes())

    def test_bad_cohort_folder(self, tmp_path):
        """Is a missing cohort folder refused with its name, and no traceback?"""
        run = subprocess.run([sys.executable, "-m", "gapkit", "kit", "records", str(tmp_path / "nope"),
                              "--out", str(tmp_path / "o")], cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert run.returncode == 1 and "nope does not exist" in run.stderr and "Traceback" not in run.stderr
