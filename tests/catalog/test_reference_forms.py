"""The reference catalogue's item forms (issue 8): each can be filled in, and a 一件事 never asks one
name two ways (its members share a field by name, so the name must mean the same thing in each)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import REFERENCE_CATALOG
from tests.helpers import form_for
from yiwang.catalog.application_forms import form_fields, parse_form_definition, validate_form_data

pytestmark = pytest.mark.django_db

REFERENCE = json.loads(REFERENCE_CATALOG.read_text(encoding="utf-8"))
WITH_FORMS = [item["code"] for item in REFERENCE["items"] if item.get("form")]
BUNDLE_MEMBERS = {
    bundle["code"]: list(dict.fromkeys([*bundle["items"], *(code for rule in bundle.get("rules") or []
                                                           for code in rule.get("add_items", []))]))
    for bundle in REFERENCE["bundles"]
}
MUST_HAVE_FORMS = [
    *BUNDLE_MEMBERS["310120-YJS-001"], *BUNDLE_MEMBERS["310120-YJS-010"], *BUNDLE_MEMBERS["310120-YJS-002"],
    "310120-SCJG-01-0003", "310120-SCJG-01-0004", "310120-SCJG-01-0005", "310120-SCJG-20-0004",
    *(item["code"] for item in REFERENCE["items"] if item["code"].split("-")[1] in ("YBZX", "YBJ", "GJJ")),
]


def test_the_items_the_issue_names_and_at_least_forty_have_forms():
    assert [code for code in MUST_HAVE_FORMS if code not in WITH_FORMS] == []
    assert len(WITH_FORMS) >= 40


@pytest.mark.parametrize("code", WITH_FORMS)
def test_each_form_can_be_filled_and_keeps_what_was_filled(catalog, code):
    kind = "resident" if "natural_person" in next(i for i in REFERENCE["items"] if i["code"] == code)["service_objects"] \
        else "enterprise"
    from yiwang.catalog.models import ServiceItem

    fields = form_fields(applicant_kind=kind, definition=parse_form_definition(ServiceItem.objects.get(code=code).form))
    filled = form_for(code, applicant_kind=kind)
    assert validate_form_data(fields, filled) == (filled, {})


@pytest.mark.parametrize("bundle_code", sorted(BUNDLE_MEMBERS))
def test_a_name_shared_by_members_of_a_bundle_is_the_same_field(bundle_code):
    items = {item["code"]: item for item in REFERENCE["items"]}
    first: dict[str, tuple[str, tuple]] = {}
    different = []
    for code in BUNDLE_MEMBERS[bundle_code]:
        for field in parse_form_definition(items[code].get("form")):
            shape = (field.kind, field.options, field.show_if, field.columns)
            if field.name in first and first[field.name][1] != shape:
                different.append((field.name, first[field.name][0], code))
            first.setdefault(field.name, (code, shape))
    assert different == []
