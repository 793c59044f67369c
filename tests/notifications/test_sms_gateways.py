"""SMS through two real simulator processes: weighted choice, failover on errors, a lost answer
retried at the same gateway (so never sent twice), refusals, a gateway that is down."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from tests.factories import make_resident
from tests.helpers import submitted_case
from tests.registries.conftest import free_port
from yiwang.notifications import constants as c
from yiwang.notifications import services
from yiwang.notifications.gateways import GatewayConfig, GatewayRejected, HttpGateway
from yiwang.notifications.models import Delivery, GatewayWeight

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings_media):
    return settings_media


def _applications(catalog, count: int) -> list[str]:
    """`count` residents each submit one case (one SMS each); returns their numbers."""
    numbers = []
    for index in range(count):
        person = make_resident(real_name=f"居民{index}")
        person.phone = f"139{index:08d}"
        person.save(update_fields=["phone"])
        client = APIClient()
        client.force_authenticate(person)
        submitted_case(client, key=f"k{index}")
        numbers.append(person.phone)
    return numbers


def _settle(background, frozen_clock, rounds: int = 30) -> None:
    """Run the worker until every SMS ended or was sent, moving the clock past each backoff."""
    for _ in range(rounds):
        background.run()
        if not Delivery.objects.filter(state__in=(c.CREATED, c.SENDING)).exists():
            return
        frozen_clock.advance(dt.timedelta(hours=1))
    raise AssertionError(list(Delivery.objects.values_list("state", "failure_reason")))


def _references(simulator) -> list[str]:
    return [entry["reference"] for entry in simulator.log()]


def test_every_message_reaches_exactly_one_gateway_once(catalog, gateways, background, frozen_clock):
    numbers = _applications(catalog, 12)
    _settle(background, frozen_clock)
    a, b = _references(gateways["a"]), _references(gateways["b"])
    deliveries = list(Delivery.objects.order_by("id"))
    assert sorted(a + b, key=int) == [str(d.pk) for d in deliveries]  # every one, once
    assert {d.state for d in deliveries} == {c.SENT}
    for delivery in deliveries:
        log = a if delivery.gateway == "a" else b
        assert str(delivery.pk) in log
        assert delivery.gateway_reference.startswith(f"{delivery.gateway}-")
    assert sorted(d.to for d in deliveries) == sorted(numbers)


def test_a_failing_gateway_loses_weight_and_its_messages_go_out_through_the_other(catalog, gateways, background, frozen_clock,
                                                                                 monkeypatch):
    import random

    monkeypatch.setattr(services, "_rng", random.Random(7))  # the same draws every run
    gateways["a"].faults(error=1000)
    _applications(catalog, 12)
    _settle(background, frozen_clock)
    assert _references(gateways["a"]) == []
    assert sorted(_references(gateways["b"]), key=int) == [str(pk) for pk in Delivery.objects.order_by("id").values_list("pk", flat=True)]
    assert set(Delivery.objects.values_list("state", "gateway")) == {(c.SENT, "b")}
    assert dict(GatewayWeight.objects.values_list("gateway", "weight"))["a"] < 60
    # Once a is healthy again, the weights drift back a step every quarter of an hour.
    gateways["a"].call("DELETE", "/admin/faults")
    for _ in range(10):
        services.drift_weights_back()
    assert dict(GatewayWeight.objects.values_list("gateway", "weight")) == {"a": 60, "b": 40}


def test_an_answer_lost_to_a_timeout_is_retried_at_the_same_gateway_and_sent_once(catalog, gateways, background,
                                                                                    frozen_clock, settings):
    settings.SMS_GATEWAYS = [{"name": "a", "adapter": "http", "url": gateways["a"].url, "weight": 60},
                             {"name": "b", "adapter": "http", "url": gateways["b"].url, "weight": 40}]
    gateways["a"].faults(accept_then_stall=1)
    gateways["b"].faults(accept_then_stall=1)
    _applications(catalog, 1)
    _settle(background, frozen_clock)
    delivery = Delivery.objects.get()
    log = _references(gateways[delivery.gateway])
    assert log == [str(delivery.pk)]  # taken once, though the first answer never came
    other = "b" if delivery.gateway == "a" else "a"
    assert _references(gateways[other]) == []
    assert (delivery.state, delivery.attempts) == (c.SENT, 2)


def test_a_gateway_that_is_down_ends_in_a_technical_failure(catalog, settings, background, frozen_clock):
    settings.SMS_GATEWAYS = [{"name": "down", "adapter": "http", "url": f"http://127.0.0.1:{free_port()}", "weight": 100}]
    settings.SMS_MAX_ATTEMPTS = 3
    _applications(catalog, 1)
    _settle(background, frozen_clock)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.failure_reason) == (
        c.TECHNICAL_FAILURE, 3, "no gateway took it in 3 attempts")


def test_a_number_the_gateway_refuses_is_a_permanent_failure(simulators, settings):
    settings.SMS_GATEWAY_TIMEOUT_SECONDS = 1.0
    adapter = HttpGateway(GatewayConfig(name="a", adapter="http", url=simulators["a"].url))
    with pytest.raises(GatewayRejected) as refused:
        adapter.send(reference="x-1", to="02112345678", text="测试", callback_url="")
    assert refused.value.reason == "invalid_number"


def test_a_misconfigured_gateway_is_reported_at_start_up(settings):
    from django.core import checks

    settings.SMS_GATEWAYS = [{"name": "x", "adapter": "carrier-pigeon", "url": "", "weight": 1},
                             {"name": "y", "adapter": "http", "url": "ftp://example", "weight": 1}]
    messages = [m.msg for m in checks.run_checks(tags=["notifications"])]
    assert messages == ["gateway x: unknown adapter 'carrier-pigeon' (known: file, http)",
                        "gateway y: url must be http:// or https://, got 'ftp://example'"]


def test_one_exchange_carries_a_batch_and_answers_each_message(gateways, settings):
    """The batch protocol: each message answered on its own (taken, known before, refused), in order."""
    from yiwang.notifications.gateways import Sms

    adapter = HttpGateway(GatewayConfig(name="a", adapter="http", url=gateways["a"].url))
    first = adapter.send_many([Sms(reference="r1", to="13912345678", text="一")], callback_url="")
    answers = adapter.send_many([Sms(reference="r2", to="13912345679", text="二"),
                                 Sms(reference="r1", to="13912345678", text="一"),
                                 Sms(reference="r3", to="02112345678", text="三")], callback_url="")
    taken = {entry["reference"]: entry["id"] for entry in gateways["a"].log()}
    assert first == [taken["r1"]]
    assert answers[:2] == [taken["r2"], taken["r1"]]  # r1 was taken before: its first id, not a second message
    assert isinstance(answers[2], GatewayRejected) and answers[2].reason == "invalid_number"
    assert _references(gateways["a"]) == ["r1", "r2"]


def test_a_batch_the_gateway_could_not_take_is_unavailable_for_every_message(gateways):
    from yiwang.notifications.gateways import Sms

    gateways["a"].faults(error=1)
    adapter = HttpGateway(GatewayConfig(name="a", adapter="http", url=gateways["a"].url))
    answers = adapter.send_many([Sms(reference="r1", to="13912345678", text="一"),
                                 Sms(reference="r2", to="13912345679", text="二")], callback_url="")
    assert [(type(a).__name__, a.reason, a.ambiguous) for a in answers] == [("GatewayUnavailable", "http_500", False)] * 2
    assert _references(gateways["a"]) == []
    again = adapter.send_many([Sms(reference="r1", to="13912345678", text="一")], callback_url="")
    assert again == [entry["id"] for entry in gateways["a"].log()]
    assert _references(gateways["a"]) == ["r1"]


def test_the_file_gateway_writes_a_batch_once_and_knows_references_it_took(settings, tmp_path):
    import json

    from yiwang.notifications.gateways import FileGateway, Sms

    settings.DATA_DIR = tmp_path
    adapter = FileGateway(GatewayConfig(name="file", adapter="file"))
    assert adapter.send_many([Sms("1", "13912345678", "一"), Sms("2", "13912345679", "二")], callback_url="") \
        == ["file-1", "file-2"]
    assert adapter.send_many([Sms("2", "13912345679", "二"), Sms("3", "13912345670", "三")], callback_url="") \
        == ["file-2", "file-3"]
    lines = [json.loads(line) for line in (tmp_path / "sms-outbox.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(line["reference"], line["to"], line["text"]) for line in lines] == [
        ("1", "13912345678", "一"), ("2", "13912345679", "二"), ("3", "13912345670", "三")]
