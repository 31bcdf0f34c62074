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
