"""The production server killed (SIGKILL, the whole process group) during a burst of submissions.

Residents submit in one call through `yiwang serve`, each request with its own Idempotency-Key,
from 12 client threads at once. The server is killed once some answers are in, started again,
and every client retries its unanswered requests with the same key, as a real client would.
Afterwards: every key has exactly one case, every answer given before the kill still holds, and
no case is half-written (each has its number, its frozen rules, one submit event and a serial
counter that matches). One round in CI; YIWANG_KILL_ROUNDS=3 for the probe's three.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.request

import pytest

from tests.registries.conftest import free_port

pytestmark = pytest.mark.process_faults

RESIDENTS = 6
SUBMISSIONS = 60
CLIENTS = 12
ROUNDS = int(os.environ.get("YIWANG_KILL_ROUNDS", "1"))
ITEM = "310120-SCJG-21-0001"  # 企业名称状态查询: no materials, so one call submits
FORM = {"phone": "13800138000", "address": "上海市奉贤区南桥镇解放东路1号"}

SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    import django
    os.environ["DJANGO_SETTINGS_MODULE"] = "yiwang.config.settings"
    django.setup()
    from yiwang.accounts.models import User
    from yiwang.accounts.services import issue_api_token
    from yiwang.core.identifiers import id_card_check_char

    mode = sys.argv[1]
    if mode == "prepare":
        tokens = []
        for index in range(int(sys.argv[2])):
            body = f"31012019900307{index:03d}"
            person = User.objects.create_user(username=f"burst{index}", password="x" * 12, kind="resident",
                                              real_name="张三", id_number=body + id_card_check_char(body))
            tokens.append(issue_api_token(user=person))
        print(json.dumps(tokens))
    elif mode == "inspect":
        from yiwang.applications.models import Case, CaseEvent, CaseSerial
        cases = [{"id": case.pk, "key": f"{case.applicant.username}/{case.submission_key}", "state": case.state,
                  "number": case.number, "has_rules": bool(case.rules.get("flow")),
                  "events": list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))}
                 for case in Case.objects.select_related("applicant").order_by("pk")]
        print(json.dumps({"cases": cases, "serial_total": sum(CaseSerial.objects.values_list("last", flat=True))}))
    """
)


def _run(env, *args) -> str:
    result = subprocess.run([sys.executable, "-c", SCRIPT, *args], env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _serve(env, port: int) -> subprocess.Popen:
    server = subprocess.Popen([sys.executable, "-m", "yiwang", "serve", "--port", str(port), "--workers", "2", "--threads", "4"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return server
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise AssertionError("the server did not start")
            time.sleep(0.1)


def _submit(port: int, token: str, key: str) -> tuple[int, dict] | None:
    """One attempt; None when the server is not there to answer (killed, or not yet back)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/applications/", method="POST",
        data=json.dumps({"item_code": ITEM, "form_data": FORM, "submit": True}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}", "Idempotency-Key": key})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
    except (OSError, ValueError):  # refused, reset or cut short by the kill
        return None


def test_killing_the_server_during_a_submission_burst_loses_nothing_and_doubles_nothing(separate_database):
    env = separate_database
    tokens = json.loads(_run(env, "prepare", str(RESIDENTS)))
    figures = [_burst(env, tokens, round_index) for round_index in range(ROUNDS)]
    state = json.loads(_run(env, "inspect"))
    cases = state["cases"]
    by_key = {}
    for case in cases:
        by_key.setdefault(case["key"], []).append(case)
    every_key = {key for outcome in figures for key in outcome["answers"]}

    assert len(every_key) == SUBMISSIONS * ROUNDS
    assert sorted(by_key) == sorted(every_key)  # nothing lost, nothing extra
    assert {len(found) for found in by_key.values()} == {1}  # no duplicate
    for outcome in figures:
        for key, answers in outcome["answers"].items():
            assert {status for status, _ in answers} <= {200, 201}, answers
            assert {body["id"] for _, body in answers} == {by_key[key][0]["id"]}
        for key, (_, body) in outcome["before_kill"].items():
            assert by_key[key][0]["id"] == body["id"]  # an answer given before the kill still holds
    for case in cases:  # no half-written case
        assert case["state"] == "received" and case["number"] and case["has_rules"], case
        assert case["events"] == ["submit"], case
    assert state["serial_total"] == len(cases)
    print(f"kill rounds: {ROUNDS}; submissions {len(cases)}; answered before a kill "
          f"{sum(len(o['before_kill']) for o in figures)}; attempts cut by a kill "
          f"{sum(len(o['lost']) for o in figures)}; lost 0; duplicates 0; half-written 0")


def _burst(env, tokens, round_index: int) -> dict:
    port = free_port()
    server = _serve(env, port)
    work = [(f"burst{i % RESIDENTS}", tokens[i % RESIDENTS], f"r{round_index}-k{i}") for i in range(SUBMISSIONS)]
    answers: dict[str, list[tuple[int, dict]]] = {}
    lost: list[str] = []
    lock = threading.Lock()
    cursor = iter(work)
    failures: list[str] = []

    def client():
        while True:
            with lock:
                job = next(cursor, None)
            if job is None:
                return
            username, token, key = job
            deadline = time.monotonic() + 90
            while True:
                answer = _submit(port, token, key)
                if answer is not None and answer[0] < 500:
                    with lock:
                        answers.setdefault(f"{username}/{key}", []).append(answer)
                    break
                with lock:
                    lost.append(key)
                if time.monotonic() > deadline:
                    failures.append(f"{key} was never answered: {answer}")
                    return
                time.sleep(0.2)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 60
        while len(answers) < SUBMISSIONS // 4:
            assert time.monotonic() < deadline, "the burst did not get going"
            time.sleep(0.01)
        os.killpg(server.pid, signal.SIGKILL)  # the master and its workers, mid-burst
        server.wait(timeout=10)
        with lock:
            before_kill = {key: found[0] for key, found in answers.items()}
        time.sleep(0.5)
        server = _serve(env, port)
        for thread in threads:
            thread.join(timeout=120)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
    assert failures == []
    return {"answers": answers, "before_kill": before_kill, "lost": lost}
