"""The officer's case page (materials before actions, refusals styled apart) and the queue's search,
filters and 一件事 badge, always within the officer's own departments."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest

from tests import factories
from tests.applications_web.conftest import signed_in
from yiwang.applications import services
from yiwang.applications.models import Case
from yiwang.core import clock

SOLE_TRADER = "310120-SCJG-01-0001"  # 个体工商户设立登记: required 1 and 2, one step
FOOD_CHANGE = "310120-SCJG-01-0004"  # 食品经营许可（变更）: required 1, 2, 3, two steps
POLICE_ITEM_DEPARTMENT = "GAZA"
FORM = {"phone": "13800138000", "address": "上海市奉贤区南桥镇解放东路1号"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _items_ask_only_the_common_fields(catalog):
    """These tests are about the workbench, not about each item's own form: without one (`form` {}),
    an item asks only the common fields, which FORM fills."""
    from yiwang.catalog.models import ServiceItem

    ServiceItem.objects.filter(code__in=[SOLE_TRADER, FOOD_CHANGE]).update(form={})


def submitted(applicant, item_code: str = SOLE_TRADER, positions=(1, 2)) -> Case:
    case = services.create_draft(applicant=applicant, item_code=item_code, form_data=dict(FORM))
    for position in positions:
        services.attach_material(case_id=case.pk, user=applicant, position=position, stream=io.BytesIO(PDF),
                                 original_name="scan.pdf")
    return services.submit_application(case_id=case.pk, applicant=applicant, idempotency_key=f"k-{case.pk}")


def due_on(case: Case, due: dt.date) -> None:
    Case.objects.filter(pk=case.pk).update(state="accepted", accepted_on=due - dt.timedelta(days=40),
                                           promised_due=due, statutory_due=due)


def queue_cases(client, query: str = "", path: str = "/cases/queue/") -> list[int]:
    response = client.get(path + (f"?{query}" if query else ""))
    assert response.status_code == 200, response.content.decode()[:500]
    return [int(pk) for pk in re.findall(r'<tr class="queue-row deadline-\w+" data-case="(\d+)">', response.content.decode())]


@pytest.fixture
def zhang(catalog):
    return factories.make_resident(real_name="张三")


@pytest.fixture
def li(catalog):
    return factories.make_resident(real_name="李四")


# --- the case page ----------------------------------------------------------------------------


def test_officer_reads_form_and_materials_before_the_actions(officer_client, zhang):
    case = submitted(zhang)

    html = officer_client.get(f"/cases/{case.pk}/").content.decode()

    form = html.index("<h2>申请表</h2>")
    materials = html.index("<h2>申请材料</h2>")
    actions = html.index('<div class="card actions" id="actions">')
    notices = html.index('<div class="card notices">')
    assert form < materials < actions < notices


def test_applicant_still_reads_the_notices_first(resident_client, resident):
    case = submitted(resident)

    html = resident_client.get(f"/cases/{case.pk}/").content.decode()

    assert html.index('<div class="card notices">') < html.index("<h2>申请表</h2>") < html.index("<h2>申请材料</h2>")


def test_refusing_is_a_danger_button_that_asks_first_and_accepting_is_not(officer_client, zhang):
    case = submitted(zhang)

    html = officer_client.get(f"/cases/{case.pk}/").content.decode()

    accept = re.search(r'<form [^>]*class="card action-accept">.*?</form>', html, re.S).group(0)
    reject = re.search(r'<form [^>]*class="card action-reject action-danger">.*?</form>', html, re.S).group(0)
    assert '<button type="submit" class="btn">受理</button>' in accept
    assert ('<button type="submit" class="btn danger" data-confirm="确定“不予受理”吗？办件将就此办结，并向申请人出具相应文书。">'
            "不予受理</button>") in reject


def test_denying_at_the_decision_is_a_danger_button_too(officer_client, zhang):
    case = submitted(zhang)
    services.perform_action(case_id=case.pk, actor=factories.make_staff(role="window_officer", departments=["SCJG"]),
                            action="accept", expected_version=case.version)

    html = officer_client.get(f"/cases/{case.pk}/").content.decode()

    assert '<button type="submit" class="btn">准予许可</button>' in html
    assert ('<button type="submit" class="btn danger" data-confirm="确定“不予许可”吗？办件将就此办结，并向申请人出具相应文书。">'
            "不予许可</button>") in html


# --- the queue: search ------------------------------------------------------------------------


def test_search_by_part_of_the_case_number(officer_client, zhang):
    first, second = submitted(zhang), submitted(zhang)

    assert queue_cases(officer_client, f"q={second.number[-6:]}") == [second.pk]
    assert queue_cases(officer_client, f"q={first.number.lower()}") == [first.pk]


def test_search_by_the_full_name_shows_it_masked_and_a_partial_name_finds_nothing(officer_client, zhang, li):
    submitted(zhang)
    lis = submitted(li)

    found = officer_client.get("/cases/queue/?q=李四").content.decode()
    assert [int(pk) for pk in re.findall(r'data-case="(\d+)"', found)] == [lis.pk]
    assert "<td>李*</td>" in found
    assert 'value="李四"' in found  # the officer's own search stays in the box
    assert found.count("李四") == 1
    assert queue_cases(officer_client, "q=李") == []
    assert "没有符合筛选条件的办件。" in officer_client.get("/cases/queue/?q=李").content.decode()


def test_search_never_reaches_beyond_the_officers_departments(zhang, catalog):
    case = submitted(zhang)
    police = signed_in(factories.make_staff(role="window_officer", departments=[POLICE_ITEM_DEPARTMENT]))

    assert queue_cases(police, f"q={case.number}") == []
    assert queue_cases(police, "q=张三") == []
    assert queue_cases(police, f"item={SOLE_TRADER}") == []


# --- the queue: filters -----------------------------------------------------------------------


def test_filter_by_state(officer_client, officer, zhang):
    waiting, accepted = submitted(zhang), submitted(zhang)
    services.perform_action(case_id=accepted.pk, actor=officer, action="accept", expected_version=accepted.version)

    assert queue_cases(officer_client, "state=accepted") == [accepted.pk]
    assert queue_cases(officer_client, "state=received") == [waiting.pk]
    assert queue_cases(officer_client, "state=supplement_requested") == []
    html = officer_client.get("/cases/queue/").content.decode()
    states = re.search(r'<select id="id_state" name="state">(.*?)</select>', html, re.S).group(1)
    assert re.findall(r'<option value="(\w*)"', states) == [
        "", "received", "accepted", "supplement_requested", "special_procedure", "approved", "approved_materials_owed",
        "result_issued"]


def test_filter_by_item_offers_the_items_in_the_queue(officer_client, zhang):
    trader = submitted(zhang)
    food = submitted(zhang, FOOD_CHANGE, positions=(1, 2, 3))

    assert queue_cases(officer_client, f"item={FOOD_CHANGE}") == [food.pk]
    assert queue_cases(officer_client, f"item={SOLE_TRADER}") == [trader.pk]
    html = officer_client.get("/cases/queue/").content.decode()
    items = re.search(r'<select id="id_item" name="item">(.*?)</select>', html, re.S).group(1)
    assert re.findall(r'<option value="([\w-]*)"', items) == ["", SOLE_TRADER, FOOD_CHANGE]


def test_filter_overdue_and_due_soon(officer_client, zhang):
    today = clock.today()
    overdue, soon, later = submitted(zhang), submitted(zhang), submitted(zhang)
    waiting = submitted(zhang)  # not accepted yet: no limit running
    due_on(overdue, today - dt.timedelta(days=1))
    due_on(soon, today + dt.timedelta(days=1))
    due_on(later, today + dt.timedelta(days=60))
    paused = submitted(zhang)
    due_on(paused, today - dt.timedelta(days=3))
    Case.objects.filter(pk=paused.pk).update(state="supplement_requested")  # the clock stands still while paused

    assert queue_cases(officer_client, "due=overdue") == [overdue.pk]
    assert queue_cases(officer_client, "due=due_soon") == [soon.pk]
    assert queue_cases(officer_client, "due=due_soon&state=received") == []
    assert queue_cases(officer_client) == [paused.pk, overdue.pk, soon.pk, later.pk, waiting.pk]


def test_filters_are_kept_by_the_table_refresh(officer_client, zhang):
    case = submitted(zhang)

    html = officer_client.get(f"/cases/queue/?q={case.number}&due=overdue&department=SCJG").content.decode()

    assert f'hx-get="/cases/queue/?department=SCJG&amp;q={case.number}&amp;due=overdue"' in html


@pytest.mark.parametrize("query,code_message", [
    ("state=nonsense", "办件状态无效。"),
    ("due=tomorrow", "期限筛选无效。"),
    ("q=" + "9" * 101, "搜索内容不能超过100个字。"),
])
def test_unknown_filters_are_refused(officer_client, query, code_message):
    response = officer_client.get(f"/cases/queue/?{query}")

    assert response.status_code == 400
    assert code_message in response.content.decode()


# --- the queue: 一件事 members ------------------------------------------------------------------


def _as_bundle_member(case: Case):
    from yiwang.bundles.models import BundleCase, BundleCaseMember
    from yiwang.catalog.models import Bundle

    bundle_case = BundleCase.objects.create(bundle=Bundle.objects.order_by("code").first(), applicant=case.applicant,
                                            number="YJS-TEST-0001", submitted_at=case.submitted_at)
    BundleCaseMember.objects.create(bundle_case=bundle_case, position=1, item=case.item, case=case)
    Case.objects.filter(pk=case.pk).update(in_bundle=True)
    return bundle_case


def test_bundle_members_are_marked_with_a_link_to_their_bundle_case(officer_client, zhang):
    alone, member = submitted(zhang), submitted(zhang)
    bundle_case = _as_bundle_member(member)

    html = officer_client.get("/cases/queue/").content.decode()

    rows = dict(re.findall(r'data-case="(\d+)">(.*?)</tr>', html, re.S))
    assert (f'<a class="badge bundle-member" href="/bundles/cases/{bundle_case.pk}/" '
            'aria-label="一件事成员：查看所属的一件事办件">一件事</a>') in rows[str(member.pk)]
    assert "bundle-member" not in rows[str(alone.pk)]


def test_queue_api_takes_the_same_filters_and_names_the_bundle(officer, zhang, li):
    from rest_framework.test import APIClient

    mine, other = submitted(zhang), submitted(li)
    bundle_case = _as_bundle_member(other)
    client = APIClient()
    client.force_authenticate(officer)

    by_name = client.get("/api/v1/queue/", {"q": "李四"}).json()
    everything = client.get("/api/v1/queue/").json()
    refused = client.get("/api/v1/queue/", {"due": "someday"})

    assert [(row["case"]["id"], row["bundle_case_id"]) for row in by_name] == [(other.pk, bundle_case.pk)]
    assert sorted((row["case"]["id"], row["bundle_case_id"]) for row in everything) == [(mine.pk, None), (other.pk, bundle_case.pk)]
    assert refused.status_code == 400
    assert refused.json()["code"] == "unknown_due_filter"
