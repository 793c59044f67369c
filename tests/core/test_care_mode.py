"""关怀模式 (yiwang.core.care): the switch, the cookie, the class on <html>, the longer sign-in."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import PASSWORD, make_resident, make_staff
from yiwang.core import care


def _switch(client, value: str, next_url: str | None = "/search/", **extra):
    data = {"care": value}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/care-mode/", data, **extra)


@pytest.mark.django_db
def test_switching_on_sets_a_year_long_lax_cookie_and_returns_to_the_page():
    client = Client()
    response = _switch(client, "1")
    assert response.status_code == 302
    assert response["Location"] == "/search/"
    cookie = response.cookies[care.COOKIE_NAME]
    assert cookie.value == "1"
    assert cookie["max-age"] == 365 * 24 * 3600
    assert cookie["samesite"] == "Lax"
    assert cookie["httponly"] is True


@pytest.mark.django_db
def test_the_page_carries_the_class_and_the_other_switch_until_switched_off(catalog):
    client = Client()
    page = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in page
    assert 'name="care" value="1"' in page and "关怀模式" in page

    _switch(client, "1")
    page = client.get("/").content.decode()
    assert '<html lang="zh-hans" class="care">' in page
    assert 'name="care" value="0"' in page and "标准模式" in page
    # The choice persists on later pages (the cookie), not only on the first one.
    assert '<html lang="zh-hans" class="care">' in client.get("/search/?q=营业执照").content.decode()

    response = _switch(client, "0")
    assert response.cookies[care.COOKIE_NAME].value == "0"
    assert '<html lang="zh-hans">' in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_english_page_names_the_switch_in_english(catalog):
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page
    assert 'value="1" class="link">Large text</button>' in page
    assert 'data-stop-label="Stop reading"' in page and ">Read aloud</button>" in page
    _switch(client, "1")
    assert 'value="0" class="link">Standard</button>' in client.get("/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", None])
def test_an_off_site_or_missing_next_goes_home(next_url):
    response = _switch(Client(), "1", next_url=next_url)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert response.cookies[care.COOKIE_NAME].value == "1"


@pytest.mark.django_db
def test_a_same_site_referer_is_the_fallback_for_next():
    response = _switch(Client(), "1", next_url=None, HTTP_REFERER="http://testserver/items/?q=1")
    assert response["Location"] == "http://testserver/items/?q=1"


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", "yes", "2"])
def test_a_bad_value_is_refused_with_400_and_no_cookie(value):
    response = _switch(Client(), value)
    assert response.status_code == 400
    assert care.COOKIE_NAME not in response.cookies
    assert "关怀模式的取值无效" in response.content.decode()


@pytest.mark.django_db
def test_the_switch_is_a_post_with_csrf():
    client = Client(enforce_csrf_checks=True)
    assert client.get("/care-mode/").status_code == 405
    assert _switch(client, "1").status_code == 403


def test_care_mode_reads_the_cookie_else_the_default(rf):
    request = rf.get("/")
    assert care.care_mode(request) is False
    assert care.care_mode(request, default=True) is True  # a kiosk
    request.COOKIES[care.COOKIE_NAME] = "0"
    assert care.care_mode(request, default=True) is False  # switched off at the kiosk
    request.COOKIES[care.COOKIE_NAME] = "1"
    assert care.care_mode(request) is True
    request.COOKIES[care.COOKIE_NAME] = "junk"
    assert care.care_mode(request) is False


@pytest.mark.django_db
def test_a_resident_in_care_mode_gets_twice_the_session_and_back(settings):
    resident = make_resident()
    client = Client()
    client.force_login(resident)
    _switch(client, "1")
    assert client.session.get_expiry_age() == 2 * settings.SESSION_COOKIE_AGE
    _switch(client, "0")
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


@pytest.mark.django_db
def test_switching_on_before_signing_in_gives_the_longer_session_at_sign_in(settings):
    resident = make_resident()
    client = Client()
    _switch(client, "1")
    response = client.post("/accounts/login/", {"username": resident.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get_expiry_age() == 2 * settings.SESSION_COOKIE_AGE


@pytest.mark.django_db
def test_staff_keep_their_working_day_session_in_care_mode(settings):
    officer = make_staff(role="window_officer")
    client = Client()
    client.force_login(officer)
    client.get("/")  # the staff lifetime is given on the first request after sign-in
    _switch(client, "1")
    assert client.session.get_expiry_age() == settings.STAFF_SESSION_SECONDS
