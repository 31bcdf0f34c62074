"""A cohort logging in at once: spawn time, time to a usable lesson, save latency, memory, answers lost.

Starts the real hub (``gapkit hub``, as root) with a roster of N participants (default 30) and a
facilitator, then, all at once, each participant logs in through the hub's login form, waits for
their server, opens module 1 and types a reflection (one save per second, like someone typing in
bursts). Each participant is a client that does what the browser does over HTTP and the kernel's
websocket: it renders the page, asks the kernel for the widgets' state and sets the answer box's
value, so the server side is exactly what a browser drives; the browser's own JavaScript time on
top (about 1-2 s, see lesson_bench.py) is not in these figures.

Prints: spawn time (the hub's own measure) p50/p95, time from login to a usable answer box on
module 1 p50/p95, save latency (value sent -> answer in the participant's journal on disk) p50/p95,
memory per participant (proportional set size of every process of their account, with the module
page open and the preheated home page waiting) median and max, and answers lost (must be 0).

    sudo .venv/bin/python benchmarks/cohort_bench.py [--participants 30] [--saves 5]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import pwd
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psutil
import websockets

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from gapkit.hub import load_settings  # noqa: E402

MODULE = "01-what-gaps-are.ipynb"
SETTINGS = load_settings(ROOT)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pct(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def _message(msg_type, content, channel="shell", metadata=None):
    return json.dumps({"header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "bench",
                                  "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
                       "parent_header": {}, "metadata": metadata or {}, "content": content, "channel": channel,
                       "buffers": []})


def _decode(raw) -> dict:
    """A kernel message from the websocket: JSON text, or jupyter_server's binary frame when it has buffers."""
    if isinstance(raw, str):
        return json.loads(raw)
    count = int.from_bytes(raw[:4], "big")
    offsets = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(count)]
    return json.loads(raw[offsets[0]:offsets[1] if count > 1 else None])


async def _widget_states(ws, timeout=120):
    """Ask the kernel for every widget's state, as the page's widget manager does."""
    control = uuid.uuid4().hex
    await ws.send(_message("comm_open", {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}},
                           metadata={"version": "1.0.0"}))  # ipywidgets' control protocol
    await ws.send(_message("comm_msg", {"comm_id": control, "data": {"method": "request_states"}}))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = _decode(await asyncio.wait_for(ws.recv(), timeout))
        data = msg.get("content", {}).get("data", {})
        if msg.get("header", {}).get("msg_type") == "comm_msg" and data.get("method") == "update_states":
            return data["states"]
    raise TimeoutError("no widget state")


def _journal_text(pid: str) -> str | None:
    path = Path(pwd.getpwnam(SETTINGS.account(pid)).pw_dir) / SETTINGS.journal
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for item in data.get("reflections", {}).values():
        if isinstance(item, dict) and str(item.get("text", "")).startswith(f"[{pid}]"):
            return item["text"]
    return None


async def participant(base: str, pid: str, password: str, saves: int, results: dict):
    """One participant's session; a failure is recorded with its step and reason, never raised (raising would
    cancel every other participant mid-request: the CancelledError inside httpcore of an earlier run)."""
    out = results[pid] = {"saves": [], "step": "login"}
    try:
        await _session(base, pid, password, saves, out)
    except Exception as exc:
        out["failed"] = f"{out['step']}: {type(exc).__name__}: {str(exc)[:200]}"


async def _session(base, pid, password, saves, out):
    async with httpx.AsyncClient(base_url=base, follow_redirects=True, timeout=300) as client:
        start = time.monotonic()
        page = await client.get("/hub/login")
        xsrf = client.cookies.get("_xsrf", "")
        login = await client.post("/hub/login", data={"username": pid, "password": password, "_xsrf": xsrf})
        login.raise_for_status()
        out["step"] = "spawn and first page"
        url = f"/user/{pid}/lessons/voila/render/{MODULE}"
        deadline = time.monotonic() + 900
        while True:
            page = await client.get(url)
            if "spawn-pending" not in str(page.url) and page.status_code == 200 and "jupyter-config-data" in page.text:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"no lesson page after 900 s (last: HTTP {page.status_code} at {page.url})")
            await asyncio.sleep(0.5)
        out["step"] = "widgets"
        config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                      page.text, re.S).group(1))
        ws_url = base.replace("http", "ws") + f"/user/{pid}/lessons/api/kernels/{config['kernelId']}/channels" \
                 f"?session_id={uuid.uuid4().hex}"
        cookie = "; ".join(f"{c.name}={c.value}" for c in client.cookies.jar)
        async with websockets.connect(ws_url, additional_headers={"Cookie": cookie}, max_size=2**26,
                                      open_timeout=120) as ws:
            states = await _widget_states(ws)
            box = next(mid for mid, s in states.items() if s.get("state", {}).get("_model_name") == "TextareaModel"
                       and s["state"].get("description") == "Your answer")
            out["usable"] = time.monotonic() - start
            out["step"] = "saves"
            text = f"[{pid}]"
            for n in range(saves):
                text += f" Our grade 5 ELs trail by 28 points, note {n}."
                sent = time.monotonic()
                await ws.send(_message("comm_msg", {"comm_id": box, "data": {
                    "method": "update", "state": {"value": text}, "buffer_paths": []}}))
                while _journal_text(pid) != text:
                    if time.monotonic() - sent > 30:
                        break
                    await asyncio.sleep(0.01)
                out["saves"].append(time.monotonic() - sent)
                await asyncio.sleep(1)
            out["last"] = text
            out["memory"] = _memory(pid)


