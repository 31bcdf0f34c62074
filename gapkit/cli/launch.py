"""Jupyter's own programs, started the way the kit's commands start: ``python -m gapkit.cli.launch NAME ARGS``.

``voila`` serves the lesson pages (`gapkit serve`, and each participant's pages on the hub);
``singleuser`` is a participant's server on the hub; ``nbgrader`` is nbgrader's own command, for a
facilitator (or a test) who runs many. Each imports nbformat, and so jsonschema's RFC 3987 grammar,
which `gapkit.cli` keeps from being compiled: about 2.5 s of CPU saved at every start, two starts for
each participant who logs in. ``nbgrader`` also reads its gradebook schema's version in its own process
(`_alembic_head_in_process`) instead of starting ``alembic heads`` for each new gradebook.
"""
from __future__ import annotations

import importlib
import sys

from gapkit.cli import _skip_iri_grammar

#: name -> the module whose ``main()`` runs it (what the ``voila``, ``jupyterhub-singleuser`` and
#: ``nbgrader`` scripts call)
PROGRAMS = {"voila": "voila.app", "singleuser": "jupyterhub.singleuser", "nbgrader": "nbgrader.apps.nbgraderapp"}


def _alembic_head_in_process() -> None:
    """Have nbgrader read the head of its migration scripts here, not in an ``alembic heads`` process.

    A new gradebook is stamped with that head; nbgrader gets it by running ``alembic heads``, a second
    Python process that imports nbgrader again and with it jsonschema's RFC 3987 grammar: about 6 s of
    CPU for one line. Alembic's `ScriptDirectory` reads the same scripts in this process.
    """
    import nbgrader.api
    from alembic.script import ScriptDirectory
    from nbgrader.dbutil import ALEMBIC_DIR

    def get_alembic_version() -> str:
        return ScriptDirectory(ALEMBIC_DIR).get_current_head()

    nbgrader.api.get_alembic_version = get_alembic_version


def main(argv=None):
    """Run the program named first in `argv` (default: the command line) with the rest as its arguments."""
    name, *args = sys.argv[1:] if argv is None else argv
    if name not in PROGRAMS:
        raise SystemExit(f"gapkit.cli.launch: unknown program {name!r}; expected one of {', '.join(PROGRAMS)}.")
    _skip_iri_grammar()
    if name == "nbgrader":
        _alembic_head_in_process()
    sys.argv = [name, *args]
    return importlib.import_module(PROGRAMS[name]).main()


if __name__ == "__main__":
    sys.exit(main())
