"""Writing reports: the report notebook executed with papermill, exported to HTML and moved into place."""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from gapkit._validation import int_like, one_of
from gapkit.report.data import ReportError, load
from gapkit.report.html import _index_html, export_html

__all__ = ["write_reports", "NOTEBOOK", "EACH"]

#: The report notebook, relative to the repository root.
NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "reports" / "gap_report.ipynb"


EACH = ("school",)


def write_reports(data, out, *, mapping=None, kind="auto", school=None, each=None, subjects=None, comparisons=None,
                  years=None, min_n=None, language="en", jobs=1, progress=None) -> list[Path]:
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
        One report per school, with an ``index.html`` linking them (instead of `school`).
    jobs : int
        With `each`: reports made at the same time, each in its own kernel.
    progress : callable, optional
        With `each`: called as ``progress(done, total)`` when the reports start and after each one.

    Raises
    ------
    gapkit.readers.DataError, ReportError
        The data or an option cannot be used, or a report could not be made; nothing is written.
    """
    if each is not None:
        one_of(each, "each", EACH)
    jobs = int_like(jobs, "jobs", minimum=1)
    data_path = _existing(data, "data")
    mapping_path = _existing(mapping, "mapping")
    loaded = load(data_path, mapping=mapping_path, kind=kind, school=school, subjects=subjects,
                  comparisons=comparisons, years=years, min_n=min_n, language=language)
    options = {"data_path": data_path, "mapping_path": mapping_path, "kind": loaded.kind,
               "subjects": list(subjects) if subjects else None,
               "groups": list(comparisons) if comparisons else None,
               "years": list(years) if years else None, "min_n": loaded.rule.min_n, "language": language}
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ReportError(f"`out` ({out}) is a file; give a folder.")
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".gapkit-report-", dir=out.parent))
    try:
        if each == "school":
            pages = [(name, school_id, _slug(f"{school_id}-{name}")) for school_id, name in loaded.all_schools]
            _make_many(options, pages, folder=work, jobs=jobs, progress=progress)
            (work / "index.html").write_text(_index_html(loaded, pages, work), encoding="utf-8")
        else:
            _make_one(options, school=school, name=loaded.school or "the district", stem="gap_report", folder=work)
        return _move_into_place(work, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _existing(value, name):
    """The absolute path of an input file (None stays None); the kernel runs in another folder."""
    if value is None:
        return None
    path = Path(value)
    if not path.exists():
        raise ReportError(f"`{name}` file {path} does not exist.")
    return str(path.resolve())


def _make_many(options, pages, *, folder, jobs, progress):
    """One report per school, `jobs` at a time (each in its own kernel)."""
    from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

    done_count = 0
    if progress is not None:
        progress(0, len(pages))
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        pending = {pool.submit(_make_one, options, school=school_id, name=name, stem=stem, folder=folder)
                   for name, school_id, stem in pages}
        while pending:
            done, pending = wait(pending, return_when=FIRST_EXCEPTION)
            for future in done:
                error = future.exception()
                if error is not None:
                    for other in pending:
                        other.cancel()
                    raise error
                done_count += 1
                if progress is not None:
                    progress(done_count, len(pages))


#: How many times a report's kernel is started before giving up (see `_make_one`).
_KERNEL_STARTS = 3


def _make_one(options, *, school, name, stem, folder):
    """Execute the report notebook for one school (or the district) and export its HTML."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    notebook = folder / f"{stem}.ipynb"
    parameters = {**options, "school": school}
    for attempt in range(_KERNEL_STARTS):
        try:
            papermill.execute_notebook(str(NOTEBOOK), str(notebook), parameters=parameters, kernel_name="python3",
                                       progress_bar=False, log_output=False, cwd=str(folder))
            break
        except PapermillExecutionError as error:
            raise ReportError(f"the report for {name} could not be made: {error.ename}: {error.evalue}") from None
        except RuntimeError as error:
            # A kernel can die at start when another process takes one of the ports it was given (a known
            # race of kernels over TCP); starting it again is safe, as nothing has run yet.
            if "Kernel died before replying" not in str(error) or attempt == _KERNEL_STARTS - 1:
                raise ReportError(f"the report for {name} could not be made: the kernel did not start "
                                  f"({error}).") from None
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
