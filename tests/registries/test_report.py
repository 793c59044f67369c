"""The exemption report: exact counts per item and overall."""

from __future__ import annotations

import pytest

from tests.helpers import form_for
from tests.registries.helpers import ITEM_FOOD, ITEM_SOLE_TRADER, consent, draft, submit, upload
from yiwang.registries.selectors import exemption_report
from yiwang.registries.services import fetch_material_for_case

pytestmark = pytest.mark.django_db

CATALOGUE_EXEMPTIBLE = 351  # materials with exemptible_via in the reference catalogue (199 items)


def _fetch(user, case, position, scope):
    consent(user, case, scope)
    return fetch_material_for_case(case_id=case.pk, user=user, position=position)


@pytest.fixture
def cases(catalog, registry, zhangsan, company):
    # A: two materials fetched (2 必要, 4 非必要), submitted.
    a = draft(zhangsan)
    upload(zhangsan, a, 1)
    _fetch(zhangsan, a, 2, "household:id_card")
    _fetch(zhangsan, a, 4, "property:property_certificate")
    _fetch(zhangsan, a, 2, "household:id_card")  # fetched twice: still one material, one visit
    submit(zhangsan, a, "a")
    # B: fetched but never submitted: a draft saves nobody a visit.
    b = draft(zhangsan)
    _fetch(zhangsan, b, 2, "household:id_card")
    # C: fetched, then replaced by an upload before submission.
    c = draft(zhangsan)
    upload(zhangsan, c, 1)
    _fetch(zhangsan, c, 2, "household:id_card")
    upload(zhangsan, c, 2)
    submit(zhangsan, c, "c")
    # D: the food business licence of the enterprise: 2 营业执照 is not in the store (uploaded),
    # 5 从业人员健康证明 (非必要) fetched from the health registry.
    d = draft(company, ITEM_FOOD, form=form_for(ITEM_FOOD, applicant_kind="enterprise", contact_name="张三",
                                                address="百齐路288号"))
    for position in (1, 2, 3, 4):
        upload(company, d, position)
    _fetch(company, d, 5, "health:health_certificate")
    submit(company, d, "d")
    return a, b, c, d


def test_report_counts_exactly(cases):
    report = exemption_report()
    rows = {row.item_code: row for row in report.items}
    sole = rows[ITEM_SOLE_TRADER]
    assert (sole.exemptible, sole.exempted, sole.visits_saved, sole.cases) == (2, 2, 1, 1)
    food = rows[ITEM_FOOD]
    assert (food.exemptible, food.exempted, food.visits_saved, food.cases) == (2, 1, 0, 1)
    assert (report.total.exemptible, report.total.exempted, report.total.visits_saved, report.total.cases) == (
        CATALOGUE_EXEMPTIBLE, 3, 1, 2)
    assert [row.item_code for row in report.items[:2]] == [ITEM_SOLE_TRADER, ITEM_FOOD]
    assert len(report.items) == 199


def test_report_without_fetches_lists_what_could_be_exempted(catalog):
    report = exemption_report()
    assert (report.total.exemptible, report.total.exempted, report.total.visits_saved, report.total.cases) == (
        CATALOGUE_EXEMPTIBLE, 0, 0, 0)
