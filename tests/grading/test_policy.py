"""gapkit.grading.policy: grading.yaml, due dates in UTC and late penalties, checked by hand."""
from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from gapkit.grading.policy import GradingPolicy, PolicyError, load_policy

REPO = Path(__file__).resolve().parents[2]


def _write(tmp_path, text: str) -> Path:
    path = tmp_path / "grading.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


class TestLoadPolicy:
    def test_template_loads(self):
        """Does the template in course_config/ load, with no deadline and a 30 s time limit?"""
        policy = load_policy(REPO / "course_config" / "grading.yaml")
        assert policy.due == {} and policy.cell_time_limit == 30 and policy.penalty_per_day == 0

    def test_missing_file_means_no_policy(self, tmp_path):
        """Is a course folder without grading.yaml graded with no deadlines and no penalty?"""
        policy = load_policy(tmp_path / "grading.yaml")
        assert policy.due_utc("m01") is None and policy.penalty(16, seconds_late=10 ** 6) == 0

    def test_due_dates_in_utc(self, tmp_path):
        """Is 17:00 in New York 21:00 UTC in September (EDT) and 22:00 UTC in December (EST), by hand?"""
        policy = load_policy(_write(tmp_path, """\
            schema_version: 1
            timezone: America/New_York
            due:
              m01: 2025-09-19 17:00
              m02: 2025-12-05 17:00:30
            """))
        assert policy.due_utc("m01") == dt.datetime(2025, 9, 19, 21, 0)
        assert policy.due_utc("m02") == dt.datetime(2025, 12, 5, 22, 0, 30)
        assert policy.due_utc("m03") is None

    @pytest.mark.parametrize("text, match", [
        ("schema_version: 2\n", r"`schema_version` is 2; this gapkit reads 1"),
        ("schema_version: 1\ntimezone: Mars/Olympus\n", r"`timezone` \('Mars/Olympus'\) is not a time zone"),
        ("schema_version: 1\ndue:\n  m01: next Friday\n", r"`due.m01` \('next Friday'\) must be a date and time"),
        ("schema_version: 1\nlate_policy:\n  penalty_per_day: 150\n", r"`penalty_per_day` \(150\) must be a number "
                                                                      r"from 0 to 100"),
        ("schema_version: 1\ncell_time_limit: 0\n", r"`cell_time_limit` \(0\) must be a whole number at least 1"),
        ("schema_version: 1\ndue: [m01]\n", r"`due` must map assignment ids"),
    ])
    def test_bad_settings_named(self, tmp_path, text, match):
        """Is each bad setting refused with its name, its value and the rule?"""
        with pytest.raises(PolicyError, match=match):
            load_policy(_write(tmp_path, text))


class TestPenalty:
    POLICY = GradingPolicy(penalty_per_day=10, max_penalty=50, grace_minutes=15)

    @pytest.mark.parametrize("seconds_late, days, points", [
        (0, 0, 0.0),
        (15 * 60, 0, 0.0),                 # within the grace period
        (15 * 60 + 1, 1, 1.6),             # one second past it: one started day, 10% of 16
        (24 * 3600 + 15 * 60, 1, 1.6),     # exactly one day after the grace period
        (24 * 3600 + 15 * 60 + 1, 2, 3.2),
        (9 * 24 * 3600, 9, 8.0),           # 90% capped at 50% of 16
    ])
    def test_started_days_and_cap(self, seconds_late, days, points):
        """Is the penalty 10% of the points per started day after the grace period, at most 50% (by hand)?"""
        assert self.POLICY.days_late(seconds_late) == days
        assert self.POLICY.penalty(16, seconds_late=seconds_late) == pytest.approx(points)


class TestCellTimeout:
    def test_participant_code_gets_the_limit_kit_cells_more(self):
        """Do answer and test cells get the cohort's limit, and the kit's read-only cells at least 120 s?"""
        from gapkit.grading.preprocessors import cell_timeout

        def cell(**meta):
            return {"metadata": {"nbgrader": {"locked": False, "grade": False, "solution": False, **meta}}}

        assert cell_timeout(cell(solution=True), limit=30) == 30               # the participant's answer
        assert cell_timeout(cell(grade=True, locked=True), limit=30) == 30     # the tests that run it
        assert cell_timeout(cell(locked=True), limit=30) == 120                # imports, data, reflections
        assert cell_timeout(cell(locked=True), limit=300) == 300
        assert cell_timeout({"metadata": {}}, limit=30) == 30                  # a cell the participant added
