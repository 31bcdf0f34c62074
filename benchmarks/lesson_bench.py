"""Time from navigation to the first usable widget, per lesson, on the served course.

Starts the course as `gapkit serve` does (standalone Voila, the course's voila.json, preheated
kernels), waits until every lesson's kernel pool is full, then opens each lesson once as a first
visit (empty browser cache) and then in one tab whose cache is warm, and records:

* ``ttfb``      navigation start to the first byte of the page (server work; a preheated kernel has
                already executed the notebook, so this is only templating);
* ``dom``       to DOMContentLoaded (page HTML parsed, scripts still loading);
* ``js``        to the last script loaded (Voila's front end: about 3.6 MB in 76 files);
* ``usable``    to the first enabled form control inside the lesson (the widgets are rendered and
                connected to the kernel: a participant can type or choose); on the home page, which
                has no controls, to its list of module links.

The baseline is a bare Voila page (pandas and one text box) served with a cold kernel (no
preheating), measured the same way. Run with ``python benchmarks/lesson_bench.py [--rounds N]``.
Needs Debian's /usr/bin/chromium; sends traffic only to 127.0.0.1.
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gapkit.serve import LESSONS_DIR, voila_command  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
USABLE = ("() => [...document.querySelectorAll('{scope} select, {scope} textarea, {scope} input, {scope} button, "
          "{scope} a[href]')].some(e => !e.disabled && e.offsetParent !== null)")

BARE = """{"cells": [{"cell_type": "code", "execution_count": null, "id": "c0", "metadata": {}, "outputs": [],
 "source": ["import pandas as pd\\n", "import ipywidgets as w\\n", "w.Text(description='name')"]}],
 "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
 "nbformat": 4, "nbformat_minor": 5}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd, env, log_path):
    log = open(log_path, "w")
    process = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=str(ROOT))
    port = int(next(a.split("=")[1] for a in cmd if a.startswith("--port=")))
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return process, port
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise RuntimeError(f"Voila did not start; see {log_path}")


def wait_pools(log_path, count, timeout=300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = Path(log_path).read_text(errors="replace")
        if text.count("is filled with") >= count:
            return
        time.sleep(0.5)
    raise RuntimeError("kernel pools were not filled in time")


def measure(page, url, scope):
    """Navigate `page` to `url`; seconds to first byte, DOMContentLoaded and the first usable control."""
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit")
    try:
        page.wait_for_function(USABLE.format(scope=scope), timeout=120_000, polling=50)
    except Exception:  # report the page as not usable instead of stopping the run
        controls = page.evaluate(f"document.querySelectorAll('{scope}').length")
        print(f"  {url}: no usable control after 120 s ({controls} elements match {scope})", file=sys.stderr)
        return {"ttfb": float("nan"), "dom": float("nan"), "usable": float("nan"), "js": float("nan")}
    usable = time.perf_counter() - t0
    timing = page.evaluate("(() => { const t = performance.getEntriesByType('navigation')[0];"
                           " const js = performance.getEntriesByType('resource').filter(r => r.name.endsWith('.js'));"
                           " return {ttfb: t.responseStart, dom: t.domContentLoadedEventEnd,"
                           " js: Math.max(0, ...js.map(r => r.responseEnd))}; })()")
    return {"ttfb": timing["ttfb"] / 1000, "dom": timing["dom"] / 1000, "js": timing["js"] / 1000, "usable": usable}


def measure_fresh(browser, url, scope):
    """As `measure`, in a new browser context: a first visit, with an empty browser cache."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        return measure(context.new_page(), url, scope)
    finally:
        context.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="warm measurements per lesson (default 1)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    lessons = sorted(p.name for p in (ROOT / LESSONS_DIR).glob("*.ipynb"))
    work = Path(tempfile.mkdtemp(prefix="lesson-bench-"))
    env = {**os.environ, "GAPKIT_JOURNAL": str(work / "reflections.json")}
    env.pop("GAPKIT_DISPLAY", None)
    results, first_visit = {}, {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        process, port = start(voila_command(ROOT, port=free_port()), env, work / "course.log")
        warm_tab = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        try:
            filled = len(lessons)
            wait_pools(work / "course.log", filled)
            # Round 0 is a first visit (empty browser cache); later rounds reuse one tab, whose cache
            # then holds Voila's scripts, as a participant's browser does after the first page.
            for rnd in range(args.rounds + 1):
                for name in lessons:
                    scope = ".gapkit-home-list" if name.startswith("00-course-home") else ".gapkit-widget"
                    url = f"http://127.0.0.1:{port}/voila/render/{name}"
                    if rnd == 0:
                        first_visit[name] = measure_fresh(browser, url, scope)
                    else:
                        results.setdefault(name, []).append(measure(warm_tab, url, scope))
                    # A warm server: wait until this lesson's pool is refilled and the machine is calm again.
                    filled += 1
                    wait_pools(work / "course.log", filled)
                    time.sleep(2)
        finally:
            warm_tab.goto("about:blank")
            process.terminate()
            process.wait(timeout=60)

        bare = work / "bare"
        bare.mkdir()
        (bare / "bare.ipynb").write_text(BARE)
        cold = []
        cmd = [sys.executable, "-m", "voila", str(bare), f"--port={free_port()}", "--no-browser",
               "--Voila.ip=127.0.0.1", "--VoilaConfiguration.show_tracebacks=False"]
        process, port = start(cmd, env, work / "bare.log")
        try:
            for _ in range(max(args.rounds, 2)):
                cold.append(measure(warm_tab, f"http://127.0.0.1:{port}/voila/render/bare.ipynb", ".jp-OutputArea"))
        finally:
            process.terminate()
            process.wait(timeout=60)
        browser.close()

    def med(rows, key):
        return statistics.median(r[key] for r in rows)

    print("Seconds from navigation: first byte, DOMContentLoaded, last script loaded, first usable control.")
    print(f"{'page (warm server, warm browser)':36s} {'ttfb':>6s} {'dom':>6s} {'js':>6s} {'usable':>7s} "
          f"{'first visit':>12s}")
    for name, rows in results.items():
        print(f"{name:36s} {med(rows, 'ttfb'):6.2f} {med(rows, 'dom'):6.2f} {med(rows, 'js'):6.2f} "
              f"{med(rows, 'usable'):7.2f} {first_visit[name]['usable']:12.2f}")
    warm = [med(rows, "usable") for rows in results.values()]
    print(f"{'warm lessons (median)':36s} {'':6s} {'':6s} {'':6s} {statistics.median(warm):7.2f} "
          f"{statistics.median(r['usable'] for r in first_visit.values()):12.2f}")
    print(f"{'bare page, cold kernel (baseline)':36s} {med(cold, 'ttfb'):6.2f} {med(cold, 'dom'):6.2f} "
          f"{med(cold, 'js'):6.2f} {med(cold, 'usable'):7.2f}")
    print(f"target < 1 s warm: {'met' if max(warm) < 1 else 'not met'} (slowest lesson {max(warm):.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
