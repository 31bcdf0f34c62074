"""Serving the course's lesson pages with standalone Voila (``gapkit serve [--port P]``, in `gapkit.cli.serve`).

Standalone ``voila`` (not the ``/voila`` page inside a Jupyter server) is used because only it
refuses to run code sent from the browser. The settings are in ``course_config/voila.json``:
tracebacks are never shown, and a pool of preheated kernels per lesson runs each notebook before
anyone asks for it, so a warm lesson opens in about a second. ``course_config/voila.py`` puts those
kernels on unix sockets, so that none dies for a TCP port taken while they all start (`gapkit._ipc`).

The lesson notebooks in ``notebooks/lessons/`` are generated from ``course_config/course.yaml``
by `build_notebooks`: for each track a home page and one notebook per module, the first track's at
the top of the folder and every other track's in a subfolder named by its id
(`gapkit.widgets.lesson.track_folder`); each holds a heading and one cell that calls
`gapkit.widgets.lesson`. ``gapkit build`` (`gapkit.build`) rewrites them after a maintainer adds
or renames a module; ``gapkit serve`` does too when they are out of date.

Answers go to the journal file given by ``--journal`` (default ``course-work/reflections.json``
in the folder where the command runs); the kernels find it through ``GAPKIT_JOURNAL``.
"""
from __future__ import annotations

import json
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from gapkit.journal import DEFAULT_NAME

__all__ = ["LESSONS_DIR", "VOILA_CONFIG_DIR", "HOME_NOTEBOOK", "DEFAULT_PORT", "DEFAULT_JOURNAL", "build_notebooks",
           "voila_command", "home_url", "port_free"]

LESSONS_DIR = Path("notebooks") / "lessons"
#: Folder holding ``voila.json`` (Voila reads ``voila.json``/``voila.py`` from the folders it is given).
VOILA_CONFIG_DIR = Path("course_config")
#: The course home page notebook (sorts before every module in Voila's file list).
HOME_NOTEBOOK = "00-course-home.ipynb"
DEFAULT_PORT = 8866
DEFAULT_JOURNAL = Path("course-work") / DEFAULT_NAME

if TYPE_CHECKING:
    import nbformat

_KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _notebook(title: str, call: str) -> nbformat.NotebookNode:
    import nbformat  # here, not at the top: every lesson kernel imports this module (HOME_NOTEBOOK)

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


def voila_command(root, *, port: int) -> list[str]:
    """The command that serves ``notebooks/lessons`` with the course's Voila settings."""
    root = Path(root).resolve()
    return [
        sys.executable, "-m", "gapkit.cli.launch", "voila", str(root / LESSONS_DIR),
        f"--port={int(port)}",
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        f"--Voila.config_file_paths={json.dumps([str(root / VOILA_CONFIG_DIR)])}",
    ]


def home_url(port: int, folder: str | None = None) -> str:
    """The address of a track's home page (the first track's when `folder` is None)."""
    where = f"{folder}/" if folder else ""
    return f"http://127.0.0.1:{int(port)}/voila/render/{where}{HOME_NOTEBOOK}"


def port_free(port: int) -> bool:
    """Whether `port` on 127.0.0.1 can be listened on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
