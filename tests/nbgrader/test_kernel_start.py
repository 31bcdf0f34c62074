"""Autograding on a busy machine: a kernel that dies as it starts (its port taken) does not fail the submission."""
import socket

import nbformat
import pytest

from gapkit.grading.preprocessors import Execute

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]


def test_a_kernel_that_dies_as_it_starts_is_started_again(tmp_path):
    """When a kernel's port was taken by another process before it bound it, is another kernel started?"""
    made = []

    class FirstKernelOnATakenPort(Execute):
        def create_kernel_manager(self):
            km = super().create_kernel_manager()
            made.append(km)
            if len(made) == 1:  # the port chosen for the first kernel is already in use
                km.cache_ports, km.shell_port = False, taken.getsockname()[1]
            return km

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
        out, _ = FirstKernelOnATakenPort(startup_timeout=60).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert len(made) == 2
    assert out.cells[0].outputs[0].text == "42\n"
