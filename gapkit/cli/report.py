"""``gapkit report DATA [--mapping M] [--school S | --each school] [--min-n N] ... --out DIR``."""
from __future__ import annotations

import argparse
import os
import sys
import tempfile

from gapkit.privacy import Rule
from gapkit.readers import DataError
from gapkit.records import SUBJECTS
from gapkit.report import EACH, KINDS, LANGUAGES, REPORT_COMPARISONS, ReportError, write_reports
from gapkit.report.write import Interrupted, stop_on_signals


def configure_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Arguments of ``gapkit report``."""
    parser.add_argument("data", help="a student-level file or a published aggregate file (.csv, .xlsx, .parquet)")
    parser.add_argument("--mapping", metavar="M", default=None,
                        help="a mapping file (YAML) naming your columns and codes")
    parser.add_argument("--kind", choices=KINDS, default="auto",
                        help="student records or published aggregates (default: decide from the columns)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--school", metavar="S", default=None, help="school id or name (default: the district)")
    where.add_argument("--each", choices=EACH, default=None,
                       help="one report per school, with an index page linking them")
    parser.add_argument("--subject", dest="subjects", action="append", choices=tuple(SUBJECTS), default=None,
                        help="a subject to report (repeat for several; default: all)")
    parser.add_argument("--group", dest="groups", action="append", default=None,
                        choices=REPORT_COMPARISONS, metavar="NAME",
                        help="a comparison to report, e.g. \"Current EL vs never EL\" (repeat for several; "
                             "default: all; names: " + "; ".join(REPORT_COMPARISONS) + ")")
    parser.add_argument("--year", dest="years", action="append", type=int, default=None, metavar="YEAR",
                        help="a school year to include, named by its spring (repeat; default: all)")
    parser.add_argument("--min-n", dest="min_n", type=int, default=Rule.min_n, metavar="N",
                        help=f"smallest group shown (default {Rule.min_n})")
    parser.add_argument("--language", choices=LANGUAGES, default="en",
                        help="language of the summary for families (en or es)")
    parser.add_argument("--out", required=True, metavar="DIR", help="folder to write the report into")
    return parser


def run(args: argparse.Namespace) -> int:
    """Make the report(s); print the files written; return 0, or 1 with a message (never a traceback)."""
    try:
        with stop_on_signals(), _kernel_noise_hidden() as terminal:
            bar = _ProgressBar(terminal)
            written = write_reports(args.data, args.out, mapping=args.mapping, kind=args.kind, school=args.school,
                                    each=args.each, subjects=args.subjects, comparisons=args.groups,
                                    years=args.years, min_n=args.min_n, language=args.language, progress=bar.update,
                                    warn=lambda text: print(f"warning: {text}", file=terminal))
            bar.close()
    except (DataError, ReportError, ValueError, TypeError, OSError) as error:
        print(f"gapkit report: {error}", file=sys.stderr)
        return 1
    except (Interrupted, KeyboardInterrupt) as error:
        print(f"gapkit report: {error or 'stopped; nothing was written'}", file=sys.stderr)
        return 130
    except Exception as error:  # anything else: a message, never a traceback
        print(f"gapkit report: the report could not be made ({type(error).__name__}: {error}).", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    return 0


class _ProgressBar:
    """A tqdm bar over the reports of ``--each school``, made when the number of schools is known."""

    def __init__(self, stream):
        self.stream, self.bar = stream, None

    def update(self, done, total):
        from tqdm import tqdm

        if self.bar is None:
            self.bar = tqdm(total=total, desc="Reports", unit="school", file=self.stream)
        self.bar.update(done - self.bar.n)

    def close(self):
        if self.bar is not None:
            self.bar.close()


class _kernel_noise_hidden:
    """Send what kernels write to file descriptor 2 to a temporary file while reports run.

    Yields a stream on the real standard error, for the progress bar.
    """

    def __enter__(self):
        sys.stderr.flush()
        self.saved = os.dup(2)
        self.log = tempfile.TemporaryFile("w")
        os.dup2(self.log.fileno(), 2)
        self.stream = os.fdopen(os.dup(self.saved), "w", buffering=1)
        return self.stream

    def __exit__(self, *exc):
        sys.stderr.flush()
        os.dup2(self.saved, 2)
        os.close(self.saved)
        self.log.close()
        self.stream.close()
        return False
