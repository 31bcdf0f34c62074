"""A real standalone Voila server (the course's own settings) and Debian's Chromium driven by Playwright."""
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from gapkit.content import find_root
from gapkit.serve import voila_command

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
ROOT = find_root(Path(__file__).parent)
ARTIFACTS = ROOT / "test-artifacts" / "browser"
LESSONS_NAMES = sorted(p.name for p in (ROOT / "notebooks" / "lessons").glob("*.ipynb"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chromium_or_skip():
    if Path(CHROMIUM).exists() or shutil.which("chromium"):
        return
    if os.environ.get("GAPKIT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"GAPKIT_REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt-get install chromium).")
    pytest.skip(f"{CHROMIUM} is not installed (set GAPKIT_REQUIRE_BROWSER=1 to make this a failure)")


@pytest.fixture(scope="session")
def journal_path(tmp_path_factory):
    return tmp_path_factory.mktemp("participant") / "reflections.json"


@pytest.fixture(scope="session")
def voila_server(journal_path):
    """Standalone Voila on a free loopback port, as `gapkit serve` starts it; stopped after the session."""
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
    yield base
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="session")
def browser(voila_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(120_000)
    yield pg
    context.close()


def open_lesson(page, base, name):
    """Navigate to a lesson and wait for its page (the gapkit page widget) to be rendered."""
    page.goto(f"{base}/voila/render/{name}")
    page.wait_for_selector(".gapkit-page", state="visible")
    return page


def screenshot(page, name):
    """A full screenshot of the page (Voila scrolls inside its own container, so grow the viewport)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": 1280, "height": min(max(int(height), 900), 16000)})
    page.wait_for_timeout(300)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    return path
