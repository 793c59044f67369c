"""Fetching a material from the real registry process: consent, attach, audit, refusals."""

from __future__ import annotations

import json

import pytest

from tests.conftest import DEFAULT_NOW
from tests.registries.conftest import ZHANGSAN_ID
from tests.registries.helpers import POS_ID_CARD, POS_PROPERTY, consent, draft, upload
from yiwang.applications.models import CaseMaterial
from yiwang.applications.storage import open_material_file
from yiwang.core.errors import DomainError
from yiwang.registries.models import Consent, DataAccess
from yiwang.registries.services import fetch_material_for_case, grant_consent, withdraw_consent

pytestmark = pytest.mark.django_db


def _fetch(user, case, position=POS_ID_CARD):
    return fetch_material_for_case(case_id=case.pk, user=user, position=position)


def test_fetch_attaches_a_verified_material_and_an_audit_row(catalog, registry, zhangsan):
    case = draft(zhangsan)
    given = consent(zhangsan, case)
    material = _fetch(zhangsan, case)

    assert material.source == "registry"
    assert material.shared_source == "household:id_card"
    assert material.material_position == POS_ID_CARD
    assert material.material_name == "经营者身份证件"
    assert material.content_type == "application/json"
    access = DataAccess.objects.get()
    assert material.access_log_id == access.pk
    assert material.fetched_at == access.at
    assert (access.accessor, access.subject, access.case_id, access.material_position) == (zhangsan, zhangsan, case.pk, 2)
    assert (access.registry, access.record_kind, access.consent, access.outcome) == ("household", "id_card", given, "ok")
    assert (access.record_id, access.source, access.platform, access.detail) == ("GAHZ-IDC-0001", "registry", "yiwang-test", "")
    assert access.subject_identifier == ZHANGSAN_ID
    assert 0 <= access.latency_ms < 2000
    with open_material_file(material.storage_path) as f:
        stored = json.loads(f.read())
    assert stored["issuer"] == "上海市公安局奉贤分局（户籍）"
    assert stored["record_id"] == "GAHZ-IDC-0001"
    assert stored["issued_at"] == "2021-06-01T09:00:00+08:00"
    assert stored["source"] == "registry"
    assert stored["record"]["name"] == "张三"
    assert stored["record"]["id_number"] == ZHANGSAN_ID


def test_refetch_replaces_the_earlier_record(catalog, registry, zhangsan):
    case = draft(zhangsan)
    consent(zhangsan, case)
    first = _fetch(zhangsan, case)
    second = _fetch(zhangsan, case)
    first.refresh_from_db()
    assert first.superseded is True
    assert list(case.materials.filter(superseded=False).values_list("pk", flat=True)) == [second.pk]
    assert DataAccess.objects.count() == 2


def test_no_consent_is_403_and_nothing_is_asked_or_attached(catalog, registry, zhangsan):
    case = draft(zhangsan)
    with pytest.raises(DomainError) as caught:
        _fetch(zhangsan, case)
    assert (caught.value.status, caught.value.code) == (403, "consent_required")
    assert caught.value.details == {"withdrawn": False}
    assert DataAccess.objects.count() == 0
    assert CaseMaterial.objects.count() == 0


def test_consent_for_another_material_does_not_count(catalog, registry, zhangsan):
    case = draft(zhangsan)
    consent(zhangsan, case, "property:property_certificate")
    with pytest.raises(DomainError) as caught:
        _fetch(zhangsan, case, POS_ID_CARD)
    assert caught.value.code == "consent_required"
    assert DataAccess.objects.count() == 0


def test_consent_for_another_case_does_not_count(catalog, registry, zhangsan):
    other_case = draft(zhangsan)
    case = draft(zhangsan)
    consent(zhangsan, other_case)
    with pytest.raises(DomainError) as caught:
        _fetch(zhangsan, case)
    assert caught.value.code == "consent_required"


def test_a_consent_without_case_covers_the_users_cases(catalog, registry, zhangsan):
    case = draft(zhangsan)
    grant_consent(user=zhangsan, exemptible_via="household:id_card", case_id=None, purpose="一件事")
    assert _fetch(zhangsan, case).source == "registry"


