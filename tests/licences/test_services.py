"""Issuing, key rotation, revocation and verification against the real database."""

import hashlib
import re

import pytest

from tests.factories import make_enterprise
from tests.licences.conftest import make_case
from yiwang.core import clock
from yiwang.core.errors import Conflict, ValidationFailed
from yiwang.licences import services, signing
from yiwang.licences.documents import unified_credit_code
from yiwang.licences.models import Licence, SealKey
from yiwang.licences.selectors import check_licence_integrity, licence_for_case, verify_licence


def test_issue_licence_signs_the_expected_content(case, approver, resident):
    licence = services.issue_licence(case=case, issued_by=approver)

    key = SealKey.objects.get(department__code="SCJG", active=True)
    # The issuing organ's credit code, the day of the decision, then 12 random characters.
    assert re.fullmatch(r"11310120MB2P41K5X6-20260305-[0-9A-HJ-NPQRTUWXY]{12}", licence.number)
    number = licence.number
    expected = {
        "number": number,
        "title": "营业执照",
        "holder_name": "张三",
        "holder_identifier": resident.id_number,
        "item_code": "310120-SCJG-01-0001",
        "item_name": "个体工商户设立登记",
        "case_number": "TEST-0001",
        "department_code": "SCJG",
        "department_name": "区市场监督管理局",
        "department_credit_code": "11310120MB2P41K5X6",
        "issued_on": "2026-03-05",
        "key_id": key.key_id,
        "algorithm": "ed25519",
        # The case has no form (submitted before the item had one): the 营业执照's fields are "—".
        "document": {"layout": "individual_business_licence", "fields": [
            ["统一社会信用代码", unified_credit_code(seed=number, layout="individual_business_licence")],
            ["名称", "—"], ["类型", "个体工商户"], ["经营者", "—"], ["组成形式", "—"], ["经营场所", "—"],
            ["经营范围", "—"], ["资金数额", "—"], ["注册日期", "2026年3月5日"]]},
    }
    licence.refresh_from_db()
    assert licence.content == expected
    assert licence.number == number
    assert licence.title == "营业执照"
    assert licence.holder_name == "张三"
    assert licence.holder_identifier == resident.id_number
    assert licence.status == Licence.VALID
    assert licence.seal_key == key
    assert licence.issued_by == approver
    assert licence.department == case.department
    canonical = signing.canonical_bytes(expected)
    assert licence.content_sha256 == hashlib.sha256(canonical).hexdigest()
    assert signing.verify(key.public_key, canonical, licence.signature) is True
    assert key.key_id.startswith("SCJG-") and len(key.key_id) == len("SCJG-") + 16
    assert key.private_key.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert licence_for_case(case) == licence


def test_issue_is_idempotent(case, approver):
    first = services.issue_licence(case=case, issued_by=approver)
    second = services.issue_licence(case=case, issued_by=approver)
    assert second.pk == first.pk
    assert second.signature == first.signature
    assert Licence.objects.filter(case=case).count() == 1
    assert SealKey.objects.filter(department=case.department).count() == 1


def test_no_licence_for_case_without_one(case):
    assert licence_for_case(case) is None


def test_enterprise_holder_uses_credit_code(catalog, approver):
    company = make_enterprise()
    licence = services.issue_licence(case=make_case(company), issued_by=approver)
    assert licence.holder_identifier == company.credit_code
    assert licence.content["holder_name"] == "上海示例餐饮有限公司"
    verification = verify_licence(licence.number)
    assert verification.holder_name == "上海示例餐饮有限公司"
    assert verification.holder_identifier == company.credit_code[:6] + "********" + company.credit_code[-4:]


def test_title_falls_back_to_item_decision(catalog, resident, approver):
    case = make_case(resident)
    case.rules = {"result": {"type": "none", "name": ""}, "item_name": "个体工商户设立登记"}
    case.save()
    licence = services.issue_licence(case=case, issued_by=approver)
    assert licence.title == "个体工商户设立登记决定书"


def test_ensure_seal_key_creates_exactly_one(catalog):
    from yiwang.catalog.models import Department

    department = Department.objects.get(code="SCJG")
    first = services.ensure_seal_key(department=department)
    second = services.ensure_seal_key(department=department)
    assert first.pk == second.pk
    assert first.active is True and first.retired_at is None
    assert SealKey.objects.filter(department=department).count() == 1


