"""An item's own application form (issue 8): asked on the apply and edit pages, prefilled from the
account, checked at submission with its conditional fields, frozen with the case, read back on the
case page, described by the API, and asked once across a 一件事's members."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import make_resident
from tests.helpers import ITEM_ONE_LEVEL, PDF_BYTES, upload

pytestmark = pytest.mark.django_db

FORM = {"fields": [
    {"name": "business_name", "label": "个体工商户名称", "label_en": "Name of the business", "max_length": 50},
    {"name": "operator_id_number", "label": "经营者身份证号码", "label_en": "Operator's ID number", "kind": "id_number",
     "prefill": "applicant.id_number"},
    {"name": "organisation_form", "label": "组成形式", "label_en": "Form of organisation", "kind": "choice",
     "options": [{"value": "personal", "label": "个人经营", "label_en": "One person"},
                 {"value": "family", "label": "家庭经营", "label_en": "A family"}]},
    {"name": "family_members", "label": "参加经营的家庭成员", "label_en": "Family members", "kind": "table",
     "show_if": {"field": "organisation_form", "values": ["family"]}, "min_rows": 1, "max_rows": 3,
     "columns": [{"name": "name", "label": "姓名", "label_en": "Name"},
                 {"name": "id_number", "label": "身份证号码", "label_en": "ID number", "kind": "id_number"}]},
    {"name": "capital", "label": "资金数额（万元）", "label_en": "Capital (10,000 yuan)", "kind": "money", "min": 0},
]}
COMMON = {"phone": "13800138000", "address": "上海市奉贤区南桥镇解放东路1号"}


@pytest.fixture
def item_with_form(catalog):
    from yiwang.catalog import services
    from yiwang.catalog.models import ServiceItem

    item = ServiceItem.objects.get(code=ITEM_ONE_LEVEL)
    return services.update_item(item=item, changes={"form": FORM})


@pytest.fixture
def resident(catalog, settings_media):
    return make_resident(real_name="张三")


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_an_invalid_definition_is_refused_by_the_catalogue_and_nothing_changes(catalog):
    from yiwang.catalog import services
    from yiwang.catalog.models import ServiceItem
    from yiwang.core.errors import ValidationFailed

    item = ServiceItem.objects.get(code=ITEM_ONE_LEVEL)
    form_before = item.form
    with pytest.raises(ValidationFailed) as refused:
        services.update_item(item=item, changes={"form": {"fields": [{"name": "x", "label": "甲", "kind": "colour"}]}})
    assert refused.value.code == "invalid_form_definition"
    assert refused.value.details == ["field 1 (x): kind must be one of text, textarea, number, money, date, choice, choices, "
                                     "address, id_number, credit_code, mobile, table",
                                     "field 1 (x): label and label_en are both required"]
    item.refresh_from_db()
    assert (item.form, item.version) == (form_before, 1)


def test_a_new_form_is_a_new_rules_version(item_with_form):
    assert item_with_form.version == 2
    assert [f["name"] for f in item_with_form.form["fields"]] == ["business_name", "operator_id_number", "organisation_form",
                                                                  "family_members", "capital"]


def test_the_apply_page_asks_the_items_fields_and_hides_the_conditional_one(item_with_form, resident):
    web = Client()
    web.force_login(resident)
    html = web.get(f"/cases/apply/{ITEM_ONE_LEVEL}/").content.decode()
    assert 'id="id_business_name" name="business_name"' in html
    assert 'type="radio" name="organisation_form" value="family"' in html
    assert 'id="field-family_members" data-show-if-field="organisation_form" data-show-if-values="family" hidden' in html
    assert html.index('id="id_business_name"') < html.index('id="id_phone"')  # the item's own fields first


def test_a_draft_is_prefilled_from_the_account_and_submitted_with_its_form_frozen(item_with_form, resident):
    from yiwang.applications.models import Case
    from yiwang.catalog import services
    from yiwang.catalog.models import ServiceItem

    client = api(resident)
    created = client.post("/api/v1/applications/", {"item_code": ITEM_ONE_LEVEL, "form_data": {"business_name": "张三小吃店"}},
                          format="json")
    assert created.status_code == 201, created.json()
    case = Case.objects.get(pk=created.json()["id"])
    assert case.form_data == {"business_name": "张三小吃店", "operator_id_number": resident.id_number, "phone": "13800138000"}
    for position in (1, 2):
        assert upload(client, case.pk, position, PDF_BYTES).status_code == 201

    # Family business without its members: refused, naming the field; nothing is submitted.
    patched = client.patch(f"/api/v1/applications/{case.pk}/", {"form_data": {
        **COMMON, "organisation_form": "family", "capital": "3"}}, format="json")
    assert patched.status_code == 200, patched.json()
    refused = client.post(f"/api/v1/applications/{case.pk}/submit/", HTTP_IDEMPOTENCY_KEY="f-1")
    assert (refused.status_code, refused.json()["code"]) == (400, "invalid_form")
    assert refused.json()["details"] == {"family_members": {"message": "请填写“参加经营的家庭成员”。",
                                                            "message_en": "'Family members' is required."}}
    assert Case.objects.get(pk=case.pk).state == "draft"

    rows = [{"name": "李四", "id_number": "310120198506120027"}]
    assert client.patch(f"/api/v1/applications/{case.pk}/", {"form_data": {"family_members": rows}}, format="json").status_code == 200
    submitted = client.post(f"/api/v1/applications/{case.pk}/submit/", HTTP_IDEMPOTENCY_KEY="f-2")
    assert submitted.status_code == 200, submitted.json()
    case.refresh_from_db()
    assert case.form_data == {"business_name": "张三小吃店", "operator_id_number": resident.id_number, "organisation_form": "family",
                              "family_members": rows, "capital": "3.00", **COMMON, "remarks": ""}
    assert case.rules["form"] == item_with_form.form and case.rules["version"] == 2

    # The catalogue changes the form later: the running case keeps the one it was submitted with.
    services.update_item(item=ServiceItem.objects.get(code=ITEM_ONE_LEVEL), changes={"form": {}})
    from yiwang.applications.selectors import case_form_fields

    assert [f.name for f in case_form_fields(case)][:2] == ["business_name", "operator_id_number"]
    web = Client()
    web.force_login(resident)
    detail = web.get(f"/cases/{case.pk}/").content.decode()
    assert "<th>组成形式</th><td>家庭经营</td>" in detail
    assert "<th>参加经营的家庭成员</th><td>姓名：李四；身份证号码：310120198506120027</td>" in detail


def test_a_hidden_fields_value_is_dropped_at_submission(item_with_form, resident):
    from yiwang.applications.models import Case

    client = api(resident)
    body = {**COMMON, "business_name": "小店", "organisation_form": "personal", "capital": "1",
            "family_members": [{"name": "李四", "id_number": "310120198506120027"}]}
    case_id = client.post("/api/v1/applications/", {"item_code": ITEM_ONE_LEVEL, "form_data": body}, format="json").json()["id"]
    for position in (1, 2):
        upload(client, case_id, position, PDF_BYTES)
    assert client.post(f"/api/v1/applications/{case_id}/submit/", HTTP_IDEMPOTENCY_KEY="h-1").status_code == 200
    assert "family_members" not in Case.objects.get(pk=case_id).form_data


def test_the_form_posted_from_the_page_carries_table_rows(item_with_form, resident):
    from yiwang.applications.models import Case

    web = Client()
    web.force_login(resident)
    posted = web.post(f"/cases/apply/{ITEM_ONE_LEVEL}/", {
        **COMMON, "business_name": "小店", "organisation_form": "family", "capital": "2",
        "family_members.0.name": "李四", "family_members.0.id_number": "310120198506120027",
        "family_members.1.name": "", "family_members.1.id_number": ""})
    assert posted.status_code == 302
    case = Case.objects.get(applicant=resident)
    assert case.form_data["family_members"] == [{"name": "李四", "id_number": "310120198506120027"},
                                                {"name": "", "id_number": ""}]
    edit = web.get(f"/cases/{case.pk}/edit/").content.decode()
    assert 'name="family_members.0.name" id="id_family_members.0.name" value="李四"' in edit
    assert 'name="family_members.2.name"' in edit and 'name="family_members.3.name"' not in edit  # stored 2 + 1 blank, max 3


def test_the_api_describes_an_items_form(item_with_form, resident):
    fields = api(resident).get(f"/api/v1/applications/form-fields/?item={ITEM_ONE_LEVEL}").json()
    assert [(f["name"], f["kind"]) for f in fields] == [
        ("business_name", "text"), ("operator_id_number", "id_number"), ("organisation_form", "choice"),
        ("family_members", "table"), ("capital", "money"), ("phone", "mobile"), ("address", "address"), ("remarks", "textarea")]
    assert fields[3]["show_if"] == {"field": "organisation_form", "values": ["family"]}
    assert [c["name"] for c in fields[3]["columns"]] == ["name", "id_number"]
    common = api(resident).get("/api/v1/applications/form-fields/").json()
    assert [f["name"] for f in common] == ["phone", "address", "remarks"]
    assert api(resident).get("/api/v1/applications/form-fields/?item=310120-XXXX-01-9999").status_code == 404


def test_a_bundle_asks_each_members_field_once_and_gives_each_member_its_own(catalog, settings_media):
    from yiwang.applications.models import Case
    from yiwang.catalog import services
    from yiwang.catalog.models import ServiceItem
    from tests.bundles.conftest import COMPANY_ANSWERS, ENTERPRISE_FORM, client_for, start
    from tests.factories import make_enterprise

    name = {"name": "enterprise_name", "label": "企业名称", "label_en": "Company name", "max_length": 50}
    services.update_item(item=ServiceItem.objects.get(code="310120-SCJG-20-0001"), changes={"form": {"fields": [name]}})
    services.update_item(item=ServiceItem.objects.get(code="310120-SCJG-01-0002"), changes={"form": {"fields": [
        {**name, "label": "公司名称"}, {"name": "registered_capital", "label": "注册资本（万元）", "label_en": "Registered capital",
                                         "kind": "money"}]}})
    company = make_enterprise()
    client = client_for(company)
    body = start(client, answers=COMPANY_ANSWERS, form={**ENTERPRISE_FORM, "enterprise_name": "上海奉贤示例科技有限公司",
                                                        "registered_capital": "100"})
    assert body.status_code == 201, body.json()
    web = Client()
    web.force_login(company)
    page = web.get(f"/bundles/cases/{body.json()['id']}/").content.decode()
    assert page.count('name="enterprise_name"') == 1 and page.count('name="registered_capital"') == 1
    cases = {c.item.code: c.form_data for c in Case.objects.filter(applicant=company).select_related("item")}
    assert cases["310120-SCJG-20-0001"] == {**ENTERPRISE_FORM, "enterprise_name": "上海奉贤示例科技有限公司"}
    assert cases["310120-SCJG-01-0002"] == {**ENTERPRISE_FORM, "enterprise_name": "上海奉贤示例科技有限公司",
                                            "registered_capital": "100"}
    # 涉税信息确认 asks the name too (given once) and the credit code, prefilled from the account
    assert cases["310120-TAX-20-0001"] == {**ENTERPRISE_FORM, "enterprise_name": "上海奉贤示例科技有限公司",
                                           "credit_code": company.credit_code}
    assert json.loads(json.dumps(cases))  # plain JSON
