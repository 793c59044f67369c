"""Real-browser journey of notifications: a window officer asks for supplements; the background
worker tells the resident; the resident's message centre (on a phone-sized screen) lists every
missing material and the demo's SMS file gateway holds the same text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import ARTIFACTS, background_settled, browser_only, eventually, login
from tests.factories import make_resident, make_staff
from tests.helpers import ITEM_TWO_LEVELS, PDF_BYTES, form_for

pytestmark = browser_only


@pytest.mark.django_db(transaction=True)
def test_supplement_request_reaches_the_message_centre_and_the_sms_file(catalog, live_server, worker, browser, settings,
                                                                        tmp_path):
    import io

    from yiwang.applications import services as cases
    from yiwang.applications.models import CaseEvent

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_URL = live_server.url
    outbox = Path(settings.DATA_DIR) / "sms-outbox.jsonl"
    outbox.unlink(missing_ok=True)
    ARTIFACTS.mkdir(exist_ok=True)
    resident = make_resident(real_name="张三")
    resident.phone = "13912345678"
    resident.save(update_fields=["phone"])
    make_staff(role="window_officer", departments=["SCJG"], username="officer-msg")
    draft = cases.create_draft(applicant=resident, item_code=ITEM_TWO_LEVELS,
                               form_data=form_for(ITEM_TWO_LEVELS, phone="13912345678"))
    for position in (1, 2, 3):
        cases.attach_material(case_id=draft.pk, user=resident, position=position, stream=io.BytesIO(PDF_BYTES),
                              original_name="scan.pdf")
    case = cases.submit_application(case_id=draft.pk, applicant=resident, idempotency_key="msg-journey")
    base = live_server.url

    officer = browser.new_context(locale="zh-CN").new_page()
    login(officer, base, "officer-msg")
    officer.goto(f"{base}/cases/{case.pk}/")
    with officer.expect_navigation():
        officer.click("form.action-accept button[type=submit]")
    form = officer.locator("form.action-request_supplement")
    names = []
    for position in ("1", "3"):
        box = form.locator(f"input[name=missing_materials][value='{position}']")
        box.check()
        names.append(box.locator("xpath=..").inner_text().split(". ", 1)[1])
    form.locator("textarea[name=opinion]").fill("请提供清晰的扫描件")
    with officer.expect_navigation():
        form.locator("button[type=submit]").click()
    # The request is recorded before the worker is waited for (a wait begun earlier finds nothing to do).
    eventually(lambda: CaseEvent.objects.filter(case_id=case.pk, action="request_supplement").exists(),
               what="the supplement request")
    eventually(background_settled, what="the worker to tell the resident")

    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    login(phone, base, resident.username)
    assert phone.inner_text("#unread-count") == "3"  # received, accepted, supplement requested
    phone.click("#message-link")
    phone.wait_for_load_state("networkidle")
    first = phone.locator(".message-item").first
    assert "请补正材料" in first.inner_text()
    for name in names:
        assert name in first.inner_text()
    phone.screenshot(path=str(ARTIFACTS / "messages-01-centre-phone.png"), full_page=True)
    first.locator("a").click()
    phone.wait_for_load_state("networkidle")
    body = phone.inner_text(".message-detail .message-body")
    assert body == f"您申请的“食品经营许可（变更）”（{case.number}）需补正以下材料：{'、'.join(names)}。请登录一网通办上传。"
    phone.click("text=查看办件")
    phone.wait_for_load_state("networkidle")
    assert phone.url == f"{base}/cases/{case.pk}/"
    assert phone.inner_text("#unread-count") == "2"

    sent = [json.loads(line) for line in outbox.read_text(encoding="utf-8").splitlines()]
    assert [m["to"] for m in sent] == ["13912345678"] * 3
    assert sent[-1]["text"] == f"【奉贤一网通办】{body}"
