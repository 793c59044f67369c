#!/usr/bin/env python
"""The kiosk fleet monitor under load: 80 simulated kiosks against `yiwang serve` on PostgreSQL.

Each kiosk sends a heartbeat every 10 s (its devices' status) and, now and then, a transaction;
one kiosk falls silent half-way. A `yiwang worker` runs the schedule beside the server. Prints the
heartbeat handling p50/p99 as the kiosks see it, the transactions recorded, and the time from the
silent kiosk's last heartbeat to its alert (the threshold is 60 s; the check runs every 15 s).

    python benchmarks/kiosk_fleet.py [--kiosks 80] [--seconds 120]
Needs PostgreSQL on 127.0.0.1:5432 (trust auth); creates and drops its own database.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "src" / "yiwang" / "catalog" / "data" / "catalog-fengxian.json"
DATABASE = "yiwang_bench_kiosks"
ITEM = "310120-SCJG-01-0001"


def psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql], check=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def register(env: dict, kiosks: int) -> list[str]:
    script = f"""
import json, os, django
os.environ['DJANGO_SETTINGS_MODULE'] = 'yiwang.config.settings'
django.setup()
from yiwang.accounts.services import create_staff
from yiwang.hall.models import Site
from yiwang.kiosks.services import register_kiosk
create_staff(username='bench-manager', password='bench-manager-2026', real_name='钱大厅', role='hall_manager', department_codes=[])
sites = [Site.objects.create(code=f'SITE-{{n:02d}}', name=f'社区事务受理服务中心{{n:02d}}', kind='street') for n in range(65)]
tokens = [register_kiosk(code=f'K-{{n:03d}}', name=f'{{n}}号机', site=sites[n % 65], item_codes=['{ITEM}'])[1] for n in range({kiosks})]
print(json.dumps(tokens))
"""
    out = subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def post(port: int, path: str, body: dict, headers: dict) -> tuple[int, float]:
    """One request on its own connection, as a kiosk sends one every 10 s (the server closes idle ones)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    try:
        connection.request("POST", path, body=json.dumps(body), headers=headers)
        answer = connection.getresponse()
        answer.read()
        return answer.status, time.perf_counter() - started
    finally:
        connection.close()


def kiosk_loop(port: int, token: str, index: int, stop: threading.Event, silent_at: float | None, results: dict) -> None:
    headers = {"Authorization": f"Kiosk {token}", "Content-Type": "application/json"}
    rng = random.Random(index)
    time.sleep(rng.uniform(0, 10))  # kiosks do not beat in step
    serial = 0
    while not stop.is_set():
        if silent_at is not None and time.monotonic() >= silent_at:
            results["silent_last_beat"] = results.get("last_beat", {}).get(index)
            return
        body = {"card_reader": 0, "printer": 1 if rng.random() < 0.05 else 0, "printer_detail": ""}
        if body["printer"] == 1:
            body["printer_detail"] = "paper_low"
        try:
            status, took = post(port, "/api/v1/kiosks/heartbeat/", body, headers)
        except OSError:
            results["errors"] += 1
            stop.wait(10)
            continue
        results["heartbeats"].append(took)
        results.setdefault("last_beat", {})[index] = time.time()
        if status != 200:
            results["errors"] += 1
        if rng.random() < 0.3:
            serial += 1
            payload = {"kind": rng.choice(["query", "ticket", "apply", "print"]), "reference": f"{index}-{serial}"}
            if payload["kind"] == "apply":
                payload["item_code"] = ITEM
            try:
                status, _ = post(port, "/api/v1/kiosks/transactions/", payload, headers)
                results["transactions"] += status == 201
            except OSError:
                results["errors"] += 1
        stop.wait(10)


def silent_alert_at(env: dict) -> float | None:
    script = """
import os, django
os.environ['DJANGO_SETTINGS_MODULE'] = 'yiwang.config.settings'
django.setup()
from yiwang.kiosks.models import KioskEvent
event = KioskEvent.objects.filter(kind='silent').order_by('at').first()
print(event.at.timestamp() if event else '')
"""
    out = subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True).stdout.strip()
    return float(out) if out else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--kiosks", type=int, default=80)
    parser.add_argument("--seconds", type=int, default=120)
    args = parser.parse_args()
    url = f"postgresql://postgres@127.0.0.1:5432/{DATABASE}"
    env = {**os.environ, "YIWANG_DATABASE_URL": url, "PYTHONPATH": str(ROOT / "src")}
    psql(f"DROP DATABASE IF EXISTS {DATABASE}")
    psql(f"CREATE DATABASE {DATABASE}")
    server = worker = None
    try:
        subprocess.run([sys.executable, "-m", "yiwang", "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, "-m", "yiwang", "import-catalog", str(CATALOG)], env=env, check=True, stdout=subprocess.DEVNULL)
        tokens = register(env, args.kiosks)
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "yiwang", "serve", "--port", str(port), "--workers", "2", "--threads", "4"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        worker = subprocess.Popen([sys.executable, "-m", "yiwang", "worker", "--tick", "1"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        results = {"heartbeats": [], "errors": 0, "transactions": 0}
        stop = threading.Event()
        silent_at = time.monotonic() + args.seconds / 3
        threads = [threading.Thread(target=kiosk_loop, args=(port, token, n, stop, silent_at if n == 0 else None, results), daemon=True)
                   for n, token in enumerate(tokens)]
        for thread in threads:
            thread.start()
        time.sleep(args.seconds)
        # The silent kiosk's alert may come up to threshold + check interval after its last beat.
        deadline = time.time() + 90
        while silent_alert_at(env) is None and time.time() < deadline:
            time.sleep(5)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        beats = sorted(results["heartbeats"])
        p99 = beats[min(len(beats) - 1, round(0.99 * len(beats)) - 1)]
        print(f"{args.kiosks} kiosks for {args.seconds} s: {len(beats)} heartbeats ({results['errors']} errors), "
              f"{results['transactions']} transactions")
        print(f"heartbeat handling: p50 {statistics.median(beats) * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms")
        alert = silent_alert_at(env)
        last = results.get("silent_last_beat")
        if alert and last:
            print(f"silent kiosk: alert {alert - last:.1f} s after its last heartbeat (threshold 60 s, checked every 15 s)")
        else:
            print("silent kiosk: no alert within the run (run longer: --seconds at least 120)")
    finally:
        for process in (server, worker):
            if process is not None:
                process.terminate()
                process.wait(timeout=20)
        psql(f"DROP DATABASE IF EXISTS {DATABASE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
