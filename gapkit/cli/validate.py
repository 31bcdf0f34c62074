"""``gapkit validate DATA [--mapping M] [--kind K]``: print a file's data-quality summary."""
from __future__ import annotations

import argparse
import sys

from gapkit.readers import check_file


def configure_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Arguments of ``gapkit validate``."""
    parser.add_argument("path", help="the data file (.csv, .xlsx or .parquet)")
    parser.add_argument("--mapping", metavar="M", default=None,
                        help="a mapping file (YAML) naming your columns and codes; see "
                             "course_config/mapping.example.yaml")
    parser.add_argument("--kind", choices=("auto", "records", "published"), default="auto",
                        help="student records or published aggregates (default: decide from the columns)")
    return parser


def run(args: argparse.Namespace, *, out=None) -> int:
    """Print the summary of ``args.path``; return 0 when the file can be used, 1 when not."""
    check = check_file(args.path, mapping=args.mapping, kind=args.kind)
    print(check.text, file=sys.stdout if out is None else out)
    return 0 if check.usable else 1
