"""Autograding 30 submissions of module 1: nbgrader's serial autograde vs ``gapkit course autograde --jobs 2``.

Both run in the same invocation on the same thirty collected submissions (tests/nbgrader/submissions.py),
each in a fresh course folder with a SQLite gradebook, with nothing else of this script running; then the
two gradebooks are compared grade by grade. Also
printed: what one process pays before it grades anything (importing nbgrader, with and without
jsonschema's IRI grammar, which the kit's processes skip), and the slowest cell of the model answers
(what ``cell_time_limit`` in grading.yaml must leave room for). The machine's load average is printed
with the figures: on a shared machine the ratio is the number to read.

    python benchmarks/autograde_bench.py [--submissions 30] [--jobs 2]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "nbgrader"))

from gapkit.course import init_course  # noqa: E402
from submissions import ASSIGNMENT, gradebook_contents, write_submissions  # noqa: E402

BIN = Path(sys.executable).parent


def _env(base: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GAPKIT_", "JUPYTER_", "VOILA_"))}
    env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", HOME=str(base), JUPYTER_CONFIG_DIR=str(base / "jupyter"))
    return env


def _run(cmd, cwd, env) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return seconds


def _cpu(code: str, env) -> float:
    """CPU seconds of a fresh Python running `code` (user + system, as the OS counts them)."""
    before = os.times()
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    after = os.times()
    return (after.children_user - before.children_user) + (after.children_system - before.children_system)


def _slowest_cells(course: Path) -> dict:
    """The slowest participant cell (answers, tests) and kit cell (imports, reflections): (seconds, id)."""
    import nbformat

    from gapkit.grading.preprocessors import KIT_CELL_TIME_LIMIT, cell_timeout

    slowest = {"participant": (0.0, ""), "kit": (0.0, "")}
    for path in (course / "autograded").glob(f"*/{ASSIGNMENT}/*.ipynb"):
        for cell in nbformat.read(path, as_version=4).cells:
            timing = cell.get("metadata", {}).get("execution", {})
            start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
            if start and end:
                took = (dt.datetime.fromisoformat(end.replace("Z", "+00:00"))
                        - dt.datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()
                kind = "kit" if cell_timeout(cell, limit=1) == KIT_CELL_TIME_LIMIT else "participant"
                if took > slowest[kind][0]:
                    slowest[kind] = (took, cell.metadata.get("nbgrader", {}).get("grade_id", "?"))
    return slowest


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--submissions", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    base = Path(tempfile.mkdtemp(prefix="gapkit-autograde-bench-"))
    env = _env(base)
    try:
        courses = {}
        for name in ("serial", "parallel"):
            courses[name] = init_course(base / name, root=ROOT)
            _run([BIN / "nbgrader", "generate_assignment", ASSIGNMENT], courses[name], env)
        write_submissions(courses["serial"], ROOT, args.submissions)
        shutil.copytree(courses["serial"] / "submitted", courses["parallel"] / "submitted", dirs_exist_ok=True)

        print(f"{args.submissions} submissions of {ASSIGNMENT}, {os.cpu_count()} cores, "
              f"load average before: {os.getloadavg()[0]:.2f}")
        serial = _run([BIN / "nbgrader", "autograde", ASSIGNMENT], courses["serial"], env)
        load_serial = os.getloadavg()[0]
        parallel = _run([BIN / "gapkit", "course", "autograde", ASSIGNMENT, "--jobs", str(args.jobs)],
                        courses["parallel"], env)
        load_parallel = os.getloadavg()[0]
        n = args.submissions
        print(f"nbgrader autograde (serial)         {serial:7.1f} s  {serial / n:5.2f} s per submission"
              f"  (load average after: {load_serial:.2f})")
        print(f"gapkit course autograde --jobs {args.jobs}    {parallel:7.1f} s  {parallel / n:5.2f} s per submission"
              f"  (load average after: {load_parallel:.2f})")
        print(f"ratio parallel / serial             {parallel / serial:7.2f}x   (target: at most 0.60x)")
        same = gradebook_contents(f"sqlite:///{courses['serial'] / 'gradebook.db'}") == \
            gradebook_contents(f"sqlite:///{courses['parallel'] / 'gradebook.db'}")
        print(f"every grade, comment and score the same as serial nbgrader's: {'yes' if same else 'NO'}")

        plain = _cpu("import nbgrader.apps.autogradeapp", env)
        skipped = _cpu("import sys; sys.modules['rfc3987_syntax'] = None; import nbgrader.apps.autogradeapp", env)
        grammar = _cpu("import rfc3987_syntax", env)
        print(f"startup CPU per process: import nbgrader {plain:.2f} s; without the IRI grammar {skipped:.2f} s "
              f"(rfc3987_syntax alone: {grammar:.2f} s)")
        slowest = _slowest_cells(courses["serial"])
        print(f"slowest participant cell at autograding: {slowest['participant'][0]:.2f} s "
              f"({slowest['participant'][1]}; limit: cell_time_limit, 30 s); slowest kit cell: "
              f"{slowest['kit'][0]:.2f} s ({slowest['kit'][1]}; limit: at least 120 s)")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
