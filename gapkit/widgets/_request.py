"""Per-person state on a preheated lesson page: read it when the page is asked for, not before.

Voila runs a preheated kernel's notebook before anyone asks for the page, so anything read from a
participant's files at that point may be minutes old by the time the page is shown. Voila's
documented answer is `voila.utils.wait_for_request`, which returns once the kernel has been handed to
a request. `when_requested` waits for it on a background thread, so the rest of the page is still
built ahead of time, and then runs the callback, which refreshes the widgets it owns.
"""
from __future__ import annotations

import os
import threading

from gapkit.widgets._common import log

__all__ = ["preheating", "when_requested"]


def preheating() -> bool:
    """True in a Voila kernel started ahead of any request (``VOILA_PREHEAT`` is set to ``True``)."""
    return os.environ.get("VOILA_PREHEAT") == "True"


def when_requested(callback) -> None:
    """Call `callback()` now, or, in a preheated Voila kernel, once the page has been requested.

    Errors from `callback` go to the log, never to the page.
    """
    def run():
        try:
            callback()
        except Exception as exc:  # a participant never sees a traceback
            log.error("refresh after the request: %s", exc, exc_info=exc)

    if not preheating():
        run()
        return

    def wait_then_run():
        try:
            from voila.utils import wait_for_request

            wait_for_request()
        except Exception as exc:  # still refresh: a late read is better than a stale one
            log.error("waiting for the page request: %s", exc, exc_info=exc)
        run()

    threading.Thread(target=wait_then_run, name="gapkit-when-requested", daemon=True).start()