def test_rotation_keeps_old_licences_valid_and_signs_new_ones_with_new_key(catalog, resident, approver):
    old_licence = services.issue_licence(case=make_case(resident, number="TEST-0001"), issued_by=approver)
    old_key = old_licence.seal_key

    new_key = services.rotate_seal_key(department=old_key.department)

    old_key.refresh_from_db()
    assert old_key.active is False
    assert old_key.retired_at == clock.now()
    assert new_key.active is True and new_key.key_id != old_key.key_id
    assert list(SealKey.objects.filter(department=old_key.department, active=True)) == [new_key]

    old_verification = verify_licence(old_licence.number)
    assert (old_verification.status, old_verification.signature_valid, old_verification.key_id) == (
        "valid", True, old_key.key_id
    )

    new_licence = services.issue_licence(case=make_case(resident, number="TEST-0002"), issued_by=approver)
    assert new_licence.seal_key == new_key
    assert new_licence.content["key_id"] == new_key.key_id
    assert verify_licence(new_licence.number).status == "valid"


def test_tampered_content_is_reported_unknown(licence):
    content = dict(licence.content, holder_name="李四")
    Licence.objects.filter(pk=licence.pk).update(content=content)
    verification = verify_licence(licence.number)
    assert (verification.status, verification.detail, verification.signature_valid) == (
        "unknown", "digest_mismatch", False
    )
    assert verification.title == "" and verification.holder_name == ""

    # A forger who also recomputes the digest still cannot produce the seal's signature.
    Licence.objects.filter(pk=licence.pk).update(content_sha256=signing.content_digest(content))
    verification = verify_licence(licence.number)
    assert (verification.status, verification.detail, verification.signature_valid) == (
        "unknown", "invalid_signature", False
    )


def test_signature_from_another_key_is_invalid(licence):
    other_private, _ = signing.generate_keypair()
    forged = signing.sign(other_private, signing.canonical_bytes(licence.content))
    Licence.objects.filter(pk=licence.pk).update(signature=forged)
    licence.refresh_from_db()
    assert check_licence_integrity(licence) == "invalid_signature"


def test_verify_valid_shows_masked_holder(licence, resident):
    verification = verify_licence(licence.number)
    assert verification.status == "valid"
    assert verification.detail == "ok"
    assert verification.signature_valid is True
    assert verification.title == "营业执照"
    assert verification.holder_name == "张*"
    assert verification.holder_identifier == resident.id_number[:6] + "********" + resident.id_number[-4:]
    assert verification.department_name == "区市场监督管理局"
    assert verification.department_name_en == "District Administration for Market Regulation"
    assert verification.issued_on.isoformat() == "2026-03-05"


@pytest.mark.parametrize("number", ["NOPE-20260101-00000001", "", "../../etc/passwd", "x" * 200])
def test_unknown_numbers(db, number):
    verification = verify_licence(number)
    assert (verification.status, verification.detail, verification.signature_valid) == ("unknown", "not_found", False)


def test_revoke(licence, approver):
    revoked = services.revoke_licence(licence=licence, reason="  申请人主动注销  ", actor=approver)
    licence.refresh_from_db()
    assert licence.status == Licence.REVOKED
    assert licence.revoke_reason == "申请人主动注销"
    assert licence.revoked_by == approver
    assert licence.revoked_at == clock.now()
    assert revoked.pk == licence.pk
    verification = verify_licence(licence.number)
    assert (verification.status, verification.signature_valid) == ("revoked", True)
    assert verification.revoked_at == licence.revoked_at


def test_revoke_twice_conflicts_and_changes_nothing(licence, approver, other_resident):
    services.revoke_licence(licence=licence, reason="第一次", actor=approver)
    licence.refresh_from_db()
    before = (licence.status, licence.revoked_at, licence.revoke_reason, licence.revoked_by_id)
    with pytest.raises(Conflict) as raised:
        services.revoke_licence(licence=licence, reason="第二次", actor=other_resident)
    assert raised.value.code == "licence_already_revoked"
    licence.refresh_from_db()
    assert (licence.status, licence.revoked_at, licence.revoke_reason, licence.revoked_by_id) == before


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_revoke_requires_reason(licence, approver, reason):
    with pytest.raises(ValidationFailed) as raised:
        services.revoke_licence(licence=licence, reason=reason, actor=approver)
    assert raised.value.code == "revoke_reason_required"
    licence.refresh_from_db()
    state = (licence.status, licence.revoked_at, licence.revoke_reason, licence.revoked_by_id)
    assert state == ("valid", None, "", None)


def test_licence_numbers_cannot_be_walked(catalog, resident, approver):
    """The probe found 3 of 3 licences in 50 guesses of <department>-<date>-<case id>."""
    numbers = {services.issue_licence(case=make_case(resident, number=f"TEST-{n:04d}"), issued_by=approver).number
               for n in range(20)}
    assert len(numbers) == 20
    random_parts = {number.rsplit("-", 1)[1] for number in numbers}
    assert len(random_parts) == 20
    assert {number.rsplit("-", 1)[0] for number in numbers} == {"11310120MB2P41K5X6-20260305"}
