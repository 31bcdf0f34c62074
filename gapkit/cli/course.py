"""``gapkit course init | build-assignments``, and the grading cycle: ``autograde | status | assign | export``."""
from __future__ import annotations

import argparse
import sys

from gapkit.cli import build
from gapkit.content import ContentError, load_course
from gapkit.course import CourseError, course_assignments, init_course


def configure_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add ``init`` and ``build-assignments`` to `parser` (``gapkit course``)."""
    parser.description = ("Prepare the course for nbgrader and run the grading cycle with it "
                          "(see docs/facilitating.md).")
    sub = parser.add_subparsers(dest="course_command", metavar="COMMAND")
    sub.required = True
    p = sub.add_parser("init", help="lay out an nbgrader course folder with the config and source notebooks",
                       description=init_course.__doc__.split("\n")[0])
    p.add_argument("course_dir", metavar="DIR", help="the course folder (created when missing)")
    p.add_argument("--track", default=None, help="only this track's assignments (default: every track)")
    p.add_argument("--root", default=None, help="the course kit's repository root (default: found from here)")
    p = sub.add_parser("build-assignments", help="write the source notebooks from modules/ "
                                                 "(`gapkit build` also writes the lessons and the guide)",
                       description="Write every assignment's source notebook to notebooks/assignments/.")
    p.add_argument("--check", action="store_true",
                   help="only report notebooks that are out of date (exit status 1 if any)")
    p.add_argument("--root", default=None, help="the course kit's repository root (default: found from here)")
    _grading_commands(sub)
    return parser


def run(args) -> int:
    """Run ``gapkit course ...``; return the exit status (problems go to stderr, never a traceback)."""
    if args.course_command in _GRADING:
        from gapkit.grading.policy import PolicyError

        try:
            return _GRADING[args.course_command](args)
        except (ValueError, PolicyError, OSError) as exc:
            print(f"gapkit course {args.course_command}: {exc}", file=sys.stderr)
            return 1
    if args.course_command == "build-assignments":
        return build.run(args, parts=["assignments"], command="gapkit course build-assignments")
    try:
        folder = init_course(args.course_dir, root=args.root, track=args.track)
        print(f"Course folder ready: {folder}")
        first = course_assignments(load_course(args.root), track=args.track)[0].id
        print(f"Next: cd {folder} && nbgrader generate_assignment {first}   (see docs/facilitating.md)")
        return 0
    except (ContentError, CourseError, OSError) as exc:
        print(f"gapkit course: {exc}", file=sys.stderr)
        return 1


# ---------------------------------------------------------------------------------------------
# The grading cycle (gapkit.grading)
# ---------------------------------------------------------------------------------------------

def _course_dir(p):
    p.add_argument("--course-dir", default=".", metavar="DIR",
                   help="the course folder (default: the current folder, as for nbgrader)")


def _grading_commands(sub) -> None:
    """The grading cycle's commands (gapkit.grading): autograde, status, assign, export."""
    p = sub.add_parser("autograde", help="autograde submissions in parallel into the one gradebook",
                       description="nbgrader's autograde of every collected submission of ASSIGNMENT, N at a "
                                   "time (same scores as `nbgrader autograde`).")
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument("--jobs", "-j", type=int, default=2, metavar="N", help="submissions graded at once (default 2)")
    p.add_argument("--student", action="append", metavar="ID", help="only this participant (repeatable)")
    p.add_argument("--force", action="store_true", help="autograde again even where nothing was re-submitted")
    _course_dir(p)
    p = sub.add_parser("status", help="the facilitator's list: what each submission still needs",
                       description="Every collected submission of ASSIGNMENT: score, lateness, grader, and what "
                                   "is left to do (reflections to grade or re-grade, restored cells).")
    p.add_argument("assignment", metavar="ASSIGNMENT")
    _course_dir(p)
    p = sub.add_parser("assign", help="give submissions to graders (one grader per submission)",
                       description="Share ASSIGNMENT's submissions among graders (--graders a,b), give one "
                                   "submission to a grader (--student S --grader G), or free them (--release).")
    p.add_argument("assignment", metavar="ASSIGNMENT")
    p.add_argument("--graders", metavar="A,B,...", help="share every ungraded submission among these graders")
    p.add_argument("--student", metavar="ID", help="one participant's submission")
    p.add_argument("--grader", metavar="NAME", help="with --student: the grader to give it to")
    p.add_argument("--release", action="store_true", help="free the submission(s) for any grader")
    _course_dir(p)
    p = sub.add_parser("export", help="write a gradebook import file for Canvas or Moodle",
                       description="Grades of every participant (after late penalties), with one column per "
                                   "rubric criterion, in the CSV layout of Canvas or Moodle.")
    p.add_argument("--to", dest="lms", required=True, choices=("canvas", "moodle"))
    p.add_argument("--out", required=True, metavar="FILE.csv")
    p.add_argument("--assignment", action="append", metavar="ID", help="only this assignment (repeatable)")
    p.add_argument("--no-rubric", action="store_true", help="totals only, no criterion columns")
    p.add_argument("--section", default="", help="Canvas: the section name for every row")
    p.add_argument("--login", choices=("id", "email"), default="id",
                   help="Canvas: what SIS Login ID holds (the roster id or the email; default id)")
    _course_dir(p)


