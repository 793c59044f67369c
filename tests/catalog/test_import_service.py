"""Importing the catalogue into the database: idempotence, updates in place, removals."""

from __future__ import annotations

import time

import pytest

from tests import factories
from tests.catalog.helpers import item_index, reference_data, referenced_item_codes
from yiwang.applications.models import Case
from yiwang.catalog.flows import default_flow
from yiwang.catalog.models import (
    Bundle,
    BundleMember,
    CodeLabel,
    CrossRegionScope,
    DataRegistry,
    Department,
    Material,
    Region,
    RegistryRecordKind,
    ServiceItem,
)
from yiwang.catalog.services import import_catalog
from yiwang.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def _versions() -> dict[str, int]:
    return dict(ServiceItem.objects.values_list("code", "version"))


def test_reference_catalogue_is_loaded_completely(catalog):
    assert ServiceItem.objects.filter(is_active=True).count() == 249
    assert Material.objects.count() == 798
    assert Department.objects.count() == 41
    assert Bundle.objects.count() == 42
    assert BundleMember.objects.count() == sum(len(b["items"]) for b in reference_data()["bundles"])
    assert DataRegistry.objects.count() == 16
    assert CodeLabel.objects.count() == 37
    assert CrossRegionScope.objects.count() == 74
    assert list(Region.objects.order_by("code").values_list("code", "is_home")) == [
        ("310120", True),
        ("320281", False),
        ("441302", False),
    ]
    item = ServiceItem.objects.get(code="310120-SCJG-01-0001")
    assert (item.statutory_limit_value, item.statutory_limit_unit) == (3, "working_day")
    assert (item.promised_limit_value, item.case_type, item.version) == (0, "instant", 1)
    assert item.flow == [{"step": "decide", "role": "window_officer"}]
    assert list(item.materials.values_list("position", "name", "exemptible_via")) == [
        (1, "个体工商户登记（备案）申请书", ""),
        (2, "经营者身份证件", "household:id_card"),
        (3, "经营场所使用证明（租赁合同等）", ""),
        (4, "经营场所不动产权证书（自有房屋）", "property:property_certificate"),
    ]
    two_levels = ServiceItem.objects.filter(approval_levels=2).first()
    assert two_levels.flow == default_flow(2)
    window = Bundle.objects.get(code="310120-YJS-002")
    assert (window.window_opens, window.window_closes) == ("06-20", "07-10")
    assert list(Bundle.objects.get(code="310120-YJS-001").members.values_list("position", "item__code")) == [
        (1, "310120-SCJG-20-0001"),
        (2, "310120-SCJG-01-0002"),
        (3, "310120-GAZA-20-0001"),
        (4, "310120-TAX-20-0001"),
        (5, "310120-TAX-20-0002"),
        (6, "310120-RSJSB-21-0004"),
        (7, "310120-GJJ-21-0004"),
    ]
    assert DataRegistry.objects.get(code="elicence").provider == ""


def test_reimport_of_the_same_file_changes_nothing(catalog, django_assert_max_num_queries):
    before = _versions()
    stamps = dict(ServiceItem.objects.values_list("code", "updated_at"))
    material_ids = list(Material.objects.order_by("pk").values_list("pk", flat=True))
    data = reference_data()
    # Bulk reads and no writes: a fixed, small number of queries whatever the catalogue size.
    with django_assert_max_num_queries(30):
        report = import_catalog(data=data)
    assert (report.items.created, report.items.updated, report.items.unchanged) == (0, 0, 249)
    assert (report.items.deactivated, report.items.deleted, report.versions_bumped) == (0, 0, 0)
    assert (report.departments.created, report.departments.updated, report.departments.unchanged) == (0, 0, 41)
    assert (report.bundles.created, report.bundles.updated, report.bundles.unchanged) == (0, 0, 42)
    assert (report.registries.unchanged, report.regions.unchanged, report.code_labels.unchanged) == (16, 3, 37)
    assert report.changed is False
    assert _versions() == before
    assert dict(ServiceItem.objects.values_list("code", "updated_at")) == stamps
    assert list(Material.objects.order_by("pk").values_list("pk", flat=True)) == material_ids
    assert report.summary() == (
        "catalogue 310120 上海市奉贤区: items (created 0, updated 0, unchanged 249; new rule versions 0); "
        "departments (created 0, updated 0, unchanged 41); bundles (created 0, updated 0, unchanged 42); "
        "registries (created 0, updated 0, unchanged 16); regions (created 0, updated 0, unchanged 3); "
        "code labels (created 0, updated 0, unchanged 37)"
    )


