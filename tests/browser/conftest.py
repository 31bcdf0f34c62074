"""A real standalone Voila server (the course's own settings) and Debian's Chromium driven by Playwright."""
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from gapkit.serve import voila_command
from chromium import CHROMIUM
from lesson_browser import AXE_JS, ROOT, kernels_quiet


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chromium_or_skip():
    missing = []
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if not AXE_JS.is_file():
        missing.append(f"axe-core's axe.min.js (npm install --prefix {AXE_JS.parents[2].relative_to(ROOT)})")
    if not missing:
        return
    if os.environ.get("GAPKIT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"GAPKIT_REQUIRE_BROWSER=1 but the browser tests need {' and '.join(missing)}.")
    pytest.skip(f"missing {' and '.join(missing)} (set GAPKIT_REQUIRE_BROWSER=1 to make this a failure)")


@pytest.fixture(scope="session")
def journal_path(tmp_path_factory):
    return tmp_path_factory.mktemp("participant") / "reflections.json"


@pytest.fixture(scope="session")
def voila_server(journal_path):
    """Standalone Voila on a free loopback port, as `gapkit serve` starts it, once it has preheated every page
    (participants arrive after the facilitator started it); stopped after the session."""
    _chromium_or_skip()
    port = _free_port()
    env = {**os.environ, "GAPKIT_JOURNAL": str(journal_path)}
    env.pop("GAPKIT_DISPLAY", None)
    log = open(journal_path.parent / "voila.log", "w")
    process = subprocess.Popen(voila_command(ROOT, port=port), env=env, cwd=str(ROOT), stdout=log,
                               stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"Voila exited with {process.returncode}; see {log.name}")
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline:
                process.terminate()
                raise RuntimeError(f"Voila did not answer on {base} within 180 s; see {log.name}")
            time.sleep(0.5)
    kernels_quiet(base)
    yield base
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="session")
def browser(voila_server, chromium):
    return chromium


@pytest.fixture
def page(browser):
    """A new browser tab (its own context) that records every network request it makes in `pg.requests`."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(120_000)
    pg.set_default_navigation_timeout(120_000)
    pg.requests = []
    context.on("request", lambda request: pg.requests.append(request.url))
    context.on("websocket", lambda ws: pg.requests.append(ws.url))
    yield pg
    context.close()
