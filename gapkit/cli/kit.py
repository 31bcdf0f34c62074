"""``gapkit kit build [--check]``, ``gapkit kit summary COHORT --out DIR``, ``gapkit kit records COHORT --out DIR``:
the facilitator's kit. Build validates ``kit/`` and writes the calendar, handouts and workbook to
``docs/kit``; summary writes the cohort's self-assessment summary (safe to share); records writes
completion records and certificates."""
from __future__ import annotations

import sys
from pathlib import Path

from gapkit.content import ContentError
from gapkit.kit import load_kit


def configure_parser(parser):
    """Options of the kit command."""
    parser.add_argument("--root", default=None, help="repository root (default: found from here)")
    sub = parser.add_subparsers(dest="kit_command", metavar="ACTION", required=True)
    b = sub.add_parser("build", help="validate the kit and write the calendar, handouts and workbook to docs/kit")
    b.add_argument("--check", action="store_true", help="write nothing; fail if a generated file is out of date")
    for name, help_text in (("summary", "the cohort's self-assessment summary, safe to share (Markdown and PDF)"),
                            ("records", "completion records (CSV) and one certificate (PDF) per participant")):
        s = sub.add_parser(name, help=help_text, description=help_text)
        s.add_argument("cohort", help="cohort folder: one folder per participant id holding their journals")
        s.add_argument("--roster", default=None, help="nbgrader roster CSV (id, first_name, last_name, email)")
        s.add_argument("--track", default=None, help="track id (default: the course's first track)")
        s.add_argument("--out", required=True, help="folder to write into")
        if name == "summary":
            s.add_argument("--changes", action="store_true",
                           help="count only participants who took both phases, with who moved up or down")
            s.add_argument("--min-n", type=int, default=None, help="smallest count shown (default: course.yaml)")
        else:
            s.add_argument("--facilitator", default="", help="name printed on the certificates")
            s.add_argument("--min-words", type=int, default=None, help="words a reflection needs to count")
    return parser


def run(args) -> int:
    """Run one kit action; problems go to stderr. Returns the exit status."""
    try:
        kit = load_kit(args.root)
    except ContentError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    if args.kit_command == "build":
        from gapkit.handouts import OUT_DIR, build

        names = build(kit, check=args.check)
        if args.check:
            if names:
                print(f"Out of date in {OUT_DIR.as_posix()}: {', '.join(names)}. Run `gapkit kit build`.", file=sys.stderr)
                return 1
            print(f"{OUT_DIR.as_posix()} is up to date.")
            return 0
        print(f"Wrote {', '.join(names)} in {OUT_DIR.as_posix()}." if names else f"{OUT_DIR.as_posix()} is up to date.")
        return 0
    from gapkit.participants import RosterError, read_cohort

    out = Path(args.out)
    try:
        cohort = read_cohort(args.cohort, roster=args.roster)
        kit.plan(args.track)
    except (OSError, RosterError, KeyError) as exc:
        print(exc.args[0] if isinstance(exc, KeyError) else str(exc), file=sys.stderr)
        return 1
    for problem in cohort.problems:
        print(f"Skipped {problem}", file=sys.stderr)
    if args.kit_command == "summary":
        from gapkit.assessment import cohort_summary, write_summary

        summary = cohort_summary(kit, cohort, track=args.track, mode="changes" if args.changes else "phases",
                                 min_n=args.min_n)
        markdown, printed = write_summary(summary, kit, out)
        print(f"Wrote {markdown.name} and {printed.name} in {out} ({summary.took['pre']} took the opening "
              f"self-assessment, {summary.took['post']} the closing one).")
        return 0
    from gapkit.completion import MIN_WORDS, completion_records, write_records

    records = completion_records(kit, cohort, track=args.track, min_words=args.min_words or MIN_WORDS)
    table, certificates = write_records(kit, records, out, facilitator=args.facilitator)
    print(f"Wrote {table.name} ({len(records)} participants, {sum(r.complete for r in records)} complete) and "
          f"{len(certificates)} certificate(s) in {out / 'certificates'}.")
    return 0
