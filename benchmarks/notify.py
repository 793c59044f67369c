#!/usr/bin/env python
"""Messages per second from an event to the SMS simulator's log, through the real pipeline.

For each configuration (task queue × number of worker processes) on a fresh database:
publish N domain events, each in its own transaction (a subscriber job turns each into a message
and an SMS delivery, a send job hands it to the gateway over HTTP), with `yiwang sms-simulator`
as the gateway. Prints throughput (messages reaching the simulator's log per second, from the
first event to the last message taken), p50 and p99 from event to sent, and the share sent within
10 seconds (GOV.UK Notify's public figure).

    python benchmarks/notify.py                      # 2000 messages; SQLite and PostgreSQL; db and Redis; 1 and 2 workers
    python benchmarks/notify.py --messages 500 --databases postgres --queues redis --workers 2

Needs PostgreSQL on 127.0.0.1:5432 (trust auth) for the PostgreSQL rows and Redis on
127.0.0.1:6379 for the Redis rows; creates and drops its own database and uses Redis database 10.
Events are published at the rate the publisher can write them (it does not wait for the
workers), so with enough events the figure is the pipeline's sustained rate.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/10"

# Run inside each child (publisher and workers): the event's subscriber, then the role.
CHILD = r"""
import datetime as dt, json, os, sys, threading, time
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "yiwang.config.settings"
django.setup()
from django.db import transaction
from yiwang.jobs.events import publish, subscribe
from yiwang.jobs.registry import handler
from yiwang.notifications import constants as c
from yiwang.notifications.services import Outgoing, create_messages

@handler("bench.on_event", batch_size=100)
def on_events(payloads):
    from yiwang.accounts.models import User
    people = User.objects.in_bulk([p["user_id"] for p in payloads])
    created = create_messages([Outgoing(
        recipient=people[p["user_id"]], kind=c.RESULT_READY, event_key=p["event_id"], event_at=dt.datetime.fromisoformat(p["at"]),
        variables={"item_name": "个体工商户设立登记", "item_name_en": "x", "case_number": p["event_id"],
                   "result_name": "营业执照", "result_name_en": "x", "licence_number": p["event_id"]}) for p in payloads])
    return [{"message": m.pk if m else None} for m in created]

subscribe("bench.event", "bench.on_event")
role = sys.argv[1]
if role == "people":
    from django.contrib.auth.hashers import make_password
    from yiwang.accounts.models import User
    password = make_password("bench-password-1")
    User.objects.bulk_create([User(username=f"b{n}", password=password, kind="resident", real_name="张三",
                                   phone=f"139{n:08d}") for n in range(int(sys.argv[2]))])
    print(json.dumps(list(User.objects.filter(username__startswith="b").order_by("pk").values_list("pk", flat=True))))
elif role == "publish":
    from yiwang.core import clock
    ids, rate, prefix = json.loads(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    started = time.monotonic()
    for n, user_id in enumerate(ids):
        if rate:
            time.sleep(max(0.0, started + n / rate - time.monotonic()))
        with transaction.atomic():
            publish(event_type="bench.event", event_id=f"{prefix}-{n}", payload={"user_id": user_id, "at": clock.now().isoformat()})
    print(json.dumps({"events_per_second": len(ids) / (time.monotonic() - started)}))
elif role == "worker":
    from yiwang.jobs.worker import QueueWorker, start_schedule
    start_schedule(tick=1.0, stop=threading.Event())
    QueueWorker(poll_seconds=0.02).run()
elif role == "figures":
    from django.db.models import Min
    from yiwang.jobs.models import Job
    from yiwang.notifications.models import Delivery
    prefix = sys.argv[2]
    rows = list(Delivery.objects.filter(sent_at__isnull=False, message__event_key__startswith=prefix + "-")
                .values_list("message__event_at", "sent_at"))
    first_run = Job.objects.filter(kind="bench.on_event", payload__event_id__startswith=prefix + "-").aggregate(at=Min("claimed_at"))["at"]
    print(json.dumps({"rows": [[e.timestamp(), s.timestamp()] for e, s in rows], "first_run": first_run.timestamp()}))
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(sql: str) -> None:
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-qc", sql], check=True,
                   stdout=subprocess.DEVNULL)


