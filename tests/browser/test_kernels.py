"""The lesson kernels that Voila starts with the course's settings listen on unix sockets, not TCP ports.

Voila preheats every page at once; over TCP a kernel could find a port it was given taken by then, die,
and leave its page blank (course_config/voila.py). A kernel still listens on one loopback port, which it
binds itself at once (ipykernel's pipe for the output of subprocesses): no other process can race it for that.
"""
import json
from pathlib import Path

import psutil
import pytest

from lesson_browser import lesson_kernels

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _connection_info(kernel: psutil.Process):
    """The connection file a kernel was started with (``-f``) and what it says; None for a kernel that has
    ended since it was listed (a page left by an earlier test)."""
    try:
        cmdline = kernel.cmdline()
        path = Path(cmdline[cmdline.index("-f") + 1])
        return path, json.loads(path.read_text())
    except (psutil.NoSuchProcess, FileNotFoundError):
        return None


def test_every_lesson_kernel_listens_on_unix_sockets(voila_server, journal_path):
    """Was each kernel started with transport ipc, are its five sockets files beside its connection file, and
    did no kernel warn of TCP or die for a port in use?"""
    found = [info for info in map(_connection_info, lesson_kernels(voila_server)) if info is not None]
    assert found
    for path, info in found:
        assert info["transport"] == "ipc", path
        assert Path(info["ip"]).parent == path.parent
        for channel in ("shell", "iopub", "stdin", "control", "hb"):
            assert Path(f"{info['ip']}-{info[channel + '_port']}").is_socket(), (path, channel)
    log = (journal_path.parent / "voila.log").read_text()
    assert "over TCP without encryption" not in log and "Address already in use" not in log
