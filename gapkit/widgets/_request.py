"""Per-person state on a preheated lesson page: read it when the page is asked for, not before.

Voila runs a preheated kernel's notebook before anyone asks for the page, so anything read from a
participant's files at that point may be minutes old by the time the page is shown. Voila's
documented answer is `voila.utils.wait_for_request`, which returns once the kernel has been handed to
a request. `when_requested` waits for it where it is first called (once per kernel: Voila keeps one
waiter per kernel), so everything the notebook shows from there on is built after the request, and
no control is usable before it holds the participant's latest answer. The cells before it are still
rendered ahead of time.
"""
from __future__ import annotations

import os
import threading

from gapkit.widgets._common import log

__all__ = ["preheating", "when_requested"]

_lock = threading.Lock()
_requested = threading.Event()


def preheating() -> bool:
    """True in a Voila kernel started ahead of any request (``VOILA_PREHEAT`` is set to ``True``)."""
    return os.environ.get("VOILA_PREHEAT") == "True"


def when_requested(callback) -> None:
    """Call `callback()` now, after waiting, in a preheated Voila kernel, until the page has been requested.

    Errors from `callback` go to the log, never to the page.
    """
    if preheating() and not _requested.is_set():
        with _lock:
            if not _requested.is_set():
                try:
                    from voila.utils import wait_for_request

                    wait_for_request()
                except Exception as exc:  # still read: a late read is better than a stale one
                    log.error("waiting for the page request: %s", exc, exc_info=exc)
                _requested.set()
    try:
        callback()
    except Exception as exc:  # a participant never sees a traceback
        log.error("refresh after the request: %s", exc, exc_info=exc)
