"""The journal on a participant's timeline: minutes apart, two tabs, a damaged file, a very long answer.

Every lesson kernel is preheated (course_config/voila.json), so a reload is served by a kernel that
ran the notebook before the participant typed. These tests wait until that kernel has done all it
can before a request (its CPU has gone quiet), and only then type and reload.
"""
import json
import time

import pytest

from gapkit.content import load_course
from gapkit.journal import MAX_ANSWER_CHARS

from lesson_browser import ROOT, kernels_quiet, open_lesson

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MODULES = [m for m in load_course(ROOT).modules if m.reflections]


def _saved(journal_path, reflection_id):
    if not journal_path.exists():
        return None
    try:
        data = json.loads(journal_path.read_text(encoding="utf-8"))
    except ValueError:
        return None
    return data.get("reflections", {}).get(reflection_id, {}).get("text")


def _wait(condition, what, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    pytest.fail(f"timed out waiting for {what}")


def _box(page, index=0):
    return page.locator(".gapkit-reflection").nth(index).get_by_label("Your answer")


def _status(page, index=0):
    return page.locator(".gapkit-reflection").nth(index).locator(".gapkit-status")


def test_reload_long_after_typing(page, voila_server, journal_path):
    """Typed, then reloaded after the next kernel was preheated: is the answer there, and is an edit kept?"""
    module = MODULES[1]
    rid = module.reflections[0].id
    open_lesson(page, voila_server, f"{module.id}.ipynb")
    kernels_quiet(voila_server)  # the kernel that will serve the reload has run the notebook by now
    text = f"Typed before the reload ({time.time():.0f})."
    _box(page).fill(text)
    _wait(lambda: _saved(journal_path, rid) == text, "the answer in the journal")
    page.reload()
    page.wait_for_selector(".gapkit-page", state="visible")
    assert _box(page).input_value() == text
    _box(page).fill(text + " And an edit after the reload.")
    _wait(lambda: _saved(journal_path, rid) == text + " And an edit after the reload.", "the edit in the journal")
    data = json.loads(journal_path.read_text(encoding="utf-8"))
    assert f"reflections/{rid}" not in data.get("conflicts", {})


def test_two_tabs_keep_both(browser, voila_server, journal_path):
    """With the same lesson open in two tabs, does the stale tab's typing leave the other's answer, and say so?"""
    module = MODULES[2]
    rid = module.reflections[0].id
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        first, second = context.new_page(), context.new_page()
        for tab in (first, second):
            tab.set_default_timeout(120_000)
            open_lesson(tab, voila_server, f"{module.id}.ipynb")
        _box(first).fill("Written in the first tab.")
        _wait(lambda: _saved(journal_path, rid) == "Written in the first tab.", "the first tab's save")
        _box(second).fill("Written in the second tab, which was opened earlier.")
        # The stale tab may already have heard of the first tab's save: either way, its save is refused.
        _status(second).filter(has_text="was not saved over it").wait_for(state="visible")
        assert "another tab" in _status(second).inner_text()
        time.sleep(1)  # a save that would overwrite has had its chance
        assert _saved(journal_path, rid) == "Written in the first tab."
        second.reload()
        second.wait_for_selector(".gapkit-page", state="visible")
        assert _box(second).input_value() == "Written in the first tab."
        copies = second.locator(".gapkit-reflection").first.locator(".gapkit-conflict-copies")
        copies.locator("summary").click()
        assert "Written in the second tab" in copies.inner_text()
    finally:
        context.close()


def test_damaged_journal_seen_on_every_open_page(browser, voila_server, journal_path):
    """When one page finds the journal damaged, does another open page say so too, before and after typing?"""
    one, other = MODULES[3], MODULES[4]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        pages = []
        for module in (one, other):
            tab = context.new_page()
            tab.set_default_timeout(120_000)
            open_lesson(tab, voila_server, f"{module.id}.ipynb")
            pages.append(tab)
        _box(pages[1]).fill("Saved before the damage.")
        _wait(lambda: _saved(journal_path, other.reflections[0].id) == "Saved before the damage.", "a first save")
        journal_path.write_text('{"format": "gapkit-journal", "version": 1, "reflections": {"x": ', encoding="utf-8")
        _box(pages[0]).fill("Typed into a damaged journal.")
        _status(pages[0]).filter(has_text="could not be read").wait_for(state="visible")
        # The other page has not typed since: it learns from the file itself.
        _status(pages[1]).filter(has_text="could not be read").wait_for(state="visible", timeout=30_000)
        _box(pages[1]).fill("Typed on the other page afterwards.")
        _wait(lambda: _saved(journal_path, other.reflections[0].id) == "Typed on the other page afterwards.",
              "the other page's save in the new journal")
        status = _status(pages[1]).inner_text()
        assert "could not be read" in status and status.startswith("Saved at")
        backups = list(journal_path.parent.glob("reflections.unreadable-*.json"))
        assert any('"reflections": {"x": ' in b.read_text() for b in backups)
    finally:
        context.close()
        # The facilitator recovers what the damaged file held: the journal's note goes, and with it the
        # message on every page this participant opens later (the other browser tests share this journal).
        journal = json.loads(journal_path.read_text(encoding="utf-8"))
        journal["recovered"] = []
        journal_path.write_text(json.dumps(journal), encoding="utf-8")
        for backup in journal_path.parent.glob("reflections.unreadable-*.json"):
            backup.unlink()


def test_oversized_answer_refused(page, voila_server, journal_path):
    """Is an answer over the limit refused with a clear message, keeping the saved one and showing no traceback?"""
    module = MODULES[5]
    rid = module.reflections[0].id
    open_lesson(page, voila_server, f"{module.id}.ipynb")
    _box(page).fill("A short answer that is kept.")
    _wait(lambda: _saved(journal_path, rid) == "A short answer that is kept.", "the short answer")
    _box(page).fill("word " * (MAX_ANSWER_CHARS // 5 + 1))
    alert = _status(page).filter(has_text="longest that can be saved")
    alert.wait_for(state="visible")
    assert f"{MAX_ANSWER_CHARS:,}" in alert.inner_text()
    assert _saved(journal_path, rid) == "A short answer that is kept."
    assert "Traceback" not in page.inner_text("body")
