"""Jupyter kernels on unix sockets (ZeroMQ's ``ipc`` transport) instead of loopback TCP ports.

Over TCP, jupyter_client picks free ports and the kernel binds them a moment later: on a busy machine
(Voila preheating every lesson at once, submissions autograded side by side) another process can take
one in between, and the kernel dies with "Address already in use". Over ``ipc`` a kernel's sockets are
files named after its own connection file, which no other process takes.

Voila's kernels get it from ``course_config/voila.py``, those of a person's server on the hub from
`gapkit.hub.singleuser_config` (``KernelManager.transport``); the kernels the kit starts itself (a
report's, autograding's) from `use_ipc`.
"""
from __future__ import annotations

import os
import sys
import uuid

__all__ = ["TRANSPORT", "SOCKET_PATH_MAX", "available", "fits", "use_ipc"]

TRANSPORT = "ipc"
#: The longest path a unix socket can have: ``sun_path`` holds 108 bytes on Linux, 104 on macOS and
#: the BSDs, the final NUL included.
SOCKET_PATH_MAX = 107 if sys.platform.startswith("linux") else 103
#: What a kernel's socket path adds to its connection file's folder: ``/kernel-<uuid>-ipc-<channel>``,
#: the five channels numbered 1 to 5 (Jupyter's server and Voila name connection files so).
_SOCKET_NAME = len(f"/kernel-{uuid.UUID(int=0)}-ipc-5")


def available() -> bool:
    """Whether ZeroMQ has unix sockets here (not on Windows, where kernels stay on TCP)."""
    import zmq

    return zmq.has(TRANSPORT)


def fits(folder) -> bool:
    """Whether the sockets of kernels whose connection files are in `folder` have short enough paths."""
    return len(os.fsencode(os.path.abspath(folder))) + _SOCKET_NAME <= SOCKET_PATH_MAX


def use_ipc(km):
    """Put the kernel manager `km` (not started yet) on unix sockets; return it.

    Its connection file is a new one in Jupyter's runtime folder, where Jupyter's server keeps its
    kernels' too, and its sockets go beside it (jupyter_client's own default, ``kernel-ipc``, is
    relative: the kernel, started in another folder, would not meet its client). When the runtime
    folder's path is too long for a socket's (a long home folder), they go in the temporary folder, or
    in ``/tmp`` when that is too long as well (``TMPDIR`` on macOS): the connection file is private
    (0600), the sockets take their names from it, and the kernel manager removes them all when the
    kernel stops.
    """
    import tempfile

    from jupyter_core.paths import jupyter_runtime_dir

    if not available():
        return km
    folder = next(f for f in (jupyter_runtime_dir(), tempfile.gettempdir(), "/tmp") if fits(f))
    os.makedirs(folder, mode=0o700, exist_ok=True)
    km.transport = TRANSPORT
    km.connection_file = os.path.join(folder, f"kernel-{uuid.uuid4()}.json")
    km.ip = os.path.splitext(km.connection_file)[0] + "-ipc"  # each socket adds -<channel>
    return km
