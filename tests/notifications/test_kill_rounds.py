"""Nothing lost, nothing sent twice: real worker processes and a real SMS simulator process, each
killed (SIGKILL) in the middle of a run of messages and webhook events, on a database of their own;
once with the database queue and once with Redis.

The gateway's log file is what reached the phones: every message's reference must appear in it
exactly once. The webhook receiver (a local HTTP server) acts on each event id once, as Standard
Webhooks asks of receivers; every event must have reached it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.jobs.test_redis import _redis
from tests.registries.conftest import free_port

MESSAGES = 40
# Process kills are about crashes, not dates: not in the faked-date runs (scripts/test-other-dates.sh).
pytestmark = pytest.mark.process_faults

SCRIPT = textwrap.dedent(
    """
    import dataclasses, datetime as dt, json, os, sys, threading
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "yiwang.config.settings"
    django.setup()
    from django.db import transaction
    from yiwang.jobs import registry

    # A dead worker's send is handed on after 3 s here (a minute or two in production), so the test is short.
    for kind in ("notifications.send_sms", "webhooks.deliver"):
        handler = registry.get_handler(kind)
        registry._handlers[kind] = dataclasses.replace(handler, timeout=dt.timedelta(seconds=3))

    mode = sys.argv[1]
    if mode == "enqueue":
        from yiwang.accounts.models import User
        from yiwang.notifications import constants as c
        from yiwang.notifications.services import Outgoing, create_message
        for index in range(int(sys.argv[2])):
            with transaction.atomic():
                person = User.objects.create_user(username=f"kill{index}", password="x" * 12, kind="resident",
                                                  real_name="张三", phone=f"139{index:08d}")
                create_message(Outgoing(recipient=person, kind=c.RESULT_READY, event_key=f"kill-{index}",
                                        variables={"item_name": "个体工商户设立登记", "item_name_en": "x",
                                                   "case_number": f"N{index}", "result_name": "营业执照",
                                                   "result_name_en": "x", "licence_number": f"L{index}"}))
        from yiwang.webhooks import services as hooks
        hooks.create_endpoint(name="receiver", url=sys.argv[3], event_types=["bench.*"], allow_private_addresses=True)
        for index in range(int(sys.argv[2])):
            hooks.record_event(source_event=f"kill-event-{index}", event_type="bench.happened", subject=f"N{index}",
                               data={"n": index}, department_id=None)
    elif mode == "worker":
        from yiwang.jobs.worker import QueueWorker, start_schedule
        start_schedule(tick=0.3, stop=threading.Event())
        QueueWorker(poll_seconds=0.05).run()
    elif mode == "inspect":
        from yiwang.notifications.models import Delivery
        from yiwang.webhooks.models import Delivery as HookDelivery
        print(json.dumps({"sms": dict(Delivery.objects.values_list("pk", "state")),
                          "hooks": dict(HookDelivery.objects.values_list("event_id", "state"))}))
    """
)


def _run(env, *args) -> str:
    result = subprocess.run([sys.executable, "-c", SCRIPT, *args], env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _states(env) -> dict[str, dict[str, str]]:
    return json.loads(_run(env, "inspect"))


class Receiver:
    """A webhook receiver in this process: records every request, acts on each event id once."""

    def __init__(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.received: list[str] = []
        self.processed: dict[str, int] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                event_id = self.headers["webhook-id"]
                receiver.received.append(event_id)
                receiver.processed[event_id] = receiver.processed.get(event_id, 0) or 1
                time.sleep(0.02)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _start(command: list[str], env) -> subprocess.Popen:
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _simulator(port: int, log: Path, env) -> subprocess.Popen:
    process = _start([sys.executable, "-m", "yiwang", "sms-simulator", "--port", str(port), "--name", "sim",
                      "--log", str(log), "--fault-drills"], env)
    import urllib.request

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=0.5):
                return process
        except OSError:
            time.sleep(0.05)
    raise AssertionError("the simulator did not start")


def _slow_down(port: int, seconds: float) -> None:
    import urllib.request

    request = urllib.request.Request(f"http://127.0.0.1:{port}/admin/faults", method="PUT",
                                     data=json.dumps({"slow": seconds, "receipt": "none"}).encode(),
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=5).read()


def _log_references(log: Path) -> list[str]:
    if not log.exists():
        return []
    return [json.loads(line)["reference"] for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]


def _wait(condition, what: str, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)


def _kill(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def _kill_round(env, tmp_path) -> None:
    port = free_port()
    log = tmp_path / "gateway.jsonl"
    env = {**env, "YIWANG_SMS_GATEWAYS": f"sim=http:http://127.0.0.1:{port}@100", "YIWANG_PUBLIC_URL": "http://127.0.0.1:9"}
    receiver = Receiver()
    _run(env, "enqueue", str(MESSAGES), receiver.url)
    simulator = _simulator(port, log, env)
    _slow_down(port, 0.05)  # so that the kills land in the middle of the run
    workers = [_start([sys.executable, "-c", SCRIPT, "worker"], env), _start([sys.executable, "-c", SCRIPT, "worker"], env)]
    try:
        _wait(lambda: len(_log_references(log)) >= 8, "the first messages")
        _kill(workers.pop(0))  # a worker dies mid-run
        _wait(lambda: len(_log_references(log)) >= 16, "more messages")
        _kill(simulator)  # the gateway dies mid-run
        time.sleep(1.0)  # sends fail meanwhile, and are retried
        simulator = _simulator(port, log, env)
        _slow_down(port, 0.02)
        workers.append(_start([sys.executable, "-c", SCRIPT, "worker"], env))
        states = _wait(lambda: (s := _states(env)) and all(v == "sent" for v in s["sms"].values())
                       and all(v == "delivered" for v in s["hooks"].values()) and s, "every message and event to be sent")
    finally:
        receiver.close()
        for process in [*workers, simulator]:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
    references = _log_references(log)
    assert len(states["sms"]) == MESSAGES
    assert sorted(references, key=int) == sorted(states["sms"], key=int)  # every message exactly once
    assert len(states["hooks"]) == MESSAGES
    assert sorted(receiver.processed) == sorted(states["hooks"])  # every event reached the receiver
    assert set(receiver.processed.values()) == {1}


def test_killing_a_worker_and_the_gateway_loses_nothing_and_sends_nothing_twice(separate_empty_database, tmp_path):
    _kill_round(separate_empty_database, tmp_path)


@pytest.mark.skipif(not os.environ.get("YIWANG_DATABASE_URL"), reason="the Redis round runs once, in the PostgreSQL run")
def test_the_same_with_redis_as_the_queue(separate_empty_database, tmp_path, settings):
    client = _redis()
    url = os.environ.get("YIWANG_KILL_REDIS_URL", settings.RQ_QUEUES["default"]["URL"].rsplit("/", 1)[0] + "/11")
    import redis

    redis.Redis.from_url(url).flushdb()
    try:
        _kill_round({**separate_empty_database, "YIWANG_TASKS_BACKEND": "redis", "YIWANG_REDIS_URL": url}, tmp_path)
    finally:
        redis.Redis.from_url(url).flushdb()
    assert client.ping()
