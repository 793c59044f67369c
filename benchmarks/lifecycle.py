#!/usr/bin/env python
"""Drive full case lifecycles through the HTTP API against `yiwang serve` on PostgreSQL.

Each lifecycle: submit (one call, idempotency key) -> accept -> approve -> issue the signed
e-licence; with --uploads: create draft, upload two materials, submit, accept, approve, issue.
Prints lifecycles per second, p50/p99 latency per step, the server workers' peak resident memory,
and, for the same duration and client count, PostgreSQL's own insert-only ceiling (pgbench).

    python benchmarks/lifecycle.py --lifecycles 2000 --clients 8
Needs PostgreSQL on 127.0.0.1:5432 (trust auth) and `pgbench`; creates and drops its own database.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "src" / "yiwang" / "catalog" / "data" / "catalog-fengxian.json"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORM = {"phone": "13800138000", "address": "上海市奉贤区南桥镇"}


def psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql], check=True)


def prepare(env: dict, residents: int) -> tuple[list[str], str]:
    """Migrate, import the catalogue, create residents and an officer; return API tokens."""
    subprocess.run([sys.executable, "-m", "yiwang", "import-catalog", str(CATALOG)], env=env, check=True, stdout=subprocess.DEVNULL)
    script = f"""
import json, django, os
os.environ['DJANGO_SETTINGS_MODULE'] = 'yiwang.config.settings'
django.setup()
from django.contrib.auth.hashers import make_password
from rest_framework.authtoken.models import Token
from yiwang.accounts.models import User
from yiwang.catalog.models import Department
from yiwang.core.identifiers import id_card_check_char
password = make_password('bench-password-1')
tokens = []
for n in range({residents}):
    body = '31012019900101' + f'{{n % 1000:03d}}'
    user = User.objects.create(username=f'bench{{n}}', password=password, kind='resident', real_name='张三',
                               id_number=body + id_card_check_char(body))
    tokens.append(Token.objects.create(user=user).key)
