"""``gapkit content [--guide PATH] [--root R]``: validate the course; optionally write the facilitator guide."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gapkit.content import ContentError, draft_modules, facilitator_guide, find_root, load_course, validate_course


def configure_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Options of the content command (validate; optionally write the facilitator guide)."""
    parser.add_argument("--root", default=None, help="repository root (default: found from here)")
    parser.add_argument("--guide", default=None, metavar="PATH",
                        help="also write the facilitator guide to PATH (e.g. docs/facilitator_guide.md)")
    parser.add_argument("--kit", action="store_true",
                        help="also validate kit/ and rebuild the facilitator's kit in docs/kit (as `gapkit kit build`)")
    return parser


def run(args) -> int:
    """Validate the course; print every problem; write the guide when asked. Returns the exit status."""
    if args.root is not None and not Path(args.root).is_dir():
        print(f"[no course] `--root` ({args.root!r}) is not a folder", file=sys.stderr)
        return 1
    try:
        root = Path(args.root) if args.root is not None else find_root()
    except ContentError as exc:
        print("\n".join(exc.problems), file=sys.stderr)
        return 1
    problems = validate_course(root)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print(f"{len(problems)} problem(s) found.", file=sys.stderr)
        return 1
    course = load_course(root)
    for track in course.tracks:
        print(f"{track.title} ({track.id}): {len(track.modules)} modules, {sum(track.minutes.values())} minutes.")
    print(f"{len(course.modules)} modules in all, {sum(len(m.reflections) for m in course.modules)} reflections, "
          f"{sum(len(m.checks) for m in course.modules)} knowledge checks; no problems.")
    drafts = draft_modules(root)
    if drafts:
        print(f"Drafts (not published): {', '.join(drafts)}")
    if args.guide:
        Path(args.guide).write_text(facilitator_guide(course), encoding="utf-8")
        print(f"Wrote {args.guide}")
    if args.kit:
        from gapkit.cli import kit

        return kit.run(argparse.Namespace(root=str(root), kit_command="build", check=False))
    return 0
