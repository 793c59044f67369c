"""Django admin: masked ID numbers, read-only login attempts, rate-limited admin login."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, make_resident, make_staff
from yiwang.accounts.models import LoginAttempt, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, catalog):
    admin = make_staff(role="administrator")
    admin.is_staff = True
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    return client


def test_user_list_shows_id_numbers_masked(admin_client):
    resident = make_resident()
    response = admin_client.get("/admin/accounts/user/")
    body = response.content.decode()
    assert response.status_code == 200
    assert resident.masked_id_number in body
    assert resident.id_number not in body


def test_user_search_by_whole_id_number(admin_client):
    resident = make_resident()
    response = admin_client.get("/admin/accounts/user/", {"q": resident.id_number})
    assert list(response.context["cl"].result_list) == [resident]
    response = admin_client.get("/admin/accounts/user/", {"q": resident.id_number[:8]})
    assert list(response.context["cl"].result_list) == []


def test_user_change_form_refuses_a_bad_id_number(admin_client):
    resident = make_resident()
    data = {
        "username": resident.username,
        "kind": "resident",
        "real_name": resident.real_name,
        "id_number": "310120198511204322",
        "credit_code": "",
        "phone": "",
        "email": "",
        "role": "",
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
    }
    response = admin_client.post(f"/admin/accounts/user/{resident.pk}/change/", data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["id_number"] == ["身份证号码校验位不正确，请核对后重新输入。"]
    before = resident.id_number
    resident.refresh_from_db()
    assert resident.id_number == before


def test_login_attempts_are_read_only(admin_client):
    LoginAttempt.objects.create(identity="someone", client_ip="192.0.2.1", succeeded=False)
    attempt = LoginAttempt.objects.get()
    assert admin_client.get("/admin/accounts/loginattempt/").status_code == 200
    assert admin_client.get("/admin/accounts/loginattempt/add/").status_code == 403
    response = admin_client.post(
        f"/admin/accounts/loginattempt/{attempt.pk}/change/", {"identity": "x", "succeeded": "on"}
    )
    assert response.status_code == 403
    attempt.refresh_from_db()
    assert (attempt.identity, attempt.succeeded) == ("someone", False)


def test_admin_login_is_rate_limited(client, catalog):
    admin = make_staff(role="administrator")
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    for _ in range(5):
        response = client.post("/admin/login/", {"username": admin.username, "password": "wrong-pass"})
        assert response.status_code == 200
    response = client.post("/admin/login/?next=/admin/", {"username": admin.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "登录失败次数过多，请 5 分钟后再试。" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_login_works_and_refuses_non_staff(client, catalog):
    resident = make_resident()
    response = client.post("/admin/login/", {"username": resident.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    admin = make_staff(role="administrator")
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    response = client.post("/admin/login/?next=/admin/", {"username": admin.username, "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(admin.pk)
