"""``gapkit hub --roster CSV [--port P]``: run the course for a cohort on JupyterHub (as root)."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from gapkit.cli._process import wait_for_server
from gapkit.cli.serve import _port
from gapkit.content import ContentError, find_root
from gapkit.hub import HubError, helm_values_text, load_settings, prepare, write_user_configs


def configure_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Options of ``gapkit hub``."""
    parser.add_argument("--roster", metavar="CSV", help="the cohort: id,first_name,last_name,email,role[,password][,track]")
    parser.add_argument("--port", type=_port, default=8000, help="the hub's port (default 8000)")
    parser.add_argument("--ip", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1; use 0.0.0.0 behind an HTTPS proxy)")
    parser.add_argument("--db-url", default=None, help="the gradebook database (default: a PostgreSQL server of "
                        "the hub's own)")
    parser.add_argument("--state", default=None, help="the hub's folder (default: `state` in hub.yaml)")
    parser.add_argument("--exchange", default=None, help="nbgrader's exchange folder (default: `exchange` in hub.yaml)")
    parser.add_argument("--settings", default=None, help="settings file (default course_config/hub.yaml)")
    parser.add_argument("--root", default=None, help="the course kit's repository root (default: found from here)")
    parser.add_argument("--prepare-only", action="store_true",
                        help="make the accounts, exchange, course folder and gradebook, then exit (for The Littlest "
                             "JupyterHub: see docs/deploying.md)")
    parser.add_argument("--user-configs", metavar="DIR", default=None,
                        help="write the participants' and facilitators' server configuration into DIR and exit "
                             "(for a course image: see docs/deploying.md)")
    parser.add_argument("--helm-values", metavar="PATH", default=None,
                        help="write the zero-to-jupyterhub values generated from the settings to PATH and exit")
    return parser


def run(args) -> int:
    """Start the cohort's hub (or prepare it, or write its Helm values); returns the exit status."""

    try:
        root = Path(args.root).resolve() if args.root else find_root()
        if args.helm_values:
            Path(args.helm_values).write_text(helm_values_text(load_settings(root, args.settings)), encoding="utf-8")
            print(f"wrote {args.helm_values}")
            return 0
        if args.user_configs:
            folder = Path(args.user_configs)
            write_user_configs(load_settings(root, args.settings), root=root, state=folder, course=folder / "course")
            print(f"wrote the servers' configuration into {folder}")
            return 0
        if os.geteuid() != 0:
            print("gapkit hub: the hub gives each participant an account of their own, so it runs as root "
                  "(sudo gapkit hub --roster ...). To try the lessons on your own, use `gapkit serve`.",
                  file=sys.stderr)
            return 1
        ready = prepare(args, root)
    except (ContentError, HubError, OSError) as exc:
        print(f"gapkit hub: {exc}", file=sys.stderr)
        return 1
    runtime, postgres = ready["runtime"], ready["postgres"]
    if args.prepare_only:
        print(f"Prepared {runtime['state']} (accounts, exchange {runtime['exchange']}, course folder "
              f"{ready['course']}, gradebook). The gradebook's PostgreSQL server is running; docs/deploying.md "
              "says how to keep it running and how The Littlest JupyterHub loads these settings.")
        return 0
    people = ready["roster"]
    print(f"Cohort hub for {len(people)} people ({sum(p.is_facilitator for p in people)} facilitator(s)).\n"
          f"  Log in at http://{runtime['ip']}:{runtime['port']}/\n"
          f"  Course folder (facilitators): {ready['course']}\n"
          f"  Exchange: {runtime['exchange']}\n"
          "  Ctrl+C stops the hub, every server and the gradebook's database.")
    sys.stdout.flush()
    process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(Path(runtime["state"]) /
                                "jupyterhub_config.py")], cwd=runtime["state"],
                               preexec_fn=lambda: os.umask(0o077))  # its database and secrets are root's alone

    try:
        return wait_for_server(process, grace=30)
    finally:
        if postgres is not None:
            postgres.stop()
