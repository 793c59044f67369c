"""Issue 8, defect 4: a case just submitted shows at once when acceptance must be decided (行政许可法
§32 with §82: five working days) and the latest result date if it is accepted; its row is coloured
by that date, not left green with "—"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import make_resident
from tests.helpers import ITEM_ONE_LEVEL, ITEM_TWO_LEVELS, act, submitted_case
from yiwang.core import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(catalog, settings_media):
    return make_resident()


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_received_case_knows_its_acceptance_deadline_and_latest_result(resident):
    from yiwang.applications import selectors
    from yiwang.applications.models import Case

    body = submitted_case(api(resident), item_code=ITEM_TWO_LEVELS, positions=(1, 2, 3))  # Tuesday 2026-03-10
    waiting = selectors.awaiting_acceptance(Case.objects.get(pk=body["id"]))
    # Five working days from Tuesday 10 March: Tuesday 17 March; then the promised 3 working days: Friday 20 March.
    assert (waiting.decide_by, waiting.result_by, waiting.provisional) == (dt.date(2026, 3, 17), dt.date(2026, 3, 20), False)


def test_the_acceptance_deadline_skips_holidays(resident, frozen_clock):
    from yiwang.applications import selectors
    from yiwang.applications.models import Case

    frozen_clock.set(dt.datetime(2026, 9, 29, 15, 0, tzinfo=clock.LEGAL_TIME_ZONE))  # Tuesday before 国庆
    body = submitted_case(api(resident), item_code=ITEM_ONE_LEVEL)
    waiting = selectors.awaiting_acceptance(Case.objects.get(pk=body["id"]))
    # 30 Sep is a working day, 1-8 October the National Day holiday (2026 schedule), then 9, 10 (make-up Saturday), 12.
    assert waiting.decide_by == dt.date(2026, 10, 12)
    assert waiting.result_by == waiting.decide_by  # promised 0 days: decided at the counter the day it is accepted


def test_my_cases_and_the_case_page_show_the_dates_at_once(resident):
    body = submitted_case(api(resident), item_code=ITEM_TWO_LEVELS, positions=(1, 2, 3))
    web = Client()
    web.force_login(resident)
    mine = web.get("/cases/mine/").content.decode()
    assert "最迟 2026-03-17 前告知是否受理（逾期未告知的，自收到申请之日起即为受理）" in mine
    assert "如受理，预计最迟 2026-03-20 办结" in mine
    detail = web.get(f"/cases/{body['id']}/").content.decode()
    assert 'id="awaiting-acceptance"' in detail and "如受理，预计最迟 2026-03-20 办结" in detail


def test_the_row_turns_yellow_then_red_as_the_acceptance_deadline_nears(resident, frozen_clock):
    from yiwang.applications import selectors
    from yiwang.applications.models import Case

    body = submitted_case(api(resident), item_code=ITEM_TWO_LEVELS, positions=(1, 2, 3))
    case = Case.objects.get(pk=body["id"])
    assert selectors.case_warning(case) == "green"
    frozen_clock.set(dt.datetime(2026, 3, 16, 9, 0, tzinfo=clock.LEGAL_TIME_ZONE))
    assert selectors.case_warning(case) == "yellow"
    frozen_clock.set(dt.datetime(2026, 3, 18, 9, 0, tzinfo=clock.LEGAL_TIME_ZONE))
    assert selectors.case_warning(case) == "red"


def test_once_accepted_the_case_shows_its_own_limits_instead(resident, catalog):
    from tests.factories import make_staff
    from yiwang.applications import selectors
    from yiwang.applications.models import Case

    body = submitted_case(api(resident), item_code=ITEM_TWO_LEVELS, positions=(1, 2, 3))
    officer = api(make_staff(role="window_officer", departments=["SCJG"]))
    assert act(officer, body, "accept").status_code == 200
    case = Case.objects.get(pk=body["id"])
    assert selectors.awaiting_acceptance(case) is None
    assert (case.promised_due, case.statutory_due) == (dt.date(2026, 3, 13), dt.date(2026, 3, 24))
