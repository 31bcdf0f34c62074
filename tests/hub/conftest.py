"""One real cohort hub for the module: `gapkit hub` as root, real accounts, real logins, real Chromium.

The hub starts with the course's own settings (course_config/hub.yaml), a roster of three
participants and a facilitator with initial passwords, its own exchange and state folders, and
its own PostgreSQL gradebook. The accounts it made are removed afterwards.

Needs root, configurable-http-proxy, PostgreSQL and Chromium. Without them the tests are skipped
with the reason, unless ``GAPKIT_REQUIRE_HUB=1`` (CI sets it): then they fail.
"""
from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from chromium import CHROMIUM
from gapkit.hub import LocalPostgres, load_settings

REPO = Path(__file__).resolve().parents[2]
PEOPLE = {  # id: (first, last, role, password)
    "amorales": ("Ana", "Morales", "participant", "ana-passphrase-1"),
    "bokafor": ("Ben", "Okafor", "participant", "ben-passphrase-2"),
    "cnguyen": ("Chi", "Nguyen", "participant", "chi-passphrase-3"),
    "fkim": ("Farah", "Kim", "facilitator", "farah-passphrase-4"),
}
TRACKS = {"cnguyen": "educators"}  # the roster's track column; the others take the first track (leaders)
PARTICIPANTS = [p for p, row in PEOPLE.items() if row[2] == "participant"]
SETTINGS = load_settings(REPO)


def _missing() -> str | None:
    if os.geteuid() != 0:
        return "the hub makes an account per participant and runs as root"
    if shutil.which("configurable-http-proxy") is None:
        return "configurable-http-proxy is not installed (npm install -g configurable-http-proxy)"
    if LocalPostgres.binaries() is None:
        return "PostgreSQL is not installed (apt-get install postgresql)"
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def account(person: str) -> str:
    return SETTINGS.account(person)


def home(person: str) -> Path:
    return Path(pwd.getpwnam(account(person)).pw_dir)


@pytest.fixture(scope="session")
def hub():
    """The running hub: ``{"url", "state", "exchange", "log"}``; stopped and its accounts removed afterwards."""
    reason = _missing()
    if reason:
        if os.environ.get("GAPKIT_REQUIRE_HUB") == "1":
            pytest.fail(f"GAPKIT_REQUIRE_HUB=1 but {reason}.")
        pytest.skip(f"{reason} (set GAPKIT_REQUIRE_HUB=1 to make this a failure)")
    # Participants' servers run as their own accounts and read the hub's folders: not under pytest's
    # private temporary folder (mode 0700), but in one of their own, removed afterwards.
    folder = Path(tempfile.mkdtemp(prefix="gapkit-hub-"))
    os.chmod(folder, 0o755)
    existing = {p for p in PEOPLE if _exists(account(p))}
    roster = folder / "roster.csv"
    roster.write_text("id,first_name,last_name,email,role,password,track\n" + "".join(
        f"{pid},{first},{last},{pid}@example.org,{role},{password},{TRACKS.get(pid, '')}\n"
        for pid, (first, last, role, password) in PEOPLE.items()), encoding="utf-8")
    port = _free_port()
    state, exchange = folder / "state", folder / "exchange"
    log = open(folder / "hub.log", "w")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    for key in ("GAPKIT_JOURNAL", "GAPKIT_DISPLAY", "JUPYTER_CONFIG_DIR", "JUPYTER_CONFIG_PATH"):
        env.pop(key, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "gapkit", "hub", "--roster", str(roster), "--port", str(port),
         "--state", str(state), "--exchange", str(exchange), "--root", str(REPO)],
        cwd=str(folder), env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"gapkit hub exited with {process.returncode}:\n{(folder / 'hub.log').read_text()[-4000:]}")
            try:
                urllib.request.urlopen(url + "/hub/health", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"the hub did not answer within 240 s:\n{(folder / 'hub.log').read_text()[-4000:]}")
                time.sleep(0.5)
        yield {"url": url, "state": state, "exchange": exchange, "log": folder / "hub.log", "roster": roster}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
        for pid in sorted(PEOPLE, key=lambda p: PEOPLE[p][2] != "facilitator"):  # members before their groups
            if pid not in existing and _exists(account(pid)):
                subprocess.run(["pkill", "-KILL", "-u", account(pid)], capture_output=True)
                subprocess.run(["userdel", "--remove", account(pid)], capture_output=True)
                subprocess.run(["groupdel", account(pid)], capture_output=True)
        if os.environ.get("GAPKIT_KEEP_HUB_FILES") != "1":
            shutil.rmtree(folder, ignore_errors=True)


def _exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@pytest.fixture(scope="session")
def browser(hub, chromium):
    return chromium


def facilitators_gid() -> int:
    return grp.getgrnam(SETTINGS.facilitators_group).gr_gid
