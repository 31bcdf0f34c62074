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


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # before xdist's own choice; absent without xdist
def pytest_xdist_make_scheduler(config, log):
    """Where the suite runs in parallel (``-n auto --dist loadfile``): each file's tests run in one worker,
    so a file's module fixtures are made once, and every test in ``tests/browser`` runs in the same worker,
    so they share one Voila server (its start preheats every lesson page)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ByFileBrowserTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            path = nodeid.split("::")[0]
            return "tests/browser/" if path.startswith("tests/browser/") else path

    return ByFileBrowserTogether(config, log)
