"""Cold start of `switchboard serve`: time to the first `/readyz` 200, and RSS once ready.

    .venv/bin/python bench/cold_start.py [--runs 5] [--redis redis://localhost:6379/12]
        [--python /path/to/production/venv/bin/python]

Each run starts a fresh process with the embedded defaults (no model, in-memory
store unless --redis is given), polls /readyz every 5 ms, reads VmRSS from
/proc, then stops the process with SIGTERM. Targets: ready < 1 s, RSS < 120 MB.

The app runs as the Procfile runs it (`python -m bot serve` in the checkout), by
default with this interpreter. `--python` picks another one, such as a virtualenv
made from requirements.txt alone: what a Heroku-style build installs, without the
development tools (CI measures that one).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


ROOT = Path(__file__).resolve().parent.parent


def one_run(python: str, redis_url: str | None) -> tuple[float, float]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "ADMIN_TOKEN")}
    env.update({"PORT": str(port), "HOST": "127.0.0.1", "LOG_LEVEL": "warning"})
    if redis_url:
        env["REDIS_URL"] = redis_url
        env["REDIS_PREFIX"] = "sbbench:"
    started = time.perf_counter()
    proc = subprocess.Popen(
        [python, "-m", "bot", "serve"], cwd=ROOT, env=env, stderr=subprocess.DEVNULL
    )
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"python -m bot serve exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError):
                pass
            if time.perf_counter() - started > 30:
                raise RuntimeError("not ready after 30 s")
            time.sleep(0.005)
        ready = time.perf_counter() - started
        time.sleep(0.5)  # let start-up work scheduled after readiness settle
        return ready, rss_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--redis", help="measure with this REDIS_URL instead of memory")
    parser.add_argument("--python", default=sys.executable, help="the interpreter to run")
    args = parser.parse_args()
    results = [one_run(args.python, args.redis) for _ in range(args.runs)]
    ready = [r for r, _ in results]
    rss = [m for _, m in results]
    store = "redis" if args.redis else "memory"
    print(f"switchboard serve ({args.python}), store={store}, no model, {args.runs} runs")
    print(f"{'':22}{'median':>10}{'max':>10}{'target':>10}")
    print(
        f"{'ready (first /readyz)':22}{statistics.median(ready):>9.3f}s{max(ready):>9.3f}s"
        f"{'< 1 s':>10}"
    )
    print(
        f"{'RSS after ready':22}{statistics.median(rss):>8.1f}MB{max(rss):>8.1f}MB{'< 120 MB':>10}"
    )


if __name__ == "__main__":
    main()
