"""The public catalogue API."""

from __future__ import annotations

import pytest

from tests.catalog.helpers import reference_data
from yiwang.catalog.models import ServiceItem

pytestmark = pytest.mark.django_db


def test_item_list_is_public_and_paginated(client, catalog):
    response = client.get("/api/v1/items/?limit=2")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 249
    assert body["next"] == "http://testserver/api/v1/items/?limit=2&offset=2"
    assert body["previous"] is None
    assert body["results"][0] == {
        "code": "310120-BDC-07-0001",
        "name": "国有建设用地使用权及房屋所有权转移登记（存量房买卖）",
        "name_en": "Transfer registration of land-use right and building ownership (second-hand home sale)",
        "department": "BDC",
        "item_type": "07",
        "case_type": "promise",
        "statutory_limit": {"value": 30, "unit": "working_day"},
        "promised_limit": {"value": 1, "unit": "working_day"},
        "online_depth": 3,
        "channels": ["online", "window", "appointment", "express"],
    }
    page = client.get("/api/v1/items/?limit=2&offset=2").json()
    assert [item["code"] for item in page["results"]] == sorted(i["code"] for i in reference_data()["items"])[2:4]


def test_item_list_filters(client, catalog):
    data = reference_data()
    body = client.get("/api/v1/items/?department=SCJG&limit=100").json()
    assert [i["code"] for i in body["results"]] == sorted(i["code"] for i in data["items"] if i["department"] == "SCJG")
    body = client.get("/api/v1/items/?theme=natural_person&limit=1").json()
    assert body["count"] == sum("natural_person" in i["service_objects"] for i in data["items"])
    body = client.get("/api/v1/items/?q=getihu").json()
    assert [i["code"] for i in body["results"]] == ["310120-SCJG-01-0001"]
    item = body["results"][0]
    assert (item["statutory_limit"], item["promised_limit"]) == ({"value": 3, "unit": "working_day"}, {"value": 0, "unit": "working_day"})
    body = client.get("/api/v1/items/?q=SCJG-20-0001").json()
    assert body["results"][0]["statutory_limit"] is None


def test_item_list_rejects_unknown_theme(client, catalog):
    response = client.get("/api/v1/items/?theme=aliens")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_input"
    assert list(body["details"]) == ["theme"]


def test_item_detail_is_the_full_guide(client, catalog):
    response = client.get("/api/v1/items/310120-SCJG-01-0001/")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "code": "310120-SCJG-01-0001",
        "name": "个体工商户设立登记",
        "name_en": "Registration of an individual business (getihu)",
        "department": "SCJG",
        "item_type": "01",
        "case_type": "instant",
        "statutory_limit": {"value": 3, "unit": "working_day"},
        "promised_limit": {"value": 0, "unit": "working_day"},
        "online_depth": 4,
        "channels": ["online", "window", "mobile", "express"],
        "department_name": "区市场监督管理局",
        "department_name_en": "District Administration for Market Regulation",
        "level": 4,
        "legal_basis": "《促进个体工商户发展条例》；《中华人民共和国市场主体登记管理条例》第十九条",
        "description": body["description"],
        "approval_levels": 1,
        "max_visits": 0,
        "service_objects": ["natural_person"],
        "fees": [],
        "cross_region": ["441302", "320281"],
        "cross_region_mode": "全程网办",
        "materials": [
            {"position": 1, "name": "个体工商户登记（备案）申请书", "kind": "form", "source": "10", "necessity": "1", "copies": 1, "exemptible_via": None},
            {"position": 2, "name": "经营者身份证件", "kind": "certificate", "source": "20", "necessity": "1", "copies": 1, "exemptible_via": "household:id_card"},
            {"position": 3, "name": "经营场所使用证明（租赁合同等）", "kind": "other", "source": "10", "necessity": "2", "copies": 1, "exemptible_via": None},
            {"position": 4, "name": "经营场所不动产权证书（自有房屋）", "kind": "certificate", "source": "20", "necessity": "2", "copies": 1, "exemptible_via": "property:property_certificate"},
        ],
        "result": {"type": "certificate", "name": "营业执照"},
        "notes": "",
        "version": 1,
    }
    assert body["description"].startswith("有经营能力的自然人从事工商业经营的，可以申请登记为个体工商户")


def test_item_detail_with_fees(client, catalog):
    fee_item = next(i for i in reference_data()["items"] if i["fees"])
    body = client.get(f"/api/v1/items/{fee_item['code']}/").json()
    # The API gives the Chinese name and standard of each fee (the English is for the pages).
    assert body["fees"] == [{"name": fee["name"], "standard": fee["standard"]} for fee in fee_item["fees"]]


def test_unknown_or_inactive_item_is_404(client, catalog):
    response = client.get("/api/v1/items/310120-XX-01-0001/")
    assert response.status_code == 404
    assert response.json() == {
        "code": "unknown_item",
        "message": "未找到事项“310120-XX-01-0001”，该事项不存在或已停用。",
        "message_en": "No service item with code '310120-XX-01-0001'; it does not exist or is no longer offered.",
    }
    ServiceItem.objects.filter(code="310120-SCJG-01-0001").update(is_active=False)
    assert client.get("/api/v1/items/310120-SCJG-01-0001/").status_code == 404


def test_departments(client, catalog):
    data = reference_data()
    body = client.get("/api/v1/departments/").json()
    assert len(body) == 41
    scjg = next(d for d in body if d["code"] == "SCJG")
    assert scjg == {
        "code": "SCJG",
        "name": "区市场监督管理局",
        "name_en": "District Administration for Market Regulation",
        "unit": "区市场监督管理局",
        "item_count": sum(i["department"] == "SCJG" for i in data["items"]),
    }
    assert [d["code"] for d in body] == sorted(d["code"] for d in data["departments"])


def test_write_methods_are_not_allowed(client, catalog):
    response = client.post("/api/v1/items/", {}, content_type="application/json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert ServiceItem.objects.count() == 249


def test_api_uses_few_queries(client, catalog, django_assert_num_queries):
    with django_assert_num_queries(2):
        client.get("/api/v1/items/?limit=100")
    with django_assert_num_queries(2):
        client.get("/api/v1/items/310120-SCJG-01-0001/")
    with django_assert_num_queries(1):
        client.get("/api/v1/departments/")
