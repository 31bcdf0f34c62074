"""The facilitator's grading cycle on top of nbgrader: deadlines, re-submissions, parallel autograding,
one grader per submission, the facilitator's list and grades for an LMS.

nbgrader does the grading; this package fills what a cohort needs around it. The course's
``nbgrader_config.py`` calls `configure_nbgrader`, so nbgrader's own commands use it too:

* `policy`: ``grading.yaml`` (due dates per assignment, late policy, per-cell time limit);
* `preprocessors`: autograding that restores deleted reflection cells, shows the rubric cleanly,
  explains a cell stopped at the time limit and flags reflections rewritten after grading;
* `store`: the kit's tables in the gradebook (answer fingerprints, who grades which submission);
* `formgrader`: a Jupyter server extension that refuses a save from anyone but the submission's grader;
* `parallel`: ``gapkit course autograde ASSIGNMENT --jobs N``;
* `status`: the facilitator's list (``gapkit course status``);
* `export`: Canvas and Moodle gradebook CSV files with per-criterion rubric scores.
"""
from __future__ import annotations

import os

from gapkit.grading.policy import (POLICY_FILE, GradingPolicy, LatePenalty, PolicyError, apply_late_penalties,
                                   load_policy, sync_due_date)

__all__ = [
    "POLICY_FILE",
    "GradingPolicy",
    "LatePenalty",
    "PolicyError",
    "apply_late_penalties",
    "load_policy",
    "sync_due_date",
    "configure_nbgrader",
]


def configure_nbgrader(c, course_root) -> None:
    """Set the course's grading options on nbgrader's config object `c` (from ``nbgrader_config.py``).

    Collect takes the newest submission; autograding uses the kit's preprocessors, the late policy
    and the time limit of ``grading.yaml``; ``generate_assignment`` and ``autograde`` write the due
    date from it into the gradebook, and ``generate_feedback`` recomputes late penalties first.
    """
    import functools
    import warnings

    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearOutput, DeduplicateIds,
                                        IgnorePattern, LimitOutput, OverwriteKernelspec, SaveAutoGrades)

    from gapkit.grading import preprocessors as pp

    course_root = os.fspath(course_root)
    policy_file = os.path.join(course_root, POLICY_FILE)
    policy = load_policy(policy_file)

    # A re-submission replaces the one collected before (nbgrader keeps the old one by default).
    c.ExchangeCollect.update = True

    # Order matters: cells are restored before the rubric is cleaned; reflection cells are put back
    # before the notebook runs, and answers are recorded after nbgrader has saved the scores.
    c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec, pp.OverwriteCells,
                                          pp.CleanRubric, CheckCellMetadata]
    c.Autograde.autograde_preprocessors = [pp.RestoreReflections, pp.Execute, pp.TimeLimitNote, IgnorePattern,
                                           ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
                                           pp.RecordReflections, AssignLatePenalties, CheckCellMetadata]
    c.Execute.timeout = policy.cell_time_limit
    c.Execute.timeout_func = functools.partial(pp.cell_timeout, limit=policy.cell_time_limit)
    c.Execute.interrupt_on_timeout = True
    # After stopping a cell, wait for the kernel's last messages as long as a busy server needs
    # (nbclient's 4 s default fails the whole submission when they come later).
    c.Execute.iopub_timeout = 30
    note = pp.time_limit_note(policy.cell_time_limit)
    c.Execute.error_on_timeout = {"ename": pp.TIME_LIMIT_ENAME, "evalue": note,
                                  "traceback": [f"{pp.TIME_LIMIT_ENAME}: {note}"]}

    c.AssignLatePenalties.plugin_class = LatePenalty
    c.LatePenalty.policy_file = policy_file

    def _due(*, assignment, student, notebooks):
        sync_due_date(policy_file, c.CourseDirectory.db_url, c.CourseDirectory.course_id, assignment)

    def _late(*, assignment, student, notebooks):
        apply_late_penalties(policy_file, c.CourseDirectory.db_url, c.CourseDirectory.course_id, assignment,
                             students=None if student in (None, "*") else [student])

    c.GenerateAssignment.pre_convert_hook = _due
    c.Autograde.pre_convert_hook = _due
    c.GenerateFeedback.pre_convert_hook = _late

    # nbgrader 0.9's `collect` adds a submission in a way SQLAlchemy 2 warns about ("Object of type
    # <SubmittedAssignment> not in session"); the submission is saved all the same.
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", message=r"Object of type <Submitted\w+> not in session", category=SAWarning)