def child(env, *args, capture=True):
    result = subprocess.run([sys.executable, "-c", CHILD, *args], env=env, capture_output=capture, text=True, timeout=900)
    if result.returncode != 0:
        raise SystemExit(f"child {args[0]} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def log_count(log: Path) -> int:
    if not log.exists():
        return 0
    with open(log, "rb") as f:
        return sum(1 for _ in f)


def wait_for_log(log: Path, count: int, *, seconds: float) -> int:
    deadline = time.time() + seconds
    while log_count(log) < count and time.time() < deadline:
        time.sleep(0.05)
    return log_count(log)


def run_one(*, database: str, queue: str, workers: int, messages: int, paced: int, rate: float) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="yiwang-bench-notify-"))
    port = free_port()
    log = data_dir / "gateway.jsonl"
    env = {**os.environ, "YIWANG_DATA_DIR": str(data_dir), "YIWANG_TASKS_BACKEND": queue, "YIWANG_REDIS_URL": REDIS_URL,
           "YIWANG_SMS_GATEWAYS": f"sim=http:http://127.0.0.1:{port}@100", "YIWANG_PUBLIC_URL": "http://127.0.0.1:9"}
    env.pop("YIWANG_DATABASE_URL", None)
    db_name = None
    if database == "postgres":
        db_name = f"yiwang_bench_{uuid.uuid4().hex[:8]}"
        psql(f"CREATE DATABASE {db_name}")
        env["YIWANG_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{db_name}"
    if queue == "redis":
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
    processes = []
    try:
        subprocess.run([sys.executable, "-m", "yiwang", "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
        ids = json.loads(child(env, "people", str(messages + paced)))
        simulator = subprocess.Popen([sys.executable, "-m", "yiwang", "sms-simulator", "--port", str(port), "--log", str(log),
                                      "--fault-drills"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        processes.append(simulator)
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=0.5).read()
                break
            except OSError:
                time.sleep(0.05)
        faults = urllib.request.Request(f"http://127.0.0.1:{port}/admin/faults", method="PUT",
                                        data=json.dumps({"receipt": "none"}).encode())
        urllib.request.urlopen(faults, timeout=5).read()
        # Throughput: a backlog of events (each written in its own transaction), then the workers.
        published = json.loads(child(env, "publish", json.dumps(ids[:messages]), "0", "flood"))
        for _ in range(workers):
            processes.append(subprocess.Popen([sys.executable, "-c", CHILD, "worker"], env=env,
                                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        taken = wait_for_log(log, messages, seconds=600)
        flood = json.loads(child(env, "figures", "flood"))
        # Latency: events at a steady rate below the throughput, with the workers running.
        paced_rate = min(rate, 0.5 * len(flood["rows"]) / (max(s for _, s in flood["rows"]) - flood["first_run"]))
        child(env, "publish", json.dumps(ids[messages:]), str(paced_rate), "paced")
        wait_for_log(log, messages + paced, seconds=120)
        steady = json.loads(child(env, "figures", "paced"))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        if db_name:
            psql(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
    rows = flood["rows"]
    if not rows or not steady["rows"]:
        raise SystemExit("no message was sent")
    latencies = sorted(s - e for e, s in steady["rows"])
    return {
        "database": database, "queue": queue, "workers": workers, "messages": messages, "taken": taken,
        "events_per_second": round(published["events_per_second"], 1),
        "per_second": round(len(rows) / (max(s for _, s in rows) - flood["first_run"]), 1),
        "paced_rate": round(paced_rate, 1), "paced": len(latencies),
        "p50_s": round(statistics.median(latencies), 3),
        "p99_s": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 3),
        "within_10s": round(sum(1 for x in latencies if x <= 10) / len(latencies), 4),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--queues", default="database,redis")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--paced", type=int, default=500, help="messages of the latency run")
    parser.add_argument("--rate", type=float, default=100.0, help="events per second of the latency run (at most half the throughput)")
    args = parser.parse_args()
    print(f"{'database':<9} {'queue':<9} {'workers':>7} {'messages':>8} {'events/s':>8} {'msg/s':>8} "
          f"{'at /s':>6} {'p50 s':>7} {'p99 s':>7} {'≤10 s':>7}")
    for database in args.databases.split(","):
        for queue in args.queues.split(","):
            for workers in (int(w) for w in args.workers.split(",")):
                r = run_one(database=database, queue=queue, workers=workers, messages=args.messages,
                            paced=args.paced, rate=args.rate)
                print(f"{r['database']:<9} {r['queue']:<9} {r['workers']:>7} {r['taken']:>8} {r['events_per_second']:>8} "
                      f"{r['per_second']:>8} {r['paced_rate']:>6} {r['p50_s']:>7} {r['p99_s']:>7} {r['within_10s']:>7.1%}",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
