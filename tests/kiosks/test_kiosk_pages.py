"""The kiosk's pages on the server side: the terminal set up by its token (a revoked one says so),
sign-in by ID card and by a phone's one-time QR confirmation (reused and expired codes refused),
the idle end and the wipe (unsubmitted drafts gone), an application whose answer was lost tried
again with its reference (one case), a hall number, printing reported, and the pages' own CSP."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client

from tests.factories import make_resident
from yiwang.applications.models import Case
from yiwang.kiosks import services
from yiwang.kiosks.models import KioskSignIn, KioskTransaction

pytestmark = pytest.mark.django_db
NO_MATERIALS = "310120-SCJG-21-0001"  # 企业名称状态查询: kiosk-enabled, no materials, no form
ZHANGSAN = {"name": "张三", "sex": "男", "nation": "汉", "birth_date": "1990-03-07", "address": "上海市奉贤区南桥镇解放东路1号",
            "id_number": "31012019900307123X", "issuer": "上海市公安局奉贤分局", "valid_from": "2016-08-01", "valid_until": None}


@pytest.fixture
def kiosk(catalog, settings):
    from yiwang.hall.models import ServiceGroup, Site

    settings.KIOSK = {**settings.KIOSK, "agent_url": "http://127.0.0.1:8599", "idle_seconds": 120, "idle_warning_seconds": 30}
    site = Site.objects.create(code="FX-NANQIAO", name="南桥镇社区事务受理服务中心", kind="street",
                               opening_hours={str(d): [["09:00", "17:00"]] for d in range(1, 6)})
    ServiceGroup.objects.create(code="social", prefix="B", name="社保医保与公积金")
    return services.register_kiosk(code="K-001", name="南桥1号机", site=site, item_codes=[NO_MATERIALS])


def _terminal(token: str) -> Client:
    client = Client()
    answer = client.post("/kiosk/device/", {"token": token})
    assert answer.status_code == 302 and answer["Location"] == "/kiosk/"
    return client


def _card_sign_in(client: Client, card: dict = ZHANGSAN):
    return client.post("/kiosk/sign-in/card/", json.dumps({"card": card}), content_type="application/json",
                       HTTP_ACCEPT="application/json")


def test_a_browser_becomes_the_kiosk_with_its_token_and_its_pages_may_reach_the_agent_only(kiosk):
    _row, token = kiosk
    stranger = Client()
    assert stranger.get("/kiosk/").status_code == 302 and stranger.get("/kiosk/")["Location"] == "/kiosk/device/"
    refused = stranger.post("/kiosk/device/", {"token": "not-a-token"})
    assert refused.status_code == 400 and "终端令牌无效或已停用。" in refused.content.decode()
    client = _terminal(token)
    start = client.get("/kiosk/")
    assert start.status_code == 200
    assert "connect-src 'self' http://127.0.0.1:8599;" in start["Content-Security-Policy"]
    assert start["Cache-Control"] == "no-store"
    page = start.content.decode()
    assert f'data-agent-token="{token}"' in page and 'class="care kiosk"' in page
    assert client.get("/kiosk/menu/")["Location"] == "/kiosk/"  # nobody signed in yet


def test_a_revoked_kiosk_stops_at_once_with_a_clear_page(kiosk):
    row, token = kiosk
    client = _terminal(token)
    services.revoke_kiosk(kiosk_id=row.pk)
    answer = client.get("/kiosk/")
    assert answer.status_code == 403 and "本终端的令牌已被注销" in answer.content.decode()
    assert client.get("/kiosk/menu/").status_code == 403  # every page, until staff set it up with a new token


def test_the_card_signs_in_its_holder_recorded_once_and_bad_cards_are_refused(kiosk):
    from yiwang.accounts.models import User

    _row, token = kiosk
    client = _terminal(token)
    answer = _card_sign_in(client)
    assert answer.status_code == 200 and answer.json() == {"redirect": "/kiosk/menu/"}
    holder = User.objects.get(id_number="31012019900307123X")
    assert (holder.real_name, holder.kind, holder.registered) == ("张三", "resident", False)
    menu = client.get("/kiosk/menu/")
    assert menu.status_code == 200 and "您好，张*" in menu.content.decode()
    again = _terminal(token)
    assert _card_sign_in(again).status_code == 200 and User.objects.filter(id_number="31012019900307123X").count() == 1

    expired = _card_sign_in(_terminal(token), {**ZHANGSAN, "valid_until": "2026-03-09"})
    assert expired.status_code == 400 and expired.json()["code"] == "expired_card"
    wrong_check = _card_sign_in(_terminal(token), {**ZHANGSAN, "id_number": "310120199003071231"})
    assert wrong_check.status_code == 400 and wrong_check.json()["code"] == "invalid_id_number_checksum"
    other_name = _card_sign_in(_terminal(token), {**ZHANGSAN, "name": "李四"})
    assert other_name.status_code == 400 and other_name.json()["code"] == "identity_mismatch"
    not_json = _terminal(token).post("/kiosk/sign-in/card/", "[", content_type="application/json", HTTP_ACCEPT="application/json")
    assert not_json.status_code == 400 and not_json.json()["code"] == "bad_json"


def _qr_code(page: str) -> str:
    return re.search(r'data-confirm-url="[^"]*/kiosk/confirm/([^/"]+)/"', page).group(1)


def test_a_signed_in_phone_confirms_the_kiosks_code_once_and_the_kiosk_takes_the_person(kiosk, frozen_clock):
    _row, token = kiosk
    resident = make_resident(real_name="王芳")
    client = _terminal(token)
    code = _qr_code(client.get("/kiosk/sign-in/qr/").content.decode())
    assert client.get("/kiosk/sign-in/qr/poll/").status_code == 204  # not confirmed yet
    phone = Client()
    assert phone.get(f"/kiosk/confirm/{code}/")["Location"].startswith("/accounts/login/")
    phone.force_login(resident)
    asked = phone.get(f"/kiosk/confirm/{code}/")
    assert asked.status_code == 200 and "南桥1号机" in asked.content.decode()
    assert phone.post(f"/kiosk/confirm/{code}/").status_code == 200
    taken = client.get("/kiosk/sign-in/qr/poll/")
    assert taken.status_code == 204 and taken["HX-Redirect"] == "/kiosk/menu/"
    assert "您好，王*" in client.get("/kiosk/menu/").content.decode()
    reused = phone.post(f"/kiosk/confirm/{code}/")
    assert reused.status_code == 409 and "此二维码已使用过" in reused.content.decode()
    assert KioskSignIn.objects.get().claimed_at == frozen_clock.now()

    later = _terminal(token)
    stale = _qr_code(later.get("/kiosk/sign-in/qr/").content.decode())
    frozen_clock.advance(dt.timedelta(seconds=121))
    expired = phone.post(f"/kiosk/confirm/{stale}/")
    assert expired.status_code == 409 and "此二维码已过期" in expired.content.decode()
    polled = later.get("/kiosk/sign-in/qr/poll/")
    assert polled.status_code == 286 and "二维码已过期" in polled.content.decode()
    assert phone.get("/kiosk/confirm/no-such-code/").status_code == 404


def test_an_idle_visit_is_ended_by_the_server_and_its_unsubmitted_draft_is_gone(kiosk, frozen_clock):
    _row, token = kiosk
    client = _terminal(token)
    _card_sign_in(client)
    started = client.post(f"/kiosk/apply/{NO_MATERIALS}/start/")
    case_id = int(started["Location"].rstrip("/").rsplit("/", 1)[1])
    assert Case.objects.get(pk=case_id).channel == "kiosk"
    frozen_clock.advance(dt.timedelta(seconds=121))
    answer = client.get(f"/kiosk/apply/case/{case_id}/")
    assert answer.status_code == 302 and answer["Location"] == "/kiosk/?ended=idle"
    assert not Case.objects.filter(pk=case_id).exists()
    assert client.get("/kiosk/menu/")["Location"] == "/kiosk/"


def test_ending_the_visit_wipes_it_and_clears_the_pages_storage(kiosk):
    _row, token = kiosk
    client = _terminal(token)
    _card_sign_in(client)
    draft = int(client.post(f"/kiosk/apply/{NO_MATERIALS}/start/")["Location"].rstrip("/").rsplit("/", 1)[1])
    answer = client.post("/kiosk/end/", HTTP_ACCEPT="application/json")
    assert answer.status_code == 200 and answer.json() == {"redirect": "/kiosk/"}
    assert answer["Clear-Site-Data"] == '"cache", "storage"'
    assert answer.cookies["sessionid"].value == "" and answer.cookies["yiwang_care"].value == ""
    assert "yiwang_kiosk" not in answer.cookies  # the terminal stays set up
    assert not Case.objects.filter(pk=draft).exists()
    assert client.get("/kiosk/menu/")["Location"] == "/kiosk/"


def test_an_application_whose_answer_was_lost_is_tried_again_and_submitted_once(kiosk):
    row, token = kiosk
    client = _terminal(token)
    _card_sign_in(client)
    case_id = int(client.post(f"/kiosk/apply/{NO_MATERIALS}/start/")["Location"].rstrip("/").rsplit("/", 1)[1])
    form = client.get(f"/kiosk/apply/case/{case_id}/").content.decode()
    assert 'value="上海市奉贤区南桥镇解放东路1号"' in form  # the address on the card
    refused = client.post(f"/kiosk/apply/case/{case_id}/", {"reference": "ref-1"}, HTTP_ACCEPT="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "invalid_form"
    assert sorted(refused.json()["details"]) == ["phone"]  # the address came from the card
    shown = client.post(f"/kiosk/apply/case/{case_id}/", {"reference": "ref-1", "address": ""})
    assert shown.status_code == 400 and "请填写“联系电话（手机）”。" in shown.content.decode()
    filled = {"reference": "ref-1", "phone": "13800138000", "address": "上海市奉贤区南桥镇解放东路1号"}
    first = client.post(f"/kiosk/apply/case/{case_id}/", filled, HTTP_ACCEPT="application/json")
    assert first.status_code == 200, first.content.decode()
    case = Case.objects.get(pk=case_id)
    assert first.json() == {"redirect": f"/kiosk/cases/{case_id}/", "case": case.number}
    assert (case.state, case.channel, case.submission_key) == ("received", "kiosk", "ref-1")
    again = client.post(f"/kiosk/apply/case/{case_id}/", filled, HTTP_ACCEPT="application/json")
    assert again.status_code == 200 and again.json()["case"] == case.number
    assert Case.objects.filter(applicant=case.applicant).count() == 1
    assert list(KioskTransaction.objects.values_list("kind", "reference", "case_id", "person_id")) == [
        ("apply", "ref-1", case_id, case.applicant_id)]
    shown = client.get(f"/kiosk/cases/{case_id}/").content.decode()
    assert case.number in shown and "企业名称状态查询" in shown and 'id="print-case"' in shown
    # The end of the visit leaves a submitted case alone.
    client.post("/kiosk/end/")
    assert Case.objects.get(pk=case_id).state == "received"


def test_an_item_the_kiosk_does_not_offer_is_refused(kiosk):
    _row, token = kiosk
    client = _terminal(token)
    _card_sign_in(client)
    answer = client.post("/kiosk/apply/310120-SCJG-01-0001/start/")
    assert answer.status_code == 404 and "本终端不办理该事项。" in answer.content.decode()


def test_a_hall_number_at_the_kiosks_site_and_its_retry(kiosk):
    from yiwang.hall.models import ServiceGroup, Ticket

    _row, token = kiosk
    client = _terminal(token)
    _card_sign_in(client)
    group = ServiceGroup.objects.get(code="social")
    answer = client.post("/kiosk/ticket/", {"group": group.pk, "reference": "t-1"})
    assert answer.status_code == 200 and "B001" in answer.content.decode()
    again = client.post("/kiosk/ticket/", {"group": group.pk, "reference": "t-1"})
    assert again.status_code == 200 and "B001" in again.content.decode()
    ticket = Ticket.objects.get()
    assert (ticket.number, ticket.channel, ticket.site.code, ticket.person_masked) == ("B001", "kiosk", "FX-NANQIAO", "310120********123X")
    refused = client.post("/kiosk/ticket/", {"group": group.pk, "reference": "t-2"})
    assert refused.status_code == 409 and "您在该业务分组已有等候中的号码。" in refused.content.decode()


def test_printing_is_reported_for_the_fleets_figures(kiosk):
    _row, token = kiosk
    client = _terminal(token)
    _card_sign_in(client)
    answer = client.post("/kiosk/printed/", json.dumps({"reference": "p-1", "outcome": "failed"}), content_type="application/json")
    assert answer.status_code == 200
    assert list(KioskTransaction.objects.values_list("kind", "outcome", "reference")) == [("print", "failed", "p-1")]


def test_the_persons_valid_licences_are_listed_with_a_print_job_carrying_the_verification_qr(kiosk, settings_media, settings):
    from tests.factories import make_staff
    from tests.licences.conftest import make_case
    from yiwang.accounts.models import User
    from yiwang.licences.services import issue_licence

    _row, token = kiosk
    settings.PUBLIC_URL = "https://zwfw.example.gov.cn"
    client = _terminal(token)
    _card_sign_in(client)
    holder = User.objects.get(id_number="31012019900307123X")
    officer = make_staff(role="window_officer", departments=["SCJG"])
    licence = issue_licence(case=make_case(holder), issued_by=officer)
    page = client.get("/kiosk/licences/").content.decode()
    assert licence.number in page and "营业执照" in page
    job = json.loads(re.search(r'<script id="print-licence-\d+" type="application/json">(.*?)</script>', page).group(1))
    assert job["qr_url"] == f"https://zwfw.example.gov.cn/licences/verify/{licence.number}/"
    assert job["lines"][0] == ["证照编号", licence.number] and job["lines"][1] == ["持证人", "张三"]


@pytest.mark.django_db(False)
def test_the_screen_shows_a_value_whole_that_the_receipts_width_split():
    from yiwang.kiosks.kiosk_views import _unwrapped

    assert _unwrapped([("记录", "年度医保缴费明细"), ("2025-01", "个人 ¥164.00 单位 ¥738."), ("", "00"), ("", "!"), ("年度", "2025")]) == [
        ("记录", "年度医保缴费明细"), ("2025-01", "个人 ¥164.00 单位 ¥738.00!"), ("年度", "2025")]
