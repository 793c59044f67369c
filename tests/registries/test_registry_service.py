"""The registry protocol, against the real registry service process (its clock kept at the test's frozen clock)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.conftest import DEFAULT_NOW
from tests.registries.conftest import (
    CREDENTIAL, LISI_ID, OTHER_CONSENT_KEY, OTHER_PLATFORM, PLATFORM, ZHANGSAN_ID, start_registry_process,
)
from yiwang.registries.consent_key import platform_consent_key
from yiwang.registry_service.app import RegistryData, RegistryService
from yiwang.registry_service.consent import sign_consent, sign_withdrawal
from yiwang.registry_service.server import load_platforms, load_seed

NOW = DEFAULT_NOW


@pytest.fixture(autouse=True)
def _service_clock(request, frozen_clock):
    if "registry_service" in request.fixturenames:
        service = request.getfixturevalue("registry_service")
        service.follow(frozen_clock)
        yield
        service.release_clock()
    else:
        yield


_tokens = iter(range(1, 1_000_000))


def consent_for(subject_id: str, scope: str = "household:id_card", *, platform: str = PLATFORM, key=None,
                subject_type: str = "person", expires_in: dt.timedelta = dt.timedelta(minutes=5),
                token_id: str | None = None, consent_ref: str = "yiwang-test-1") -> dict:
    """A token as the platform signs it (a fresh one-time id each call unless `token_id` is given)."""
    return sign_consent({
        "platform": platform, "token_id": token_id or f"{platform}-t{next(_tokens)}", "consent_ref": consent_ref,
        "subject": {"type": subject_type, "id": subject_id}, "scope": scope, "purpose": "测试", "case_ref": "draft-1",
        "granted_at": NOW.isoformat(), "issued_at": NOW.isoformat(), "expires_at": (NOW + expires_in).isoformat(),
    }, private_key=key or platform_consent_key())


def query(subject_id: str, consent: dict, *, registry="household", kind="id_card", subject_type="person") -> dict:
    return {"registry": registry, "kind": kind, "subject": {"type": subject_type, "id": subject_id}, "consent": consent}


def test_healthz(registry_service):
    status, body = registry_service.call("GET", "/healthz", credential=None)
    assert status == 200
    answer = json.loads(body)
    instance = answer.pop("instance")  # started without YIWANG_REGISTRY_INSTANCE: a random identity
    assert answer == {"status": "ok", "service": "yiwang-registry-service", "records": 55}
    assert len(instance) == 16 and int(instance, 16) >= 0


def test_answers_the_record_named_by_the_consent(registry_service):
    status, body = registry_service.call("POST", "/v1/query", query(ZHANGSAN_ID, consent_for(ZHANGSAN_ID)))
    assert status == 200
    answer = json.loads(body)
    assert answer["record_id"] == "GAHZ-IDC-0001"
    assert answer["issuer"] == "上海市公安局奉贤分局（户籍）"
    assert answer["issued_at"] == "2021-06-01T09:00:00+08:00"
    assert answer["record"]["name"] == "张三"
    assert answer["record"]["id_number"] == ZHANGSAN_ID
    assert answer["answered_at"] == "2026-03-10T10:00:00+08:00"
    assert answer["query_id"].startswith("Q") and len(answer["query_id"]) == 9


@pytest.mark.parametrize("credential", [None, "wrong-credential", ""])
def test_bad_credential_is_refused_401(registry_service, credential):
    status, body = registry_service.call("POST", "/v1/query", query(ZHANGSAN_ID, consent_for(ZHANGSAN_ID)),
                                         credential=credential)
    assert status == 401
    assert json.loads(body)["code"] == "credential_refused"


def test_consent_for_another_person_is_refused_403(registry_service):
    # A validly signed consent of 李四 cannot be used to read 张三's record.
    status, body = registry_service.call("POST", "/v1/query", query(ZHANGSAN_ID, consent_for(LISI_ID)))
    assert status == 403
    assert json.loads(body)["code"] == "consent_mismatch"


def test_consent_for_another_record_kind_is_refused_403(registry_service):
    status, body = registry_service.call(
        "POST", "/v1/query", query(ZHANGSAN_ID, consent_for(ZHANGSAN_ID, "household:id_card"), kind="hukou_booklet")
    )
    assert status == 403
    assert json.loads(body)["code"] == "consent_mismatch"


def test_forged_consent_is_refused_403(registry_service):
    forged = {**consent_for(LISI_ID), "subject": {"type": "person", "id": ZHANGSAN_ID}}
    status, body = registry_service.call("POST", "/v1/query", query(ZHANGSAN_ID, forged))
    assert status == 403
    assert json.loads(body)["code"] == "consent_signature"


def test_consent_signed_by_another_platform_is_refused_403(registry_service):
    # The other platform's own, valid consent does not work with our credential, nor vice versa.
    other = consent_for(ZHANGSAN_ID, platform=OTHER_PLATFORM, key=OTHER_CONSENT_KEY)
    status, body = registry_service.call("POST", "/v1/query", query(ZHANGSAN_ID, other))
    assert status == 403
    assert json.loads(body)["code"] == "consent_signature"
    misnamed = consent_for(ZHANGSAN_ID, platform=OTHER_PLATFORM)
    status, body = registry_service.call("POST", "/v1/query", query(ZHANGSAN_ID, misnamed))
    assert status == 403
    assert json.loads(body)["code"] == "consent_platform"


def test_the_bearer_credential_cannot_mint_a_consent(registry_service):
    # The probe's forgery: a consent "signed" with the (public) bearer credential, as protocol v1 allowed.
    import hashlib
    import hmac

    from yiwang.registry_service.consent import canonical_bytes

    forged = {**consent_for(LISI_ID)}
    forged["signature"] = hmac.new(CREDENTIAL.encode(), canonical_bytes(forged), hashlib.sha256).hexdigest()
    status, body = registry_service.call("POST", "/v1/query", query(LISI_ID, forged))
    assert (status, json.loads(body)["code"]) == (403, "consent_signature")
    someone_elses_key = consent_for(LISI_ID, key=OTHER_CONSENT_KEY)
    status, body = registry_service.call("POST", "/v1/query", query(LISI_ID, someone_elses_key))
    assert (status, json.loads(body)["code"]) == (403, "consent_signature")


def test_a_token_is_good_for_one_query(registry_service):
    token = consent_for(ZHANGSAN_ID)
    assert registry_service.call("POST", "/v1/query", query(ZHANGSAN_ID, token))[0] == 200
    status, body = registry_service.call("POST", "/v1/query", query(ZHANGSAN_ID, token))
    answer = json.loads(body)
    assert (status, answer["code"]) == (403, "consent_replayed")
    assert answer["query_id"].startswith("Q")  # a refusal is on the registry's record too


@pytest.mark.parametrize("expires_in", [dt.timedelta(minutes=11), dt.timedelta(days=365 * 7000)])
def test_a_long_lived_token_is_refused(registry_service, expires_in):
    status, body = registry_service.call("POST", "/v1/query", query(ZHANGSAN_ID, consent_for(ZHANGSAN_ID, expires_in=expires_in)))
    assert (status, json.loads(body)["code"]) == (403, "consent_validity")


def test_a_withdrawn_consent_stops_at_the_registry(registry_service):
    notice = sign_withdrawal({"platform": PLATFORM, "consent_ref": "yiwang-test-77", "withdrawn_at": NOW.isoformat()},
                             private_key=platform_consent_key())
    forged = {**notice, "consent_ref": "yiwang-test-1"}
    status, body = registry_service.call("POST", "/v1/consents/withdrawals", forged)
    assert (status, json.loads(body)["code"]) == (403, "consent_signature")
    assert registry_service.call("POST", "/v1/query", query(ZHANGSAN_ID, consent_for(ZHANGSAN_ID, consent_ref="yiwang-test-77")))[0] == 200
    status, body = registry_service.call("POST", "/v1/consents/withdrawals", notice)
    assert (status, json.loads(body)) == (200, {"consent_ref": "yiwang-test-77", "withdrawn": True})
    status, body = registry_service.call("POST", "/v1/query", query(ZHANGSAN_ID, consent_for(ZHANGSAN_ID, consent_ref="yiwang-test-77")))
    assert (status, json.loads(body)["code"]) == (403, "consent_withdrawn")
    # Other consents of the platform are untouched.
    assert registry_service.call("POST", "/v1/query", query(ZHANGSAN_ID, consent_for(ZHANGSAN_ID, consent_ref="yiwang-test-78")))[0] == 200


def test_a_platform_without_a_registered_consent_key_reads_nothing():
    service = RegistryService(data=RegistryData.from_seed(load_seed(None)), credentials={PLATFORM: CREDENTIAL},
                              clock=lambda: NOW)
    body = json.dumps(query(ZHANGSAN_ID, consent_for(ZHANGSAN_ID))).encode()
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/v1/query", "HTTP_AUTHORIZATION": f"Bearer {CREDENTIAL}",
               "CONTENT_LENGTH": str(len(body)), "wsgi.input": __import__("io").BytesIO(body)}
    statuses = []
    answer = json.loads(b"".join(service(environ, lambda status, headers: statuses.append(status))))
    assert (statuses, answer["code"]) == (["403 Forbidden"], "consent_signature")


def test_platforms_and_their_consent_keys_from_the_environment():
    environ = {"YIWANG_REGISTRY_PLATFORMS": "a=cred-a=" + "ab" * 32 + "; b=cred-b"}
    assert load_platforms(None, environ) == {
        "a": {"credential": "cred-a", "consent_key": "ab" * 32}, "b": {"credential": "cred-b", "consent_key": ""},
    }


def test_expired_consent_is_refused_403(registry_service):
    expired = consent_for(ZHANGSAN_ID, expires_in=dt.timedelta(seconds=-1))
    status, body = registry_service.call("POST", "/v1/query", query(ZHANGSAN_ID, expired))
    assert status == 403
    assert json.loads(body)["code"] == "consent_expired"


def test_expiry_is_judged_by_the_services_own_clock(registry_service, frozen_clock):
    consent = consent_for(ZHANGSAN_ID, expires_in=dt.timedelta(minutes=10))
    assert registry_service.call("POST", "/v1/query", query(ZHANGSAN_ID, consent))[0] == 200
    frozen_clock.advance(minutes=10, seconds=1)  # the service follows the test's clock
    status, body = registry_service.call("POST", "/v1/query", query(ZHANGSAN_ID, consent))
    assert (status, json.loads(body)["code"]) == (403, "consent_expired")


def test_the_clock_drill_sets_and_releases_the_services_clock(registry_service):
    status, body = registry_service.call("PUT", "/admin/clock", {"now": "2027-02-06T09:30:00+08:00"})
    assert (status, json.loads(body)) == (200, {"now": "2027-02-06T09:30:00+08:00", "fixed": True})
    status, body = registry_service.call("PUT", "/admin/clock", {"now": "2027-02-06T09:30:00"})
    assert (status, json.loads(body)["code"]) == (400, "bad_request")
    assert registry_service.call("PUT", "/admin/clock", {"now": "x"}, credential="wrong")[0] == 401
    status, body = registry_service.call("DELETE", "/admin/clock")
    assert (status, json.loads(body)["fixed"]) == (200, False)


def test_no_record_is_404(registry_service):
    status, body = registry_service.call(
        "POST", "/v1/query", query(LISI_ID, consent_for(LISI_ID, "marriage:marriage_certificate"),
                                   registry="marriage", kind="marriage_certificate"),
    )
    assert status == 404
    assert json.loads(body)["code"] == "record_not_found"


@pytest.mark.parametrize("body", [{}, {"registry": "household"}, {"registry": 1, "kind": "x", "subject": {}}])
def test_bad_request_is_400(registry_service, body):
    status, answer = registry_service.call("POST", "/v1/query", body)
    assert status == 400
    assert json.loads(answer)["code"] == "bad_request"


def test_fault_drills_are_off_unless_enabled():
    service = RegistryService(data=RegistryData.from_seed(load_seed(None)), credentials={PLATFORM: CREDENTIAL})
    statuses = []
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/admin/faults", "HTTP_AUTHORIZATION": f"Bearer {CREDENTIAL}"}
    service(environ, lambda status, headers: statuses.append(status))
    assert statuses == ["404 Not Found"]


def test_fault_drill_needs_the_credential(registry_service):
    status, _ = registry_service.call("POST", "/admin/faults", {"registry": "household", "mode": "slow"}, credential="x")
    assert status == 401
    status, body = registry_service.call("GET", "/admin/faults")
    assert json.loads(body) == {"faults": {}}


def test_a_service_started_without_drills_refuses_them():
    service = start_registry_process(fault_drills=False)
    try:
        status, _ = service.call("POST", "/admin/faults", {"registry": "household", "mode": "slow"})
        assert status == 404
        status, _ = service.call("PUT", "/admin/clock", {"now": "2027-02-06T09:30:00+08:00"})
        assert status == 404
    finally:
        service.stop()


def test_seed_identifiers_are_valid_and_include_the_demo_people():
    from yiwang.accounts.services import DEMO_CREDIT_CODE, DEMO_ID_LISI, DEMO_ID_ZHANGSAN
    from yiwang.core.identifiers import normalize_credit_code, normalize_id_card

    seed = load_seed(None)
    people = {p["id"]: p["name"] for p in seed["people"]}
    companies = {c["id"]: c["name"] for c in seed["companies"]}
    assert all(normalize_id_card(number) == number for number in people)
    assert all(normalize_credit_code(code) == code for code in companies)
    assert (people[DEMO_ID_ZHANGSAN], people[DEMO_ID_LISI]) == ("张三", "李四")
    assert companies[DEMO_CREDIT_CODE] == "上海奉贤示例餐饮有限公司"
    subjects = {(r["subject"]["type"], r["subject"]["id"]) for r in seed["records"]}
    assert subjects <= {("person", p) for p in people} | {("company", c) for c in companies}
    # 张三's household has a child of school age with a student status record.
    booklet = next(r for r in seed["records"] if r["kind"] == "hukou_booklet" and r["subject"]["id"] == DEMO_ID_ZHANGSAN)
    assert [m["relation"] for m in booklet["record"]["members"]] == ["户主", "妻", "子"]
    assert any(r["kind"] == "student_status" and r["subject"]["id"] == DEMO_ID_ZHANGSAN for r in seed["records"])