def test_withdrawn_consent_is_403_and_the_draft_is_intact(catalog, registry, zhangsan):
    case = draft(zhangsan, form={"phone": "13800138000", "address": "南桥镇解放东路1号", "remarks": "小吃店"})
    uploaded = upload(zhangsan, case, 1)
    given = consent(zhangsan, case)
    withdrawn = withdraw_consent(user=zhangsan, consent_id=given.pk)
    assert withdrawn.withdrawn_at == DEFAULT_NOW

    with pytest.raises(DomainError) as caught:
        _fetch(zhangsan, case)
    assert (caught.value.status, caught.value.code) == (403, "consent_required")
    assert caught.value.details == {"withdrawn": True}
    assert "撤回" in caught.value.message and "上传" in caught.value.message
    case.refresh_from_db()
    assert case.state == "draft"
    assert case.form_data == {"phone": "13800138000", "address": "南桥镇解放东路1号", "remarks": "小吃店"}
    assert list(case.materials.filter(superseded=False).values_list("pk", flat=True)) == [uploaded.pk]
    assert DataAccess.objects.count() == 0


def test_withdrawing_keeps_what_was_fetched(catalog, registry, zhangsan):
    case = draft(zhangsan)
    given = consent(zhangsan, case)
    material = _fetch(zhangsan, case)
    withdraw_consent(user=zhangsan, consent_id=given.pk)
    material.refresh_from_db()
    assert material.superseded is False
    assert DataAccess.objects.get().consent_id == given.pk


def test_consent_again_after_withdrawal_works(catalog, registry, zhangsan):
    case = draft(zhangsan)
    withdraw_consent(user=zhangsan, consent_id=consent(zhangsan, case).pk)
    renewed = consent(zhangsan, case)
    assert _fetch(zhangsan, case).source == "registry"
    assert DataAccess.objects.get().consent == renewed
    assert Consent.objects.filter(user=zhangsan).count() == 2


def test_grant_reuses_an_active_consent(catalog, zhangsan):
    case = draft(zhangsan)
    assert consent(zhangsan, case).pk == consent(zhangsan, case).pk
    assert Consent.objects.count() == 1


def test_withdrawing_another_users_consent_is_404(catalog, zhangsan, other_resident):
    given = consent(zhangsan, draft(zhangsan))
    with pytest.raises(DomainError) as caught:
        withdraw_consent(user=other_resident, consent_id=given.pk)
    assert (caught.value.status, caught.value.code) == (404, "consent_not_found")
    given.refresh_from_db()
    assert given.withdrawn_at is None


@pytest.mark.parametrize("scope,purpose,code", [
    ("household:nothing", "x", "unknown_record_kind"),
    ("marriage:marriage_certificate", "x", "not_exemptible"),  # not a material of this item
    ("household:id_card", "  ", "purpose_required"),
    ("household:id_card", "长" * 201, "purpose_too_long"),
])
def test_grant_refuses_bad_input(catalog, zhangsan, scope, purpose, code):
    case = draft(zhangsan)
    with pytest.raises(DomainError) as caught:
        grant_consent(user=zhangsan, exemptible_via=scope, case_id=case.pk, purpose=purpose)
    assert (caught.value.status, caught.value.code) == (400, code)
    assert Consent.objects.count() == 0


def test_staff_cannot_consent(catalog):
    from tests.factories import make_staff

    officer = make_staff(role="window_officer", departments=["SCJG"])
    with pytest.raises(DomainError) as caught:
        grant_consent(user=officer, exemptible_via="household:id_card", case_id=None, purpose="x")
    assert (caught.value.status, caught.value.code) == (403, "applicants_only")


def test_another_persons_case_is_404(catalog, registry, zhangsan, lisi):
    case = draft(zhangsan)
    consent(zhangsan, case)
    with pytest.raises(DomainError) as caught:
        _fetch(lisi, case)
    assert (caught.value.status, caught.value.code) == (404, "case_not_found")
    assert DataAccess.objects.count() == 0
    assert CaseMaterial.objects.count() == 0


