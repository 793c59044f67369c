"""The installable web app: the service worker at the site root, the manifest and the offline page."""

from __future__ import annotations

import io
import json
import re

import pytest
from PIL import Image

from tests.factories import make_resident
from yiwang.core import pwa


def _worker_constant(body: str, name: str):
    return json.loads(re.search(rf"^var {name} = (?:new RegExp\()?(.+?)\)?;$", body, re.M).group(1))


@pytest.mark.django_db
def test_the_service_worker_is_served_from_the_root_with_its_scope_and_no_caching(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert _worker_constant(body, "CACHE") == pwa.cache_name()
    assert re.fullmatch(r"yiwang-shell-[0-9a-f]{16}", pwa.cache_name())
    assert _worker_constant(body, "OFFLINE_URL") == "/offline/"
    assert _worker_constant(body, "STATIC_PREFIX") == "/static/"
    assert _worker_constant(body, "SHELL") == [
        "/static/core/site.css", "/static/core/site.js", "/static/core/icons/icon-192.png",
        "/static/core/icons/icon-512.png", "/static/core/icons/icon-maskable-512.png",
        "/static/core/icons/apple-touch-icon.png", "/static/django_htmx/htmx-2.min.js", "/offline/",
    ]
    # Not escaped for HTML (a template renders it): the JavaScript must parse as written.
    assert "&quot;" not in body and "&#x27;" not in body
    assert client.post("/sw.js").status_code == 405


@pytest.mark.django_db
def test_the_worker_stores_the_shell_only_never_a_personal_page_or_an_api_answer(client):
    body = client.get("/sw.js").content.decode()
    shell = _worker_constant(body, "SHELL")
    assert all(url.startswith("/static/") for url in shell if url != "/offline/")
    for personal in ("/cases/", "/messages/", "/bundles/", "/hall/appointments/", "/hall/results/", "/data-sharing/",
                     "/api/", "/accounts/", "/licences/", "/ratings/case/", "/ratings/ticket/"):
        assert personal not in body, personal
    # Only two places put into the cache: the install (the shell list) and static files (cache first).
    assert body.count("cache.put(") == 1 and body.count("cache.addAll(") == 1
    assert "if (isStatic(url))" in body and 'url.pathname.indexOf(STATIC_PREFIX) === 0' in body
    # Navigations: the network, else the stored offline page; never stored.
    navigation = body[body.index('if (request.mode === "navigate" &&'):body.index("if (isStatic(url))")]
    assert "fetch(request).catch(" in navigation and "cache.match(OFFLINE_URL)" in navigation
    assert "put(" not in navigation
    assert 'if (request.method !== "GET") return;' in body


@pytest.mark.django_db
def test_the_worker_leaves_the_navigations_of_devices_and_kiosks_alone(client):
    body = client.get("/sw.js").content.decode()
    devices = re.compile(_worker_constant(body, "DEVICE_PAGES"))  # the same syntax in Python and JavaScript
    assert "var DEVICE_PAGES = new RegExp(" in body
    assert 'if (request.mode === "navigate" && !DEVICE_PAGES.test(url.pathname))' in body
    for path in ("/kiosk/", "/kiosk/menu/", "/hall/device/", "/hall/FX-CENTRE/screen/", "/ratings/evaluator/"):
        assert devices.search(path), path
    for path in ("/", "/cases/mine/", "/hall/", "/hall/appointments/", "/hall/FX-CENTRE/take/", "/kiosks/fleet/",
                 "/ratings/ticket/1/"):
        assert not devices.search(path), path


@pytest.mark.django_db
def test_every_shell_file_the_worker_stores_is_served(client):
    from django.contrib.staticfiles import finders

    for url in pwa.shell_urls():
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url
        else:
            assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_a_deploy_with_other_static_files_names_another_cache(settings, monkeypatch):
    first = pwa._fingerprint()
    assert pwa._fingerprint() == first
    original = pwa._offline_page
    monkeypatch.setattr(pwa, "_offline_page", lambda: original() + "<!-- changed -->")
    assert pwa._fingerprint() != first
    assert pwa._fingerprint(by_content=False) != first  # development: by size and time, also changed
    settings.PWA_CACHE_VERSION = "release-42"
    assert pwa.cache_name() == "yiwang-shell-release-42"


@pytest.mark.django_db
def test_the_manifest_names_the_app_and_lists_icons_of_the_stated_sizes(client):
    from django.contrib.staticfiles import finders

    response = client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert {key: manifest[key] for key in ("name", "short_name", "start_url", "scope", "display", "theme_color",
                                           "background_color", "lang")} == {
        "name": "一网通办·奉贤", "short_name": "一网通办", "start_url": "/", "scope": "/", "display": "standalone",
        "theme_color": "#b71c1c", "background_color": "#fafafa", "lang": "zh-CN",
    }
    assert [(icon["src"], icon["sizes"], icon["type"], icon["purpose"]) for icon in manifest["icons"]] == [
        ("/static/core/icons/icon-192.png", "192x192", "image/png", "any"),
        ("/static/core/icons/icon-512.png", "512x512", "image/png", "any"),
        ("/static/core/icons/icon-maskable-512.png", "512x512", "image/png", "maskable"),
    ]
    for icon in manifest["icons"]:
        with open(finders.find(icon["src"].removeprefix("/static/")), "rb") as f:
            image = Image.open(io.BytesIO(f.read()))
        assert image.format == "PNG" and f"{image.width}x{image.height}" == icon["sizes"], icon["src"]
    css = open(finders.find("core/site.css"), encoding="utf-8").read()
    assert "--brand: #b71c1c" in css and "background: #fafafa" in css  # the app's colours are the pages'


@pytest.mark.django_db
def test_the_manifest_in_english_for_an_english_browser(client):
    manifest = json.loads(client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="en").content)
    assert manifest["lang"] == "en"
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"


@pytest.mark.django_db
def test_every_page_links_the_manifest_the_theme_colour_and_the_touch_icon(client, catalog):
    html = client.get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<meta name="theme-color" content="#b71c1c">' in html
    assert '<link rel="apple-touch-icon" href="/static/core/icons/apple-touch-icon.png">' in html


@pytest.mark.django_db
def test_the_offline_page_says_so_in_both_languages_and_nothing_about_the_user(client):
    resident = make_resident(real_name="李四")
    client.force_login(resident)
    response = client.get("/offline/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
    html = response.content.decode()
    assert '<section class="card offline-notice" lang="zh-CN" id="offline-zh-CN">' in html
    assert '<section class="card offline-notice" lang="en" id="offline-en">' in html
    zh = html[html.index('id="offline-zh-CN"'):html.index('id="offline-en"')]
    assert "<h1>网络已断开</h1>" in zh and "断网时仍然可以" in zh and "12345" in zh
    assert '<a class="btn" href="">重试</a>' in zh  # reloads the address that failed
    # Stored for everybody: no name, no form token, no message count.
    assert "李四" not in html and resident.username not in html
    assert "csrfmiddlewaretoken" not in html and "X-CSRFToken" not in html and "<script" not in html


@pytest.mark.django_db
def test_the_web_app_files_are_public(client):
    for url in ("/sw.js", "/manifest.webmanifest", "/offline/"):
        assert client.get(url).status_code == 200, url