def test_changed_limit_updates_in_place_and_bumps_version(catalog):
    data = reference_data()
    code = "310120-SCJG-01-0001"
    data["items"][item_index(data, code)]["statutory_limit"] = {"value": 5, "unit": "calendar_day"}
    pk = ServiceItem.objects.get(code=code).pk
    before = _versions()
    report = import_catalog(data=data)
    assert (report.items.updated, report.items.unchanged, report.versions_bumped) == (1, 248, 1)
    item = ServiceItem.objects.get(code=code)
    assert (item.pk, item.version) == (pk, 2)
    assert (item.statutory_limit_value, item.statutory_limit_unit) == (5, "calendar_day")
    assert _versions() == {**before, code: 2}


def test_changed_description_updates_without_new_version(catalog):
    data = reference_data()
    code = "310120-SCJG-01-0001"
    data["items"][item_index(data, code)]["description"] = "新的受理条件。"
    report = import_catalog(data=data)
    assert (report.items.updated, report.versions_bumped) == (1, 0)
    item = ServiceItem.objects.get(code=code)
    assert (item.description, item.version) == ("新的受理条件。", 1)


def test_changed_materials_replace_the_list_and_bump_version(catalog):
    data = reference_data()
    code = "310120-SCJG-01-0001"
    data["items"][item_index(data, code)]["materials"][2]["necessity"] = "3"
    report = import_catalog(data=data)
    assert report.versions_bumped == 1
    item = ServiceItem.objects.get(code=code)
    assert item.version == 2
    assert list(item.materials.values_list("position", "necessity")) == [(1, "1"), (2, "1"), (3, "3"), (4, "2")]


def test_approval_levels_change_regenerates_flow(catalog):
    data = reference_data()
    code = "310120-SCJG-01-0001"
    data["items"][item_index(data, code)]["approval_levels"] = 3
    import_catalog(data=data)
    item = ServiceItem.objects.get(code=code)
    assert item.flow == default_flow(3)
    assert item.version == 2


def test_hand_edited_flow_survives_reimport_when_levels_unchanged(catalog):
    code = "310120-SCJG-01-0001"
    edited = [{"step": "review", "role": "approver"}, {"step": "decide", "role": "window_officer"}]
    ServiceItem.objects.filter(code=code).update(flow=edited)
    report = import_catalog(data=reference_data())
    assert report.items.unchanged == 249
    assert ServiceItem.objects.get(code=code).flow == edited


def test_absent_item_without_cases_is_deleted_with_cases_is_deactivated(catalog, resident):
    data = reference_data()
    free = [item["code"] for item in data["items"] if item["code"] not in referenced_item_codes(data)]
    with_case, without_case = free[0], free[1]
    item = ServiceItem.objects.get(code=with_case)
    Case.objects.create(item=item, department=item.department, applicant=resident)
    data["items"] = [i for i in data["items"] if i["code"] not in {with_case, without_case}]

    report = import_catalog(data=data)

    assert (report.items.deactivated, report.items.deleted, report.items.unchanged) == (1, 1, 247)
    assert ServiceItem.objects.filter(code=without_case).exists() is False
    kept = ServiceItem.objects.get(code=with_case)
    assert (kept.is_active, kept.version) == (False, 1)
    assert kept.materials.count() == len(next(i for i in reference_data()["items"] if i["code"] == with_case)["materials"])
    assert Case.objects.filter(item=kept).count() == 1

    again = import_catalog(data=data)
    assert (again.items.deactivated, again.items.deleted, again.items.unchanged) == (0, 0, 248)

    # Back in the file: active again, same row.
    back = import_catalog(data=reference_data())
    assert (back.items.created, back.items.updated) == (1, 1)
    assert ServiceItem.objects.get(code=with_case).pk == kept.pk
    assert ServiceItem.objects.get(code=with_case).is_active is True


