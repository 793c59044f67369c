"""Issue 8, defect 6: in 企业开办 the resident's ID-card record, asked for by six members under six
names, is one row: one consent and one fetch cover every use, and each use keeps its own consent
naming what it is for. A company's people differ, so its identity documents stay one row each."""

from __future__ import annotations

import pytest

from tests.bundles.conftest import client_for, member, start
from tests.registries.conftest import registry, registry_service, zhangsan  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

AS_COMPANY_FOUNDER = {"q1": "company", "q2": "yes", "q3": "yes", "q4": "none"}
ID_CARD_USES = {
    "310120-SCJG-20-0001": "投资人或者代理人身份证件",
    "310120-SCJG-01-0002": "自然人股东身份证件",
    "310120-GAZA-20-0001": "法定代表人或者经办人身份证件",
    "310120-TAX-20-0001": "法定代表人、财务负责人、办税人员身份证件",
    "310120-TAX-20-0002": "经办人身份证件",
    "310120-GJJ-21-0004": "单位经办人身份证件",
}


def test_the_founders_id_card_is_one_row_fetched_once_for_every_member(registry, zhangsan, fixed_today):  # noqa: F811
    from yiwang.registries.models import Consent, DataAccess

    client = client_for(zhangsan)
    started = start(client, answers=AS_COMPANY_FOUNDER, form={"phone": "13800138000", "address": "上海市奉贤区南桥镇解放东路1号"})
    assert started.status_code == 201, started.json()
    body = started.json()
    id_rows = [m for m in body["materials"] if m["exemptible_via"] == "household:id_card"]
    assert len(id_rows) == 1
    assert id_rows[0]["name"] == "投资人或者代理人身份证件" and id_rows[0]["items"] == list(ID_CARD_USES)

    fetched = client.post(f"/api/v1/bundle-applications/{body['id']}/materials/fetch/",
                          {"material_name": "投资人或者代理人身份证件", "consent": True}, format="json")
    assert fetched.status_code == 201, fetched.json()
    assert sorted((m["name"], m["source"]) for m in fetched.json()) == sorted((name, "registry") for name in ID_CARD_USES.values())
    cases = {code: member(body, code)["case"]["id"] for code in ID_CARD_USES}
    consents = {c.case_id: c.purpose for c in Consent.objects.filter(user=zhangsan, registry="household", record_kind="id_card")}
    assert consents == {cases[code]: f"办理“企业开办一件事”之“{_item_name(code)}”：免交“{name}”" for code, name in ID_CARD_USES.items()}
    assert DataAccess.objects.filter(subject=zhangsan, case_id__in=cases.values(), outcome="ok").count() == 6
    after = client.get(f"/api/v1/bundle-applications/{body['id']}/").json()
    row = next(m for m in after["materials"] if m["exemptible_via"] == "household:id_card")
    assert row["uploaded_items"] == list(ID_CARD_USES)


def test_a_companys_identity_documents_stay_one_row_each(applicant, fixed_today):
    body = start(applicant).json()
    id_rows = [m["name"] for m in body["materials"] if m["exemptible_via"] == "household:id_card"]
    assert id_rows == list(ID_CARD_USES.values())


def _item_name(code: str) -> str:
    from yiwang.catalog.models import ServiceItem

    return ServiceItem.objects.get(code=code).name