def _memory(pid: str) -> int:
    account = SETTINGS.account(pid)
    total = 0
    for proc in psutil.process_iter(["username"]):
        if proc.info["username"] == account:
            try:
                total += proc.memory_full_info().pss
            except (psutil.Error, AttributeError):
                pass
    return total


def _spawn_times(log: Path) -> dict:
    found = {}
    for line in log.read_text(errors="replace").splitlines():
        m = re.search(r"User (\S+) took ([\d.]+) seconds to start", line)
        if m:
            found[m.group(1)] = float(m.group(2))
    return found


async def cohort(base, people, saves):
    results = {}
    await asyncio.gather(*(participant(base, pid, pw, saves, results) for pid, pw in people.items()))
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=30)
    parser.add_argument("--saves", type=int, default=5)
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        print("cohort_bench: run as root (the hub makes an account per participant).", file=sys.stderr)
        return 1
    folder = Path(tempfile.mkdtemp(prefix="gapkit-bench-"))
    os.chmod(folder, 0o755)
    people = {f"p{n:02d}": f"bench-password-{n:02d}" for n in range(1, args.participants + 1)}
    existing = set()
    for pid in [*people, "bfacil"]:
        try:
            pwd.getpwnam(SETTINGS.account(pid))
            existing.add(pid)
        except KeyError:
            pass
    roster = folder / "roster.csv"
    roster.write_text("id,first_name,last_name,email,role,password\n"
                      + "".join(f"{pid},P,{pid},{pid}@example.org,participant,{pw}\n" for pid, pw in people.items())
                      + "bfacil,B,Facilitator,f@example.org,facilitator,bench-password-f\n")
    port = _free_port()
    log = folder / "hub.log"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    hub = subprocess.Popen([sys.executable, "-m", "gapkit", "hub", "--roster", str(roster), "--port", str(port),
                            "--state", str(folder / "state"), "--exchange", str(folder / "exchange"),
                            "--root", str(ROOT)], stdout=open(log, "w"), stderr=subprocess.STDOUT, env=env,
                           start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                httpx.get(base + "/hub/health", timeout=2)
                break
            except httpx.HTTPError:
                if hub.poll() is not None or time.monotonic() > deadline:
                    print(log.read_text()[-3000:], file=sys.stderr)
                    return 1
                time.sleep(1)
        print(f"hub up; {args.participants} participants log in at once "
              f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        t0 = time.monotonic()
        results = asyncio.run(cohort(base, people, args.saves))
        wall = time.monotonic() - t0
        spawns = _spawn_times(log)
        spawn = [spawns[p] for p in people if p in spawns]
        usable = [r["usable"] for r in results.values() if "usable" in r]
        saves = [s for r in results.values() for s in r["saves"]]
        memory = [r["memory"] / 2**20 for r in results.values() if "memory" in r]
        failed = {pid: r["failed"] for pid, r in results.items() if "failed" in r}
        lost = sum(1 for pid, r in results.items() if "last" in r and _journal_text(pid) != r["last"])
        print(f"participants            {len(people)} (all done in {wall:.0f} s)")
        print(f"spawn time              p50 {_pct(spawn, .5):.1f} s   p95 {_pct(spawn, .95):.1f} s")
        print(f"login -> usable lesson  p50 {_pct(usable, .5):.1f} s   p95 {_pct(usable, .95):.1f} s")
        print(f"save latency            p50 {_pct(saves, .5) * 1000:.0f} ms  p95 {_pct(saves, .95) * 1000:.0f} ms "
              f"({len(saves)} saves)")
        print(f"memory per participant  median {statistics.median(memory):.0f} MB   max {max(memory):.0f} MB (PSS)")
        print(f"answers lost            {lost}")
        print(f"participants failed     {len(failed)}")
        for pid, reason in sorted(failed.items()):
            print(f"  {pid}: {reason}")
        return 0 if lost == 0 and not failed else 1
    finally:
        hub.send_signal(signal.SIGTERM)
        try:
            hub.wait(timeout=180)
        except subprocess.TimeoutExpired:
            os.killpg(hub.pid, signal.SIGKILL)
        made = [pid for pid in ["bfacil", *people] if pid not in existing]  # members before their groups
        for pid in made:
            account = SETTINGS.account(pid)
            subprocess.run(["pkill", "-KILL", "-u", account], capture_output=True)
            subprocess.run(["userdel", "--remove", account], capture_output=True)
        for pid in made:
            subprocess.run(["groupdel", SETTINGS.account(pid)], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
