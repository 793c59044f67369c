"""Requests refused before any service sees them get the API's error shape, never a 500 or an HTML page."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"


def api() -> APIClient:
    return APIClient(raise_request_exception=False)


def error_of(response) -> tuple[int, str, str]:
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert set(body) == {"code", "message", "message_en"}
    return response.status_code, body["code"], body["message_en"]


@pytest.mark.parametrize("depth", [33, 1000, 100_000])
def test_deeply_nested_json_is_a_400(depth):
    deep = "[" * depth + "]" * depth
    assert error_of(api().post(TOKEN, data=deep, content_type="application/json")) == (
        400, "malformed_request", "Malformed request body (e.g. invalid JSON).")


def test_json_as_deep_as_our_own_bodies_is_parsed():
    body = json.dumps({"username": "x", "password": "y", "nested": [[[[{"a": 1}]]]]})
    assert error_of(api().post(TOKEN, data=body, content_type="application/json"))[:2] == (401, "invalid_credentials")


def test_a_json_body_over_a_megabyte_is_a_413():
    body = json.dumps({"username": "x" * (1024 * 1024), "password": "y"})
    assert error_of(api().post(TOKEN, data=body, content_type="application/json")) == (
        413, "request_too_large", "The request body is too large (JSON: at most 1 MB).")


def test_multipart_without_a_boundary_is_a_400():
    assert error_of(api().post(TOKEN, data=b"--x\r\n", content_type="multipart/form-data")) == (
        400, "malformed_request", "Malformed request body (e.g. multipart without a boundary).")


def test_too_many_fields_is_a_400():
    form = "&".join(f"f{i}=1" for i in range(1200))
    assert error_of(api().post(TOKEN, data=form, content_type="application/x-www-form-urlencoded")) == (
        400, "too_many_fields", "The request has too many fields.")


def test_a_form_over_the_size_limit_is_a_413(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    form = "username=" + "a" * 2000
    assert error_of(api().post(TOKEN, data=form, content_type="application/x-www-form-urlencoded")) == (
        413, "request_too_large", "The request body is too large.")


def test_a_bad_host_is_a_400_under_the_api_and_a_page_elsewhere(client):
    assert error_of(api().get("/api/v1/catalog/items/", HTTP_HOST="evil.example")) == (
        400, "bad_host", "The request's Host is not one this server answers for.")
    page = client.get("/", HTTP_HOST="evil.example")
    assert page.status_code == 400
    assert "请求的主机名不被接受。" in page.content.decode()
