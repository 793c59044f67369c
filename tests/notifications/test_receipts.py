"""Delivery receipts by the gateway's own callback to the live server: delivered, failures,
duplicates, and a receipt that arrives before the platform recorded the send."""

from __future__ import annotations

import time

import pytest
from rest_framework.test import APIClient

from tests.conftest import BackgroundRunner
from tests.factories import make_resident
from tests.helpers import submitted_case
from yiwang.notifications import constants as c
from yiwang.notifications.models import Delivery, DeliveryReceipt

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def one_gateway(gateways, settings, live_server, settings_media):
    settings.PUBLIC_URL = live_server.url
    settings.SMS_GATEWAYS = [{"name": "a", "adapter": "http", "url": gateways["a"].url, "weight": 100}]
    settings.SMS_GATEWAY_TIMEOUT_SECONDS = 3.0
    return gateways["a"]


def _submit(catalog) -> Delivery:
    person = make_resident()
    client = APIClient()
    client.force_authenticate(person)
    submitted_case(client)
    BackgroundRunner().run()
    return Delivery.objects.get()


def _wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


@pytest.mark.parametrize("status,state,reason", [
    ("DELIVRD", c.DELIVERED, ""),
    ("UNDELIV", c.PERMANENT_FAILURE, "receipt UNDELIV"),
    ("EXPIRED", c.TEMPORARY_FAILURE, "receipt EXPIRED"),
])
def test_the_gateways_receipt_ends_the_delivery(catalog, one_gateway, status, state, reason):
    one_gateway.faults(receipt=status, receipt_delay=0.05)
    delivery = _submit(catalog)
    _wait_for(lambda: Delivery.objects.get(pk=delivery.pk).state != c.SENT)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.failure_reason) == (state, reason)
    assert (delivery.delivered_at is not None) == (state == c.DELIVERED)


def test_duplicate_receipts_change_nothing(catalog, one_gateway):
    one_gateway.faults(receipt="DELIVRD", duplicate_receipts=True, receipt_delay=0.05)
    delivery = _submit(catalog)
    _wait_for(lambda: DeliveryReceipt.objects.filter(applied=True).count() == 2)
    delivery.refresh_from_db()
    assert delivery.state == c.DELIVERED
    assert list(DeliveryReceipt.objects.values_list("status", "outcome", "applied")) == [
        ("DELIVRD", c.DELIVERED, True), ("DELIVRD", c.DELIVERED, True)]


def test_a_receipt_that_overtakes_the_answer_is_kept_and_applied(catalog, one_gateway):
    # The gateway takes the message, its receipt arrives at once, its answer to us a second later.
    one_gateway.faults(receipt="DELIVRD", receipt_delay=0, answer_delay=1.0)
    delivery = _submit(catalog)
    delivery.refresh_from_db()
    assert delivery.state == c.DELIVERED  # not pushed back to "sent" by the late answer
    assert delivery.gateway_reference == one_gateway.log()[0]["id"]
    assert DeliveryReceipt.objects.get().applied is True
