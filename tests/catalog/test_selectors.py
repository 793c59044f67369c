"""Reads of the catalogue: the rules snapshot, lookups and filtered lists."""

from __future__ import annotations

import json

import pytest

from tests.catalog.helpers import reference_data
from yiwang.catalog import selectors
from yiwang.catalog.models import ServiceItem
from yiwang.core.errors import NotFound

pytestmark = pytest.mark.django_db


def test_catalog_is_loaded(catalog):
    assert selectors.catalog_is_loaded() is True
    ServiceItem.objects.update(is_active=False)
    assert selectors.catalog_is_loaded() is False


def reference_form(code: str) -> dict:
    """The item's form as the reference catalogue writes it, in the one canonical shape stored."""
    from tests.conftest import REFERENCE_CATALOG
    from yiwang.catalog.application_forms import definition_as_dict, parse_form_definition

    entry = next(i for i in json.loads(REFERENCE_CATALOG.read_text(encoding="utf-8"))["items"] if i["code"] == code)
    return definition_as_dict(parse_form_definition(entry["form"]))


def test_rules_snapshot_has_the_exact_shape(catalog, django_assert_num_queries):
    with django_assert_num_queries(2):
        item = selectors.get_item("310120-SCJG-01-0001")
    with django_assert_num_queries(0):
        snapshot = selectors.item_rules_snapshot(item)
    assert snapshot == {
        "item_code": "310120-SCJG-01-0001",
        "item_name": "个体工商户设立登记",
        "item_name_en": "Registration of an individual business (getihu)",
        "version": 1,
        "department": "SCJG",
        "department_name": "区市场监督管理局",
        "statutory_limit": {"value": 3, "unit": "working_day"},
        "promised_limit": {"value": 0, "unit": "working_day"},
        "case_type": "instant",
        "flow": [{"step": "decide", "role": "window_officer"}],
        "materials": [
            {"position": 1, "name": "个体工商户登记（备案）申请书", "name_en": "Application form for registration (filing) of an individual business", "kind": "form", "source": "10", "necessity": "1", "copies": 1, "exemptible_via": None},
            {"position": 2, "name": "经营者身份证件", "name_en": "Operator's identity document", "kind": "certificate", "source": "20", "necessity": "1", "copies": 1, "exemptible_via": "household:id_card"},
            {"position": 3, "name": "经营场所使用证明（租赁合同等）", "name_en": "Proof of the right to use the business premises (lease contract etc.)", "kind": "other", "source": "10", "necessity": "2", "copies": 1, "exemptible_via": None},
            {"position": 4, "name": "经营场所不动产权证书（自有房屋）", "name_en": "Real estate title certificate of the business premises (own property)", "kind": "certificate", "source": "20", "necessity": "2", "copies": 1, "exemptible_via": "property:property_certificate"},
        ],
        "result": {"type": "certificate", "name": "营业执照", "name_en": "Business licence"},
        "form": reference_form("310120-SCJG-01-0001"),  # its own form from the catalogue, canonical
    }
    assert [f["name"] for f in snapshot["form"]["fields"]] == [
        "business_name", "operator_name", "operator_id_number", "organisation_form", "family_members", "premises",
        "business_scope", "employees", "capital"]


def test_snapshot_of_item_without_fixed_limit(catalog):
    snapshot = selectors.item_rules_snapshot(selectors.get_item("310120-SCJG-20-0001"))
    assert snapshot["statutory_limit"] is None


def test_unknown_or_inactive_item_is_not_found(catalog):
    with pytest.raises(NotFound) as caught:
        selectors.get_item("310120-XX-01-0001")
    assert caught.value.code == "unknown_item"
    assert caught.value.message == "未找到事项“310120-XX-01-0001”，该事项不存在或已停用。"
    assert caught.value.message_en == "No service item with code '310120-XX-01-0001'; it does not exist or is no longer offered."
    ServiceItem.objects.filter(code="310120-SCJG-01-0001").update(is_active=False)
    with pytest.raises(NotFound):
        selectors.get_item("310120-SCJG-01-0001")
    assert selectors.get_item("310120-SCJG-01-0001", active_only=False).is_active is False


def test_list_by_department_theme_and_search(catalog):
    data = reference_data()
    by_code = sorted(item["code"] for item in data["items"])
    assert list(selectors.list_items().values_list("code", flat=True)) == by_code
    assert list(selectors.list_items(department="SCJG").values_list("code", flat=True)) == sorted(
        item["code"] for item in data["items"] if item["department"] == "SCJG"
    )
    assert list(selectors.list_items(theme="natural_person").values_list("code", flat=True)) == sorted(
        item["code"] for item in data["items"] if "natural_person" in item["service_objects"]
    )
    assert list(selectors.list_items(theme="enterprise").values_list("code", flat=True)) == sorted(
        item["code"] for item in data["items"] if {"enterprise", "organization"} & set(item["service_objects"])
    )
    assert selectors.list_items(theme="martian").count() == 0
    assert list(selectors.list_items(q="个体工商户").values_list("code", flat=True)) == sorted(
        item["code"] for item in data["items"] if "个体工商户" in item["name"]
    )
    assert list(selectors.list_items(q="GETIHU").values_list("code", flat=True)) == ["310120-SCJG-01-0001"]
    assert list(selectors.list_items(q="scjg-01-000").values_list("code", flat=True)) == [
        f"310120-SCJG-01-000{n}" for n in range(1, 10)
    ]


def test_list_is_one_query(catalog, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = [item.department.name for item in selectors.list_items(theme="enterprise", q="许可")]
    assert len(names) == len(
        [i for i in reference_data()["items"] if "许可" in i["name"] and {"enterprise", "organization"} & set(i["service_objects"])]
    )


def test_departments_with_item_counts(catalog):
    data = reference_data()
    counts = {d.code: d.item_count for d in selectors.list_departments()}
    expected = {dept["code"]: sum(1 for i in data["items"] if i["department"] == dept["code"]) for dept in data["departments"]}
    assert counts == expected
    ServiceItem.objects.filter(code="310120-SCJG-01-0001").update(is_active=False)
    assert {d.code: d.item_count for d in selectors.list_departments()}["SCJG"] == expected["SCJG"] - 1


def test_record_kind_names(catalog):
    names = selectors.record_kind_names()
    assert names["household:id_card"] == {"name": "居民身份证", "registry_name": "户籍信息", "name_en": "Resident identity card",
                                          "registry_name_en": "Household registration data"}
    assert names["property:property_certificate"] == {"name": "不动产权证书", "registry_name": "不动产登记信息",
                                                      "name_en": "Real estate title certificate",
                                                      "registry_name_en": "Real estate registration data"}
