"""``gapkit outputs``: run the notebooks kept with their outputs (assignment sources with model answers,
lesson pages, the report on the sample district) and store what they show, after an intended change.
The tests re-run them with nbval and compare (`gapkit.outputs`)."""
from __future__ import annotations

import sys

from gapkit.content import ContentError, find_root


def configure_parser(parser):
    """Options of the outputs command."""
    parser.add_argument("--root", default=None, help="repository root (default: found from here)")
    for kind in ("assignments", "lessons", "report"):
        parser.add_argument(f"--no-{kind}", dest=kind, action="store_false", help=f"leave the {kind} as stored")
    return parser


def run(args) -> int:
    """Refresh the stored outputs; problems go to stderr. Returns the exit status."""
    from gapkit.build import out_of_date
    from gapkit.outputs import refresh

    try:
        root = find_root(args.root)
        stale = out_of_date(root, parts=["lessons", "assignments"])
    except ContentError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if stale:
        print(f"These notebooks are out of date; run `gapkit build` first: {', '.join(stale)}.", file=sys.stderr)
        return 1
    written = refresh(root, assignments=args.assignments, lessons=args.lessons, report=args.report)
    print(f"Stored the outputs of {len(written)} notebook(s).")
    return 0
