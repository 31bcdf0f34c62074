"""Course widgets: thin shells over pure functions, testable without a browser.

Each widget observes its controls with ``observe(..., names="value")``, keeps its last ``.result``
and has a programmatic trigger (``.save()``, ``.check()``, ``.update()``), so tests set ``.value``
or call ``.click()`` and read ``.result``.

* `reflection` -- a prompt with an autosaving answer box (the grading bridge: Markdown when headless)
"""
from gapkit.widgets._common import display_mode
from gapkit.widgets.reflection import ReflectionWidget, reflection

__all__ = ["display_mode", "reflection", "ReflectionWidget"]
