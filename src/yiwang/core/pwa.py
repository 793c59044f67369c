"""The portal as an installable web app: the manifest, the service worker and the offline page.

The service worker keeps only the shell (stylesheet, scripts, icons, the offline page): it never
stores a personal page or an API answer, so nothing of a resident's stays on a shared phone after
signing out. Pages come from the network; without one, the offline page is shown instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET

# site.css :root --brand and the body background, so the installed app's bars match the pages.
THEME_COLOUR = "#b71c1c"
BACKGROUND_COLOUR = "#fafafa"
ICON_SIZES = {"core/icons/icon-192.png": 192, "core/icons/icon-512.png": 512}
MASKABLE_ICON = ("core/icons/icon-maskable-512.png", 512)
APPLE_TOUCH_ICON = "core/icons/apple-touch-icon.png"
SHELL_STATIC = ("core/site.css", "core/site.js", *ICON_SIZES, MASKABLE_ICON[0], APPLE_TOUCH_ICON)
CACHE_PREFIX = "yiwang-shell-"
# Pages of the hall's devices and the self-service kiosks, which say for themselves that the network
# is gone (and whose users have no phone to check): the worker leaves their navigations alone.
DEVICE_PAGES = r"^/(kiosk/|hall/device/|hall/[^/]+/screen/|ratings/evaluator/)"


def _htmx_urls() -> list[str]:
    """The script addresses base.html's {% htmx_script %} and {% django_htmx_script %} write."""
    from django_htmx.jinja import django_htmx_script, htmx_script

    return re.findall(r'src="([^"]+)"', str(htmx_script(version=2, minified=True)) + str(django_htmx_script()))


def shell_urls() -> list[str]:
    """What the service worker stores when it installs: the shell every page loads, and the offline page."""
    return [*(static(path) for path in SHELL_STATIC), *_htmx_urls(), reverse("pwa-offline")]


def _fingerprint(*, by_content: bool = True) -> str:
    digest = hashlib.sha256()
    # Every static file (a page's own stylesheet is cached on first use too), the worker's own
    # code and the offline page as it reads (its text or translation): any change there is a new
    # cache. By content, so every server of a deploy names the same cache; by size and time in
    # development, where the worker is fetched on every page load.
    files = [pair for finder in finders.get_finders() for pair in finder.list([])]
    for path, storage in sorted(files, key=lambda pair: pair[0]):
        digest.update(path.encode())
        if by_content:
            with storage.open(path) as f:
                digest.update(f.read())
        else:
            stat = os.stat(storage.path(path))
            digest.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
    digest.update(get_template("core/sw.js").template.source.encode())
    digest.update(_offline_page().encode())
    return digest.hexdigest()[:16]


_cached_fingerprint = lru_cache(maxsize=1)(_fingerprint)


def cache_name() -> str:
    """The service worker's cache, named after a deploy's static files (or settings.PWA_CACHE_VERSION
    when set): a deploy changes the worker's text, the browser installs the new worker, and that
    worker drops every older cache."""
    version = getattr(settings, "PWA_CACHE_VERSION", "") or (
        _fingerprint(by_content=False) if settings.DEBUG else _cached_fingerprint())
    return CACHE_PREFIX + version


@require_GET
def service_worker(request):
    """/sw.js: served from the site root so that its scope is the whole portal."""
    body = render_to_string("core/sw.js", {
        "cache_name": json.dumps(cache_name()),
        "cache_prefix": json.dumps(CACHE_PREFIX),
        "shell": json.dumps(shell_urls()),
        "offline_url": json.dumps(reverse("pwa-offline")),
        "static_prefix": json.dumps(settings.STATIC_URL),
        "device_pages": json.dumps(DEVICE_PAGES),
    })
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    # Revalidated on every check, so a deploy's worker is found at once (browsers cap it at 24 h anyway).
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request):
    """/manifest.webmanifest: the name in the reader's language (the browser fetches it without
    cookies, so the language is Accept-Language's)."""
    icons = [{"src": static(path), "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any"}
             for path, size in ICON_SIZES.items()]
    icons.append({"src": static(MASKABLE_ICON[0]), "sizes": f"{MASKABLE_ICON[1]}x{MASKABLE_ICON[1]}",
                  "type": "image/png", "purpose": "maskable"})
    body = {
        "name": gettext("一网通办·奉贤"),
        "short_name": gettext("一网通办"),
        "description": gettext("上海市奉贤区政务服务：办事指南、在线申报、办件查询、大厅取号与预约。"),
        "lang": "en" if (get_language() or "").startswith("en") else "zh-CN",
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "id": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": icons,
    }
    response = HttpResponse(json.dumps(body, ensure_ascii=False, indent=1), content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response


def _offline_page() -> str:
    return render_to_string("core/offline.html", {"home_url": reverse("portal-home")})


@require_GET
def offline(request):
    """/offline/: what the service worker shows when a page cannot be loaded. It is stored once for
    everybody, so it says nothing about the user (no name, no form token) and carries both languages."""
    response = HttpResponse(_offline_page())
    response["Cache-Control"] = "no-cache"
    return response
