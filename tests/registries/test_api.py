"""REST API of data sharing."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.factories import make_staff
from tests.registries.conftest import free_port
from tests.registries.helpers import POS_ID_CARD, consent, draft, submit, upload
from yiwang.registries.models import Consent, DataAccess

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def _fetch(api, case, body, position=POS_ID_CARD):
    return api.post(f"/api/v1/applications/{case.pk}/materials/{position}/fetch/", body, format="json")


def test_fetch_with_consent_is_201_with_the_material(api, catalog, registry, zhangsan):
    case = draft(zhangsan)
    api.force_authenticate(zhangsan)
    response = _fetch(api, case, {"consent": True, "purpose": "开小吃店"})
    assert response.status_code == 201, response.json()
    body = response.json()
    access = DataAccess.objects.get()
    assert {k: body[k] for k in ("position", "name", "source", "shared_source", "access_log_id", "content_type")} == {
        "position": 2, "name": "经营者身份证件", "source": "registry", "shared_source": "household:id_card",
        "access_log_id": access.pk, "content_type": "application/json",
    }
    assert Consent.objects.get().purpose == "开小吃店"
    download = api.get(f"/api/v1/applications/{case.pk}/materials/{body['id']}/")
    assert download.status_code == 200


def test_fetch_without_consent_is_403_consent_required(api, catalog, registry, zhangsan):
    case = draft(zhangsan)
    api.force_authenticate(zhangsan)
    response = _fetch(api, case, {"consent": False})
    assert response.status_code == 403
    assert response.json()["code"] == "consent_required"
    assert Consent.objects.count() == 0
    assert DataAccess.objects.count() == 0


def test_fetch_uses_an_existing_consent(api, catalog, registry, zhangsan):
    case = draft(zhangsan)
    consent(zhangsan, case)
    api.force_authenticate(zhangsan)
    assert _fetch(api, case, {"consent": False}).status_code == 201


def test_fetch_body_must_say_consent(api, catalog, zhangsan):
    case = draft(zhangsan)
    api.force_authenticate(zhangsan)
    response = _fetch(api, case, {})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_input"


def test_registry_down_is_503_with_the_upload_hint(api, catalog, registry, zhangsan, settings):
    settings.YIWANG_REGISTRY_URL = f"http://127.0.0.1:{free_port()}"
    case = draft(zhangsan)
    api.force_authenticate(zhangsan)
    response = _fetch(api, case, {"consent": True})
    assert response.status_code == 503
    assert response.json()["code"] == "registry_unavailable"
    assert "please upload the material instead" in response.json()["message_en"]


def test_malformed_is_502(api, catalog, registry, zhangsan):
    registry.drill("household", "malformed")
    case = draft(zhangsan)
    api.force_authenticate(zhangsan)
    response = _fetch(api, case, {"consent": True})
    assert response.status_code == 502
    assert response.json()["code"] == "registry_malformed"


def test_staff_cannot_fetch(api, catalog, zhangsan):
    case = draft(zhangsan)
    api.force_authenticate(make_staff(role="window_officer", departments=["SCJG"]))
    assert _fetch(api, case, {"consent": True}).status_code == 403
    assert Consent.objects.count() == 0


def test_anonymous_is_401(api, catalog, zhangsan):
    case = draft(zhangsan)
    assert _fetch(api, case, {"consent": True}).status_code == 401


def test_my_accesses_and_consents(api, catalog, registry, zhangsan, lisi):
    case = draft(zhangsan)
    api.force_authenticate(zhangsan)
    _fetch(api, case, {"consent": True})
    accesses = api.get("/api/v1/data-sharing/my-accesses/").json()
    assert len(accesses) == 1
    entry = accesses[0]
    assert {k: entry[k] for k in ("is_self", "accessor", "registry_name", "record_name", "case_id", "case_label", "outcome")} == {
        "is_self": True, "accessor": "本人", "registry_name": "户籍信息", "record_name": "居民身份证",
        "case_id": case.pk, "case_label": f"草稿 #{case.pk}", "outcome": "ok",
    }
    consents = api.get("/api/v1/data-sharing/consents/").json()
    assert [(x["scope"], x["active"]) for x in consents] == [("household:id_card", True)]
    withdrawn = api.post(f"/api/v1/data-sharing/consents/{consents[0]['id']}/withdraw/").json()
    assert withdrawn["active"] is False and withdrawn["withdrawn_at"]
    api.force_authenticate(lisi)
    assert api.get("/api/v1/data-sharing/my-accesses/").json() == []
    assert api.post(f"/api/v1/data-sharing/consents/{consents[0]['id']}/withdraw/").status_code == 404


def test_report_is_for_staff_and_exact(api, catalog, registry, zhangsan):
    case = draft(zhangsan)
    upload(zhangsan, case, 1)
    api.force_authenticate(zhangsan)
    assert _fetch(api, case, {"consent": True}).status_code == 201
    submit(zhangsan, case)
    assert api.get("/api/v1/data-sharing/report/").status_code == 403
    api.force_authenticate(make_staff(role="hall_manager"))
    report = api.get("/api/v1/data-sharing/report/").json()
    assert report["total"] == {"item_code": "", "item_name": "合计", "item_name_en": "Total", "exemptible": 351,
                               "exempted": 1, "visits_saved": 1, "cases": 1}
    assert report["items"][0] == {"item_code": "310120-SCJG-01-0001", "item_name": "个体工商户设立登记",
                                  "item_name_en": report["items"][0]["item_name_en"], "exemptible": 2,
                                  "exempted": 1, "visits_saved": 1, "cases": 1}


def test_access_log_api_masks_and_is_for_auditors(api, catalog, registry, zhangsan):
    case = draft(zhangsan)
    api.force_authenticate(zhangsan)
    _fetch(api, case, {"consent": True})
    assert api.get("/api/v1/data-sharing/access-log/").status_code == 403
    api.force_authenticate(make_staff(role="window_officer", departments=["SCJG"]))
    assert api.get("/api/v1/data-sharing/access-log/").status_code == 403
    api.force_authenticate(make_staff(role="auditor"))
    log = api.get("/api/v1/data-sharing/access-log/").json()
    assert [(e["subject_name"], e["subject_identifier"], e["outcome"]) for e in log] == [("张*", "310120********123X", "ok")]
