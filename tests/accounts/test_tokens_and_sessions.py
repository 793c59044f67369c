"""API tokens expire and die with a password change or a lock; a staff sign-in lasts a working day."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import PASSWORD, make_resident, make_staff
from yiwang.accounts import services

pytestmark = pytest.mark.django_db


def mine_with(key: str) -> int:
    return APIClient().get("/api/v1/applications/", HTTP_AUTHORIZATION=f"Token {key}").status_code


def test_a_token_works_for_a_day_then_a_new_one_is_issued(frozen_clock, catalog):
    user = make_resident()
    key = services.issue_api_token(user=user)
    assert services.issue_api_token(user=user) == key
    frozen_clock.advance(hours=23, minutes=59)
    assert mine_with(key) == 200
    frozen_clock.advance(minutes=1)
    assert mine_with(key) == 401
    fresh = services.issue_api_token(user=user)
    assert fresh != key
    assert mine_with(fresh) == 200
    assert Token.objects.filter(user=user).count() == 1


def test_a_password_change_retires_the_token(frozen_clock, catalog):
    user = make_resident()
    key = services.issue_api_token(user=user)
    frozen_clock.advance(minutes=5)
    user.set_password("another-Passw0rd")
    user.save()
    assert mine_with(key) == 401
    assert mine_with(services.issue_api_token(user=user)) == 200


def test_a_locked_account_cannot_use_its_token(catalog):
    user = make_resident()
    key = services.issue_api_token(user=user)
    user.is_active = False
    user.save()
    assert mine_with(key) == 401


def test_a_staff_sign_in_lasts_eight_hours_a_residents_a_day(client, settings, catalog):
    staff = make_staff(role="window_officer", departments=["SCJG"])
    client.post("/accounts/login/", {"username": staff.username, "password": PASSWORD})
    client.get("/cases/queue/")
    assert client.session.get_expiry_age() == 8 * 3600
    resident = APIClient()
    person = make_resident()
    resident.post("/accounts/login/", {"username": person.username, "password": PASSWORD})
    resident.get("/cases/mine/")
    assert resident.session.get_expiry_age() == 24 * 3600 == settings.SESSION_COOKIE_AGE