def _autograde(args) -> int:
    from gapkit.grading.parallel import autograde

    def progress(result, done, total):
        what = "autograded" if result.ok else f"FAILED ({result.error})"
        print(f"[{done}/{total}] {result.student}: {what} in {result.seconds:.1f} s", flush=True)

    results = autograde(args.course_dir, args.assignment, jobs=args.jobs, students=args.student, force=args.force,
                        progress=progress)
    failed = [r.student for r in results if not r.ok]
    if not results:
        print(f"No collected submissions of {args.assignment}. Run `nbgrader collect {args.assignment}` first.")
    else:
        print(f"{len(results) - len(failed)} of {len(results)} submissions autograded"
              + (f"; failed: {', '.join(sorted(failed))}" if failed else "")
              + f". Next: gapkit course status {args.assignment}")
    return 1 if failed else 0


def _status(args) -> int:
    from gapkit.grading.status import assignment_status, format_status

    print(format_status(args.assignment, assignment_status(args.course_dir, args.assignment)))
    return 0


def _assign(args) -> int:
    from gapkit.grading import store
    from gapkit.grading.parallel import submitted_students
    from gapkit.grading.status import course_settings

    settings = course_settings(args.course_dir)
    store.ensure_tables(settings.db_url)
    if args.release:
        n = store.release(settings.db_url, args.assignment, args.student)
        print(f"{n} submission{'s' if n != 1 else ''} of {args.assignment} freed for any grader.")
        return 0
    if args.student:
        if not args.grader:
            raise ValueError("--student needs --grader NAME (or --release).")
        store.assign(settings.db_url, args.assignment, args.student, args.grader)
        print(f"{args.student}'s {args.assignment} is graded by {args.grader}.")
        return 0
    if not args.graders:
        raise ValueError("give --graders A,B (share the submissions), --student ID --grader NAME, or --release.")
    names = [g.strip() for g in args.graders.split(",") if g.strip()]
    taken = store.graders(settings.db_url, args.assignment)
    free = [s for s in submitted_students(settings.root, args.assignment) if s not in taken]
    for i, student in enumerate(free):
        store.assign(settings.db_url, args.assignment, student, names[i % len(names)])
    for name in names:
        mine = [s for i, s in enumerate(free) if names[i % len(names)] == name]
        listed = f" ({', '.join(mine)})" if mine else ""
        print(f"{name}: {len(mine)} submission{'s' if len(mine) != 1 else ''}{listed}")
    if taken:
        print(f"Already assigned, unchanged: {', '.join(f'{s} ({g})' for s, g in sorted(taken.items()))}")
    return 0


def _export(args) -> int:
    from gapkit.grading.export import export_grades

    text = export_grades(args.course_dir, args.lms, args.out, assignments=args.assignment,
                         rubric=not args.no_rubric, section=args.section, login=args.login)
    rows = text.count("\r\n") - (2 if args.lms == "canvas" else 1)
    print(f"Wrote {args.out}: {rows} participant{'s' if rows != 1 else ''}, for import into "
          f"{'Canvas' if args.lms == 'canvas' else 'Moodle'} (see docs/facilitating.md, 'Grades to the LMS').")
    return 0


_GRADING = {"autograde": _autograde, "status": _status, "assign": _assign, "export": _export}
