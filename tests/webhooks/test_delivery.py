"""Webhook deliveries to a real local receiver (an HTTP server on 127.0.0.1 that answers as told):
retries until a 2xx, 429's Retry-After, 410 disables, no redirects, loopback refused unless
allowed, secret rotation, replay, the department's own events only, a test event."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import PASSWORD, make_resident, make_staff
from tests.helpers import act, submitted_case
from yiwang.catalog.models import Department
from yiwang.webhooks import models as m
from yiwang.webhooks import services

pytestmark = pytest.mark.django_db


class Receiver:
    """Answers each POST with the next scripted (status, headers); records what it was sent."""

    def __init__(self):
        self.script: list[tuple[int, dict]] = []
        self.requests: list[dict] = []
        self.processed: dict[str, dict] = {}  # by webhook-id: what a receiver that dedupes would act on
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                          "body": body})
                status, headers = receiver.script.pop(0) if receiver.script else (200, {})
                if 200 <= status < 300:
                    receiver.processed.setdefault(self.headers["webhook-id"], json.loads(body))
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    started = Receiver()
    yield started
    started.close()


@pytest.fixture(autouse=True)
def _media(settings_media):
    return settings_media


def endpoint(receiver, *, path="/hook", types=("case.*",), department="SCJG", allow_private=True):
    return services.create_endpoint(name=f"{department} system", url=receiver.url + path, event_types=list(types),
                                    department=Department.objects.get(code=department) if department else None,
                                    allow_private_addresses=allow_private)


def accepted_case(catalog):
    resident, officer = APIClient(), APIClient()
    resident.force_authenticate(make_resident())
    officer.force_authenticate(make_staff(role="window_officer", departments=["SCJG"]))
    case = submitted_case(resident)
    act(officer, case, "accept")
    return case


def settle(background, frozen_clock, rounds=15):
    for _ in range(rounds):
        background.run()
        pending = m.Delivery.objects.filter(state=m.PENDING).order_by("next_attempt_at").first()
        if pending is None:
            return
        frozen_clock.set(max(frozen_clock.now(), pending.next_attempt_at) + dt.timedelta(seconds=1))
    raise AssertionError(list(m.Delivery.objects.values_list("state", "attempts")))


def _verify(secret: str, request: dict) -> bool:
    headers = request["headers"]
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + request["body"]
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return expected in headers["webhook-signature"].split(" ")


def test_500_500_429_then_200_is_one_event_processed_once(catalog, receiver, background, frozen_clock):
    hook = endpoint(receiver, types=("case.submit",))
    receiver.script = [(500, {}), (500, {}), (429, {"Retry-After": "2"}), (200, {})]
    case = accepted_case(catalog)
    settle(background, frozen_clock)
    deliveries = m.Delivery.objects.filter(event__type="cn.gov.yiwang.case.submit")
    assert [(d.state, d.attempts, d.last_status) for d in deliveries] == [(m.DELIVERED, 4, 200)]
    ids = [r["headers"]["webhook-id"] for r in receiver.requests]
    submit_id = deliveries[0].event_id
    assert ids.count(submit_id) == 4  # the same id on every retry
    event = receiver.processed[submit_id]
    assert (event["specversion"], event["type"], event["subject"]) == ("1.0", "cn.gov.yiwang.case.submit", case["number"])
    assert event["data"]["to_state"] == "received"
    assert "13800138000" not in json.dumps(receiver.processed, ensure_ascii=False)  # a thin payload: no personal data
    assert all(_verify(hook.secret, r) for r in receiver.requests)
    assert list(receiver.processed) == [submit_id]
    assert m.Event.objects.count() == 2  # the accept happened too; this endpoint did not ask for it
    attempts = list(m.Attempt.objects.filter(delivery=deliveries[0]).order_by("at", "id").values_list("status", flat=True))
    assert attempts == [500, 500, 429, 200]


def test_an_attempt_whose_worker_died_after_it_began_is_made_again(catalog, receiver, background, frozen_clock):
    from yiwang.jobs.models import Job
    from yiwang.jobs.services import execute_job

    endpoint(receiver, types=("case.submit",))
    accepted_case(catalog)
    for job in Job.objects.filter(kind="webhooks.on_case_event"):
        execute_job(job_id=job.pk)
    delivery = m.Delivery.objects.get()
    # The first run marked attempt 1 and died; the sweeper gives its job to another worker.
    m.Delivery.objects.filter(pk=delivery.pk).update(attempts=1)
    Job.objects.filter(kind="webhooks.deliver").update(state="retry", attempts=1)
    background.run()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.last_status) == (m.DELIVERED, 1, 200)
    assert [r["headers"]["webhook-id"] for r in receiver.requests] == [delivery.event_id]


def test_retry_after_on_429_sets_the_next_attempt(catalog, receiver, background, frozen_clock):
    endpoint(receiver, types=("case.submit",))
    receiver.script = [(429, {"Retry-After": "7200"})]
    accepted_case(catalog)
    background.run()
    delivery = m.Delivery.objects.get()
    assert delivery.next_attempt_at == frozen_clock.now() + dt.timedelta(hours=2)


def test_410_disables_the_endpoint_and_later_events_are_not_sent(catalog, receiver, background, frozen_clock):
    hook = endpoint(receiver, types=("case.submit",))
    receiver.script = [(410, {})]
    accepted_case(catalog)
    settle(background, frozen_clock)
    hook.refresh_from_db()
    assert (hook.enabled, hook.disabled_reason) == (False, "the receiver answered 410 Gone")
    assert m.Delivery.objects.get().state == m.ENDPOINT_DISABLED
    accepted_case(catalog)
    settle(background, frozen_clock)
    assert len(receiver.requests) == 1


def test_a_redirect_is_not_followed(catalog, receiver, background, frozen_clock):
    endpoint(receiver, types=("case.submit",))
    receiver.script = [(302, {"Location": receiver.url + "/elsewhere"})] * 10
    accepted_case(catalog)
    settle(background, frozen_clock)
    delivery = m.Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == (m.EXHAUSTED, 10)
    assert {r["path"] for r in receiver.requests} == {"/hook"}
    assert delivery.last_error == f"redirect to {receiver.url}/elsewhere not followed"


def test_a_loopback_address_is_refused_unless_allowed(catalog, receiver, background, frozen_clock):
    with pytest.raises(Exception) as refused:
        services.create_endpoint(name="x", url=receiver.url, event_types=["case.*"])
    assert refused.value.code == "endpoint_not_https"
    hook = services.create_endpoint(name="x", url=receiver.url.replace("http://127.0.0.1", "https://localhost"),
                                    event_types=["case.submit"], department=Department.objects.get(code="SCJG"))
    accepted_case(catalog)
    background.run()
    delivery = m.Delivery.objects.get(endpoint=hook)
    assert delivery.last_error in ("localhost resolves to 127.0.0.1, which is not a public address",
                                   "localhost resolves to ::1, which is not a public address")
    assert receiver.requests == []


def test_only_the_cases_department_hears_of_it(catalog, receiver, background, frozen_clock):
    endpoint(receiver, department="GAZA")
    everything = endpoint(receiver, path="/all", department=None, types=("case.accept",))
    accepted_case(catalog)
    settle(background, frozen_clock)
    assert [r["path"] for r in receiver.requests] == ["/all"]
    assert m.Delivery.objects.get().endpoint == everything


def test_rotation_signs_with_both_secrets_for_24_hours(catalog, receiver, background, frozen_clock):
    hook = endpoint(receiver, types=("case.submit", "case.accept"))
    old = hook.secret
    rotated = services.rotate_secret(endpoint_id=hook.pk)
    accepted_case(catalog)
    background.run()
    first = receiver.requests[0]
    assert _verify(old, first) and _verify(rotated.secret, first)
    assert len(first["headers"]["webhook-signature"].split(" ")) == 2
    frozen_clock.advance(dt.timedelta(hours=24, seconds=1))
    services.send_test_event(endpoint_id=hook.pk)
    background.run()
    last = receiver.requests[-1]
    assert _verify(rotated.secret, last) and not _verify(old, last)


def test_replay_keeps_the_event_id_and_signs_with_the_current_secret(catalog, receiver, background, frozen_clock):
    hook = endpoint(receiver, types=("case.submit",))
    receiver.script = [(500, {})] * 10
    accepted_case(catalog)
    settle(background, frozen_clock)
    delivery = m.Delivery.objects.get()
    assert delivery.state == m.EXHAUSTED
    rotated = services.rotate_secret(endpoint_id=hook.pk)
    frozen_clock.advance(dt.timedelta(days=2))
    services.request_replay(delivery_id=delivery.pk)
    assert background.run() == {"webhooks.replay": ["done"]}
    replayed = receiver.requests[-1]
    assert replayed["headers"]["webhook-id"] == delivery.event_id
    assert _verify(rotated.secret, replayed)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (m.DELIVERED, 10)  # a replay is not an attempt of the schedule
    assert m.Attempt.objects.filter(delivery=delivery, replay=True).count() == 1
    hook.refresh_from_db()
    assert hook.enabled


def test_the_back_office_registers_an_endpoint_and_sends_a_test_event(catalog, receiver, background):
    from yiwang.accounts.models import User

    User.objects.create_superuser(username="hooks-admin", password=PASSWORD, email="")
    admin = Client()
    assert admin.login(username="hooks-admin", password=PASSWORD)
    refused = admin.post("/admin/webhooks/endpoint/add/", {"name": "税务系统", "url": "http://tax.example.gov.cn/hook",
                                                           "event_types": '["case.*"]', "enabled": "on"})
    assert "接收地址必须使用 HTTPS" in refused.content.decode()
    added = admin.post("/admin/webhooks/endpoint/add/", {"name": "本地系统", "url": receiver.url + "/hook",
                                                         "event_types": '["case.*"]', "enabled": "on",
                                                         "allow_private_addresses": "on"}, follow=True)
    hook = m.Endpoint.objects.get(name="本地系统")
    assert hook.secret in added.content.decode()  # shown once, to give to the receiving system
    admin.post("/admin/webhooks/endpoint/", {"action": "test_event", "_selected_action": [hook.pk]})
    background.run()
    assert [json.loads(r["body"])["type"] for r in receiver.requests] == ["cn.gov.yiwang.webhook.test"]
    assert _verify(hook.secret, receiver.requests[0])
    evidence = admin.get(f"/admin/webhooks/delivery/{m.Delivery.objects.get().pk}/change/").content.decode()
    assert "cn.gov.yiwang.webhook.test" in evidence and "200" in evidence
