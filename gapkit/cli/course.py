"""``gapkit course init DIR`` and ``gapkit course build-assignments [--check]``."""
from __future__ import annotations

import argparse
import sys

from gapkit.content import ContentError
from gapkit.cli import build
from gapkit.course import CourseError, init_course


def configure_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add ``init`` and ``build-assignments`` to `parser` (``gapkit course``)."""
    parser.description = ("Prepare the course for nbgrader. Everything after `init` uses nbgrader's own "
                          "commands (see docs/facilitating.md).")
    sub = parser.add_subparsers(dest="course_command", metavar="COMMAND")
    sub.required = True
    p = sub.add_parser("init", help="lay out an nbgrader course folder with the config and source notebooks",
                       description=init_course.__doc__.split("\n")[0])
    p.add_argument("course_dir", metavar="DIR", help="the course folder (created when missing)")
    p.add_argument("--root", default=None, help="the course kit's repository root (default: found from here)")
    p = sub.add_parser("build-assignments", help="write the source notebooks from modules/ and practice.yaml "
                                                 "(`gapkit build` also writes the lessons and the guide)",
                       description="Write every assignment's source notebook to notebooks/assignments/.")
    p.add_argument("--check", action="store_true",
                   help="only report notebooks that are out of date (exit status 1 if any)")
    p.add_argument("--root", default=None, help="the course kit's repository root (default: found from here)")
    return parser


def run(args) -> int:
    """Run ``gapkit course ...``; return the exit status (problems go to stderr, never a traceback)."""
    if args.course_command == "build-assignments":
        return build.run(args, parts=["assignments"], command="gapkit course build-assignments")
    try:
        folder = init_course(args.course_dir, root=args.root)
        print(f"Course folder ready: {folder}")
        print(f"Next: cd {folder} && nbgrader generate_assignment m01   (see docs/facilitating.md)")
        return 0
    except (ContentError, CourseError, OSError) as exc:
        print(f"gapkit course: {exc}", file=sys.stderr)
        return 1
