"""Registry outages against the real registry process: down, slow, broken answers, circuit breaker.

Nothing hangs: an unreachable or slow registry answers 503 within the timeouts (connect 1 s,
read 2 s), and once the breaker is open the next call fails at once without touching the network.
"""

from __future__ import annotations

import time

import pytest

from tests.registries.conftest import free_port, start_registry_process
from tests.registries.helpers import POS_ID_CARD, consent, draft, upload
from yiwang.applications.models import CaseMaterial
from yiwang.core.errors import DomainError
from yiwang.registries.adapters import breaker_for
from yiwang.registries.breaker import CLOSED, OPEN
from yiwang.registries.models import DataAccess
from yiwang.registries.services import fetch_material_for_case

pytestmark = pytest.mark.django_db


def _timed_fetch(user, case):
    started = time.monotonic()
    with pytest.raises(DomainError) as caught:
        fetch_material_for_case(case_id=case.pk, user=user, position=POS_ID_CARD)
    return caught.value, time.monotonic() - started


def _draft_with_consent(user):
    case = draft(user, form={"phone": "13800138000", "address": "南桥镇", "remarks": "保留"})
    upload(user, case, 1)
    consent(user, case)
    return case


def _assert_draft_intact(case):
    case.refresh_from_db()
    assert case.state == "draft"
    prefilled = {"operator_name": case.applicant.real_name, "operator_id_number": case.applicant.id_number}  # from the account
    assert case.form_data == {**prefilled, "phone": "13800138000", "address": "南桥镇", "remarks": "保留"}
    assert list(case.materials.values_list("material_position", "source", "superseded")) == [(1, "upload", False)]


def test_closed_port_is_503_quickly_then_the_circuit_opens(catalog, registry, zhangsan, settings):
    settings.YIWANG_REGISTRY_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    case = _draft_with_consent(zhangsan)
    for _ in range(3):  # the default threshold: three consecutive failures
        error, elapsed = _timed_fetch(zhangsan, case)
        assert (error.status, error.code) == (503, "registry_unavailable")
        assert elapsed < 3
    assert "上传" in error.message and "不受影响" in error.message
    assert breaker_for("household").state == OPEN

    error, elapsed = _timed_fetch(zhangsan, case)
    assert (error.status, error.code, error.details) == (503, "registry_unavailable", {"reason": "circuit_open"})
    assert elapsed < 0.1
    assert list(DataAccess.objects.order_by("id").values_list("outcome", "detail")) == [
        ("unavailable", "connection_failed")] * 3 + [("unavailable", "circuit_open")]
    _assert_draft_intact(case)


def test_stopped_registry_process_is_503_and_circuit_opens(catalog, registry, zhangsan, settings, frozen_clock):
    own = start_registry_process()
    own.follow(frozen_clock)
    settings.YIWANG_REGISTRY_URL = own.url
    settings.YIWANG_REGISTRY_BREAKER_FAILURES = 1
    from yiwang.registries.adapters import reset_circuit_breakers

    reset_circuit_breakers()
    case = _draft_with_consent(zhangsan)
    try:
        fetched = fetch_material_for_case(case_id=case.pk, user=zhangsan, position=POS_ID_CARD)
        assert fetched.source == "registry"
    finally:
        own.stop()
    error, elapsed = _timed_fetch(zhangsan, case)
    assert (error.status, error.code) == (503, "registry_unavailable")
    assert elapsed < 3
    error, elapsed = _timed_fetch(zhangsan, case)
    assert error.details == {"reason": "circuit_open"}
    assert elapsed < 0.1
    # The record fetched before the outage stays; nothing else changed.
    assert list(case.materials.filter(superseded=False).values_list("material_position", "source")) == [
        (1, "upload"), (2, "registry")]


def test_slow_registry_times_out_with_503_and_the_breaker_then_fails_fast(catalog, registry, zhangsan, settings):
    settings.YIWANG_REGISTRY_BREAKER_FAILURES = 1
    registry.drill("household", "slow", delay=5)
    case = _draft_with_consent(zhangsan)
    error, elapsed = _timed_fetch(zhangsan, case)
    assert (error.status, error.code, error.details) == (503, "registry_unavailable", {"reason": "read_timeout"})
    assert 1.9 < elapsed < 3
    error, elapsed = _timed_fetch(zhangsan, case)
    assert error.details == {"reason": "circuit_open"}
    assert elapsed < 0.1
    assert list(DataAccess.objects.order_by("id").values_list("outcome", "detail")) == [
        ("unavailable", "read_timeout"), ("unavailable", "circuit_open")]
    # Other registries are not affected by the household register's breaker.
    assert breaker_for("property").state == CLOSED
    _assert_draft_intact(case)


def test_breaker_half_opens_and_closes_when_the_registry_is_back(catalog, registry, zhangsan, settings):
    settings.YIWANG_REGISTRY_BREAKER_FAILURES = 1
    settings.YIWANG_REGISTRY_BREAKER_OPEN_SECONDS = 0.3
    registry.drill("household", "error")
    case = _draft_with_consent(zhangsan)
    error, _ = _timed_fetch(zhangsan, case)
    assert error.details == {"reason": "http_500"}
    assert breaker_for("household").state == OPEN
    registry.drill("household", "none")
    time.sleep(0.35)
    material = fetch_material_for_case(case_id=case.pk, user=zhangsan, position=POS_ID_CARD)
    assert material.source == "registry"
    assert breaker_for("household").state == CLOSED


@pytest.mark.parametrize("mode,detail", [("malformed", "invalid_json"), ("wrong_shape", "unexpected_shape")])
def test_malformed_answer_is_502_and_nothing_is_attached(catalog, registry, zhangsan, mode, detail):
    registry.drill("household", mode)
    case = _draft_with_consent(zhangsan)
    error, elapsed = _timed_fetch(zhangsan, case)
    assert (error.status, error.code) == (502, "registry_malformed")
    assert "无法识别" in error.message and "上传" in error.message
    assert elapsed < 1
    access = DataAccess.objects.get()
    assert (access.outcome, access.detail) == ("malformed", detail)
    assert CaseMaterial.objects.filter(source="registry").count() == 0
    # A registry that answers (even badly) is up: the breaker stays closed.
    assert breaker_for("household").state == CLOSED
    _assert_draft_intact(case)


def test_an_outage_of_one_registry_leaves_the_others_usable(catalog, registry, zhangsan, settings):
    settings.YIWANG_REGISTRY_BREAKER_FAILURES = 1
    registry.drill("household", "error")
    case = _draft_with_consent(zhangsan)
    consent(zhangsan, case, "property:property_certificate")
    error, _ = _timed_fetch(zhangsan, case)
    assert error.code == "registry_unavailable"
    assert fetch_material_for_case(case_id=case.pk, user=zhangsan, position=4).source == "registry"
