"""Voila reads this file with voila.json from this folder: it lets Voila find the course's template, and
puts the lesson kernels on unix sockets.

The template (``share/jupyter/voila/templates/gapkit``, chosen by ``"template"`` in voila.json) lives
in the repository; Voila looks for templates on the Jupyter data path, so the repository's
``share/jupyter`` goes first on ``JUPYTER_PATH``. Every way of serving the lessons that reads this
folder's settings (``gapkit serve``, the tests, a hub's single-user servers) gets the same template.

Kernels on unix sockets (`gapkit._ipc`): when Voila preheats every lesson at once, a kernel on TCP can
find one of its ports taken and die, and its page never renders. Voila keeps its kernels' connection
files, and so their sockets, in a new ``voila_XXXXXXXX`` folder of the temporary folder; one too long
for a socket's path (``TMPDIR`` on macOS) is replaced by ``/tmp``.
"""
import os
import tempfile
from pathlib import Path

from gapkit._ipc import TRANSPORT, available, fits

_SHARE = str(Path(__file__).resolve().parent.parent / "share" / "jupyter")
_paths = [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p and p != _SHARE]
os.environ["JUPYTER_PATH"] = os.pathsep.join([_SHARE, *_paths])

c = get_config()  # noqa: F821
if available():
    c.KernelManager.transport = TRANSPORT
    if not fits(os.path.join(tempfile.gettempdir(), "voila_XXXXXXXX")):
        c.Voila.connection_dir_root = "/tmp"
