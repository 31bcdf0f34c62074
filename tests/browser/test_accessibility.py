"""What a participant meets without a mouse, on a phone, and on the course home: keyboard, focus, layout, progress."""
import json
import time

import pytest
from playwright.sync_api import expect

from gapkit.content import load_course

from lesson_browser import ROOT, axe_violations, off_machine, open_lesson, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# WCAG 2.x contrast ratio of two "rgb(r, g, b)" / "rgba(...)" colours, and the colour the focus ring is drawn
# on: the first ancestor with an opaque background (the ring sits outside the control, over its parent).
CONTRAST_JS = """
(el) => {
  const rgb = s => s.match(/[\\d.]+/g).map(Number);
  const lum = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  let under = el.parentElement, bg = 'rgb(255, 255, 255)';
  while (under) { const c = getComputedStyle(under).backgroundColor, a = rgb(c);
    if (!(a.length === 4 && a[3] === 0) && c !== 'transparent') { bg = c; break; } under = under.parentElement; }
  const s = getComputedStyle(el);
  const [l1, l2] = [lum(rgb(s.outlineColor)), lum(rgb(bg))];
  return {tag: el.tagName, type: el.type || '', style: s.outlineStyle, width: parseFloat(s.outlineWidth),
          ratio: (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05), color: s.outlineColor, under: bg};
}
"""

# Every control inside a card must lie within the card's content box, and a dropdown must be wide enough
# for the text of its chosen option (measured with the control's own font).
OVERFLOW_JS = """
() => {
  const out = [], canvas = document.createElement('canvas').getContext('2d');
  for (const card of document.querySelectorAll('.gapkit-widget')) {
    const b = card.getBoundingClientRect(), cs = getComputedStyle(card);
    const left = b.left + parseFloat(cs.paddingLeft), right = b.right - parseFloat(cs.paddingRight);
    for (const el of card.querySelectorAll('input, select, textarea, button, label')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0) continue;
      if (r.left < left - 0.5 || r.right > right + 0.5)
        out.push(`${el.tagName} "${(el.textContent || el.placeholder || '').slice(0, 40)}" spans ${r.left}-${r.right}, card ${left}-${right}`);
      if (el.tagName === 'SELECT' && el.selectedIndex >= 0) {
        const s = getComputedStyle(el); canvas.font = `${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
        const text = el.options[el.selectedIndex].text;
        const need = canvas.measureText(text).width + parseFloat(s.paddingLeft) + 16;  // 16 px: the arrow
        if (need > el.clientWidth) out.push(`SELECT "${text}" needs ${need} px, has ${el.clientWidth}`);
      }
    }
  }
  return out;
}
"""


def _focused(page):
    return page.evaluate("(() => { const e = document.activeElement; return {tag: e.tagName, type: e.type || '',"
                         " text: (e.textContent || '').replace(/\u00a0/g, ' ').trim().slice(0, 200),"
                         " name: e.name || ''}; })()")


def _tab_to(page, predicate, *, limit=200):
    """Press Tab until the focused element satisfies `predicate` (a dict test); fail after `limit` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if predicate(focused):
            return focused
    pytest.fail(f"no such control reached with {limit} Tab presses")


def test_keyboard_walk_check_explorer_reflection(page, voila_server, journal_path):
    """With the keyboard alone: can a participant answer a check (one Tab stop for its options, arrows to
    choose), change the explorer's measure, and write a reflection that is saved?"""
    course = load_course(ROOT)
    module = course.module("01-what-gaps-are")
    open_lesson(page, voila_server, f"{module.id}.ipynb")
    page.locator("h1").click()  # start from the top of the page, as a participant who just arrived

    # The explorer: Tab to its Measure dropdown, choose another measure with the arrow keys.
    sentence = page.locator(".gapkit-explorer").first.locator(".gapkit-sentence-text")
    before = sentence.inner_text()
    _tab_to(page, lambda f: f["tag"] == "SELECT" and "Mean scale score" in f["text"])
    page.keyboard.press("ArrowDown")
    expect(sentence).not_to_have_text(before, timeout=60_000)

    # A single-choice check: the first Tab into the group lands on an option; arrows move the choice; the
    # next Tab leaves the group for its "Check answer" button, which Enter presses.
    first = _tab_to(page, lambda f: f["type"] == "radio")
    assert first["name"].startswith("gapkit-radio-")
    group = page.locator(f"input[name='{first['name']}']")
    page.keyboard.press("ArrowDown")
    expect(group.nth(1)).to_be_checked()
    page.keyboard.press("ArrowDown")
    expect(group.nth(2)).to_be_checked()
    page.keyboard.press("Tab")
    assert _focused(page)["text"] == "Check answer"
    page.keyboard.press("Enter")
    check = page.locator(".gapkit-check").filter(has=group.first)
    expect(check.locator(".gapkit-feedback")).to_be_visible(timeout=30_000)
    radiogroup = check.locator("[role=radiogroup]")
    assert radiogroup.count() == 1 and radiogroup.get_attribute("aria-labelledby")

    # A reflection: Tab to its box, type, see the saved state (in words, no folder), find it in the journal.
    _tab_to(page, lambda f: f["tag"] == "TEXTAREA")
    reflection = page.locator(".gapkit-reflection").filter(has=page.locator("textarea:focus"))
    text = f"Keyboard only: grade 5 newcomers in math ({time.time():.0f})."
    page.keyboard.type(text, delay=5)
    status = reflection.locator(".gapkit-status")
    expect(status).to_contain_text("Saved at", timeout=30_000)
    assert "course journal" in status.inner_text() and str(journal_path.parent) not in status.inner_text()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        saved = json.loads(journal_path.read_text(encoding="utf-8"))["reflections"]
        if any(entry.get("text") == text for entry in saved.values()):
            break
        time.sleep(0.3)
    else:
        pytest.fail("the reflection typed with the keyboard is not in the journal")
    screenshot(page, "keyboard-walk")


