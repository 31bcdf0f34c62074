"""The `gapkit` command. One module per subcommand in this package, each with
``configure_parser(parser)`` and ``run(args) -> int``; they parse arguments, call the library and
print. The library itself knows nothing of argparse, never prints and never exits."""
from __future__ import annotations

import argparse
import importlib
import sys

#: subcommand -> one-line help; the subcommand's module is ``gapkit.cli.<name>``.
COMMANDS = {
    "validate": "check a data file and print a data-quality summary",
    "report": "write a gap report (HTML) for a school or district",
    "serve": "serve the course's lesson pages with Voila",
    "hub": "run the course for a cohort on JupyterHub (as root)",
    "course": "lay out and build the nbgrader course, and run its grading cycle",
    "content": "check the course modules and rebuild the facilitator guide",
    "kit": "the facilitator's kit: build handouts, summarise self-assessments, write completion records",
    "build": "regenerate everything made from the course files: the guide, the lesson and assignment notebooks, "
             "the facilitator's kit",
    "outputs": "run the notebooks kept with their outputs and store what they show (checked by nbval)",
}


def _module(command: str):
    return importlib.import_module(f"gapkit.cli.{command}")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; only `command`'s module is imported (the others are heavy and not needed)."""
    parser = argparse.ArgumentParser(prog="gapkit", description="Achievement-gap analysis for school leaders.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, help_text in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        if name == command:
            _module(name).configure_parser(sub)
    return parser


def _skip_iri_grammar() -> None:
    """Keep jsonschema from compiling its RFC 3987 grammar in the kit's own processes.

    nbformat imports jsonschema, whose format checker imports ``rfc3987_syntax`` when it is
    installed (jupyter-events asks for it), and that module builds a grammar parser at import: about
    2.5 s of CPU in every process, before any work. It only checks the "iri" string format, which
    no schema the kit reads (notebooks, nbgrader metadata) uses; without it jsonschema leaves that
    one format unchecked.
    """
    if "rfc3987_syntax" not in sys.modules and "jsonschema" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None  # an import of it now raises ImportError


def main(argv=None) -> int:
    _skip_iri_grammar()
    argv = sys.argv[1:] if argv is None else list(argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    args = build_parser(command).parse_args(argv)
    return _module(args.command).run(args)


if __name__ == "__main__":
    sys.exit(main())
