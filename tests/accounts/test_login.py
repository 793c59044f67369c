"""Sign-in with the rate limit (service and page), redirects, sign-out."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import PASSWORD, make_enterprise, make_resident, make_staff
from yiwang.accounts import services
from yiwang.accounts.models import LoginAttempt, User
from yiwang.accounts.services import InvalidCredentials
from yiwang.core import clock
from yiwang.core.errors import RateLimited

pytestmark = pytest.mark.django_db

IP = "192.0.2.10"


def _fail(username, ip=IP, password="wrong-password"):
    with pytest.raises(InvalidCredentials) as info:
        services.authenticate_with_rate_limit(request_ip=ip, username=username, password=password)
    assert info.value.status == 401
    return info.value


def _age_attempts(seconds: int) -> None:
    LoginAttempt.objects.update(at=clock.now() - dt.timedelta(seconds=seconds))


def test_right_password_returns_the_user_and_records_a_success(real_hasher):
    user = make_resident()
    assert user.password.startswith("argon2$")
    assert services.authenticate_with_rate_limit(request_ip=IP, username=user.username, password=PASSWORD) == user
    rows = list(LoginAttempt.objects.values_list("identity", "client_ip", "succeeded"))
    assert rows == [(user.username, IP, True)]


def test_wrong_password_and_unknown_user_get_the_same_answer():
    user = make_resident()
    wrong = _fail(user.username, ip="192.0.2.1")
    unknown = _fail("nobody-here", ip="192.0.2.2")
    assert (wrong.code, wrong.message, wrong.message_en) == (
        "invalid_credentials",
        "用户名或密码错误。",
        "Wrong username or password.",
    )
    assert (unknown.code, unknown.message, unknown.message_en) == (wrong.code, wrong.message, wrong.message_en)


def test_inactive_account_cannot_sign_in():
    user = make_resident()
    user.is_active = False
    user.save()
    error = _fail(user.username, password=PASSWORD)
    assert error.code == "invalid_credentials"


def test_five_failures_then_429_even_with_the_right_password():
    user = make_resident()
    for _ in range(5):
        _fail(user.username)
    with pytest.raises(RateLimited) as info:
        services.authenticate_with_rate_limit(request_ip=IP, username=user.username, password=PASSWORD)
    assert info.value.status == 429
    assert info.value.code == "too_many_login_attempts"
    assert info.value.message == "登录失败次数过多，请 5 分钟后再试。"
    assert info.value.message_en == "Too many failed sign-in attempts; please try again in 5 minutes."
    assert 290 <= info.value.details["retry_after_seconds"] <= 300
    # The refused attempt is not recorded, and nobody signed in.
    assert LoginAttempt.objects.filter(succeeded=False).count() == 5
    assert LoginAttempt.objects.filter(succeeded=True).count() == 0
    user.refresh_from_db()
    assert user.last_login is None


@pytest.fixture
def slowdowns(monkeypatch):
    """The waits the limiter imposed (recorded instead of slept, so the suite stays fast)."""
    waits: list[float] = []
    monkeypatch.setattr(services, "_slow_down", waits.append)
    return waits


def test_the_username_limit_is_case_insensitive_and_per_address(slowdowns):
    user = make_resident(username="casey")
    for n in range(5):
        _fail("CASEY" if n % 2 else "casey")
    with pytest.raises(RateLimited):
        services.authenticate_with_rate_limit(request_ip=IP, username="casey", password=PASSWORD)
    # The guesser's address is locked for this username; the owner elsewhere is not.
    assert services.authenticate_with_rate_limit(request_ip="203.0.113.99", username="casey", password=PASSWORD) == user
    assert slowdowns == []


def test_five_failures_from_elsewhere_never_lock_an_officer_out(slowdowns):
    officer = make_staff(role="window_officer", departments=["SCJG"], username="officer-wang")
    for n in range(5):
        _fail("officer-wang", ip=f"198.51.100.{n}")
    assert services.authenticate_with_rate_limit(request_ip=IP, username="officer-wang", password=PASSWORD) == officer
    assert slowdowns == []


def test_many_failures_of_one_username_from_many_addresses_slow_it_down_but_let_the_owner_in(settings, slowdowns):
    owner = make_resident(username="target")
    for n in range(20):
        _fail("target", ip=f"198.51.100.{n}")
    assert services.authenticate_with_rate_limit(request_ip=IP, username="target", password=PASSWORD) == owner
    assert slowdowns == [2.0]


def test_a_spray_of_usernames_from_one_address_slows_that_address_but_locks_nobody(slowdowns, caplog):
    """The probe: 50 failures with random usernames from one address locked every user behind it."""
    victim = make_resident()
    for n in range(50):
        _fail(f"guess{n}")
    assert slowdowns == []
    assert services.authenticate_with_rate_limit(request_ip=IP, username=victim.username, password=PASSWORD) == victim
    assert slowdowns == [2.0]
    assert "login slowed: identity=" in caplog.text
    # Another address is not slowed at all.
    assert services.authenticate_with_rate_limit(request_ip="192.0.2.99", username=victim.username, password=PASSWORD) == victim
    assert slowdowns == [2.0]


def test_a_shared_address_is_not_locked_by_a_few_failures_of_others():
    """A service hall or an office shares one address: five strangers' typos do not lock it."""
    victim = make_resident()
    for n in range(5):
        _fail(f"guess{n}")
    assert services.authenticate_with_rate_limit(request_ip=IP, username=victim.username, password=PASSWORD) == victim


