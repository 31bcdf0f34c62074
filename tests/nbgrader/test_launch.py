"""`gapkit.cli.launch nbgrader`: the gradebook schema's version read in-process is the one ``alembic heads`` prints."""
import subprocess

import pytest

from nbgrader_helpers import clean_env

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]


def test_alembic_head_read_in_process_is_alembic_heads():
    """Is a new gradebook stamped with the same version that nbgrader's own ``alembic heads`` gives?"""
    import nbgrader.api
    from nbgrader.dbutil import _temp_alembic_ini

    from gapkit.cli.launch import _alembic_head_in_process

    with _temp_alembic_ini("sqlite:///unused.db") as ini:  # what nbgrader runs, as it runs it
        heads = subprocess.run(["alembic", "-c", ini, "heads"], env=clean_env(), capture_output=True, text=True,
                               check=True, timeout=300).stdout
    original = nbgrader.api.get_alembic_version
    try:
        _alembic_head_in_process()
        assert nbgrader.api.get_alembic_version is not original
        assert nbgrader.api.get_alembic_version() == heads.split("\n")[0].split(" ")[0] != ""
    finally:
        nbgrader.api.get_alembic_version = original
