"""The portal on a phone (390×844, touch) in a real browser: every resident page fits the width (no
sideways scrolling) in Chinese and in English; an application with an upload from the phone; and
the installable web app (manifest, icons, service worker, the offline page without a network).

The day is inside the school transfer's application window (06-20..07-10), so its 一件事 can be
started on the phone too."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, browser_only, eventually, login
from tests.factories import make_resident
from tests.helpers import ITEM_ONE_LEVEL, PDF_BYTES, PNG_BYTES, fill_in_page, form_for
from yiwang.core import clock as core_clock

pytestmark = [*browser_only, pytest.mark.layout]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SCHOOL_BUNDLE = "310120-YJS-002"
SCHOOL_ITEM = "310120-JYJ-21-0001"
SCREENSHOTS = {"/": "home", "/cases/mine/": "my-cases", "/bundles/mine/": "my-bundles",
               "/bundles/cases/<id>/": "school-transfer-form", "/cases/<id>/edit/": "edit"}
SCHOOL_ANSWERS = {"q1": "hukou_move", "q2": "yes"}
# A Thursday inside the school transfer window, the hall open (weekdays 09:00-17:00).
SCHOOL_DAY = dt.datetime(2026, 6, 25, 10, 0, tzinfo=core_clock.LEGAL_TIME_ZONE)


def _width(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


OVERFLOWING = """() => {
    const edge = document.documentElement.clientWidth;
    const out = [...document.body.querySelectorAll("*")].filter(e => e.getBoundingClientRect().right > edge + 1);
    return out.filter(e => !out.some(o => o !== e && e.contains(o))).slice(0, 4).map(e =>
        e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className && e.className.baseVal === undefined ?
        "." + e.className.trim().split(/\\s+/).join(".") : "") + " " + Math.round(e.getBoundingClientRect().right));
}"""


# Tables wider than their box: they would scroll sideways inside it (a card's overflow-x: auto).
SCROLLING_TABLES = """() => [...document.querySelectorAll("table")]
    .filter(t => t.offsetParent && t.scrollWidth > t.parentElement.clientWidth + 1)
    .map(t => (t.id || t.className || "table") + " " + t.scrollWidth + "/" + t.parentElement.clientWidth)"""


def _measured(page):
    """The page's scroll width; when it is wider than the phone, its innermost elements past the
    edge; and the tables that scroll sideways inside their box."""
    width = _width(page)
    return width, (page.evaluate(OVERFLOWING) if width > 390 else []), page.evaluate(SCROLLING_TABLES)


def _hall():
    from yiwang.catalog.models import Department
    from yiwang.hall.models import ServiceGroup, Site, SlotCapacity, Window

    site = Site.objects.create(code="FX-CENTRE", name="奉贤区行政服务中心", kind="district",
                               opening_hours={str(d): [["09:00", "17:00"]] for d in range(1, 6)})
    Site.objects.create(code="FX-NANQIAO", name="南桥镇社区事务受理服务中心", kind="street",
                        opening_hours={str(d): [["09:00", "17:00"]] for d in range(1, 6)})
    group = ServiceGroup.objects.create(code="market", prefix="A", name="企业开办与市场准入")
    group.departments.set(Department.objects.filter(code="SCJG"))
    ServiceGroup.objects.create(code="social", prefix="B", name="社保医保与公积金").departments.set(
        Department.objects.filter(code="RSJSB"))
    Window.objects.create(site=site, code="1")
    SlotCapacity.objects.create(site=site, group=group, slot_minutes=30, per_slot=2)
    return site, group


def _resident_with_a_case_of_every_kind(resident):
    """A draft, a submitted case (with its messages) and an appointment: the pages a resident
    has, each with content (the school transfer 一件事 is started on the phone)."""
    from yiwang.applications import services as cases
    from yiwang.hall import services as hall
    from yiwang.notifications.models import Message

    site, group = _hall()
    draft = cases.create_draft(applicant=resident, item_code=ITEM_ONE_LEVEL, form_data=form_for(ITEM_ONE_LEVEL))
    submitted = cases.create_draft(applicant=resident, item_code=ITEM_ONE_LEVEL, form_data=form_for(ITEM_ONE_LEVEL))
    for position in (1, 2):
        cases.attach_material(case_id=submitted.pk, user=resident, position=position, stream=io.BytesIO(PDF_BYTES),
                              original_name="一张很长很长的身份证正反面扫描件-2026年6月25日拍摄.pdf")
    submitted = cases.submit_application(case_id=submitted.pk, applicant=resident, idempotency_key="phone-widths")
    hall.book_appointment(person=resident, site=site, group=group, day=dt.date(2026, 6, 26), start=dt.time(9, 0))
    message = Message.objects.filter(recipient=resident).order_by("pk").first()
    return {"draft": draft, "submitted": submitted, "site": site, "group": group, "message": message}


def _resident_pages(made) -> list[str]:
    """Every page of the portal a resident uses, as addresses."""
    from django.urls import NoReverseMatch, reverse

    pages = [
        "/", "/search/?q=个体工商户", "/items/", f"/items/{ITEM_ONE_LEVEL}/", f"/items/{SCHOOL_ITEM}/",
        f"/cases/apply/{ITEM_ONE_LEVEL}/", f"/cases/{made['draft'].pk}/edit/", "/cases/mine/",
        f"/cases/{made['submitted'].pk}/", "/messages/", "/messages/settings/",
        "/bundles/", f"/bundles/{SCHOOL_BUNDLE}/", f"/bundles/cases/{made['bundle_case']}/", "/bundles/mine/",
        "/hall/", f"/hall/appointments/?site={made['site'].code}&group={made['group'].pk}",
        f"/hall/{made['site'].code}/take/", "/data-sharing/my-data/", "/dashboard/public/", "/offline/",
    ]
    if made["message"] is not None:
        pages.insert(pages.index("/messages/settings/"), f"/messages/{made['message'].pk}/")
    try:  # the resident's records page, where this version has one
        pages.append(reverse("registries:my-records"))
    except NoReverseMatch:
        pass
    return pages


def _care_pages(pages: list[str]) -> list[str]:
    """The pages measured once more in 关怀模式 (larger text and targets): those with forms, tables
    and the header (the rest share their parts)."""
    kinds = ("/", "/items/3", "/cases/", "/bundles/cases/", "/hall/appointments/", "/hall/FX-CENTRE/take/",
             "/messages/")
    return [path for path in pages if path == "/" or any(path.startswith(kind) for kind in kinds[1:])]


@pytest.mark.django_db(transaction=True)
def test_every_resident_page_fits_a_phone_in_chinese_and_english(catalog, live_server, browser, settings, tmp_path,
                                                                 frozen_clock):
    from yiwang.hall.models import Ticket
    from yiwang.hall.selectors import ticket_code

    settings.MEDIA_ROOT = tmp_path / "media"
    frozen_clock.set(SCHOOL_DAY)
    ARTIFACTS.mkdir(exist_ok=True)
    resident = make_resident(real_name="欧阳娜娜")
    made = _resident_with_a_case_of_every_kind(resident)
    base = live_server.url
    context = browser.new_context(locale="zh-CN", **PHONE)
    page = context.new_page()
    login(page, base, resident.username)

    # The school transfer, open in its window, started on the phone: the answers update the
    # items in place (htmx), then one tap opens the 一件事's one form.
    page.goto(f"{base}/bundles/{SCHOOL_BUNDLE}/")
    assert "受理中 本期受理截止日期：2026-07-10" in page.inner_text("header.card")
    for question, value in SCHOOL_ANSWERS.items():
        with page.expect_response(lambda r, sent=f"answer_{question}={value}": "/guidance/" in r.url and sent in r.url):
            page.locator(f"input[name=answer_{question}][value={value}]").tap()
    expect(page.locator("tr.applicable-item")).to_have_count(2)
    with page.expect_navigation():
        page.locator("button:has-text('开始办理')").tap()
    made["bundle_case"] = int(re.fullmatch(rf"{base}/bundles/cases/(\d+)/", page.url).group(1))
    pages = _resident_pages(made)

    widths = {}
    # Chinese, English, and Chinese in 关怀模式 (larger text and targets) for elderly residents.
    for language, care in (("zh-hans", "0"), ("en", "0"), ("zh-hans", "1")):
        context.add_cookies([{"name": "django_language", "value": language, "url": base},
                             {"name": "yiwang_care", "value": care, "url": base}])
        mode = language + ("-care" if care == "1" else "")
        for path in pages if care == "0" else _care_pages(pages):
            response = page.goto(f"{base}{path}")
            assert response.status == 200, (mode, path, response.status)
            assert page.locator("html").get_attribute("lang") in (language, "zh-CN"), path
            widths[(mode, path)] = _measured(page)
            shot = SCREENSHOTS.get(re.sub(r"/\d+/", "/<id>/", path))
            if shot:
                page.screenshot(path=str(ARTIFACTS / f"phone-{shot}-{mode}.png"), full_page=True)
        if care == "1":
            assert page.locator("html.care").count() == 1
            continue
        # The ticket a resident takes on the phone (the answer to the take page's button; one per
        # group and person, so a group per language) and its rating page (the ticket's QR code).
        page.goto(f"{base}/hall/{made['site'].code}/take/")
        with page.expect_navigation():
            page.locator("button.group-button").nth(0 if language == "zh-hans" else 1).tap()
        expect(page.locator("#ticket-number")).to_have_text(re.compile(r"^[AB]001$"))
        widths[(mode, "ticket")] = _measured(page)
        page.screenshot(path=str(ARTIFACTS / f"phone-ticket-{mode}.png"), full_page=True)
        ticket = Ticket.objects.get(number=page.locator("#ticket-number").inner_text())
        rating = f"/ratings/ticket/{ticket.pk}/?t={ticket_code(ticket.pk)}"
        assert page.goto(f"{base}{rating}").status == 200, rating
        widths[(mode, "ticket rating")] = _measured(page)
    context.close()

    too_wide = {key: width for key, width in widths.items() if width[0] > 390 or width[2]}
    assert not too_wide, f"wider than the phone (390 px), or with a table scrolling sideways: {too_wide}"
    assert list(widths) == [(mode, path) for mode, visited in (("zh-hans", pages + ["ticket", "ticket rating"]),
                                                               ("en", pages + ["ticket", "ticket rating"]),
                                                               ("zh-hans-care", _care_pages(pages)))
                            for path in visited]


@pytest.mark.django_db(transaction=True)
def test_a_phone_sized_application_with_an_upload_from_the_camera(catalog, live_server, browser, settings, tmp_path):
    from yiwang.applications.models import Case

    settings.MEDIA_ROOT = tmp_path / "media"
    resident = make_resident(real_name="张三")
    photo = tmp_path / "photo.png"
    photo.write_bytes(PNG_BYTES)
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(PDF_BYTES)
    base = live_server.url
    page = browser.new_context(locale="zh-CN", **PHONE).new_page()
    login(page, base, resident.username)

    page.goto(f"{base}/items/{ITEM_ONE_LEVEL}/")
    page.locator("a.apply").tap()
    page.locator("button:has-text('保存草稿')").tap()
    page.wait_for_url("**/edit/")
    page.fill("#id_phone", "13800138000")
    page.fill("#id_address", "上海市奉贤区南桥镇解放东路1号")
    fill_in_page(page, form_for(ITEM_ONE_LEVEL))
    uploads = page.locator("input[type=file][name=file]")
    # The phone offers its camera for these (images are accepted) without forcing it (no capture).
    for n in range(uploads.count()):
        assert "image/jpeg" in uploads.nth(n).get_attribute("accept") and uploads.nth(n).get_attribute("capture") is None
    for name, upload in (("个体工商户登记（备案）申请书", scan), ("经营者身份证件", photo)):
        page.set_input_files(f"input[type=file][aria-label='{name}']", str(upload))
        page.locator(f"input[type=file][aria-label='{name}'] ~ button").tap()
        page.wait_for_load_state("networkidle")
    expect(page.locator("a[href*='/materials/']")).to_have_count(2)
    assert _width(page) <= 390
    page.screenshot(path=str(ARTIFACTS / "phone-application.png"), full_page=True)
    page.locator("button:has-text('提交申报')").tap()
    expect(page.locator("body")).to_contain_text("收件回执")
    assert _width(page) <= 390
    case = Case.objects.get(applicant=resident)
    assert case.state == "received"
    assert sorted(m.original_name for m in case.materials.all()) == ["photo.png", "scan.pdf"]


@pytest.mark.django_db(transaction=True)
def test_installable_web_app_with_an_offline_page(catalog, live_server, browser):
    base = live_server.url
    context = browser.new_context(locale="zh-CN", **PHONE)
    page = context.new_page()
    page.goto(f"{base}/")

    href = page.locator("link[rel=manifest]").get_attribute("href")
    assert href == "/manifest.webmanifest"
    assert page.locator("meta[name=theme-color]").get_attribute("content") == "#b71c1c"
    response = context.request.get(f"{base}{href}")
    assert response.status == 200 and response.headers["content-type"] == "application/manifest+json"
    manifest = json.loads(response.text())
    assert (manifest["name"], manifest["start_url"], manifest["scope"], manifest["display"]) == (
        "一网通办·奉贤", "/", "/", "standalone")
    from PIL import Image

    for icon in manifest["icons"]:
        image_response = context.request.get(f"{base}{icon['src']}")
        assert image_response.status == 200 and image_response.headers["content-type"] == "image/png", icon
        image = Image.open(io.BytesIO(image_response.body()))
        assert f"{image.width}x{image.height}" == icon["sizes"], icon
    assert {icon["purpose"] for icon in manifest["icons"]} == {"any", "maskable"}

    # site.js registers the worker; once it controls the page, the shell is stored.
    eventually(lambda: page.evaluate("navigator.serviceWorker.controller !== null"), what="the service worker to control the page")
    assert page.evaluate("navigator.serviceWorker.controller.scriptURL") == f"{base}/sw.js"
    stored = page.evaluate("""async () => {
        const names = await caches.keys();
        const cache = await caches.open(names[0]);
        return [names, (await cache.keys()).map(request => new URL(request.url).pathname)];
    }""")
    assert len(stored[0]) == 1 and stored[0][0].startswith("yiwang-shell-")
    assert "/offline/" in stored[1] and "/static/core/site.css" in stored[1]
    assert all(path.startswith("/static/") or path == "/offline/" for path in stored[1]), stored[1]

    # Without a network a page shows the offline page (in both languages), with a retry link.
    context.set_offline(True)
    page.goto(f"{base}/cases/mine/")
    expect(page.locator("#offline-zh-CN h1")).to_have_text("网络已断开")
    expect(page.locator("#offline-en")).to_be_visible()
    assert page.url == f"{base}/cases/mine/"  # a retry (href="") reloads the address that failed
    assert _width(page) <= 390
    page.screenshot(path=str(ARTIFACTS / "phone-offline.png"), full_page=True)
    context.set_offline(False)
    page.locator("#offline-zh-CN a.btn").tap()
    page.wait_for_url(f"{base}/accounts/login/**")  # back online: the real page (sign in first)
    context.close()