def test_absent_department_deleted_only_when_unused(catalog):
    data = reference_data()
    data["departments"].append(
        {"code": "TEMP", "name": "临时部门", "name_en": "", "unit": "临时", "credit_code": factories.valid_credit_code(seq=7)}
    )
    import_catalog(data=data)
    staffed = factories.make_staff(role="window_officer", departments=["TEMP"])
    report = import_catalog(data=reference_data())
    assert (report.departments.deleted, report.departments.kept) == (0, 1)
    assert list(staffed.departments.values_list("code", flat=True)) == ["TEMP"]
    staffed.departments.clear()
    report = import_catalog(data=reference_data())
    assert (report.departments.deleted, report.departments.kept) == (1, 0)
    assert Department.objects.filter(code="TEMP").exists() is False


def test_bundle_changes_update_members_in_order(catalog):
    data = reference_data()
    data["bundles"][0]["items"] = list(reversed(data["bundles"][0]["items"]))
    data["bundles"][1]["application_window"] = None
    removed = data["bundles"].pop()
    report = import_catalog(data=data)
    assert (report.bundles.updated, report.bundles.unchanged, report.bundles.deleted) == (2, 39, 1)
    bundle = Bundle.objects.get(code=data["bundles"][0]["code"])
    assert list(bundle.members.values_list("item__code", flat=True)) == data["bundles"][0]["items"]
    assert Bundle.objects.get(code=data["bundles"][1]["code"]).window_opens == ""
    assert Bundle.objects.filter(code=removed["code"]).exists() is False


def test_registry_record_kinds_follow_the_file(catalog):
    data = reference_data()
    registry = next(r for r in data["registries"] if r["code"] == "household")
    registry["records"].append({"kind": "passport", "name": "护照"})
    registry["records"][0]["name"] = "居民身份证（电子）"
    report = import_catalog(data=data)
    assert (report.registries.updated, report.registries.unchanged) == (1, 15)
    assert dict(RegistryRecordKind.objects.filter(registry__code="household").values_list("kind", "name")) == {
        "id_card": "居民身份证（电子）",
        "hukou_booklet": "居民户口簿",
        "residence_permit": "上海市居住证",
        "residence_registration": "居住登记凭证",
        "death_record": "死亡注销户口记录",
        "passport": "护照",
    }


def test_invalid_catalogue_is_refused_and_nothing_changes(catalog):
    data = reference_data()
    data["items"][0]["name"] = "改名了"
    data["items"][12]["statutory_limit"]["unit"] = "month"
    with pytest.raises(ValidationFailed) as caught:
        import_catalog(data=data)
    assert caught.value.code == "invalid_catalog"
    assert caught.value.message == "事项目录文件有 1 处错误，未导入。"
    assert caught.value.details == ["$.items[12].statutory_limit.unit: must be one of working_day, calendar_day"]
    assert ServiceItem.objects.get(code=data["items"][0]["code"]).name == "个体工商户设立登记"


def test_import_from_scratch_is_fast(catalog):
    CrossRegionScope.objects.all().delete()
    Bundle.objects.all().delete()
    ServiceItem.objects.all().delete()
    Department.objects.all().delete()
    started = time.perf_counter()
    report = import_catalog(data=reference_data())
    elapsed = time.perf_counter() - started
    assert (report.items.created, report.departments.created, report.bundles.created) == (249, 41, 42)
    assert Material.objects.count() == 798
    assert elapsed < 2.0
