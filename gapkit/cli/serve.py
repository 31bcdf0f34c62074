"""``gapkit serve [--port P] [--journal PATH] [--no-browser] [--update-notebooks]``: serve the lesson pages."""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
import webbrowser
from pathlib import Path

from gapkit.cli._process import wait_for_server
from gapkit.journal import ENV_VARIABLE
from gapkit.build import build, out_of_date
from gapkit.serve import DEFAULT_JOURNAL, DEFAULT_PORT, LESSONS_DIR, home_url, port_free, voila_command


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`--port` must be a whole number; got {value!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"`--port` must be between 1 and 65535; got {port}")
    return port


def configure_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Options of ``gapkit serve``."""
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"port on 127.0.0.1 (default {DEFAULT_PORT})")
    parser.add_argument("--journal", default=None, metavar="PATH",
                        help=f"journal file for answers (default: ${ENV_VARIABLE}, else {DEFAULT_JOURNAL.as_posix()})")
    parser.add_argument("--root", default=None, help="course repository root (default: found from here)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a web browser")
    parser.add_argument("--update-notebooks", action="store_true",
                        help="rewrite notebooks/lessons from course_config/course.yaml and exit "
                             "(`gapkit build` also writes the assignments and the guide)")
    return parser


def _open_when_ready(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                webbrowser.open(home_url(port))
                return
        except OSError:
            time.sleep(0.5)


def run(args) -> int:
    """Serve the course (or rewrite its notebooks); returns the exit status."""
    from gapkit.content import ContentError, find_root, load_course

    try:
        root = Path(args.root).resolve() if args.root else find_root()
        course = load_course(root)
    except ContentError as exc:
        print(f"gapkit serve: the course cannot be loaded:\n{exc}", file=sys.stderr)
        return 1
    if args.update_notebooks:
        changed = build(root, parts=["lessons"])
        print(f"{len(changed)} lesson notebook(s) updated in {root / LESSONS_DIR}.")
        return 0
    stale = out_of_date(root, parts=["lessons", "hidden cells"])
    if stale:  # the hidden cells before Voila starts: else each lesson's kernel would work them out
        build(root, parts=["lessons", "hidden cells"])
        print(f"Updated from the course files: {', '.join(stale)}")
    if not port_free(args.port):
        print(f"gapkit serve: port {args.port} on 127.0.0.1 is in use; choose another with --port.", file=sys.stderr)
        return 1
    journal = Path(args.journal or os.environ.get(ENV_VARIABLE) or DEFAULT_JOURNAL).expanduser().resolve()
    journal.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, ENV_VARIABLE: str(journal)}
    from gapkit.widgets.lesson import track_folder

    homes = "".join(f"\n  {t.title}: {home_url(args.port, track_folder(course, t))}" for t in course.tracks)
    print(f"Serving {course.title} ({len(course.tracks)} tracks, {len(course.modules)} modules).{homes}\n"
          f"  Answers are saved in {journal}\n"
          "  Lessons open quickly once their kernels are preheated (about a minute after start). Ctrl+C stops.")
    sys.stdout.flush()
    process = subprocess.Popen(voila_command(root, port=args.port), env=env, cwd=str(root))
    if not args.no_browser:
        threading.Thread(target=_open_when_ready, args=(args.port, process), daemon=True).start()

    return wait_for_server(process, grace=15)  # a terminated `gapkit serve` stops Voila and its kernels too