def test_client_address_comes_from_a_trusted_proxy_only(settings, rf):
    from yiwang.accounts.http import client_ip

    settings.TRUSTED_PROXIES = frozenset({"10.0.0.2"})
    spoofed = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4", REMOTE_ADDR="203.0.113.7")
    assert client_ip(spoofed) == "203.0.113.7"
    proxied = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9", REMOTE_ADDR="10.0.0.2")
    assert client_ip(proxied) == "198.51.100.9"


def test_window_expiry_lets_the_user_in_again():
    user = make_resident()
    for _ in range(5):
        _fail(user.username)
    _age_attempts(200)
    with pytest.raises(RateLimited) as info:
        services.authenticate_with_rate_limit(request_ip=IP, username=user.username, password=PASSWORD)
    # 300 s window, failures 200 s old: about 100 s left, shown as whole minutes.
    assert info.value.message == "登录失败次数过多，请 2 分钟后再试。"
    assert info.value.message_en == "Too many failed sign-in attempts; please try again in 2 minutes."
    _age_attempts(301)
    assert services.authenticate_with_rate_limit(request_ip=IP, username=user.username, password=PASSWORD) == user


def test_successful_logins_do_not_count_and_clear_the_username_budget():
    user = make_resident()
    for _ in range(3):
        services.authenticate_with_rate_limit(request_ip="192.0.2.1", username=user.username, password=PASSWORD)
    for _ in range(4):
        _fail(user.username, ip="192.0.2.1")
    assert services.authenticate_with_rate_limit(request_ip="192.0.2.1", username=user.username, password=PASSWORD) == user
    # After that success the username's four failures lapse; a new address has its own budget.
    for _ in range(4):
        _fail(user.username, ip="192.0.2.2")
    assert services.authenticate_with_rate_limit(request_ip="192.0.2.3", username=user.username, password=PASSWORD) == user


def test_limit_follows_the_setting(settings):
    settings.LOGIN_RATE_LIMIT = {"attempts": 2, "window_seconds": 60}
    user = make_resident()
    _fail(user.username)
    _fail(user.username)
    with pytest.raises(RateLimited) as info:
        services.authenticate_with_rate_limit(request_ip=IP, username=user.username, password=PASSWORD)
    assert info.value.message == "登录失败次数过多，请 1 分钟后再试。"
    assert info.value.message_en == "Too many failed sign-in attempts; please try again in 1 minute."


def test_purge_login_attempts():
    _fail("someone")
    _age_attempts(86400 * 31)
    _fail("someone-else", ip="192.0.2.77")
    deleted = services.purge_login_attempts(before=clock.now() - dt.timedelta(days=30))
    assert deleted == 1
    assert list(LoginAttempt.objects.values_list("identity", flat=True)) == ["someone-else"]


# --- the page ---------------------------------------------------------------------------------


def test_login_page_renders_with_csrf(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert 'name="password"' in response.content.decode()


def test_login_page_enforces_csrf(catalog):
    from django.test import Client

    user = make_resident()
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in strict.session


@pytest.mark.parametrize(
    ("maker", "landing"),
    [
        (lambda: make_resident(), "/cases/mine/"),
        (lambda: make_enterprise(), "/cases/mine/"),
        (lambda: make_staff(role="window_officer", departments=["SCJG"]), "/cases/queue/"),
        (lambda: make_staff(role="approver", departments=["SCJG"]), "/cases/queue/"),
        (lambda: make_staff(role="hall_manager"), "/cases/queue/"),
        (lambda: make_staff(role="auditor"), "/cases/queue/"),
        (lambda: make_staff(role="administrator"), "/admin/"),
    ],
)
def test_login_redirects_by_kind(client, catalog, maker, landing):
    user = maker()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == landing
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_follows_a_safe_next_only(client):
    user = make_resident()
    response = client.post("/accounts/login/?next=/cases/mine/42/", {"username": user.username, "password": PASSWORD})
    assert response["Location"] == "/cases/mine/42/"
    client.logout()
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": PASSWORD, "next": "https://evil.example/steal"}
    )
    assert response["Location"] == "/cases/mine/"


def test_login_page_keeps_next_in_the_form(client):
    response = client.get("/accounts/login/?next=/cases/mine/")
    assert '<input type="hidden" name="next" value="/cases/mine/">' in response.content.decode()


def test_login_page_wrong_password(client):
    user = make_resident()
    response = client.post("/accounts/login/", {"username": user.username, "password": "nope-nope"})
    assert response.status_code == 401
    assert "用户名或密码错误。" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_page_empty_form(client):
    before = LoginAttempt.objects.count()
    response = client.post("/accounts/login/", {"username": "", "password": ""})
    assert response.status_code == 400
    assert LoginAttempt.objects.count() == before


def test_login_page_shows_the_429_message(client):
    user = make_resident()
    for _ in range(5):
        client.post("/accounts/login/", {"username": user.username, "password": "nope-nope"})
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多，请 5 分钟后再试。" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_page_in_english(client):
    user = make_resident()
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": "nope-nope"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    body = response.content.decode()
    assert "Wrong username or password." in body
    assert "Log in" in body


def test_logout_requires_post(client):
    user = make_resident()
    client.force_login(user)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.session["_auth_user_id"] == str(user.pk)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_users_table_unchanged_by_failed_logins(client):
    user = make_resident()
    before = list(User.objects.values_list("pk", "password", "last_login"))
    for _ in range(7):
        client.post("/accounts/login/", {"username": user.username, "password": "nope-nope"})
    assert list(User.objects.values_list("pk", "password", "last_login")) == before
