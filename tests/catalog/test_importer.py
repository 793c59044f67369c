"""Pure tests of catalogue file validation: every error with its exact JSON path."""

from __future__ import annotations

import json

import pytest

from tests.catalog.helpers import item_index, reference_data
from tests.conftest import REFERENCE_CATALOG
from yiwang.catalog.importer import CatalogFileError, load_catalog_file, validate_catalog


def test_reference_catalogue_is_valid():
    assert validate_catalog(reference_data()) == []


def test_load_reference_file_returns_its_data():
    data = load_catalog_file(REFERENCE_CATALOG)
    assert data["region"] == {"code": "310120", "name": "上海市奉贤区", "name_en": "Fengxian District, Shanghai"}
    assert len(data["items"]) == 249


def test_load_missing_file(tmp_path):
    path = tmp_path / "missing.json"
    with pytest.raises(CatalogFileError) as caught:
        load_catalog_file(path)
    assert caught.value.errors == [f"{path}: cannot read file: No such file or directory"]


def test_load_malformed_json_gives_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "format": "yiwang-catalog/1",\n  "region": {"code": "310120",}\n}\n', encoding="utf-8")
    with pytest.raises(CatalogFileError) as caught:
        load_catalog_file(path)
    assert caught.value.errors == [
        f"{path}: line 3, column 31: malformed JSON: Expecting property name enclosed in double quotes"
    ]


def test_load_non_utf8_file(tmp_path):
    path = tmp_path / "gbk.json"
    path.write_bytes('{"format": "奉贤"}'.encode("gbk"))
    with pytest.raises(CatalogFileError) as caught:
        load_catalog_file(path)
    assert caught.value.errors == [f"{path}: not UTF-8 text (byte 12)"]


def test_load_invalid_catalogue_lists_every_error(tmp_path):
    data = reference_data()
    data["format"] = "yiwang-catalog/2"
    data["items"][12]["statutory_limit"]["unit"] = "month"
    path = tmp_path / "invalid.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CatalogFileError) as caught:
        load_catalog_file(path)
    assert caught.value.errors == [
        "$.format: must be yiwang-catalog/1",
        "$.items[12].statutory_limit.unit: must be one of working_day, calendar_day",
    ]


def _errors_after(change) -> list[str]:
    data = reference_data()
    change(data)
    return validate_catalog(data)


def test_not_an_object():
    assert validate_catalog([]) == ["$: must be an object"]


def test_region_code_must_have_six_digits():
    def change(data):
        data["region"]["code"] = "31012"

    # Item codes start with the region code, which is unknown now, so only the region is reported.
    assert _errors_after(change) == ["$.region.code: must be a 6-digit region code (GB/T 2260)"]


def test_duplicate_department_code():
    def change(data):
        data["departments"][1]["code"] = "SCJG"

    errors = _errors_after(change)
    assert errors[0] == "$.departments[1].code: duplicate code SCJG (first at $.departments[0])"
    # Items of the former SCJGTS now name an unknown department.
    assert errors[1].endswith(".department: unknown department 'SCJGTS'")


def test_credit_code_check_character():
    def change(data):
        data["departments"][0]["credit_code"] = "11310120MB2P41K5X7"

    assert _errors_after(change) == [
        "$.departments[0].credit_code: '11310120MB2P41K5X7' is not a valid unified social credit code: "
        "The unified social credit code's check character is wrong; please check the code."
    ]


def test_item_code_form_and_uniqueness():
    def change(data):
        data["items"][0]["code"] = "310120-SCJG-01"
        data["items"][2]["code"] = data["items"][1]["code"]
        data["items"][3]["code"] = "310121-SCJG-01-0004"
        data["items"][4]["code"] = "310120-SCJG-01-05"

    errors = _errors_after(change)
    assert errors[:4] == [
        "$.items[2].code: duplicate code 310120-SCJG-01-0002 (first at $.items[1])",
        "$.items[0].code: must have the form <region>-<department>-<type>-<serial>, e.g. 310120-SCJG-01-0001",
        "$.items[3].code: must start with the region code 310120",
        "$.items[4].code: serial part must be 4 digits",
    ]


def test_item_code_parts_must_match_department_and_type():
    def change(data):
        data["items"][0]["type"] = "07"

    assert _errors_after(change) == ["$.items[0].code: type part '01' must equal the item's type '07'"]


def test_item_fields():
    index = item_index(reference_data(), "310120-SCJG-01-0001")
    path = f"$.items[{index}]"

    def change(data):
        item = data["items"][index]
        item["department"] = "NOPE"
        item["type"] = "99"
        item["statutory_limit"] = {"value": -1, "unit": "working_day"}
        item["promised_limit"] = {"value": 1.5, "unit": "day"}
        item["case_type"] = "later"
        item["approval_levels"] = 0
        item["online_depth"] = 5
        item["channels"] = ["online", "fax"]
        item["service_objects"] = ["alien"]
        item["result"] = {"type": "medal", "name": "x"}

    assert _errors_after(change) == [
        f"{path}.department: unknown department 'NOPE'",
        f"{path}.type: must be one of 01, 05, 07, 08, 09, 20, 21 (code table item_type)",
        f"{path}.code: department part 'SCJG' must equal the item's department 'NOPE'",
        f"{path}.code: type part '01' must equal the item's type '99'",
        f"{path}.statutory_limit.value: must be an integer >= 0",
        f"{path}.promised_limit.value: must be an integer >= 0",
        f"{path}.promised_limit.unit: must be one of working_day, calendar_day",
        f"{path}.case_type: must be one of instant, promise",
        f"{path}.approval_levels: must be an integer >= 1",
        f"{path}.online_depth: must be an integer from 1 to 4",
        f"{path}.channels[1]: must be one of appointment, express, kiosk, mobile, online, window (code table channel)",
        f"{path}.service_objects[0]: must be one of enterprise, natural_person, organization (code table service_object)",
        f"{path}.result.type: must be one of approval, certificate, none, proof (code table result_type)",
    ]


