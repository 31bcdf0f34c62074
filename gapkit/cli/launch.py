"""Jupyter's own servers, started the way the kit's commands start: ``python -m gapkit.cli.launch NAME ARGS``.

``voila`` serves the lesson pages (`gapkit serve`, and each participant's pages on the hub);
``singleuser`` is a participant's server on the hub. Each imports nbformat, and so jsonschema's
RFC 3987 grammar, which `gapkit.cli` keeps from being compiled: about 2.5 s of CPU saved at every
start, two starts for each participant who logs in.
"""
from __future__ import annotations

import importlib
import sys

from gapkit.cli import _skip_iri_grammar

#: name -> the module whose ``main()`` runs it (what the ``voila`` and ``jupyterhub-singleuser`` scripts call)
SERVERS = {"voila": "voila.app", "singleuser": "jupyterhub.singleuser"}


def main(argv=None):
    """Run the server named first in `argv` (default: the command line) with the rest as its arguments."""
    name, *args = sys.argv[1:] if argv is None else argv
    if name not in SERVERS:
        raise SystemExit(f"gapkit.cli.launch: unknown server {name!r}; expected one of {', '.join(SERVERS)}.")
    _skip_iri_grammar()
    sys.argv = [name, *args]
    return importlib.import_module(SERVERS[name]).main()


if __name__ == "__main__":
    sys.exit(main())
