"""The OpenAPI schema is generated without warnings, is valid OpenAPI 3, and the committed copy is current."""

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
