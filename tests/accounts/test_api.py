"""POST /api/v1/auth/token/ and GET /api/v1/me/."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import PASSWORD, make_enterprise, make_resident, make_staff
from yiwang.accounts.models import LoginAttempt

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"


def test_token_for_right_credentials_is_stable():
    user = make_resident()
    client = APIClient()
    first = client.post(TOKEN_URL, {"username": user.username, "password": PASSWORD}, format="json")
    assert first.status_code == 200
    assert first.json() == {"token": Token.objects.get(user=user).key, "kind": "resident", "role": ""}
    second = client.post(TOKEN_URL, {"username": user.username, "password": PASSWORD}, format="json")
    assert second.json()["token"] == first.json()["token"]
    assert Token.objects.filter(user=user).count() == 1


def test_token_for_staff_reports_role(catalog):
    officer = make_staff(role="approver", departments=["SCJG"])
    response = APIClient().post(TOKEN_URL, {"username": officer.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert (response.json()["kind"], response.json()["role"]) == ("staff", "approver")


def test_token_endpoint_ignores_session_and_csrf():
    user = make_resident()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(TOKEN_URL, {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 200


def test_token_wrong_credentials_is_401_without_a_token():
    user = make_resident()
    response = APIClient().post(TOKEN_URL, {"username": user.username, "password": "wrong-one"}, format="json")
    assert response.status_code == 401
    assert response.json() == {
        "code": "invalid_credentials",
        "message": "用户名或密码错误。",
        "message_en": "Wrong username or password.",
    }
    assert not Token.objects.filter(user=user).exists()


def test_token_malformed_bodies_are_400():
    client = APIClient()
    bad_json = client.post(TOKEN_URL, data="{not json", content_type="application/json")
    assert bad_json.status_code == 400
    assert bad_json.json()["code"] == "malformed_request"
    missing = client.post(TOKEN_URL, {"username": "someone"}, format="json")
    assert missing.status_code == 400
    assert missing.json()["code"] == "invalid_input"
    assert list(missing.json()["details"]) == ["password"]
    assert LoginAttempt.objects.count() == 0


def test_token_rate_limited_with_retry_after():
    user = make_resident()
    client = APIClient()
    for _ in range(5):
        assert client.post(TOKEN_URL, {"username": user.username, "password": "wrong-one"}, format="json").status_code == 401
    response = client.post(TOKEN_URL, {"username": user.username, "password": PASSWORD}, format="json")
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "too_many_login_attempts"
    assert body["message"] == "登录失败次数过多，请 5 分钟后再试。"
    assert 290 <= int(response["Retry-After"]) <= 300
    assert body["details"] == {"retry_after_seconds": int(response["Retry-After"])}
    assert not Token.objects.filter(user=user).exists()


def test_me_with_token_for_resident():
    user = make_resident(real_name="张三")
    client = APIClient()
    token = client.post(TOKEN_URL, {"username": user.username, "password": PASSWORD}, format="json").json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get(ME_URL)
    assert response.status_code == 200
    number = user.id_number
    assert response.json() == {
        "username": user.username,
        "kind": "resident",
        "real_name": "张三",
        "id_number_masked": number[:6] + "********" + number[-4:],
        "credit_code": "",
        "role": "",
        "department_codes": [],
    }
    assert number not in response.content.decode()


def test_me_for_enterprise_and_staff_by_session(catalog):
    company = make_enterprise()
    client = APIClient()
    client.force_login(company)
    body = client.get(ME_URL).json()
    assert (body["kind"], body["credit_code"], body["id_number_masked"]) == ("enterprise", company.credit_code, "")
    officer = make_staff(role="window_officer", departments=["WJW", "SCJG"])
    client.force_login(officer)
    body = client.get(ME_URL).json()
    assert (body["kind"], body["role"], body["department_codes"]) == ("staff", "window_officer", ["SCJG", "WJW"])


def test_me_anonymous_is_401():
    response = APIClient().get(ME_URL)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


def test_me_with_bad_token_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get(ME_URL)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_schema_documents_both_endpoints():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    token_op = schema["paths"]["/api/v1/auth/token/"]["post"]
    assert sorted(token_op["responses"]) == ["200", "400", "401", "429"]
    assert token_op["security"] == [{}]
    assert sorted(schema["paths"]["/api/v1/me/"]["get"]["responses"]) == ["200", "401"]
