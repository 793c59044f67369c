"""Editing items in the admin goes through the service: rule changes bump the version."""

from __future__ import annotations

import json

import pytest

from yiwang.accounts.models import User
from yiwang.catalog.flows import default_flow
from yiwang.catalog.models import Material, ServiceItem

pytestmark = pytest.mark.django_db

CODE = "310120-SCJG-01-0001"
JSON_FIELDS = ("channels", "service_objects", "fees", "cross_region", "flow", "form")
PLAIN_FIELDS = (
    "code", "name", "name_en", "item_type", "level", "legal_basis", "description", "statutory_limit_value",
    "statutory_limit_unit", "promised_limit_value", "promised_limit_unit", "case_type", "approval_levels",
    "online_depth", "max_visits", "cross_region_mode", "result_type", "result_name", "notes",
)
MATERIAL_FIELDS = ("position", "name", "kind", "source", "necessity", "copies", "exemptible_via")


@pytest.fixture
def admin_client(client, db):
    user = User.objects.create_superuser(username="catalogadmin", password="Passw0rd!2026", real_name="管理员")
    client.force_login(user)
    return client


def _form_data(item: ServiceItem, materials: list[Material] | None = None) -> dict[str, str]:
    data = {name: "" if getattr(item, name) is None else str(getattr(item, name)) for name in PLAIN_FIELDS}
    data.update({name: json.dumps(getattr(item, name), ensure_ascii=False) for name in JSON_FIELDS})
    data["department"] = str(item.department_id)
    if item.is_active:
        data["is_active"] = "on"
    materials = list(item.materials.order_by("position")) if materials is None else materials
    data.update(
        {
            "materials-TOTAL_FORMS": str(len(materials)),
            "materials-INITIAL_FORMS": str(len([m for m in materials if m.pk])),
            "materials-MIN_NUM_FORMS": "0",
            "materials-MAX_NUM_FORMS": "1000",
        }
    )
    for index, material in enumerate(materials):
        prefix = f"materials-{index}-"
        data[prefix + "id"] = str(material.pk or "")
        data[prefix + "item"] = str(item.pk or "")
        for name in MATERIAL_FIELDS:
            data[prefix + name] = str(getattr(material, name))
    return data


def _post_change(admin_client, item, data):
    return admin_client.post(f"/admin/catalog/serviceitem/{item.pk}/change/", data)


def test_changing_a_limit_bumps_the_version(admin_client, catalog):
    item = ServiceItem.objects.get(code=CODE)
    data = _form_data(item)
    data["statutory_limit_value"] = "5"
    response = _post_change(admin_client, item, data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.statutory_limit_value, item.version) == (5, 2)
    assert item.materials.count() == 4


