"""The self-assessment in a real browser: a rating chosen on the orientation page reaches the journal."""
import json
import time

import pytest

from gapkit.content import load_course
from gapkit.kit import load_kit

from lesson_browser import ROOT, open_lesson, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_rating_is_saved(page, voila_server, journal_path):
    """Does choosing "3 On my own" for the first statement save that rating in the participant's journal?"""
    item = load_kit(ROOT, course=load_course(ROOT)).items()[0]
    open_lesson(page, voila_server, "00-orientation.ipynb")
    widget = page.locator(".gapkit-assessment")
    widget.wait_for(state="visible")
    first = widget.locator(".gapkit-item").first
    assert item.statement in first.inner_text()
    first.get_by_label("3 On my own").check()
    deadline = time.monotonic() + 30
    saved = None
    while time.monotonic() < deadline and saved != 3:
        if journal_path.exists():
            data = json.loads(journal_path.read_text(encoding="utf-8"))
            saved = data.get("assessments", {}).get("leaders-pre", {}).get("ratings", {}).get(item.id)
        time.sleep(0.3)
    assert saved == 3
    assert "1 of" in widget.locator(".gapkit-status").inner_text()
    screenshot(page, "self-assessment")