@pytest.mark.parametrize("name", ["01-what-gaps-are.ipynb", "08-capstone.ipynb"])
def test_focus_ring_contrast(page, voila_server, name):
    """Does every control reached by Tab show a focus outline at least 2 px wide with 3:1 contrast against
    what it is drawn on (computed styles)?"""
    open_lesson(page, voila_server, name)
    check = page.locator(".gapkit-check").first  # an answer chosen, so its "Check answer" button is enabled
    check.locator("input").first.check()
    expect(check.get_by_role("button", name="Check answer")).to_be_enabled()
    page.locator("h1").click()
    seen, failures = set(), []
    for _ in range(400):
        page.keyboard.press("Tab")
        ring = page.evaluate(CONTRAST_JS, page.evaluate_handle("document.activeElement"))
        if ring["tag"] == "BODY":
            break
        seen.add((ring["tag"], ring["type"]))
        if ring["style"] == "none" or ring["width"] < 2 or ring["ratio"] < 3:
            failures.append(ring)
    assert not failures, failures[:5]
    kinds = {tag for tag, _ in seen}
    assert {"A", "SELECT", "TEXTAREA", "INPUT", "BUTTON"} <= kinds, seen


@pytest.mark.parametrize("width", [360, 768, 1280])
def test_capstone_fits(page, voila_server, width):
    """At 360, 768 and 1280 px, does every control of the capstone lie inside its card, with no dropdown too
    narrow for its chosen text (bounding boxes), once a gap to close has been chosen?"""
    page.set_viewport_size({"width": width, "height": 900})
    open_lesson(page, voila_server, "08-capstone.ipynb")
    plan = page.locator(".gapkit-plan")
    plan.locator("select").first.select_option(label="Current EL vs never EL")
    expect(plan.locator(".gapkit-baseline").first).not_to_contain_text("Choose the gap", timeout=60_000)
    problems = page.evaluate(OVERFLOW_JS)
    page.evaluate("document.querySelector('.gapkit-plan').scrollIntoView()")
    page.screenshot(path=str(ROOT / "test-artifacts" / "browser" / f"capstone-{width}.png"))
    assert problems == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_home_progress_follows_a_reflection(page, voila_server, journal_path):
    """After a reflection is written in a module, does the course home (opened again later, from a kernel
    preheated before the answer existed) show that module in progress, with the count gone up by one?"""
    course = load_course(ROOT)
    saved = json.loads(journal_path.read_text(encoding="utf-8")) if journal_path.exists() else {}

    def untouched(m):  # the browser tests share one participant's journal: pick a module nobody wrote in yet
        return m.reflections and not any(i.id in saved.get(section, {}) for section, items in
                                         (("reflections", m.reflections), ("checks", m.checks)) for i in items)
    module = next(m for m in course.track(None).modules if m.number > 0 and not m.blocks_of("plan") and untouched(m))
    reflection_id = module.reflections[0].id
    row = page.locator(".gapkit-home-list > li").nth([m.id for m in course.track(None).modules].index(module.id))
    count = len(module.reflections)
    written = lambda n: f"{n} of {count} reflection{'s' if count != 1 else ''} written"  # noqa: E731

    open_lesson(page, voila_server, "00-course-home.ipynb")
    expect(row).to_contain_text("Not started", timeout=60_000)
    expect(row).to_contain_text(written(0))
    assert off_machine(page.requests) == []

    open_lesson(page, voila_server, f"{module.id}.ipynb")
    box = page.locator(".gapkit-reflection").first.get_by_label("Your answer")
    box.click()
    box.press_sequentially("Our staff meetings never look at EL data together, and the teachers of newcomers "
                           "plan alone, without the grade-level teams.", delay=5)  # 20 words: counts as written
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if journal_path.exists() and reflection_id in json.loads(journal_path.read_text(encoding="utf-8"))["reflections"]:
            break
        time.sleep(0.3)
    else:
        pytest.fail("the reflection was not saved")

    page.get_by_role("link", name="Course home").first.click()
    page.wait_for_selector(".gapkit-home-list", state="visible")
    expect(row).to_contain_text("In progress", timeout=60_000)
    expect(row).to_contain_text(written(1))
    expect(page.locator(".gapkit-next")).to_contain_text("of the course left")
    assert axe_violations(page) == []
    screenshot(page, "home-with-progress")


def test_served_folder_opens_course_home(page, voila_server):
    """Does the served address itself (no path) open the course home page, not a list of files?"""
    page.goto(voila_server + "/")
    page.wait_for_selector(".gapkit-home-list", state="visible")
    assert page.url.endswith("/voila/render/00-course-home.ipynb")
    assert off_machine(page.requests) == []