def test_null_limits_are_valid_but_must_be_present():
    def change(data):
        data["items"][0]["statutory_limit"] = None
        del data["items"][1]["promised_limit"]

    assert _errors_after(change) == ["$.items[1].promised_limit: missing (use null for no fixed time limit)"]


def test_material_fields():
    index = item_index(reference_data(), "310120-SCJG-01-0001")

    def change(data):
        materials = data["items"][index]["materials"]
        materials[0]["source"] = "30"
        materials[0]["necessity"] = "4"
        materials[0]["kind"] = "photo"
        materials[1]["exemptible_via"] = "household:passport"
        materials[2]["exemptible_via"] = "id_card"
        materials[3]["copies"] = -1

    path = f"$.items[{index}].materials"
    assert _errors_after(change) == [
        f"{path}[0].kind: must be one of certificate, form, other (code table material_kind)",
        f"{path}[0].source: must be one of 10, 20, 99 (code table material_source)",
        f"{path}[0].necessity: must be one of 1, 2, 3 (code table material_necessity)",
        f"{path}[1].exemptible_via: 'household:passport' must name an existing registry record as registry:kind",
        f"{path}[2].exemptible_via: 'id_card' must name an existing registry record as registry:kind",
        f"{path}[3].copies: must be an integer >= 0",
    ]


def test_removing_a_record_kind_breaks_exemptions_that_name_it():
    def change(data):
        registry = next(r for r in data["registries"] if r["code"] == "property")
        registry["records"] = [r for r in registry["records"] if r["kind"] != "property_certificate"]

    errors = _errors_after(change)
    assert len(errors) == 28
    assert all(e.endswith("exemptible_via: 'property:property_certificate' must name an existing registry record as registry:kind") for e in errors)


def test_code_table_missing():
    def change(data):
        del data["code_tables"]["channel"]

    assert _errors_after(change) == ["$.code_tables.channel: missing code table"]


def test_bundle_members_and_window():
    def change(data):
        data["bundles"][0]["items"][1] = "310120-SCJG-01-9999"
        data["bundles"][0]["lead_department"] = "XX"
        data["bundles"][1]["application_window"] = {"opens": "02-30", "closes": "7-10"}

    assert _errors_after(change) == [
        "$.bundles[0].lead_department: unknown department 'XX'",
        "$.bundles[0].items[1]: unknown item '310120-SCJG-01-9999'",
        "$.bundles[1].application_window.opens: must be a valid day of the year as MM-DD",
        "$.bundles[1].application_window.closes: must be a valid day of the year as MM-DD",
    ]


def test_bundle_rules_must_reference_questions_options_and_items():
    def change(data):
        rules = data["bundles"][0]["rules"]
        rules[0]["when"] = {"q9": "individual"}
        rules[1]["when"] = {"q2": "maybe"}
        rules[2]["skip_items"] = ["310120-NOPE-21-0001"]
        rules[3]["add_items"] = ["310120-SCJG-20-0004", "310120-SCJG-20-9999"]

    assert _errors_after(change) == [
        "$.bundles[0].rules[0].when.q9: unknown question id 'q9'",
        "$.bundles[0].rules[1].when.q2: 'maybe' is not an option of question 'q2' (one of no, yes)",
        "$.bundles[0].rules[2].skip_items[0]: unknown item '310120-NOPE-21-0001'",
        "$.bundles[0].rules[3].add_items[1]: unknown item '310120-SCJG-20-9999'",
    ]


def test_duplicate_question_ids_and_option_values():
    def change(data):
        questions = data["bundles"][0]["questions"]
        questions[1]["id"] = "q1"
        questions[2]["options"][1]["value"] = "yes"

    errors = _errors_after(change)
    assert errors[:2] == [
        "$.bundles[0].questions[1].id: duplicate id q1 (first at $.bundles[0].questions[0])",
        "$.bundles[0].questions[2].options[1].value: duplicate value yes (first at $.bundles[0].questions[2].options[0])",
    ]


def test_cross_region_partners_and_outbound_items():
    def change(data):
        data["cross_region"]["partners"][1]["code"] = "3202"
        data["cross_region"]["outbound_items"].append("310120-XX-01-0001")

    errors = _errors_after(change)
    assert errors[:2] == [
        "$.cross_region.partners[1].code: must be a 6-digit region code (GB/T 2260)",
        "$.cross_region.outbound_items[37]: unknown item '310120-XX-01-0001'",
    ]
    # Every item that names the dropped partner is reported too (37 outbound items).
    assert errors[2].endswith(".cross_region[1]: 320281 is not a partner in $.cross_region.partners")
    assert len(errors) == 2 + 37


def test_too_long_names_are_refused():
    def change(data):
        data["items"][0]["name"] = "长" * 201

    assert _errors_after(change) == ["$.items[0].name: must be at most 200 characters"]
