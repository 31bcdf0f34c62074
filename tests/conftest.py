"""What several test folders share: one real Chromium per test process (Playwright allows one per thread)."""
import pytest

from chromium import CHROMIUM, CHROMIUM_FLAGS


@pytest.fixture(scope="session")
def chromium():
    """Chromium, started once and shared by the browser and hub tests that run in this process."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield b
        b.close()


def pytest_collection_modifyitems(items):
    """Where the suite runs in parallel (``-n auto --dist loadgroup``): each file's tests run in one worker,
    so a file's module fixtures are made once, and every test in ``tests/browser`` runs in the same worker,
    so they share one Voila server (its start preheats every lesson page)."""
    for item in items:
        path = item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group("browser" if path.startswith("tests/browser/") else path))
