"""The served course in a real browser: every page loads cleanly, widgets work, answers survive a reload."""
import json
import time

import pytest
from playwright.sync_api import expect

from gapkit.content import load_course

from lesson_browser import LESSONS_NAMES, ROOT, axe_violations, off_machine, open_lesson, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("name", LESSONS_NAMES)
def test_page_loads_without_errors(page, voila_server, name):
    """Does the page render with no error, traceback or problem message, pass every axe-core rule (any
    impact, with every folded section open), and ask nothing of any host but 127.0.0.1?"""
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    open_lesson(page, voila_server, name)
    body = page.inner_text("body")
    assert "Traceback" not in body and "could not be" not in body
    assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    assert page.locator(".gapkit-problem").count() == 0
    assert page.locator("h1").count() == 1
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert axe_violations(page) == []
    screenshot(page, name.removesuffix(".ipynb").replace("/", "-"))
    assert page.requests and off_machine(page.requests) == []
    assert not errors, errors


def test_explorer_redraws(page, voila_server):
    """Does choosing another measure in the explorer redraw its sentence and chart?"""
    open_lesson(page, voila_server, "01-what-gaps-are.ipynb")
    explorer = page.locator(".gapkit-explorer").first
    sentence = explorer.locator(".gapkit-sentence-text")
    before = sentence.inner_text()
    chart_before = explorer.locator("img.gapkit-chart").get_attribute("src")
    assert "percentage points" in before
    explorer.get_by_label("Measure").select_option(label="Mean scale score")
    expect(sentence).to_contain_text("scale-score points", timeout=60_000)
    assert explorer.locator("img.gapkit-chart").get_attribute("src") != chart_before
    alt = explorer.locator("img.gapkit-chart").get_attribute("alt")
    assert alt.startswith("Chart of the gap in mean scale score")
    screenshot(page, "explorer-after-redraw")


def test_reflection_saved_and_shown_after_reload(page, voila_server, journal_path):
    """Is a reflection typed in the page in the journal file, and in the box again after a reload?"""
    course = load_course(ROOT)
    module = next(m for m in course.modules if m.reflections)
    reflection_id = module.reflections[0].id
    text = f"In grade 5 our newcomers need co-taught math. ({time.time():.0f})"
    open_lesson(page, voila_server, f"{module.id}.ipynb")
    box = page.locator(".gapkit-reflection").first.get_by_label("Your answer")
    box.click()
    box.press_sequentially(text, delay=5)
    deadline = time.monotonic() + 30
    saved = ""
    while time.monotonic() < deadline:
        if journal_path.exists():
            saved = json.loads(journal_path.read_text(encoding="utf-8"))["reflections"].get(reflection_id, {}).get("text", "")
            if saved == text:
                break
        time.sleep(0.3)
    assert saved == text
    page.reload()
    page.wait_for_selector(".gapkit-page", state="visible")
    box = page.locator(".gapkit-reflection").first.get_by_label("Your answer")
    assert box.input_value() == text
    screenshot(page, "reflection-after-reload")


def test_knowledge_check_feedback(page, voila_server):
    """Does choosing an answer and pressing "Check answer" show feedback with an explanation, passing axe-core?"""
    open_lesson(page, voila_server, "01-what-gaps-are.ipynb")
    check = page.locator(".gapkit-check").first
    check.locator("input[type=radio], input[type=checkbox]").first.check()
    check.get_by_role("button", name="Check answer").click()
    feedback = check.locator(".gapkit-feedback")
    feedback.wait_for(state="visible", timeout=30_000)
    text = feedback.inner_text()
    assert ("Correct." in text or "Not quite." in text or "Partly right" in text) and len(text) > 40
    assert axe_violations(page) == []
    screenshot(page, "check-feedback")


def test_knowledge_check_restored_after_reload(page, voila_server, journal_path):
    """After a participant answers a check, does a reloaded page show the same option chosen, in the same place,
    with the same feedback?"""
    open_lesson(page, voila_server, "06-legal-floor.ipynb")  # no other test answers this page's checks
    check = page.locator(".gapkit-check").first
    labels = check.locator(".widget-radio-box label")
    order = labels.all_inner_texts()
    labels.nth(2).locator("input[type=radio]").check()
    check.get_by_role("button", name="Check answer").click()
    feedback = check.locator(".gapkit-feedback")
    feedback.wait_for(state="visible", timeout=30_000)
    shown = feedback.inner_text()
    check_id = load_course(ROOT).module("06-legal-floor").checks[0].id
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if journal_path.exists() and json.loads(journal_path.read_text(encoding="utf-8"))["checks"].get(check_id):
            break
        time.sleep(0.3)
    page.reload()
    page.wait_for_selector(".gapkit-page", state="visible")
    check = page.locator(".gapkit-check").first
    labels = check.locator(".widget-radio-box label")
    assert labels.all_inner_texts() == order
    expect(labels.nth(2).locator("input[type=radio]")).to_be_checked(timeout=30_000)
    restored = check.locator(".gapkit-feedback")
    restored.wait_for(state="visible", timeout=30_000)
    assert " ".join(restored.inner_text().split()) == " ".join(shown.split())
    screenshot(page, "check-after-reload")
