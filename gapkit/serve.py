"""Serving the course's lesson pages with standalone Voila (``gapkit serve [--port P]``, in `gapkit.cli.serve`).

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

import json
import socket
import sys
from pathlib import Path

import nbformat

from gapkit.journal import DEFAULT_NAME
from gapkit.outputs import keep_outputs, without_outputs

__all__ = ["LESSONS_DIR", "VOILA_CONFIG_DIR", "HOME_NOTEBOOK", "DEFAULT_PORT", "DEFAULT_JOURNAL", "build_notebooks",
           "write_notebooks", "stale_notebooks", "voila_command", "home_url", "port_free"]

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


def _source_text(path: Path) -> str | None:
    """The notebook at `path` without its stored outputs (None when missing)."""
    return _text(without_outputs(nbformat.read(path, as_version=4))) if path.is_file() else None


def stale_notebooks(course, folder) -> list[str]:
    """Notebook files in `folder` that are missing, differ from `build_notebooks`, or are not in the course.

    Stored outputs are not compared here: the tests re-run the notebooks and compare those (`gapkit.outputs`)."""
    folder = Path(folder)
    wanted = build_notebooks(course)
    stale = []
    for name, nb in wanted.items():
        if _source_text(folder / name) != _text(nb):
            stale.append(name)
    stale += [name for name in _existing(folder) if name not in wanted]
    return stale


def write_notebooks(course, folder) -> list[Path]:
    """Write the lesson notebooks into `folder`, removing notebooks of modules no longer published.

    A cell whose source is unchanged keeps its stored outputs (`gapkit.outputs.keep_outputs`)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    wanted = build_notebooks(course)
    written = []
    for name, nb in wanted.items():
        path = folder / name
        text = _text(keep_outputs(nb, path))
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


def port_free(port: int) -> bool:
    """Whether `port` on 127.0.0.1 can be listened on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
