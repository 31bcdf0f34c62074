"""What every course widget shares: where it is shown, the course, Markdown, friendly errors."""
from __future__ import annotations

import functools
import html as _html
import logging
import os

import ipywidgets as w
from ipywidgets.widgets.widget_string import HTMLStyle

from gapkit._validation import one_of

log = logging.getLogger("gapkit.widgets")

#: Set to ``widget`` or ``markdown`` to force how course widgets show themselves.
DISPLAY_ENV = "GAPKIT_DISPLAY"
#: Variables Voila sets in the environment of every kernel it starts, preheated ones included.
VOILA_ENV = ("VOILA_KERNEL_ID", "VOILA_PREHEAT", "VOILA_BASE_URL", "VOILA_SERVER_URL", "VOILA_APP_PORT")
#: Set by jupyter_server (JupyterLab, Notebook 7) in the environment of kernels it starts for a notebook.
JUPYTER_SESSION_ENV = "JPY_SESSION_NAME"
DISPLAY_MODES = ("widget", "markdown")


def display_mode() -> str:
    """``"widget"`` when a person will see the output live, ``"markdown"`` when nobody will.

    A notebook is executed without a browser by nbgrader (autograde, validate), papermill and
    nbval: each runs its own kernel through nbclient, so no front end will ever render a widget
    and the answer has to be in the saved output as Markdown. A person is there when the kernel
    was started by Voila (it sets ``VOILA_*`` variables in the kernel's environment, also for
    preheated kernels that run the notebook before the browser connects) or by a Jupyter server
    for a notebook session (``JPY_SESSION_NAME``). ``GAPKIT_DISPLAY=widget|markdown`` overrides
    both, e.g. for another front end.
    """
    forced = os.environ.get(DISPLAY_ENV, "").strip().lower()
    if forced:
        return one_of(forced, DISPLAY_ENV, DISPLAY_MODES)
    if any(os.environ.get(k) for k in VOILA_ENV) or os.environ.get(JUPYTER_SESSION_ENV):
        return "widget"
    return "markdown"


class Headless:
    """Mixin for course widgets: when nobody will see the widget live (`display_mode` is ``"markdown"``), the
    notebook's output is the widget's ``markdown()`` instead, which is how an answer reaches a grader."""

    def _repr_mimebundle_(self, **kwargs):
        if display_mode() == "markdown":
            md = self.markdown()
            return {"text/markdown": md, "text/plain": md}
        return super()._repr_mimebundle_(**kwargs)


@functools.lru_cache(maxsize=4)
def _course(root):
    from gapkit.content import load_course

    return load_course(root)


def get_course(course=None):
    """The course passed in, or the published course loaded once per process."""
    return course if course is not None else _course(None)


_MD = None


def markdown_html(text: str) -> str:
    """Course Markdown (trusted, written by maintainers) as HTML."""
    global _MD
    if _MD is None:
        import mistune

        _MD = mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])
    return _MD(text or "")


def esc(text) -> str:
    """Text for HTML (participant or data text)."""
    return _html.escape(str(text), quote=True)


_SHARED: dict = {}


def shared(cls, **traits):
    """One instance of a layout or style class per set of traits, shared by every widget that uses it.

    Each ipywidget otherwise brings its own Layout and Style models, and the browser has to fetch the
    state of every model before the page is usable: sharing them cuts a lesson's models by about half.
    Shared instances are never changed after creation.
    """
    key = (cls, tuple(sorted(traits.items())))
    item = _SHARED.get(key)
    if item is None or getattr(item, "comm", True) is None:
        item = _SHARED[key] = cls(**traits)
    return item


def html(value: str = "", **kwargs) -> w.HTML:
    """An HTML widget with the shared empty layout and style."""
    kwargs.setdefault("layout", shared(w.Layout))
    kwargs.setdefault("style", shared(HTMLStyle))
    return w.HTML(value, **kwargs)


def problem_box(message: str, *, exc: BaseException | None = None, context: str = "") -> w.HTML:
    """A friendly message in place of a widget that failed; the error goes to the log, not the page."""
    if exc is not None:
        log.error("%s: %s", context or "widget error", exc, exc_info=exc)
    return html(
        f'<div class="gapkit-problem" role="alert"><p><strong>This part of the page could not be shown.</strong> '
        f"{esc(message)}</p></div>"
    )


#: Where answers live, in the participant's words (never a server path).
WHERE_SAVED = "your course journal, the file that keeps your answers for this course"


def status_html(message: str, *, problem: bool = False, saved: bool = False) -> str:
    """A save status line: a problem (announced at once), a fresh save (with a tick), or a note."""
    if problem:
        return f'<p class="gapkit-status gapkit-status-problem" role="alert"><strong>Not saved:</strong> {esc(message)}</p>'
    css = "gapkit-status gapkit-status-saved" if saved else "gapkit-status"
    return f'<p class="{css}">{esc(message)}</p>'
