"""Serve the course's lesson pages with standalone Voila: ``gapkit serve [--port P]``.

Standalone ``voila`` (not the ``/voila`` page inside a Jupyter server) is used because only it
refuses to run code sent from the browser. The settings are in ``course_config/voila.json``:
tracebacks are never shown, and a pool of preheated kernels per lesson runs each notebook before
anyone asks for it, so a warm lesson opens in about a second.

The lesson notebooks in ``notebooks/lessons/`` are generated from ``course_config/course.yaml``
by `build_notebooks`: for each track a home page and one notebook per module, the first track's at
the top of the folder and every other track's in a subfolder named by its id
(`gapkit.widgets.lesson.track_folder`); each holds a heading and one cell that calls
`gapkit.widgets.lesson`. ``gapkit serve --update-notebooks`` rewrites them after a maintainer adds
or renames a module.

Answers go to the journal file given by ``--journal`` (default ``course-work/reflections.json``
in the folder where the command runs); the kernels find it through ``GAPKIT_JOURNAL``.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import webbrowser
from pathlib import Path

import nbformat

from gapkit.journal import DEFAULT_NAME, ENV_VARIABLE

__all__ = ["LESSONS_DIR", "VOILA_CONFIG_DIR", "HOME_NOTEBOOK", "build_notebooks", "write_notebooks",
           "stale_notebooks", "voila_command", "configure_parser", "run"]

LESSONS_DIR = Path("notebooks") / "lessons"
#: Folder holding ``voila.json`` (Voila reads ``voila.json``/``voila.py`` from the folders it is given).
VOILA_CONFIG_DIR = Path("course_config")
HOME_NOTEBOOK = "00-course-home.ipynb"
DEFAULT_PORT = 8866
DEFAULT_JOURNAL = Path("course-work") / DEFAULT_NAME

_KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _notebook(title: str, call: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(_KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["title"] = title
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# {title}"),
        nbformat.v4.new_code_cell(call),
    ]
    # Stable ids so regenerating gives byte-identical files.
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
    return nb


def build_notebooks(course) -> dict[str, nbformat.NotebookNode]:
    """The lesson notebooks of a course: ``{path under notebooks/lessons: notebook}``, track by track,
    each track's home page first, then its modules in order."""
    from gapkit.widgets.lesson import lesson_filename, track_folder

    out = {}
    for track in course.tracks:
        folder = track_folder(course, track)
        where = f"{folder}/" if folder else ""
        arg = f"track={track.id!r}, " if folder else ""
        out[f"{where}{HOME_NOTEBOOK}"] = _notebook(track.title, f"from gapkit.widgets import home\n\nhome({arg}heading=False)")
        for number, module in enumerate(track.modules):
            out[f"{where}{lesson_filename(module)}"] = _notebook(
                f"Module {number}: {module.title}",
                f"from gapkit.widgets import lesson\n\nlesson({module.id!r}, {arg}heading=False)")
    return out


def _existing(folder: Path) -> list[str]:
    """Lesson notebooks under `folder` (one level of track folders), as paths relative to it."""
    if not folder.is_dir():
        return []
    return sorted(p.relative_to(folder).as_posix() for pattern in ("*.ipynb", "*/*.ipynb") for p in folder.glob(pattern)
                  if ".ipynb_checkpoints" not in p.parts)


def _text(nb) -> str:
    return nbformat.writes(nb) + "\n"


def stale_notebooks(course, folder) -> list[str]:
    """Notebook files in `folder` that are missing, differ from `build_notebooks`, or are not in the course."""
    folder = Path(folder)
    wanted = build_notebooks(course)
    stale = []
    for name, nb in wanted.items():
        path = folder / name
        if not path.is_file() or path.read_text(encoding="utf-8") != _text(nb):
            stale.append(name)
    stale += [name for name in _existing(folder) if name not in wanted]
    return stale


def write_notebooks(course, folder) -> list[Path]:
    """Write the lesson notebooks into `folder`, removing notebooks of modules no longer published."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    wanted = build_notebooks(course)
    written = []
    for name, nb in wanted.items():
        path = folder / name
        text = _text(nb)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    for name in _existing(folder):
        if name not in wanted:
            (folder / name).unlink()
            written.append(folder / name)
    return written


def voila_command(root, *, port: int) -> list[str]:
    """The command that serves ``notebooks/lessons`` with the course's Voila settings."""
    root = Path(root).resolve()
    return [
        sys.executable, "-m", "voila", str(root / LESSONS_DIR),
        f"--port={int(port)}",
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        f"--Voila.config_file_paths={json.dumps([str(root / VOILA_CONFIG_DIR)])}",
    ]


def home_url(port: int, folder: str | None = None) -> str:
    """The address of a track's home page (the first track's when `folder` is None)."""
    where = f"{folder}/" if folder else ""
    return f"http://127.0.0.1:{int(port)}/voila/render/{where}{HOME_NOTEBOOK}"


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
                        help="rewrite notebooks/lessons from course_config/course.yaml and exit")
    return parser


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


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
    lessons = root / LESSONS_DIR
    if args.update_notebooks:
        changed = write_notebooks(course, lessons)
        print(f"{len(changed)} lesson notebook(s) updated in {lessons}.")
        return 0
    stale = stale_notebooks(course, lessons)
    if stale:
        write_notebooks(course, lessons)
        print(f"Updated lesson notebooks from course_config/course.yaml: {', '.join(stale)}")
    if not _port_free(args.port):
        print(f"gapkit serve: port {args.port} on 127.0.0.1 is in use; choose another with --port.", file=sys.stderr)
        return 1
    journal = Path(args.journal or os.environ.get(ENV_VARIABLE) or DEFAULT_JOURNAL).expanduser().resolve()
    journal.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, ENV_VARIABLE: str(journal)}
    homes = "".join(f"\n  {t.title}: {home_url(args.port, t.id if i else None)}" for i, t in enumerate(course.tracks))
    print(f"Serving {course.title} ({len(course.tracks)} tracks, {len(course.modules)} modules).{homes}\n"
          f"  Answers are saved in {journal}\n"
          "  Lessons open quickly once their kernels are preheated (about a minute after start). Ctrl+C stops.")
    sys.stdout.flush()
    process = subprocess.Popen(voila_command(root, port=args.port), env=env, cwd=str(root))
    if not args.no_browser:
        threading.Thread(target=_open_when_ready, args=(args.port, process), daemon=True).start()
    def stop(signum, frame):  # a terminated `gapkit serve` stops Voila and its kernels too
        process.terminate()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv=None) -> int:
    parser = configure_parser(argparse.ArgumentParser(prog="gapkit serve", description="Serve the lesson pages."))
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
