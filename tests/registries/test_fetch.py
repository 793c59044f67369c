"""Fetching a material from the real registry process: consent, attach, audit, refusals."""

from __future__ import annotations

import json
import re

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
    prefilled = {"operator_name": zhangsan.real_name, "operator_id_number": zhangsan.id_number}  # from the account
    assert case.form_data == {**prefilled, "phone": "13800138000", "address": "南桥镇解放东路1号", "remarks": "小吃店"}
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


def test_the_registrys_own_record_of_the_query_is_kept_with_the_audit_row(catalog, registry, zhangsan):
    case = draft(zhangsan)
    consent(zhangsan, case)
    _fetch(zhangsan, case)
    access = DataAccess.objects.get()
    assert re.fullmatch(r"Q\d{8}", access.registry_query_id)
    assert access.registry_answered_at == DEFAULT_NOW


def test_each_query_carries_a_fresh_short_lived_token_signed_with_the_platforms_key(catalog, registry, zhangsan):
    from yiwang.registries.consent_key import platform_consent_key
    from yiwang.registries.services import _signed_token, _subject_for
    from yiwang.registry_service.consent import check_consent

    case = draft(zhangsan)
    given = consent(zhangsan, case)
    subject = _subject_for(zhangsan, "household")
    first, second = _signed_token(given, subject, case), _signed_token(given, subject, case)
    assert first["token_id"] != second["token_id"]
    assert re.fullmatch(r"[0-9a-f]{32}", given.reference)
    assert (first["consent_ref"], first["issued_at"], first["expires_at"]) == (
        f"yiwang-test-{given.reference}", "2026-03-10T10:00:00+08:00", "2026-03-10T10:05:00+08:00")
    assert check_consent(first, public_key=platform_consent_key().public_key(), now=DEFAULT_NOW) == first


def test_a_withdrawn_consent_is_refused_by_the_registry_itself(catalog, registry, zhangsan, background):
    from yiwang.registries.adapters import Subject, adapter_for
    from yiwang.registries.adapters import RegistryRefused
    from yiwang.registries.services import _signed_token

    case = draft(zhangsan)
    given = consent(zhangsan, case)
    _fetch(zhangsan, case)
    withdraw_consent(user=zhangsan, consent_id=given.pk)
    assert background.run()["registries.report_withdrawal"] == ["done"]  # the withdrawal notice, sent by the worker
    # Even a token the platform would sign for it now (it never does) is refused at the registry.
    given.refresh_from_db()
    token = _signed_token(given, Subject(type="person", id=ZHANGSAN_ID), case)
    with pytest.raises(RegistryRefused) as refused:
        adapter_for("household").query(registry="household", kind="id_card", subject=Subject(type="person", id=ZHANGSAN_ID),
                                       consent=token)
    assert refused.value.detail == "consent_withdrawn"


def test_the_consent_key_is_kept_private_in_the_data_folder(settings):
    import os
    import stat

    from yiwang.registries.consent_key import key_path, platform_consent_public_key

    assert re.fullmatch(r"[0-9a-f]{64}", platform_consent_public_key())
    assert key_path().parent == settings.DATA_DIR
    assert stat.S_IMODE(os.stat(key_path()).st_mode) == 0o600
    assert platform_consent_public_key() == platform_consent_public_key()  # the same key every time
