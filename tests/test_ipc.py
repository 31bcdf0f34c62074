"""Kernels on unix sockets (`gapkit._ipc`): where their sockets go, also when the runtime folder is too long."""
import os
import shutil
import tempfile

import pytest
from jupyter_client.manager import AsyncKernelManager

from gapkit import _ipc


@pytest.fixture
def short_folder():
    """A folder of the test's own with a short path (pytest's are too long for a socket's)."""
    folder = tempfile.mkdtemp(prefix="rt-")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


class TestUseIpc:
    def test_connection_file_and_sockets_in_the_runtime_folder(self, short_folder, monkeypatch):
        """Does a kernel manager get transport ipc, a new connection file in the runtime folder and an absolute
        socket path beside it?"""
        runtime = os.path.join(short_folder, "runtime")
        monkeypatch.setenv("JUPYTER_RUNTIME_DIR", runtime)
        km = _ipc.use_ipc(AsyncKernelManager(kernel_name="python3"))
        other = _ipc.use_ipc(AsyncKernelManager(kernel_name="python3"))
        assert km.transport == "ipc"
        assert os.path.dirname(km.connection_file) == runtime and os.path.isdir(runtime)
        assert km.ip == km.connection_file.removesuffix(".json") + "-ipc"
        assert km.connection_file != other.connection_file

    def test_a_runtime_folder_too_long_gives_way_to_the_temporary_folder(self, tmp_path, monkeypatch):
        """With a runtime folder too long for a socket's path, do the connection file and sockets go in the
        temporary folder instead (and is the long folder left alone)?"""
        import tempfile

        long = tmp_path / ("x" * _ipc.SOCKET_PATH_MAX)
        monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(long))
        km = _ipc.use_ipc(AsyncKernelManager(kernel_name="python3"))
        assert os.path.dirname(km.connection_file) == tempfile.gettempdir() and _ipc.fits(tempfile.gettempdir())
        assert km.ip == km.connection_file.removesuffix(".json") + "-ipc"
        assert not long.exists()

    def test_fits_counts_the_longest_socket_name(self):
        """Does a folder fit exactly when its longest socket path, ``kernel-<uuid>-ipc-5``, fits?"""
        room = _ipc.SOCKET_PATH_MAX - len("/kernel-00000000-0000-0000-0000-000000000000-ipc-5")
        assert _ipc.fits("/" + "d" * (room - 1))
        assert not _ipc.fits("/" + "d" * room)
