"""The catalogue's English: optional in the format (checked as strings, the Chinese shown where it
is absent), loaded by the importer without new rule versions, and filled everywhere in the
reference catalogue (a reader who chose English meets no Chinese text of the catalogue)."""

from __future__ import annotations

import re

import pytest

from tests.catalog.helpers import item_index, reference_data
from yiwang.bundles import guidance
from yiwang.catalog.importer import validate_catalog
from yiwang.catalog.models import DataRegistry, Material, RegistryRecordKind, ServiceItem
from yiwang.catalog.services import import_catalog

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _english_gaps(data: dict) -> list[str]:
    """Paths of reader-visible Chinese texts whose English is missing or not English."""
    gaps = []

    def need(obj: dict, key: str, path: str, english_key: str | None = None) -> None:
        english_key = english_key or f"{key}_en"
        if obj.get(key) and (not obj.get(english_key) or CJK.search(obj[english_key])):
            gaps.append(f"{path}.{english_key}")

    def form_fields(fields: list, path: str) -> None:
        for index, field in enumerate(fields):
            need(field, "label", f"{path}[{index}]")
            need(field, "help", f"{path}[{index}]")
            for option_index, option in enumerate(field.get("options", [])):
                need(option, "label", f"{path}[{index}].options[{option_index}]")
            form_fields(field.get("columns", []), f"{path}[{index}].columns")

    need(data["region"], "name", "$.region")
    for index, partner in enumerate(data["cross_region"]["partners"]):
        need(partner, "name", f"$.cross_region.partners[{index}]")
    for index, department in enumerate(data["departments"]):
        need(department, "name", f"$.departments[{index}]")
    for index, registry in enumerate(data["registries"]):
        need(registry, "name", f"$.registries[{index}]")
        for record_index, record in enumerate(registry["records"]):
            need(record, "name", f"$.registries[{index}].records[{record_index}]")
    for index, item in enumerate(data["items"]):
        path = f"$.items[{index}]"
        for key in ("name", "description", "legal_basis"):
            need(item, key, path)
        need(item["result"], "name", f"{path}.result")
        for material_index, material in enumerate(item["materials"]):
            need(material, "name", f"{path}.materials[{material_index}]")
        for fee_index, fee in enumerate(item["fees"]):
            need(fee, "name", f"{path}.fees[{fee_index}]")
            need(fee, "standard", f"{path}.fees[{fee_index}]")
        form_fields((item.get("form") or {}).get("fields", []), f"{path}.form.fields")
    for index, bundle in enumerate(data["bundles"]):
        need(bundle, "name", f"$.bundles[{index}]")
        for question_index, question in enumerate(bundle.get("questions", [])):
            need(question, "text", f"$.bundles[{index}].questions[{question_index}]")
            for option_index, option in enumerate(question["options"]):
                need(option, "label", f"$.bundles[{index}].questions[{question_index}].options[{option_index}]")
    return gaps


def test_the_reference_catalogue_has_english_for_every_text_a_reader_sees():
    assert _english_gaps(reference_data()) == []


def test_the_gap_finder_notices_a_missing_or_chinese_translation():
    data = reference_data()
    del data["bundles"][0]["questions"][0]["text_en"]
    data["items"][0]["materials"][1]["name_en"] = "经营者身份证件"
    assert _english_gaps(data) == ["$.items[0].materials[1].name_en", "$.bundles[0].questions[0].text_en"]


def test_english_fields_are_optional_but_must_be_strings():
    data = reference_data()
    del data["bundles"][0]["questions"][0]["text_en"]
    del data["items"][0]["materials"][0]["name_en"]
    assert validate_catalog(data) == []
    data["bundles"][0]["questions"][1]["options"][0]["label_en"] = 1
    data["items"][0]["result"]["name_en"] = ["Business licence"]
    data["items"][0]["description_en"] = 7
    data["registries"][0]["records"][0]["name_en"] = False
    data["items"][0]["materials"][0]["name_en"] = "x" * 301
    assert validate_catalog(data) == [
        "$.registries[0].records[0].name_en: must be a string or null",
        "$.items[0].description_en: must be a string or null",
        "$.items[0].materials[0].name_en: must be at most 300 characters",
        "$.items[0].result.name_en: must be a string or null",
        "$.bundles[0].questions[1].options[0].label_en: must be a string or null",
    ]


@pytest.mark.django_db
def test_the_importer_loads_the_english_and_a_translation_is_no_new_rule_version(catalog):
    item = ServiceItem.objects.get(code="310120-SCJG-01-0001")
    assert (item.result_name_en, item.legal_basis_en) == (
        "Business licence",
        "Regulations on Promoting the Development of Individual Businesses; "
        "Article 19 of the Regulations of the PRC on the Registration of Market Entities")
    assert item.description_en.startswith("A natural person able to run a business may register")
    assert Material.objects.get(item=item, position=2).name_en == "Operator's identity document"
    assert DataRegistry.objects.get(code="household").name_en == "Household registration data"
    assert RegistryRecordKind.objects.get(registry__code="household", kind="id_card").name_en == "Resident identity card"

    data = reference_data()
    raw = data["items"][item_index(data, item.code)]
    raw["materials"][1]["name_en"] = "Identity document of the operator"
    raw["result"]["name_en"] = "Business licence (individual business)"
    report = import_catalog(data=data)
    assert (report.items.updated, report.versions_bumped) == (1, 0)
    item.refresh_from_db()
    assert (item.version, item.result_name_en) == (1, "Business licence (individual business)")
    assert Material.objects.get(item=item, position=2).name_en == "Identity document of the operator"


def test_guidance_reasons_in_english_fall_back_to_the_chinese_of_an_untranslated_option():
    bundle = next(b for b in reference_data()["bundles"] if b["code"] == "310120-YJS-001")
    result = guidance.evaluate(bundle["questions"], bundle["rules"], bundle["items"],
                               {"q1": "individual", "q2": "yes", "q3": "yes", "q4": "none"})
    added = next(row for row in result.items if row.code == "310120-SCJG-01-0001")
    assert added.reason_en.endswith("because you answered “Individual business (getihu)” to “What type of business will you set up?”.")
    del bundle["questions"][0]["options"][1]["label_en"]
    del bundle["questions"][0]["text_en"]
    result = guidance.evaluate(bundle["questions"], bundle["rules"], bundle["items"],
                               {"q1": "individual", "q2": "yes", "q3": "yes", "q4": "none"})
    added = next(row for row in result.items if row.code == "310120-SCJG-01-0001")
    assert added.reason_en.endswith("because you answered “个体工商户” to “您要开办的市场主体类型是？”.")