def test_changing_a_material_bumps_the_version(admin_client, catalog):
    item = ServiceItem.objects.get(code=CODE)
    data = _form_data(item)
    data["materials-2-necessity"] = "3"
    response = _post_change(admin_client, item, data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.version == 2
    assert list(item.materials.values_list("position", "necessity")) == [(1, "1"), (2, "1"), (3, "3"), (4, "2")]


def test_deleting_a_material_bumps_the_version(admin_client, catalog):
    item = ServiceItem.objects.get(code=CODE)
    data = _form_data(item)
    data["materials-3-DELETE"] = "on"
    assert _post_change(admin_client, item, data).status_code == 302
    item.refresh_from_db()
    assert item.version == 2
    assert list(item.materials.values_list("position", flat=True)) == [1, 2, 3]


def test_changing_the_description_keeps_the_version(admin_client, catalog):
    item = ServiceItem.objects.get(code=CODE)
    data = _form_data(item)
    data["description"] = "修改后的受理条件。"
    assert _post_change(admin_client, item, data).status_code == 302
    item.refresh_from_db()
    assert (item.description, item.version) == ("修改后的受理条件。", 1)


def test_changing_approval_levels_regenerates_the_flow(admin_client, catalog):
    item = ServiceItem.objects.get(code=CODE)
    data = _form_data(item)
    data["approval_levels"] = "2"
    assert _post_change(admin_client, item, data).status_code == 302
    item.refresh_from_db()
    assert (item.flow, item.version) == (default_flow(2), 2)


def test_invalid_flow_is_refused_and_nothing_changes(admin_client, catalog):
    item = ServiceItem.objects.get(code=CODE)
    data = _form_data(item)
    data["flow"] = json.dumps([{"step": "review", "role": "approver"}])
    data["statutory_limit_value"] = "9"
    response = _post_change(admin_client, item, data)
    assert response.status_code == 200
    assert "the last step of a flow must be &#x27;decide&#x27;" in response.content.decode()
    item.refresh_from_db()
    assert (item.statutory_limit_value, item.version, item.flow) == (3, 1, default_flow(1))


def test_unknown_shared_data_record_is_refused(admin_client, catalog):
    item = ServiceItem.objects.get(code=CODE)
    data = _form_data(item)
    data["materials-0-exemptible_via"] = "household:passport"
    response = _post_change(admin_client, item, data)
    assert response.status_code == 200
    assert "未知的共享数据记录 household:passport。" in response.content.decode()
    item.refresh_from_db()
    assert item.version == 1
    assert item.materials.get(position=1).exemptible_via == ""


def test_adding_an_item_sets_the_default_flow(admin_client, catalog):
    template = ServiceItem.objects.get(code=CODE)
    new = ServiceItem(**{name: getattr(template, name) for name in PLAIN_FIELDS}, department=template.department)
    new.code = "310120-SCJG-01-0099"
    new.name = "测试事项"
    new.approval_levels = 2
    new.flow = []
    for name in ("channels", "service_objects", "fees", "cross_region"):
        setattr(new, name, getattr(template, name))
    material = Material(position=1, name="申请书", kind="form", source="10", necessity="1", copies=1, exemptible_via="")
    data = _form_data(new, materials=[material])
    data["department"] = str(template.department_id)
    data["is_active"] = "on"
    response = admin_client.post("/admin/catalog/serviceitem/add/", data)
    assert response.status_code == 302, _add_form_errors(admin_client, data)
    created = ServiceItem.objects.get(code="310120-SCJG-01-0099")
    assert (created.version, created.flow) == (1, default_flow(2))
    assert list(created.materials.values_list("position", "name")) == [(1, "申请书")]


def test_admin_lists_load(admin_client, catalog):
    for url in (
        "/admin/catalog/serviceitem/?department__id__exact=1&case_type__exact=instant&q=个体",
        f"/admin/catalog/serviceitem/{ServiceItem.objects.get(code=CODE).pk}/change/",
        "/admin/catalog/department/",
        "/admin/catalog/bundle/",
        "/admin/catalog/bundle/1/change/",
        "/admin/catalog/dataregistry/",
        "/admin/catalog/region/",
        "/admin/catalog/codelabel/?table=channel",
    ):
        assert admin_client.get(url).status_code == 200, url


def test_admin_needs_staff(client, catalog, resident):
    client.force_login(resident)
    item = ServiceItem.objects.get(code=CODE)
    data = _form_data(item)
    data["statutory_limit_value"] = "5"
    response = _post_change(client, item, data)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    item.refresh_from_db()
    assert (item.statutory_limit_value, item.version) == (3, 1)


def _add_form_errors(admin_client, data):
    response = admin_client.post("/admin/catalog/serviceitem/add/", data)
    return response.context["adminform"].form.errors, [f.errors for f in response.context["inline_admin_formsets"][0].formset.forms], response.context["inline_admin_formsets"][0].formset.non_form_errors()


ADMIN_FORM = {"fields": [
    {"name": "business_name", "label": "个体工商户名称", "label_en": "Business name"},
    {"name": "organisation_form", "label": "组成形式", "label_en": "Form", "kind": "choice",
     "options": [{"value": "personal", "label": "个人经营"}, {"value": "family", "label": "家庭经营"}]},
]}


def test_the_form_editor_checks_a_form_before_saving_and_previews_it(admin_client, catalog):
    item = ServiceItem.objects.get(code=CODE)
    form_before = item.form
    data = _form_data(item)
    data["form"] = json.dumps({"fields": [{"name": "x", "label": "甲", "label_en": "A", "kind": "choice", "options": []},
                                          {"name": "y", "label": "乙", "label_en": "B", "show_if": {"field": "z", "values": ["1"]}}]},
                              ensure_ascii=False)
    refused = _post_change(admin_client, item, data)
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "field 1 (x): a choice needs at least two options" in html
    assert "field 2 (y): show_if must name an earlier choice field" in html
    item.refresh_from_db()
    assert (item.form, item.version) == (form_before, 1)

    data["form"] = json.dumps(ADMIN_FORM, ensure_ascii=False)
    assert _post_change(admin_client, item, data).status_code == 302
    item.refresh_from_db()
    assert item.version == 2
    assert item.form["fields"][1]["options"][0] == {"value": "personal", "label": "个人经营", "label_en": "个人经营"}
    page = admin_client.get(f"/admin/catalog/serviceitem/{item.pk}/change/").content.decode()
    preview = page[page.index('class="form-preview"'):]
    assert 'id="id_business_name" name="business_name"' in preview
    assert 'type="radio" name="organisation_form" value="family"' in preview