officer = User.objects.create(username='bench-officer', password=password, kind='staff', role='window_officer', real_name='窗口')
officer.departments.set(Department.objects.filter(code='SCJG'))
print(json.dumps({{'residents': tokens, 'officer': Token.objects.create(user=officer).key}}))
"""
    out = subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True).stdout
    data = json.loads(out.strip().splitlines()[-1])
    return data["residents"], data["officer"]


class Client:
    def __init__(self, port: int, token: str):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Token {token}"}

    def call(self, method: str, path: str, body=None, headers=None, raw: bytes | None = None, content_type=None):
        hdrs = dict(self.headers, **(headers or {}))
        payload = raw
        if body is not None:
            payload = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        elif content_type:
            hdrs["Content-Type"] = content_type
        started = time.perf_counter()
        self.conn.request(method, path, body=payload, headers=hdrs)
        response = self.conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - started
        if response.status >= 400:
            raise RuntimeError(f"{method} {path} -> {response.status} {data[:300]!r}")
        return json.loads(data) if data else None, elapsed


def multipart(position: int) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="position"\r\n\r\n{position}\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="scan.pdf"\r\nContent-Type: application/pdf\r\n\r\n'.encode() + PDF + b"\r\n",
        f"--{boundary}--\r\n".encode(),
    ]
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def lifecycle(resident: Client, officer: Client, uploads: bool, timings: dict) -> None:
    if uploads:
        case, t = resident.call("POST", "/api/v1/applications/", {"item_code": "310120-SCJG-01-0001", "form_data": FORM})
        timings["create_draft"].append(t)
        for position in (1, 2):
            raw, ctype = multipart(position)
            _, t = resident.call("POST", f"/api/v1/applications/{case['id']}/materials/", raw=raw, content_type=ctype)
            timings["upload"].append(t)
        case, t = resident.call("POST", f"/api/v1/applications/{case['id']}/submit/", headers={"Idempotency-Key": uuid.uuid4().hex})
    else:
        case, t = resident.call(
            "POST", "/api/v1/applications/",
            {"item_code": "310120-SCJG-21-0001", "form_data": FORM, "submit": True},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
    timings["submit"].append(t)
    for action in ("accept", "approve", "issue_result"):
        case, t = officer.call("POST", f"/api/v1/applications/{case['id']}/actions/", {"action": action, "version": case["version"]})
        timings[action].append(t)
    if case["state"] != "result_issued" or not case["licence_number"]:
        raise RuntimeError(f"lifecycle ended in {case['state']}")


def worker_pids(server_pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(server_pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def peak_rss_mb(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    out = subprocess.run(["pgrep", "-f", "postgres"], capture_output=True, text=True).stdout
    return sum(cpu_seconds(int(pid)) for pid in out.split())


def pgbench_ceiling(clients: int, seconds: int) -> float:
    db = f"yiwang_pgbench_{os.getpid()}"
    psql(f"CREATE DATABASE {db}")
    try:
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-qc",
                        "CREATE TABLE events (id bigserial primary key, case_id bigint, action text, at timestamptz default now())"], check=True)
        with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
            script.write("INSERT INTO events (case_id, action) VALUES (:client_id, 'accept');\n")
        out = subprocess.run(["pgbench", "-h", "127.0.0.1", "-U", "postgres", "-n", "-c", str(clients), "-j", str(min(clients, 2)),
                              "-T", str(max(1, seconds)), "-f", script.name, db], capture_output=True, text=True, check=True).stdout
        match = re.search(r"tps = ([\d.]+)", out)
        return float(match.group(1)) if match else 0.0
    finally:
        psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lifecycles", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="threads per server worker")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--uploads", action="store_true", help="draft + two uploads + submit instead of one-call submit")
    args = parser.parse_args()

    db = f"yiwang_bench_{os.getpid()}"
    psql(f"CREATE DATABASE {db}")
    data_dir = tempfile.mkdtemp(prefix="yiwang-bench-")
    env = {**os.environ, "YIWANG_DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{db}", "YIWANG_DATA_DIR": data_dir}
    server = None
    try:
        resident_tokens, officer_token = prepare(env, args.clients)
        # The server's log goes to a file: an unread pipe would fill up and stall the workers.
        server_log = open(Path(data_dir) / "server.log", "wb")
        server = subprocess.Popen(
            [sys.executable, "-m", "yiwang", "serve", "--port", str(args.port), "--workers", str(args.workers), "--threads", str(args.threads)],
            env=env, stdout=server_log, stderr=subprocess.STDOUT,
        )
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=1)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("server did not start")

        # Warm up every worker (imports, connections) outside the measurement.
        warm = defaultdict(list)
        for n in range(args.workers * 4):
            lifecycle(Client(args.port, resident_tokens[0]), Client(args.port, officer_token), args.uploads, warm)

        timings: dict[str, list[float]] = defaultdict(list)
        per_client = max(1, args.lifecycles // args.clients)
        errors: list[str] = []

        def drive(index: int) -> None:
            resident = Client(args.port, resident_tokens[index])
            officer = Client(args.port, officer_token)
            local = defaultdict(list)
            try:
                for _ in range(per_client):
                    lifecycle(resident, officer, args.uploads, local)
            except Exception as exc:  # reported below
                errors.append(str(exc))
            for step, values in local.items():
                timings[step].extend(values)

        threads = [threading.Thread(target=drive, args=(i,)) for i in range(args.clients)]
        workers = worker_pids(server.pid)
        cpu_before = {pid: cpu_seconds(pid) for pid in workers}
        pg_before = postgres_cpu_seconds()
        client_before = time.process_time()
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        server_cpu = sum(cpu_seconds(pid) - cpu_before[pid] for pid in workers)
        pg_cpu = postgres_cpu_seconds() - pg_before
        client_cpu = time.process_time() - client_before
        done = len(timings["issue_result"])
        rss = [peak_rss_mb(pid) for pid in worker_pids(server.pid)]

        print(f"lifecycles: {done} in {elapsed:.2f} s with {args.clients} clients, {args.workers} workers x {args.threads} threads"
              f" ({'draft+2 uploads+submit' if args.uploads else 'one-call submit'})")
        if errors:
            print(f"errors: {len(errors)}; first: {errors[0]}")
        rate = done / elapsed if elapsed else 0.0
        print(f"lifecycles/s: {rate:.1f}")
        all_requests = [t for values in timings.values() for t in values]
        print(f"requests/s: {len(all_requests) / elapsed:.1f}")
        print(f"{'step':<14}{'n':>7}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
        for step in ("create_draft", "upload", "submit", "accept", "approve", "issue_result"):
            values = timings.get(step)
            if values:
                print(f"{step:<14}{len(values):>7}{percentile(values, .5):>10.1f}{percentile(values, .99):>10.1f}{max(values) * 1000:>10.1f}")
        print(f"all requests  {len(all_requests):>7}{percentile(all_requests, .5):>10.1f}{percentile(all_requests, .99):>10.1f}")
        print("worker peak RSS MB: " + ", ".join(f"{r:.0f}" for r in rss))
        count = max(1, len(all_requests))
        print(f"CPU per request: server workers {server_cpu / count * 1000:.1f} ms, PostgreSQL {pg_cpu / count * 1000:.1f} ms,"
              f" load generator {client_cpu / count * 1000:.1f} ms"
              f" (of {os.cpu_count()} cores x {elapsed:.1f} s = {(os.cpu_count() or 1) * elapsed / count * 1000:.1f} ms available)")

        ceiling = pgbench_ceiling(args.clients, int(round(elapsed)))
        print(f"pgbench insert-only ceiling: {ceiling:.0f} tps ({args.clients} clients, {int(round(elapsed))} s)")
        if ceiling:
            print(f"our requests/s as share of the database's insert ceiling: {len(all_requests) / elapsed / ceiling:.1%}")
        return 1 if errors else 0
    finally:
        if server:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
