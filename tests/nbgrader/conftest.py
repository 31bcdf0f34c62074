"""Fixtures for the nbgrader tests: a throwaway PostgreSQL server for the gradebook."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from nbgrader_helpers import create_database

# ---------------------------------------------------------------------------------------------
# A throwaway PostgreSQL server
# ---------------------------------------------------------------------------------------------

def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server of its own, on a free loopback port, removed afterwards; yields its base URL.

    Made with ``initdb`` and ``pg_ctl`` (as the ``postgres`` user when the tests run as root,
    since PostgreSQL refuses to run as root). Skipped only when PostgreSQL is not installed and
    ``GAPKIT_REQUIRE_POSTGRES`` is not set; CI sets it, so there a missing server fails.
    """
    pg = _postgres_bin()
    if pg is None:
        message = "PostgreSQL (initdb, pg_ctl) is not installed"
        if os.environ.get("GAPKIT_REQUIRE_POSTGRES"):
            pytest.fail(f"{message}, and GAPKIT_REQUIRE_POSTGRES is set")
        pytest.skip(message)
    run_as: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="gapkit-pg-"))
    if os.geteuid() == 0:
        import pwd

        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", _free_port()

    def call(*cmd):
        done = subprocess.run([*run_as, *map(str, cmd)], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            pytest.fail(f"{' '.join(map(str, cmd))} failed:\n{done.stdout}\n{done.stderr}")

    call(pg / "initdb", "-D", data, "--auth=trust", "--username=postgres", "--encoding=UTF8", "--no-sync")
    call(pg / "pg_ctl", "-D", data, "-l", folder / "server.log", "-w", "-t", "60", "start",
         "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run([*run_as, str(pg / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True, timeout=120)
        time.sleep(0.2)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url(postgres_server):
    """The cohort's gradebook database on the test server."""
    return create_database(postgres_server, "gradebook")
