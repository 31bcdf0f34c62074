"""Running a server in the foreground: Ctrl+C or SIGTERM stops it (and what it started) cleanly."""
import signal
import subprocess


def wait_for_server(process: subprocess.Popen, *, grace: float) -> int:
    """Wait for `process`; on SIGTERM or Ctrl+C terminate it, killing it after `grace` seconds."""
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: process.terminate())
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
