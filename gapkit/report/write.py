"""Writing reports: the report notebook executed with papermill, exported to HTML and moved into place."""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from gapkit._ipc import use_ipc
from gapkit._validation import one_of
from gapkit.report.data import EACH, ReportError, load
from gapkit.report.html import _index_html, export_html

__all__ = ["write_reports", "NOTEBOOK", "Interrupted", "stop_on_signals"]

#: The report notebook, relative to the repository root.
NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "reports" / "gap_report.ipynb"


def write_reports(data, out, *, mapping=None, kind="auto", school=None, each=None, subjects=None, comparisons=None,
                  years=None, min_n=None, language="en", progress=None, warn=None) -> list[Path]:
    """Write the report (or one per school) for a data file into `out`; return the files written.

    The data file is read and checked first, so a file that cannot be used leaves nothing behind. The
    notebook is executed and exported in a temporary folder beside `out`, and the files are moved into
    `out` only when every report succeeded.

    Parameters
    ----------
    data : str or Path
        A student-level file or a published aggregate file.
    out : str or Path
        The folder to write into (created when missing).
    mapping, kind, school, subjects, comparisons, years, min_n, language
        As for `load`.
    each : {'school'}, optional
        One report per school and one for the district, with an ``index.html`` linking them (instead of
        `school`). They are made one after another in one kernel, which reads the file and audits the set
        once (see `load`).
    progress : callable, optional
        With `each`: called as ``progress(done, total)`` when the reports start and after each one.
    warn : callable, optional
        Called with each warning of the reader (a default assumed, scores far from the others, how a
        marker was read) before any report is made.

    Raises
    ------
    gapkit.readers.DataError, ReportError
        The data or an option cannot be used, or a report could not be made; nothing is written.
    """
    if each is not None:
        one_of(each, "each", EACH)
    data_path = _existing(data, "data")
    mapping_path = _existing(mapping, "mapping")
    loaded = load(data_path, mapping=mapping_path, kind=kind, school=school, subjects=subjects,
                  comparisons=comparisons, years=years, min_n=min_n, language=language)
    for warning in loaded.warnings if warn is not None else ():
        warn(warning)
    options = {"data_path": data_path, "mapping_path": mapping_path, "kind": loaded.kind,
               "subjects": list(subjects) if subjects else None,
               "groups": list(comparisons) if comparisons else None,
               "years": list(years) if years else None, "min_n": loaded.rule.min_n, "language": language}
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ReportError(f"`out` ({out}) is a file; give a folder.")
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(out.parent)
    work = Path(tempfile.mkdtemp(prefix=_WORK_PREFIX, dir=out.parent))
    (work / _OWNER).write_text(str(os.getpid()), encoding="utf-8")
    try:
        if each == "school":
            pages = [("the district", None, "district"),
                     *((name, school_id, _slug(f"{school_id}-{name}")) for school_id, name in loaded.all_schools)]
            _make_set({**options, "each": each}, pages, folder=work, progress=progress)
            (work / "index.html").write_text(_index_html(loaded, pages, work), encoding="utf-8")
        else:
            _make_set(options, [(loaded.school or "the district", school, "gap_report")], folder=work)
        (work / _OWNER).unlink()
        return _move_into_place(work, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


#: The temporary folder of a report being made, beside `out`, and the file in it naming the process making it.
_WORK_PREFIX = ".gapkit-report-"
_OWNER = ".owner-pid"


def _remove_abandoned(folder: Path) -> None:
    """Remove temporary report folders left by a process that no longer runs (killed, so no `finally` ran:
    they may hold partial notebooks with the data's numbers)."""
    for work in folder.glob(_WORK_PREFIX + "*"):
        try:
            pid = int((work / _OWNER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # not ours, or not started yet: leave it
        if not _alive(pid):
            shutil.rmtree(work, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Interrupted(Exception):
    """The report was stopped by a signal (SIGTERM, SIGHUP); raised so that every `finally` runs."""


class stop_on_signals:
    """While active, SIGTERM and SIGHUP raise `Interrupted` (Ctrl-C already raises KeyboardInterrupt), so that
    papermill shuts the kernel down and `write_reports` removes its temporary folder. Main thread only."""

    SIGNALS = ("SIGTERM", "SIGHUP")

    def __enter__(self):
        import signal
        import threading

        self.saved = {}
        if threading.current_thread() is threading.main_thread():
            for name in self.SIGNALS:
                number = getattr(signal, name, None)
                if number is not None:
                    self.saved[number] = signal.signal(number, self._raise)
        return self

    @staticmethod
    def _raise(number, frame):
        import signal

        raise Interrupted(f"stopped by {signal.Signals(number).name}; nothing was written")

    def __exit__(self, *exc):
        import signal

        for number, handler in self.saved.items():
            signal.signal(number, handler)
        return False


def _existing(value, name):
    """The absolute path of an input file (None stays None); the kernel runs in another folder."""
    if value is None:
        return None
    path = Path(value)
    if not path.exists():
        raise ReportError(f"`{name}` file {path} does not exist.")
    return str(path.resolve())


def _make_set(options, pages, *, folder, progress=None):
    """The reports of `pages`, one after another in one kernel (in an ``--each`` run the first reads the file
    and audits the set, and `load` keeps them in the kernel for the others).

    Each report is executed in a worker thread while this (the main) thread waits, so that SIGTERM and
    SIGHUP reach `stop_on_signals`: run in the main thread, nbclient takes them over, shuts the kernel down
    and carries on. However the run ends, the kernel is shut down before the temporary folder goes.
    """
    import threading
    from concurrent.futures import Future

    from jupyter_client.manager import AsyncKernelManager

    kernel, worker = use_ipc(AsyncKernelManager(kernel_name="python3")), None
    try:
        for done, (name, school_id, stem) in enumerate(pages):
            if progress is not None:
                progress(done, len(pages))
            made = Future()

            def make(name=name, school_id=school_id, stem=stem, made=made):
                try:
                    made.set_result(_make_one(options, school=school_id, name=name, stem=stem, folder=folder,
                                              kernel=kernel))
                except BaseException as error:
                    made.set_exception(error)

            worker = threading.Thread(target=make, daemon=True)
            worker.start()
            made.result()
        if progress is not None:
            progress(len(pages), len(pages))
    finally:
        if kernel.has_kernel:
            _shut_down(kernel)
        if worker is not None:
            worker.join(timeout=30)  # papermill stops writing once its kernel is gone


def _shut_down(kernel, *, within=20):
    """Shut `kernel` down from this thread; kill its process if that has not ended within `within` seconds
    (the worker thread's event loop may still be driving the kernel manager, and the shutdown then waits)."""
    import threading

    from jupyter_core.utils import run_sync

    shutdown = threading.Thread(target=run_sync(kernel.shutdown_kernel), kwargs={"now": True}, daemon=True)
    shutdown.start()
    shutdown.join(within)
    process = getattr(kernel.provisioner, "process", None)
    if shutdown.is_alive() and process is not None:
        process.kill()


def _make_one(options, *, school, name, stem, folder, kernel):
    """Execute the report notebook for one school (or the district) in `kernel` (a kernel manager, started
    by the first report that uses it and left running) and export its HTML."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    notebook = folder / f"{stem}.ipynb"
    parameters = {**options, "school": school}
    try:
        papermill.execute_notebook(str(NOTEBOOK), str(notebook), parameters=parameters, kernel_name="python3",
                                   progress_bar=False, log_output=False, cwd=str(folder), km=kernel)
    except PapermillExecutionError as error:
        raise ReportError(f"the report for {name} could not be made: {error.ename}: {error.evalue}") from None
    except RuntimeError as error:  # nbclient: "Kernel died before replying to kernel_info"
        raise ReportError(f"the report for {name} could not be made: the kernel did not start ({error}).") from None
    title = f"Gap report: {name}"
    export_html(notebook, folder / f"{stem}.html", title=title)


def _slug(text):
    import unicodedata
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-").lower() or "report"


def _move_into_place(work, out):
    """Move every file of `work` into `out` (created if needed); return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(work.iterdir()):
        target = out / path.name
        os.replace(path, target)
        written.append(target)
    return written
