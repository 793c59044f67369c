"""Real browser: a resident rates a finished case 不满意 with a comment; the department's officer
sees the task, calls back and records a fix; the resident reads the reply and rates it; the
figures on the tasks page (回访率, 整改率) move from 0 to 100 %, and the public dashboard shows
the changed figures once the aggregates are rebuilt (as the nightly job does)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from rest_framework.test import APIClient

from tests.e2e.conftest import ARTIFACTS, browser_only, login
from tests.factories import make_resident, make_staff
from tests.helpers import act, submitted_case

pytestmark = browser_only


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.django_db(transaction=True)
def test_a_bad_rating_is_called_back_fixed_answered_and_judged(catalog, live_server, browser, settings, tmp_path):
    from yiwang.ratings.models import Rating, Rectification

    settings.MEDIA_ROOT = tmp_path / "media"
    resident = make_resident(real_name="周八")
    officer = make_staff(role="window_officer", departments=["SCJG"])
    case = submitted_case(_api(resident), key="rating-journey")
    for action in ("accept", "approve", "issue_result"):
        response = act(_api(officer), case, action)
        assert response.status_code == 200, response.json()
        case = response.json()
    base = live_server.url
    from yiwang.core import clock
    from yiwang.evaluation.services import rebuild

    today = clock.today()
    public_url = f"{base}/dashboard/public/?from={today.isoformat()}&to={today.isoformat()}"
    rebuild(since=today, until=today)
    visitor = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    board = visitor.new_page()
    board.goto(public_url)
    expect(board.locator('#headline [data-indicator="good_rate"] strong')).to_have_text("—")
    expect(board.locator('#headline [data-indicator="rectification_rate"] strong')).to_have_text("—")

    applicant = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = applicant.new_page()
    login(page, base, resident.username)
    page.goto(f"{base}/cases/{case['id']}/")
    panel = page.locator("#rating-panel")
    expect(panel.locator("#rating-form")).to_be_visible()
    panel.get_by_label("不满意", exact=True).check()
    page.select_option("#score-efficiency", "1")
    page.fill("#rating-comment", "材料要求在指南里没写清楚，跑了两趟")
    panel.get_by_role("button", name="提交评价").click()
    expect(page.locator("#rating-level")).to_have_text("不满意")
    expect(page.locator("#rectification-state")).to_have_text("待回访")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    rating = Rating.objects.get(case_id=case["id"])
    assert (rating.level, rating.comment, rating.scores, rating.channel) == (2, "材料要求在指南里没写清楚，跑了两趟", {"efficiency": 1}, "web")

    staff = browser.new_context(locale="zh-CN")
    desk = staff.new_page()
    login(desk, base, officer.username)
    desk.goto(f"{base}/ratings/tasks/")
    expect(desk.locator("#figure-callback-rate")).to_have_text("0.0%")
    expect(desk.locator("#figure-rectification-rate")).to_have_text("0.0%")
    desk.locator("#tasks a").first.click()
    expect(desk.locator("#task-comment")).to_have_text("材料要求在指南里没写清楚，跑了两趟")
    expect(desk.locator("#rater-phone")).to_have_text("138****8000")
    desk.click("#show-phone")
    expect(desk.locator("#rater-phone")).to_have_text("13800138000")
    desk.fill("#callback-notes", "已电话联系申请人，确认指南未列明经营场所证明的要求")
    desk.get_by_role("button", name="记录回访").click()
    expect(desk.locator("#task-state")).to_contain_text("已回访，待处理")
    desk.get_by_label("立行立改").check()
    desk.fill("#reply", "已在办事指南中补充经营场所证明的要求，并向您致歉")
    desk.get_by_role("button", name="提交处理结果").click()
    expect(desk.locator("#task-state")).to_contain_text("已反馈，待评价")
    desk.screenshot(path=str(ARTIFACTS / "rating-task.png"), full_page=True)

    page.reload()
    expect(page.locator("#rectification-reply")).to_have_text("已在办事指南中补充经营场所证明的要求，并向您致歉")
    page.locator("#verdict-form").get_by_label("满意", exact=True).check()
    page.locator("#verdict-form").get_by_role("button", name="提交").click()
    expect(page.locator("#rectification-verdict")).to_have_text("满意")
    expect(page.locator("#rectification-state")).to_have_text("已办结")
    page.screenshot(path=str(ARTIFACTS / "rating-case.png"), full_page=True)
    task = Rectification.objects.get(rating=rating)
    assert [e.action for e in task.events.order_by("sequence")] == ["open", "view_phone", "call_back", "resolve_now", "verdict"]
    assert (task.state, task.verdict, task.called_back_by_id) == ("closed", "satisfied", officer.pk)

    desk.goto(f"{base}/ratings/tasks/")
    expect(desk.locator("#figure-callback-rate")).to_have_text("100.0%")
    expect(desk.locator("#figure-rectification-rate")).to_have_text("100.0%")
    expect(desk.locator("#figure-good-rate")).to_have_text("0.0%")

    rebuild(since=today, until=today)
    board.goto(public_url)
    expect(board.locator('#headline [data-indicator="good_rate"] strong')).to_have_text("0.0%")
    expect(board.locator('#headline [data-indicator="rectification_rate"] strong')).to_have_text("100.0%")
    expect(board.locator('#indicator-table [data-indicator="callback_rate"] td').first).to_have_text("100.0%")
    expect(board.locator("#ranking-table tbody tr")).to_have_count(1)
    assert board.evaluate("document.documentElement.scrollWidth") <= 390
    board.screenshot(path=str(ARTIFACTS / "dashboard-public.png"), full_page=True)
    applicant.close()
    staff.close()
    visitor.close()
