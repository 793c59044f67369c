"""The OpenAPI schema is generated without warnings, is valid OpenAPI 3, and the committed copy is current."""

import json
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from openapi_spec_validator import validate

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    target = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    return target.read_text(encoding="utf-8")


def test_schema_is_valid_openapi(generated):
    validate(yaml.safe_load(generated))


def test_committed_schema_is_current(generated):
    assert COMMITTED.exists(), "run `make schema` and commit docs/openapi.yaml"
    assert yaml.safe_load(COMMITTED.read_text(encoding="utf-8")) == yaml.safe_load(generated), (
        "docs/openapi.yaml is out of date: run `make schema` and commit it"
    )


@pytest.mark.django_db
def test_schema_endpoint_serves_it(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert b"openapi: 3" in response.content


@pytest.mark.django_db
def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_unknown_api_address_is_a_json_404(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "未找到请求的地址。", "message_en": "No such address."}


@pytest.mark.django_db
def test_unknown_page_is_a_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在。" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["/api/v1/items/a%00b/", "/api/v1/bundles/a%00b/", "/api/v1/items/?q=%00"])
def test_nul_in_an_address_is_a_400_not_a_database_error(client, address):
    response = client.get(address)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_characters"


@pytest.mark.django_db
def test_unstorable_dict_keys_are_refused_and_nothing_is_stored(client, catalog):
    from rest_framework.test import APIClient

    from tests.factories import make_resident
    from yiwang.applications.models import Case

    api = APIClient()
    api.force_authenticate(make_resident())
    for key in ("\ud800", "\x00", "k" * 101):
        response = api.post(
            "/api/v1/applications/",
            data=json.dumps({"item_code": "310120-SCJG-01-0001", "form_data": {key: "x"}}),
            content_type="application/json",
        )
        assert response.status_code == 400, key
        assert response.json()["code"] == "invalid_input"
    guidance = api.post("/api/v1/bundles/310120-YJS-003/guidance/", data='{"answers": {"\\ud800": "x"}}', content_type="application/json")
    assert guidance.status_code == 400
    assert Case.objects.count() == 0
