"""Messages from case events: the message centre, SMS through the demo's file gateway, choices,
and the defined end of each bad case (bad number, unknown variable, rate limit, silence)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import make_resident, make_staff
from tests.helpers import FORM, ITEM_TWO_LEVELS, act, submitted_case
from yiwang.notifications import constants as c
from yiwang.notifications import services, texts
from yiwang.notifications.models import Delivery, Message

pytestmark = pytest.mark.django_db
PHONE = "13912345678"


@pytest.fixture(autouse=True)
def _media(settings_media):
    return settings_media


@pytest.fixture
def resident(catalog):
    person = make_resident()
    person.phone = PHONE
    person.save(update_fields=["phone"])
    return person


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def outbox(settings) -> list[dict]:
    path = Path(settings.DATA_DIR) / "sms-outbox.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


@pytest.fixture(autouse=True)
def _empty_outbox(settings):
    path = Path(settings.DATA_DIR) / "sms-outbox.jsonl"
    path.unlink(missing_ok=True)
    yield
    path.unlink(missing_ok=True)


def test_a_supplement_request_reaches_the_message_centre_and_the_phone_once(resident, background, settings):
    officer = api(make_staff(role="window_officer", departments=["SCJG"]))
    case = submitted_case(api(resident), item_code=ITEM_TWO_LEVELS, positions=(1, 2, 3))
    accepted = act(officer, case, "accept").json()
    act(officer, accepted, "request_supplement", missing_materials=[3, 1], opinion="请提供清晰扫描件")
    assert Message.objects.count() == 0  # told by the worker, after the commit
    ran = background.run()
    assert ran["notifications.on_case_event"] == ["done"] * 3
    assert ran["notifications.send_sms"] == ["done"] * 3

    kinds = list(Message.objects.filter(recipient=resident).order_by("id").values_list("kind", "essential"))
    assert kinds == [(c.RECEIVED, False), (c.ACCEPTED, False), (c.SUPPLEMENT_REQUESTED, True)]
    notice = Message.objects.get(kind=c.SUPPLEMENT_REQUESTED)
    names = Case_material_names(case["id"], [1, 3])
    assert notice.body == f"您申请的“食品经营许可（变更）”（{case['number']}）需补正以下材料：{'、'.join(names)}。请登录一网通办上传。"
    assert notice.link == f"/cases/{case['id']}/"
    sent = outbox(settings)
    assert [(m["to"], m["reference"]) for m in sent] == [(PHONE, str(d.pk)) for d in Delivery.objects.order_by("id")]
    assert sent[2]["text"] == f"【奉贤一网通办】{notice.body}"
    assert set(Delivery.objects.values_list("state", flat=True)) == {c.SENT}

    assert background.run() == {}  # nothing twice
    assert len(outbox(settings)) == 3


def Case_material_names(case_id: int, positions: list[int]) -> list[str]:
    from yiwang.applications.models import Case

    rules = Case.objects.get(pk=case_id).rules["materials"]
    return [m["name"] for m in rules if m["position"] in positions]


def test_the_message_centre_counts_unread_and_reading_marks_them(resident, background):
    officer = api(make_staff(role="window_officer", departments=["SCJG"]))
    case = submitted_case(api(resident))
    act(officer, case, "accept")
    background.run()
    client = Client()
    client.force_login(resident)
    home = client.get("/messages/")
    assert home.status_code == 200
    page = home.content.decode()
    assert '<span class="badge" id="unread-count"' in page and ">2</span>" in page
    assert page.count('class="message-item unread"') == 2

    first = Message.objects.filter(recipient=resident).order_by("id").first()
    opened = client.get(f"/messages/{first.pk}/")
    assert opened.status_code == 200
    assert f'href="/cases/{case["id"]}/"' in opened.content.decode()
    first.refresh_from_db()
    assert first.read_at is not None
    assert api(resident).get("/api/v1/messages/").json()["unread"] == 1
    client.post("/messages/read-all/")
    assert api(resident).get("/api/v1/messages/").json()["unread"] == 0

    stranger = Client()
    stranger.force_login(make_resident(real_name="李四"))
    assert stranger.get(f"/messages/{first.pk}/").status_code == 404
    assert api(make_resident(real_name="王五")).post(f"/api/v1/messages/{first.pk}/read/").json()["code"] == "message_not_found"


def test_english_speakers_get_english_and_routine_sms_can_be_switched_off(resident, background, settings):
    services.update_settings(user=resident, language="en", sms=False, email=False)
    officer = api(make_staff(role="window_officer", departments=["SCJG"]))
    case = submitted_case(api(resident))
    act(officer, case, "reject", opinion="材料不齐")
    background.run()
    received, refused = Message.objects.filter(recipient=resident).order_by("id")
    assert received.title == "Application received"
    assert refused.body == f"Your application for {received.body.split('for ')[1].split(' was')[0]} ({case['number']}) was not accepted. Reason: 材料不齐."
    # Only the essential one (不予受理) went by SMS.
    assert [d.message.kind for d in Delivery.objects.all()] == [c.NOT_ACCEPTED]
    assert outbox(settings)[0]["text"].startswith("[Fengxian Gov Services] Your application for")


def test_the_preferences_page_saves_and_says_what_cannot_be_switched_off(resident):
    client = Client()
    client.force_login(resident)
    page = client.get("/messages/settings/").content.decode()
    assert "需补正材料、不予受理、不予许可、办理结果已出、可领取结果" in page
    assert 'name="email"' not in page  # e-mail is for staff
    client.post("/messages/settings/", {"language": "en", "sms": ""})
    chosen = services.settings_for(resident)
    assert (chosen.language, chosen.sms) == ("en", False)
    client.post("/messages/settings/", {"language": "klingon", "sms": "on"})
    chosen = services.settings_for(resident)
    assert (chosen.language, chosen.sms) == ("en", False)  # refused: nothing changed


def test_a_number_that_is_not_a_mainland_mobile_ends_validation_failed(catalog, background, settings):
    person = make_resident()
    person.phone = "12345"
    person.save(update_fields=["phone"])
    submitted_case(api(person))
    background.run()
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.failure_reason) == (c.VALIDATION_FAILED, "invalid_mobile")
    assert Message.objects.get().kind == c.RECEIVED  # still in the message centre
    assert outbox(settings) == []


def test_with_no_account_mobile_the_forms_contact_number_is_used(catalog, background, settings):
    person = make_resident()
    person.phone = ""
    person.save(update_fields=["phone"])
    submitted_case(api(person))
    background.run()
    assert [m["to"] for m in outbox(settings)] == [FORM["phone"]]


def test_an_unknown_template_variable_sends_nothing_and_keeps_a_plain_message(resident, background, settings, monkeypatch):
    broken = {**texts.TEXTS, c.RECEIVED: {"zh-hans": ("已收到", "办件{case_nubmer}已提交"), "en": ("Received", "x")}}
    monkeypatch.setattr(texts, "TEXTS", broken)
    submitted_case(api(resident))
    background.run()
    message = Message.objects.get()
    assert (message.title, message.body) == ("您有一条新消息", "您的办件有新进展，请登录一网通办查看。")
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.failure_reason) == (c.VALIDATION_FAILED, "unknown_variable:case_nubmer")
    assert outbox(settings) == []


def test_routine_sms_to_one_number_are_limited_per_hour(resident, background, settings, frozen_clock):
    settings.SMS_PER_NUMBER_PER_HOUR = 2
    client = api(resident)
    for key in ("a", "b", "c"):
        submitted_case(client, key=key)
    background.run()
    assert list(Delivery.objects.order_by("id").values_list("state", flat=True)) == [c.SENT, c.SENT, c.RATE_LIMITED]
    frozen_clock.advance(dt.timedelta(hours=1))
    submitted_case(client, key="d")
    background.run()
    assert Delivery.objects.order_by("id").last().state == c.SENT
    assert len(outbox(settings)) == 3


def test_essential_messages_are_not_rate_limited(resident, background, settings):
    settings.SMS_PER_NUMBER_PER_HOUR = 1
    officer = api(make_staff(role="window_officer", departments=["SCJG"]))
    for key in ("a", "b"):
        act(officer, submitted_case(api(resident), key=key), "reject", opinion="不符合条件")
    background.run()
    states = {(d.message.kind, d.state) for d in Delivery.objects.select_related("message")}
    assert states == {(c.RECEIVED, c.SENT), (c.RECEIVED, c.RATE_LIMITED), (c.NOT_ACCEPTED, c.SENT)}
    assert Delivery.objects.filter(message__kind=c.NOT_ACCEPTED, state=c.SENT).count() == 2


def test_a_sent_message_without_a_receipt_for_72_hours_is_a_temporary_failure(resident, background, frozen_clock):
    submitted_case(api(resident))
    background.run()
    frozen_clock.advance(dt.timedelta(hours=71, minutes=59))
    assert services.time_out_silent_deliveries() == 0
    frozen_clock.advance(dt.timedelta(minutes=2))
    assert services.time_out_silent_deliveries() == 1
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.failure_reason) == (c.TEMPORARY_FAILURE, "no receipt in 72 h")


def test_officers_are_warned_once_when_a_case_turns_yellow_then_red(resident, background, frozen_clock, settings):
    settings.DEADLINE_WARNING_WORKING_DAYS = 1
    officer = make_staff(role="window_officer", departments=["SCJG"])
    officer.email = "officer@example.gov.cn"
    officer.save(update_fields=["email"])
    other_department = make_staff(role="window_officer", departments=["GAZA"])
    case = submitted_case(api(resident), item_code=ITEM_TWO_LEVELS, positions=(1, 2, 3))
    accepted = act(api(officer), case, "accept").json()
    assert accepted["promised_due"] == "2026-03-13"  # 3 working days after Tue 10 March
    background.run()
    from yiwang.notifications.sources import deadline_warnings

    assert deadline_warnings() == []  # green
    frozen_clock.set(dt.date(2026, 3, 12))  # one working day left: yellow
    assert [m.recipient_id for m in deadline_warnings()] == [officer.pk]
    assert deadline_warnings() == []  # once per level
    frozen_clock.set(dt.date(2026, 3, 16))  # overdue: red
    red = deadline_warnings()
    assert [(m.recipient_id, m.kind) for m in red] == [(officer.pk, c.DEADLINE_APPROACHING)]
    assert "已超期" in red[0].body
    assert not Message.objects.filter(recipient=other_department).exists()
    assert background.run()["notifications.send_email"] == ["done", "done"]
    from django.core import mail  # the test run's in-memory mail backend (pytest-django)

    assert [(m.to, m.subject) for m in mail.outbox] == [(["officer@example.gov.cn"], "办件临近期限")] * 2
    assert set(Delivery.objects.filter(channel=c.CHANNEL_EMAIL).values_list("state", flat=True)) == {c.DELIVERED}


def test_the_public_performance_page_shows_the_10_second_share(resident, background, frozen_clock):
    submitted_case(api(resident), key="fast")
    background.run()
    submitted_case(api(resident), key="slow")
    frozen_clock.advance(dt.timedelta(seconds=11))
    background.run()
    page = Client().get("/messages/performance/").content.decode()
    assert "<td>2026-03-10</td><td>短信</td><td>2</td><td>1</td><td>50.0%</td>" in page


def test_receipts_need_the_gateways_token(client):
    answer = client.post("/api/v1/notifications/sms-receipts/file/", {"id": "x", "reference": "1", "status": "DELIVRD"},
                         content_type="application/json")
    assert answer.status_code == 403
    assert answer.json()["code"] == "bad_receipt_token"
    unknown = client.post("/api/v1/notifications/sms-receipts/nope/", {}, content_type="application/json",
                          HTTP_AUTHORIZATION="Bearer yiwang-demo-sms-receipts")
    assert unknown.json()["code"] == "gateway_not_found"


def test_the_message_centre_speaks_english(resident):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(resident)
    page = client.get("/messages/").content.decode()
    assert "<h1>Messages</h1>" in page
    assert "No messages yet. We will tell you here when there is news about your applications." in page
    settings_page = client.get("/messages/settings/").content.decode()
    assert "Supplements requested, Not accepted, Refused, Result issued, Result ready for collection" in settings_page
