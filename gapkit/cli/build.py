"""``gapkit build [--check] [--root R]``: regenerate the facilitator guide, lesson and assignment notebooks."""
from __future__ import annotations

import argparse
import sys

from gapkit.build import PARTS, build, out_of_date
from gapkit.content import ContentError
from gapkit.course import CourseError


def configure_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Options of ``gapkit build``."""
    parser.add_argument("--check", action="store_true",
                        help="write nothing; list the generated files that are out of date (exit status 1 if any)")
    parser.add_argument("--root", default=None, help="the course kit's repository root (default: found from here)")
    return parser


def run(args, *, parts=None, command="gapkit build") -> int:
    """Build (or check) `parts` of `gapkit.build.PARTS` (default all); return the exit status."""
    try:
        if args.check:
            stale = out_of_date(args.root, parts=parts)
            for path in stale:
                print(f"out of date: {path}", file=sys.stderr)
            if stale:
                print(f"Run `{command}` and commit the files.", file=sys.stderr)
            return 1 if stale else 0
        changed = build(args.root, parts=parts)
    except ContentError as exc:
        print(f"{command}: the course files have problems:\n{exc}", file=sys.stderr)
        return 1
    except (CourseError, OSError) as exc:
        print(f"{command}: {exc}", file=sys.stderr)
        return 1
    for path in changed:
        print(f"wrote {path.as_posix()}")
    names = ", ".join(p.name for p in PARTS if parts is None or p.name in parts)
    print(f"{len(changed)} file(s) changed; {names} up to date.")
    return 0
