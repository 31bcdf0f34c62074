"""The `gapkit` command. Each subcommand lives in its own module, which provides
``configure_parser(parser)`` and ``run(args) -> int``."""
from __future__ import annotations

import argparse
import importlib
import sys

#: subcommand -> (module, one-line help)
COMMANDS = {
    "validate": ("gapkit.readers", "check a data file and print a data-quality summary"),
    "report": ("gapkit.report", "write a gap report (HTML) for a school or district"),
    "serve": ("gapkit.serve", "serve the course's lesson pages with Voila"),
    "course": ("gapkit.course", "lay out and build the nbgrader course"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gapkit", description="Achievement-gap analysis for school leaders.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module, help_text) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(_module=module)
        importlib.import_module(module).configure_parser(sub)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return importlib.import_module(args._module).run(args)


if __name__ == "__main__":
    sys.exit(main())
