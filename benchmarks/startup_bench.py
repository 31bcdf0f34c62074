"""Start-up time of the command line against ``import pandas``, each in a fresh process.

Runs each command --repeat times, interleaved, and prints the median wall time and its ratio to
``python -c "import pandas"``; then the modules that cost most to import in ``gapkit validate``
(from ``python -X importtime``, self time, cumulative over its own imports).

usage: python benchmarks/startup_bench.py [--repeat 7]
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "sample_district" / "students.csv"
COMMANDS = {
    "import pandas": [sys.executable, "-c", "import pandas"],
    "gapkit --help": [sys.executable, "-m", "gapkit", "--help"],
    "gapkit validate (17,764 rows)": [sys.executable, "-m", "gapkit", "validate", str(SAMPLE)],
}


def wall(command) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average {load} on {os.cpu_count()} cores; median of {args.repeat} runs")
    times = {name: [] for name in COMMANDS}
    for _ in range(args.repeat):
        for name, command in COMMANDS.items():
            times[name].append(wall(command))
    base = statistics.median(times["import pandas"])
    for name, runs in times.items():
        median = statistics.median(runs)
        print(f"{name:<32} {median:6.3f} s   {median / base:5.2f}x import pandas")
    err = subprocess.run([sys.executable, "-X", "importtime", *COMMANDS["gapkit validate (17,764 rows)"][1:]],
                         capture_output=True, text=True).stderr
    rows = [re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line) for line in err.splitlines()]
    rows = [(int(m[2]), m[4]) for m in rows if m and len(m[3]) <= 2]  # top-level imports only
    print("largest top-level imports of gapkit validate (cumulative ms):")
    for us, name in sorted(rows, reverse=True)[:8]:
        print(f"  {name:<40} {us / 1000:7.1f}")


if __name__ == "__main__":
    main()
