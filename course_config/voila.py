"""Voila reads this file with voila.json from this folder: it lets Voila find the course's template.

The template (``share/jupyter/voila/templates/gapkit``, chosen by ``"template"`` in voila.json) lives
in the repository; Voila looks for templates on the Jupyter data path, so the repository's
``share/jupyter`` goes first on ``JUPYTER_PATH``. Every way of serving the lessons that reads this
folder's settings (``gapkit serve``, the tests, a hub's single-user servers) gets the same template.
"""
import os
from pathlib import Path

_SHARE = str(Path(__file__).resolve().parent.parent / "share" / "jupyter")
_paths = [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p and p != _SHARE]
os.environ["JUPYTER_PATH"] = os.pathsep.join([_SHARE, *_paths])
