"""Autograding on a busy machine: the kernel talks over unix sockets, so no other process can take its ports."""
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest

from gapkit.grading.preprocessors import Execute

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]

# What the kernel itself reads from the connection file it was started with.
WHAT_THE_KERNEL_SEES = """\
import json, ipykernel
info = json.load(open(ipykernel.get_connection_file()))
print(info["transport"], info["ip"])"""


@pytest.fixture
def runtime_dir(monkeypatch):
    """A short Jupyter runtime folder of the test's own (pytest's are too long for a socket's path)."""
    folder = Path(tempfile.mkdtemp(prefix="rt-"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_the_kernel_listens_on_unix_sockets_in_the_runtime_folder(tmp_path, runtime_dir):
    """Is the autograding kernel started with transport ipc, its sockets in the runtime folder, removed after?"""
    seen = []

    class Watched(Execute):
        def on_cell_executed(self, **kwargs):
            seen.extend(p for p in runtime_dir.iterdir() if p.is_socket())
            return super().on_cell_executed(**kwargs)

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(WHAT_THE_KERNEL_SEES)])
    out, _ = Watched(startup_timeout=60).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    transport, ip = out.cells[0].outputs[0].text.split()
    assert transport == "ipc"
    assert Path(ip).parent == runtime_dir
    assert sorted(p.name for p in seen) == [f"{Path(ip).name}-{n}" for n in range(1, 6)]
    assert not list(runtime_dir.iterdir())  # connection file and sockets go with the kernel
