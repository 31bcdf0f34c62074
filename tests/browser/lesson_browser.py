"""Helpers for the browser tests: where things are, opening a lesson, full-page screenshots."""
from pathlib import Path

from gapkit.content import find_root

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
ROOT = find_root(Path(__file__).parent)
ARTIFACTS = ROOT / "test-artifacts" / "browser"
LESSONS = ROOT / "notebooks" / "lessons"
#: Every page of the first track, and the educators' track's own pages (its shared modules are the same page
#: with another number, already loaded through the first track).
LESSONS_NAMES = sorted([p.name for p in LESSONS.glob("*.ipynb")]
                       + [f"educators/{p.name}" for p in (LESSONS / "educators").glob("*.ipynb")
                          if not (LESSONS / p.name).exists() or p.name == "00-course-home.ipynb"])

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
