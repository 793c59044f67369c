#!/usr/bin/env python
"""How long a resident's first search waits on a freshly started server (`yiwang serve`).

A worker's first search used to build the whole search index (jieba's dictionary, pypinyin's,
the catalogue's postings) before answering. For each round this script starts `yiwang serve`
(gunicorn, 2 workers, the production path) on a fresh SQLite copy of the reference catalogue,
waits until /healthz answers, optionally pauses (a resident opening a page before typing), then
times the first search of each worker and a second search.

    python benchmarks/search_first_query.py [--rounds 3] [--pause 0 2] [--port 8391]

Set YIWANG_SEARCH_WARM_UP=0 to see the figures without the warm-up (the behaviour before it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "src" / "yiwang" / "catalog" / "data" / "catalog-fengxian.json"
QUERIES = ["开个小饭店要办什么证", "营业只照", "business licence", "孩子转学"]
WORKERS = 2


def _get(url: str, timeout: float = 30.0) -> float:
    """Seconds until the whole response of GET `url` arrived (it must answer 200)."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=timeout) as response:
        response.read()
        if response.status != 200:
            raise SystemExit(f"{url} answered {response.status}")
    return time.perf_counter() - started


def _tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _wait_until_up(base: str, server: subprocess.Popen, log: Path, limit_s: float = 60.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit_s:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}:\n{_tail(log)}")
        try:
            _get(base + "/healthz", timeout=2)
            return time.perf_counter() - started
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"the server did not answer within a minute:\n{_tail(log)}")


def one_round(env: dict, port: int, pause_s: float, log: Path) -> tuple[float, list[float], float]:
    """(seconds until /healthz answered, first search of each worker in seconds, a later search)."""
    base = f"http://127.0.0.1:{port}"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "yiwang", "serve", "--port", str(port), "--workers", str(WORKERS)],
            env=env, stdout=output, stderr=subprocess.STDOUT,
        )
    try:
        up_s = _wait_until_up(base, server, log)
        time.sleep(pause_s)
        # gunicorn hands connections to whichever worker accepts first: one search per worker is
        # not guaranteed to reach both, so several distinct searches are sent and the first few
        # timed (each worker's first search is among them).
        first = [_get(f"{base}/api/v1/search?q={urllib.parse.quote(q)}") for q in QUERIES[:WORKERS + 1]]
        later = _get(f"{base}/api/v1/search?q={urllib.parse.quote(QUERIES[-1])}")
        return up_s, first, later
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pause", type=float, nargs="+", default=[0.0, 2.0],
                        help="seconds between the server answering and the first search (default 0 and 2)")
    parser.add_argument("--port", type=int, default=8391, help="first port to serve on (one more per round)")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="yiwang-first-query-")
    try:
        env = dict(os.environ, YIWANG_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="yiwang.config.settings")
        env.pop("YIWANG_DATABASE_URL", None)
        subprocess.run([sys.executable, "-m", "yiwang", "import-catalog", str(CATALOG)], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        warm = env.get("YIWANG_SEARCH_WARM_UP", "1")
        print(f"yiwang serve, {WORKERS} workers, reference catalogue on SQLite; YIWANG_SEARCH_WARM_UP={warm}")
        ports = iter(range(args.port, args.port + 1000))  # a fresh port per server: no wait for the last one's
        for pause_s in args.pause:
            slowest, later = [], []
            for number in range(1, args.rounds + 1):
                up_s, first, then = one_round(env, next(ports), pause_s, Path(data_dir) / "serve.log")
                slowest.append(max(first))
                later.append(then)
                print(f"  pause {pause_s:3.1f} s, round {number}: up after {up_s:4.1f} s; first searches "
                      + ", ".join(f"{s * 1000:5.0f} ms" for s in first) + f"; later search {then * 1000:4.0f} ms")
            print(f"pause {pause_s:3.1f} s: slowest first search median {statistics.median(slowest) * 1000:5.0f} ms "
                  f"(max {max(slowest) * 1000:5.0f} ms); later search median {statistics.median(later) * 1000:4.0f} ms")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