def test_material_without_exemption_is_400(catalog, registry, zhangsan):
    case = draft(zhangsan)
    with pytest.raises(DomainError) as caught:
        _fetch(zhangsan, case, 1)
    assert (caught.value.status, caught.value.code) == (400, "not_exemptible")
    with pytest.raises(DomainError) as caught:
        _fetch(zhangsan, case, 99)
    assert caught.value.code == "unknown_material"


def test_no_record_is_404_with_an_audit_row(catalog, registry, resident):
    # A resident the registry has never heard of.
    case = draft(resident)
    consent(resident, case)
    with pytest.raises(DomainError) as caught:
        _fetch(resident, case)
    assert (caught.value.status, caught.value.code) == (404, "record_not_found")
    assert "上传" in caught.value.message
    access = DataAccess.objects.get()
    assert (access.outcome, access.detail, access.record_id) == ("not_found", "record_not_found", "")
    assert CaseMaterial.objects.count() == 0


def test_property_record_for_the_resident(catalog, registry, zhangsan):
    case = draft(zhangsan)
    consent(zhangsan, case, "property:property_certificate")
    material = _fetch(zhangsan, case, POS_PROPERTY)
    assert material.shared_source == "property:property_certificate"
    assert DataAccess.objects.get().record_id == "BDC-2021-012345"


def test_enterprise_cannot_fetch_a_persons_household_record(catalog, registry, company):
    case = draft(company)
    consent(company, case)
    with pytest.raises(DomainError) as caught:
        _fetch(company, case)
    assert (caught.value.status, caught.value.code) == (400, "registry_needs_person")
    assert DataAccess.objects.count() == 0


def test_wrong_platform_credential_is_refused_and_audited(catalog, registry, zhangsan, settings):
    settings.YIWANG_REGISTRY_CREDENTIAL = "not-the-credential"
    case = draft(zhangsan)
    consent(zhangsan, case)
    with pytest.raises(DomainError) as caught:
        _fetch(zhangsan, case)
    assert (caught.value.status, caught.value.code) == (502, "registry_refused")
    assert DataAccess.objects.get().outcome == "refused"
    assert DataAccess.objects.get().detail == "credential_refused"
    assert CaseMaterial.objects.count() == 0


def test_fetch_after_submission_only_for_requested_supplements(catalog, registry, zhangsan):
    from tests.registries.helpers import submit

    case = draft(zhangsan)
    upload(zhangsan, case, 1)
    upload(zhangsan, case, 2)
    submit(zhangsan, case)
    consent(zhangsan, case)
    with pytest.raises(DomainError) as caught:
        _fetch(zhangsan, case)
    assert (caught.value.status, caught.value.code) == (409, "materials_closed")
    assert case.materials.filter(source="registry").count() == 0
    assert DataAccess.objects.count() == 0  # nobody's data is fetched for a material that cannot be taken


def test_fetch_answers_a_supplement_request(catalog, registry, zhangsan):
    from tests.factories import make_staff
    from tests.registries.helpers import submit
    from yiwang.applications.services import perform_action

    case = draft(zhangsan)
    upload(zhangsan, case, 1)
    upload(zhangsan, case, 2)
    case = submit(zhangsan, case)
    officer = make_staff(role="window_officer", departments=["SCJG"])
    case = perform_action(case_id=case.pk, actor=officer, action="request_supplement", expected_version=case.version,
                          missing_materials=[POS_ID_CARD], opinion="身份证件不清晰")
    consent(zhangsan, case)
    material = _fetch(zhangsan, case)
    assert material.source == "registry"
    assert DataAccess.objects.get().case_id == case.pk
    with pytest.raises(DomainError) as caught:  # a material that was not requested stays closed
        consent(zhangsan, case, "property:property_certificate")
        _fetch(zhangsan, case, POS_PROPERTY)
    assert caught.value.code == "materials_closed"
    assert DataAccess.objects.count() == 1
