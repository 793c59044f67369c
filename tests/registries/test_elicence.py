"""The e-licence store: licences the platform issued are reused by later applications (免交)."""

from __future__ import annotations

import json

import pytest

from tests.factories import make_staff
from tests.registries.conftest import DEMO_CREDIT_CODE, LOGISTICS_CREDIT_CODE
from tests.registries.helpers import ITEM_FOOD, POS_BUSINESS_LICENCE, consent, draft, start_company
from yiwang.applications.storage import open_material_file
from yiwang.core.errors import DomainError
from yiwang.registries.models import DataAccess
from yiwang.registries.services import fetch_material_for_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(db):
    return make_staff(role="window_officer", departments=["SCJG"])


def test_catalogue_food_licence_material_is_exemptible_by_the_business_licence(catalog):
    from yiwang.catalog.selectors import get_item, item_rules_snapshot

    material = item_rules_snapshot(get_item(ITEM_FOOD))["materials"][POS_BUSINESS_LICENCE - 1]
    assert (material["name"], material["exemptible_via"], material["necessity"]) == ("营业执照", "elicence:business_licence", "1")


def test_business_licence_from_company_start_exempts_the_food_licence_material(catalog, registry, company, officer):
    licence = start_company(company, officer)
    assert (licence.title, licence.holder_identifier) == ("营业执照", DEMO_CREDIT_CODE)

    food = draft(company, ITEM_FOOD)
    consent(company, food, "elicence:business_licence")
    material = fetch_material_for_case(case_id=food.pk, user=company, position=POS_BUSINESS_LICENCE)

    assert (material.source, material.shared_source, material.material_name) == ("registry", "elicence:business_licence", "营业执照")
    access = DataAccess.objects.get()
    assert (access.outcome, access.source, access.record_id, access.subject_identifier) == (
        "ok", "platform", licence.number, DEMO_CREDIT_CODE)
    with open_material_file(material.storage_path) as f:
        stored = json.loads(f.read())
    assert stored["record_id"] == licence.number
    assert stored["issuer"] == f"{licence.department.name}（一网通办平台签发）"
    assert stored["record"]["number"] == licence.number
    assert stored["record"]["holder_identifier"] == DEMO_CREDIT_CODE
    assert stored["record"]["content_sha256"] == licence.content_sha256
    assert stored["record"]["verification_url"].endswith(f"/licences/verify/{licence.number}/")


def test_without_a_platform_licence_the_store_is_asked_and_has_none(catalog, registry, company):
    food = draft(company, ITEM_FOOD)
    consent(company, food, "elicence:business_licence")
    with pytest.raises(DomainError) as caught:
        fetch_material_for_case(case_id=food.pk, user=company, position=POS_BUSINESS_LICENCE)
    assert (caught.value.status, caught.value.code) == (404, "record_not_found")
    assert DataAccess.objects.get().outcome == "not_found"


def test_revoked_licence_is_not_reused(catalog, registry, company, officer):
    from yiwang.licences.services import revoke_licence

    licence = start_company(company, officer)
    revoke_licence(licence=licence, reason="测试撤销", actor=officer)
    food = draft(company, ITEM_FOOD)
    consent(company, food, "elicence:business_licence")
    with pytest.raises(DomainError) as caught:
        fetch_material_for_case(case_id=food.pk, user=company, position=POS_BUSINESS_LICENCE)
    assert caught.value.code == "record_not_found"


def test_licence_of_another_company_is_not_used(catalog, registry, company, logistics, officer):
    start_company(company, officer)
    food = draft(logistics, ITEM_FOOD)
    consent(logistics, food, "elicence:business_licence")
    material = fetch_material_for_case(case_id=food.pk, user=logistics, position=POS_BUSINESS_LICENCE)
    # The logistics company's licence comes from the external store (seeded), not the platform's.
    access = DataAccess.objects.get()
    assert (access.source, access.record_id, access.subject_identifier) == ("registry", "ELIC-YYZZ-0001", LOGISTICS_CREDIT_CODE)
    assert material.source == "registry"
