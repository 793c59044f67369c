"""Public catalogue pages: home, list with filters and htmx partial, the service guide, 404."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.catalog.helpers import reference_data
from tests.factories import make_resident, make_staff
from yiwang.catalog.models import ServiceItem

pytestmark = pytest.mark.django_db


def _listed_codes(html: str) -> list[str]:
    return re.findall(r'<td>(310120-[A-Z]+-\d{2}-\d{4})</td>', html)


def test_url_names():
    assert reverse("portal-home") == "/"
    assert reverse("catalog:item-list") == "/items/"
    assert reverse("catalog:item-detail", args=["310120-SCJG-01-0001"]) == "/items/310120-SCJG-01-0001/"


def test_home_shows_search_themes_and_departments(client, catalog):
    data = reference_data()
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<form method="get" action="/search/" role="search">' in html
    assert '<a class="card theme" href="/items/?theme=natural_person">' in html
    assert '<a class="card theme" href="/items/?theme=enterprise">' in html
    persons = sum("natural_person" in i["service_objects"] for i in data["items"])
    enterprises = sum(bool({"enterprise", "organization"} & set(i["service_objects"])) for i in data["items"])
    assert f"<p>{persons} 项服务</p>" in html
    assert f"<p>{enterprises} 项服务</p>" in html
    scjg = sum(i["department"] == "SCJG" for i in data["items"])
    assert f'<a href="/items/?department=SCJG">区市场监督管理局</a>\n        <span class="badge">{scjg}</span>' in html


def test_home_needs_no_login_and_works_in_english(client, catalog):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert "For individuals" in html
    assert "District Administration for Market Regulation" in html


def test_list_is_paginated_by_code(client, catalog):
    codes = sorted(i["code"] for i in reference_data()["items"])
    first = client.get("/items/").content.decode()
    assert "共 249 项" in first
    assert _listed_codes(first) == codes[:20]
    assert "第 1 / 13 页" in first
    second = client.get("/items/?page=2").content.decode()
    assert _listed_codes(second) == codes[20:40]


def test_list_filters_by_department_theme_and_search(client, catalog):
    data = reference_data()
    html = client.get("/items/?department=SCJG").content.decode()
    assert _listed_codes(html) == sorted(i["code"] for i in data["items"] if i["department"] == "SCJG")
    html = client.get("/items/?theme=enterprise&department=SCJG").content.decode()
    assert _listed_codes(html) == sorted(
        i["code"] for i in data["items"] if i["department"] == "SCJG" and {"enterprise", "organization"} & set(i["service_objects"])
    )
    html = client.get("/items/?q=个体工商户").content.decode()
    assert _listed_codes(html) == sorted(i["code"] for i in data["items"] if "个体工商户" in i["name"])
    html = client.get("/items/?q=没有这种事项").content.decode()
    assert "没有找到符合条件的事项。" in html


def test_htmx_search_returns_only_the_partial(client, catalog):
    response = client.get("/items/?q=营业执照", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="item-list"' not in html
    expected = sorted(i["code"] for i in reference_data()["items"] if "营业执照" in i["name"])
    assert _listed_codes(html) == expected
    assert html.lstrip().startswith(f'<p class="result-count">共 {len(expected)} 项</p>')


def test_full_list_page_includes_the_search_wiring(client, catalog):
    html = client.get("/items/?q=abc").content.decode()
    assert 'hx-get="/items/" hx-trigger="input changed delay:300ms, search"' in html
    assert 'value="abc"' in html
    assert '<div id="item-list">' in html


def test_guide_shows_materials_limits_and_exemptions(client, catalog):
    response = client.get("/items/310120-SCJG-01-0001/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>个体工商户设立登记</h1>" in html
    assert "有经营能力的自然人从事工商业经营的" in html
    assert "《促进个体工商户发展条例》" in html
    assert (
        "<td>2</td>\n        <td>经营者身份证件</td>\n        <td>证件证书证明</td>\n        <td>政府部门核发</td>\n"
        "        <td>必要</td>\n        <td>1</td>\n"
        '        <td><span class="badge exemptible">可免交（共享数据）</span>\n          居民身份证（户籍信息）</td>'
    ) in html
    assert "不动产权证书（不动产登记信息）" in html
    assert html.count("可免交（共享数据）") == 2
    assert "<td>经营场所使用证明（租赁合同等）</td>" in html
    assert "<th>法定办结时限</th>\n      <td>3 个工作日" in html
    assert "<th>承诺办结时限</th>\n      <td>即办件/当场办结</td>" in html
    assert '<span class="badge">网上办理</span>' in html
    assert '<span class="badge">快递申请及寄递</span>' in html
    assert "<td>0 次</td>" in html
    assert "<td>全程网办</td>" in html
    assert "<td>不收费</td>" in html
    assert "<td>证照：营业执照</td>" in html
    assert '<a class="btn apply" href="/cases/apply/310120-SCJG-01-0001/">在线申报</a>' in html
    assert "演示值，待核实" not in html


def test_guide_in_english(client, catalog):
    html = client.get("/items/310120-SCJG-01-0001/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Registration of an individual business (getihu)</h1>" in html
    assert "Not needed (shared data)" in html
    assert "3 working days" in html
    assert "Apply online" in html


FOOD_LICENCE = "310120-SCJG-01-0003"
FOOD_LICENCE_NOTE = "法定10个工作日，经负责人批准可延长5个工作日（据2023年《食品经营许可和备案管理办法》，待核实）；需要现场核查的，核查时间按规定计算。"


def test_guide_shows_open_limits(client, catalog):
    html = client.get("/items/310120-SCJG-20-0001/").content.decode()
    assert "<th>法定办结时限</th>\n      <td>无固定时限" in html


@pytest.mark.parametrize("role", [None, "resident", "window_officer", "approver", "hall_manager", "auditor"])
def test_guide_hides_internal_notes_from_everyone_but_administrators(client, catalog, role):
    assert ServiceItem.objects.get(code=FOOD_LICENCE).notes == FOOD_LICENCE_NOTE
    if role == "resident":
        client.force_login(make_resident())
    elif role is not None:
        client.force_login(make_staff(role=role, departments=["SCJG"]))
    html = client.get(f"/items/{FOOD_LICENCE}/").content.decode()
    assert "<th>法定办结时限</th>\n      <td>10 个工作日" in html
    assert "待核实" not in html
    assert "演示值" not in html
    assert "据2023年" not in html
    assert "内部备注" not in html


def test_guide_shows_internal_notes_and_the_demo_badge_to_an_administrator(client, catalog):
    client.force_login(make_staff(role="administrator"))
    html = client.get(f"/items/{FOOD_LICENCE}/").content.decode()
    assert '<span class="badge demo-value">演示值，待核实</span>' in html
    assert f'<p class="notes internal-notes">内部备注（仅管理员可见）：{FOOD_LICENCE_NOTE}</p>' in html


def test_guide_links_each_bundle_of_the_item_to_its_guide(client, catalog):
    html = client.get(f"/items/{FOOD_LICENCE}/").content.decode()
    assert (
        '<ul class="item-bundles">'
        '<li><a href="/bundles/310120-YJS-010/">开办餐饮店一件事</a></li>'
        '<li><a href="/bundles/310120-YJS-025/">开办养老机构一件事</a></li></ul>'
    ) in html
    assert reverse("bundles:guide", args=["310120-YJS-010"]) == "/bundles/310120-YJS-010/"
    assert client.get("/bundles/310120-YJS-010/").status_code == 200


def test_guide_without_online_channel_has_no_apply_button(client, catalog):
    item = ServiceItem.objects.get(code="310120-WJW-05-0002")
    assert "online" not in item.channels
    html = client.get(f"/items/{item.code}/").content.decode()
    assert "/cases/apply/" not in html
    assert "本事项暂不支持网上申报，请到窗口办理。" in html


def test_unknown_item_is_a_404_page(client, catalog):
    response = client.get("/items/310120-XX-01-0001/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "未找到事项“310120-XX-01-0001”，该事项不存在或已停用。" in html
    assert "No service item with code &#x27;310120-XX-01-0001&#x27;; it does not exist or is no longer offered." in html


def test_inactive_item_is_a_404_page(client, catalog):
    ServiceItem.objects.filter(code="310120-SCJG-01-0001").update(is_active=False)
    assert client.get("/items/310120-SCJG-01-0001/").status_code == 404
    assert "310120-SCJG-01-0001" not in _listed_codes(client.get("/items/?department=SCJG").content.decode())


def test_pages_use_few_queries(client, catalog, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        client.get("/items/?theme=enterprise")
    with django_assert_max_num_queries(6):
        client.get("/items/310120-SCJG-01-0001/")
    with django_assert_max_num_queries(4):
        client.get("/")
