"""The kiosk fleet: registration with a token, heartbeats and their events, transactions once per
reference, the silence alert to the hall managers, a revoked token refused, the monitor page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import make_resident, make_staff
from yiwang.core.errors import NotFound, ValidationFailed
from yiwang.kiosks import selectors, services
from yiwang.kiosks.models import KioskEvent, KioskTransaction

pytestmark = pytest.mark.django_db
ITEM = "310120-SCJG-01-0001"


@pytest.fixture
def site(catalog):
    from yiwang.hall.models import Site

    return Site.objects.create(code="FX-NANQIAO", name="南桥镇社区事务受理服务中心", kind="street")


@pytest.fixture
def kiosk(site):
    return services.register_kiosk(code="K-001", name="南桥1号机", site=site, item_codes=[ITEM])


def _kiosk_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Kiosk {token}")
    return client


def test_a_kiosk_registers_with_its_items_and_beats_under_its_own_token(kiosk):
    row, token = kiosk
    assert sorted(row.items.values_list("code", flat=True)) == [ITEM] and row.token_digest != token
    with pytest.raises(ValidationFailed) as refused:
        services.register_kiosk(code="K-001", name="重复", site=row.site)
    assert refused.value.code == "kiosk_exists"
    answer = _kiosk_client(token).post("/api/v1/kiosks/heartbeat/", {"card_reader": 0, "printer": 1, "printer_detail": "paper_low"},
                                       format="json")
    assert answer.status_code == 200 and answer.json()["items"] == [ITEM]
    row.refresh_from_db()
    assert (row.card_reader_status, row.printer_status, row.printer_detail) == (0, 1, "paper_low")
    assert sorted(KioskEvent.objects.values_list("kind", "detail")) == [("card_reader", "0"), ("printer", "1 paper_low")]
    _kiosk_client(token).post("/api/v1/kiosks/heartbeat/", {"card_reader": 0, "printer": 1, "printer_detail": "paper_low"}, format="json")
    assert KioskEvent.objects.count() == 2  # nothing changed: no new event
    bad = _kiosk_client(token).post("/api/v1/kiosks/heartbeat/", {"card_reader": 7, "printer": 0}, format="json")
    assert bad.status_code == 400
    assert _kiosk_client("not-a-token").post("/api/v1/kiosks/heartbeat/", {"card_reader": 0, "printer": 0}, format="json").status_code == 401


def test_a_revoked_kiosk_is_refused_at_once(kiosk):
    row, token = kiosk
    services.revoke_kiosk(kiosk_id=row.pk)
    refused = _kiosk_client(token).post("/api/v1/kiosks/heartbeat/", {"card_reader": 0, "printer": 0}, format="json")
    assert refused.status_code == 401 and refused.json()["message"] == "身份验证失败。"
    assert KioskEvent.objects.filter(kind="token_revoked").count() == 1


def test_a_transaction_counts_once_per_reference_and_only_for_the_kiosks_items(kiosk):
    row, token = kiosk
    client = _kiosk_client(token)
    first = client.post("/api/v1/kiosks/transactions/", {"kind": "apply", "reference": "K-001-0001", "item_code": ITEM}, format="json")
    again = client.post("/api/v1/kiosks/transactions/", {"kind": "apply", "reference": "K-001-0001", "item_code": ITEM}, format="json")
    assert (first.status_code, first.json(), again.status_code, again.json()) == (
        201, {"reference": "K-001-0001", "created": True}, 200, {"reference": "K-001-0001", "created": False})
    assert KioskTransaction.objects.count() == 1
    with pytest.raises(NotFound):
        services.record_transaction(kiosk=row, kind="apply", reference="K-001-0002", item_code="310120-GAZA-01-0001")
    with pytest.raises(ValidationFailed):
        services.record_transaction(kiosk=row, kind="dance", reference="K-001-0003")
    services.record_transaction(kiosk=row, kind="query", reference="K-001-0004")
    assert selectors.transactions_by(by="site") == [("南桥镇社区事务受理服务中心", 2)]
    assert selectors.transactions_by(by="item") == [("个体工商户设立登记", 1), ("—", 1)]


def test_a_silent_kiosk_is_reported_once_to_the_hall_managers_and_its_return_is_recorded(kiosk, frozen_clock):
    from yiwang.notifications.models import Message

    row, token = kiosk
    manager = make_staff(role="hall_manager")
    services.record_heartbeat(kiosk=row, card_reader=0, printer=0)
    frozen_clock.advance(dt.timedelta(seconds=60))
    assert services.alert_silent_kiosks() == 0  # 60 s without a heartbeat is still within the threshold
    assert selectors.fleet()[0].online
    frozen_clock.advance(dt.timedelta(seconds=1))
    assert services.alert_silent_kiosks() == 1
    assert services.alert_silent_kiosks() == 0
    told = Message.objects.get(recipient=manager, kind="kiosk_silent")
    assert told.body == "南桥镇社区事务受理服务中心的自助终端K-001 南桥1号机已 1 分钟没有心跳，请检查网络和电源。"
    fleet = selectors.fleet()
    assert (fleet[0].online, fleet[0].problems) == (False, ["silent"])
    services.record_heartbeat(kiosk=type(row).objects.get(pk=row.pk), card_reader=0, printer=2, printer_detail="paper_out")
    assert [e.kind for e in KioskEvent.objects.order_by("id")][-3:] == ["silent", "back_online", "printer"]
    assert selectors.fleet()[0].problems == ["paper_out"]


def test_the_monitor_page_and_api_are_the_hall_managers(kiosk):
    manager = Client()
    manager.force_login(make_staff(role="hall_manager"))
    page = manager.get("/kiosks/fleet/").content.decode()
    assert "K-001 南桥1号机" in page and "在线 0 / 共 1 台" in page
    resident = Client()
    resident.force_login(make_resident())
    assert resident.get("/kiosks/fleet/").status_code == 403
    api = APIClient()
    api.force_authenticate(make_staff(role="hall_manager"))
    assert api.get("/api/v1/kiosks/").json()["kiosks"][0]["problems"] == ["silent"]
    officer = APIClient()
    officer.force_authenticate(make_staff(role="window_officer", departments=["SCJG"]))
    assert officer.get("/api/v1/kiosks/").status_code == 403
