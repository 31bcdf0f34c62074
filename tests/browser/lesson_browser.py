"""Helpers for the browser tests: where things are, waiting for the lesson server, opening a lesson, screenshots."""
import time
from pathlib import Path

import psutil
import pytest

from gapkit.content import find_root

ROOT = find_root(Path(__file__).parent)
ARTIFACTS = ROOT / "test-artifacts" / "browser"
LESSONS = ROOT / "notebooks" / "lessons"
#: Every page of the first track, and the educators' track's own pages (its shared modules are the same page
#: with another number, already loaded through the first track).
LESSONS_NAMES = sorted([p.name for p in LESSONS.glob("*.ipynb")]
                       + [f"educators/{p.name}" for p in (LESSONS / "educators").glob("*.ipynb")
                          if not (LESSONS / p.name).exists() or p.name == "00-course-home.ipynb"])
#: axe-core's browser script, from the npm package (``npm install --prefix tests/browser``).
AXE_JS = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"


def _voila_process(base: str) -> psutil.Process:
    port = int(base.rsplit(":", 1)[1])
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr.port == port and conn.pid:
            return psutil.Process(conn.pid)
    raise AssertionError(f"no process listens on port {port}")


def kernels_quiet(base: str, timeout: float = 300) -> None:
    """Wait until every kernel of the Voila server at `base` is idle: the preheated ones have done their work."""
    voila = _voila_process(base)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kernels = lesson_kernels(voila)
        if kernels and all(_cpu_percent(k) < 3 for k in kernels):
            return
    pytest.fail(f"the lesson kernels were still busy after {timeout:.0f} s")


def lesson_kernels(voila: psutil.Process | str) -> list[psutil.Process]:
    """The kernel processes of a Voila server (its process, or its address)."""
    voila = _voila_process(voila) if isinstance(voila, str) else voila
    return [p for p in voila.children(recursive=True) if "ipykernel" in " ".join(_cmdline(p))]


def _cmdline(process) -> list[str]:
    """A process's command line; empty for one that has ended (a culled kernel not yet reaped is a zombie)."""
    try:
        return process.cmdline()
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return []


def _cpu_percent(process) -> float:
    try:
        return process.cpu_percent(interval=0.5)
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return 0.0


def open_lesson(page, base, name):
    """Navigate to a lesson and wait until its page is rendered and its controls are connected."""
    response = page.goto(f"{base}/voila/render/{name}")
    assert response is not None and response.ok, f"{name}: HTTP {response.status if response else 'no answer'}"
    page.wait_for_selector(".gapkit-page", state="visible")
    if page.locator(".gapkit-widget").count():
        page.wait_for_function("() => [...document.querySelectorAll('.gapkit-widget select, .gapkit-widget textarea,"
                               " .gapkit-widget input, .gapkit-widget button')]"
                               ".some(e => !e.disabled && e.offsetParent !== null)")
    return page


def axe_violations(page) -> list[dict]:
    """axe-core's violations of every rule and impact on the page as it is now (id, impact, first nodes)."""
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))""")


def off_machine(urls) -> list[str]:
    """The network requests among `urls` that went anywhere but 127.0.0.1 (data: and blob: URLs stay in the page)."""
    from urllib.parse import urlsplit

    return [u for u in urls if urlsplit(u).scheme not in ("data", "blob", "about")
            and urlsplit(u).hostname != "127.0.0.1"]


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
