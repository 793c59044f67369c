"""Accessibility in a real browser: axe-core (node_modules/, pinned in package-lock.json, installed by
scripts/ensure-axe.sh) finds no serious or critical violation on the platform's main pages, in the
standard look and in 关怀模式; in 关怀模式 the targets measure at least 60×60 px and the text at
least 18 px (the MIIT 适老化 rules).

The pages are listed in PAGES (append to it): each names who looks at it, and a path that may use
the `made` values of the data made below.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from rest_framework.test import APIClient

from tests.e2e.conftest import browser_only
from tests.factories import make_resident, make_staff
from tests.helpers import ITEM_ONE_LEVEL, act, form_for, submitted_case
from yiwang.core import care

pytestmark = [*browser_only, pytest.mark.layout]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BAD = ("serious", "critical")

# (who, path): who is "anonymous", "resident", "officer" or "ticket" (the resident's phone after
# taking a number: the path is the take page, the ticket page is its answer). Paths are formatted
# with the values of `_made` (case, draft, licence, message, bundle, site).
PAGES: list[tuple[str, str]] = [
    ("anonymous", "/"),
    ("anonymous", "/search/?q=营业执照"),
    ("anonymous", f"/items/{ITEM_ONE_LEVEL}/"),
    ("anonymous", "/accounts/login/"),
    ("anonymous", "/bundles/"),
    ("anonymous", "/bundles/{bundle}/"),
    ("anonymous", "/licences/verify/{licence}/"),
    ("resident", "/cases/{draft}/edit/"),
    ("resident", "/cases/mine/"),
    ("resident", "/cases/{case}/"),
    ("resident", "/messages/"),
    ("resident", "/messages/{message}/"),
    ("resident", "/data-sharing/my-records/"),
    ("resident", "/hall/{site}/take/"),
    ("ticket", "/hall/{site}/take/"),
    ("officer", "/cases/queue/"),
    ("officer", "/cases/{queued}/"),
    ("officer", "/hall/{site}/screen/"),
]

# A kiosk's pages (yiwang.kiosks) are always in 关怀模式: checked once, in the care pass. "kiosk" is
# the kiosk's browser (set up with its token); "kiosk-person" signs the resident in there by the QR
# code (the path is the QR page; the answer is the kiosk's menu), after which "kiosk" acts for them.
KIOSK_PAGES: list[tuple[str, str]] = [
    ("kiosk", "/kiosk/"),
    ("kiosk-person", "/kiosk/sign-in/qr/"),
    ("kiosk", "/kiosk/records/"),
    ("kiosk", "/kiosk/ticket/"),
    ("kiosk", "/kiosk/apply/"),
    ("kiosk", "/kiosk/cases/"),
    ("kiosk", "/kiosk/licences/"),
]


def _made(live_server, settings, tmp_path) -> dict:
    """The people and records the pages show: an issued licence, a draft, a case in the queue, a
    message, a hall with a group and a window."""
    from yiwang.catalog.models import Bundle
    from yiwang.hall.models import Qualification, ServiceGroup, Site, Window
    from yiwang.notifications.models import Message

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_URL = live_server.url
    resident = make_resident(real_name="张三", username="a11y-resident")
    officer = make_staff(role="window_officer", departments=["SCJG"], username="a11y-officer")
    applicant = APIClient()
    applicant.force_authenticate(resident)
    desk = APIClient()
    desk.force_authenticate(officer)
    case = submitted_case(applicant, key="a11y-1")
    case = act(desk, case, "accept").json()
    case = act(desk, case, "approve", opinion="符合条件").json()
    case = act(desk, case, "issue_result").json()
    assert case["state"] == "result_issued", case
    queued = submitted_case(applicant, key="a11y-2")
    draft = applicant.post("/api/v1/applications/", {"item_code": ITEM_ONE_LEVEL, "form_data": form_for(ITEM_ONE_LEVEL)},
                           format="json")
    assert draft.status_code == 201, draft.json()
    message = Message.objects.create(recipient=resident, kind="approved", event_key="a11y", title="审批通过",
                                     body="您的申请已审批通过。", link=f"/cases/{case['id']}/")
    site = Site.objects.create(code="FX-A11Y", name="奉贤区行政服务中心", kind="district",
                               opening_hours={str(d): [["09:00", "17:00"]] for d in range(1, 6)})
    group = ServiceGroup.objects.create(code="market", prefix="A", name="企业开办与市场准入")
    Window.objects.create(site=site, code="8")
    Qualification.objects.create(officer=officer, group=group)
    from yiwang.kiosks.services import register_kiosk

    _, kiosk_token = register_kiosk(code="K-A11Y", name="南桥1号机", site=site, item_codes=[ITEM_ONE_LEVEL])
    return {"kiosk_token": kiosk_token, "case": case["id"], "licence": case["licence_number"], "queued": queued["id"], "draft": draft.json()["id"],
            "message": message.pk, "bundle": Bundle.objects.order_by("code").first().code, "site": site.code}


def _pages(browser, base: str, kiosk_token: str = "") -> dict:
    """One page per kind of visitor, signed in by a session cookie (the login form is one of the
    pages checked, not the way in). axe-core is added to every document before its own scripts
    (an injected script needs bypass_csp: the pages allow scripts from the site only)."""
    from django.conf import settings
    from django.test import Client

    from yiwang.accounts.models import User

    pages = {}
    for who in ("anonymous", "resident", "officer"):
        context = browser.new_context(locale="zh-CN", bypass_csp=True)
        context.add_init_script(path=str(AXE))
        if who != "anonymous":
            client = Client()
            client.force_login(User.objects.get(username=f"a11y-{who}"))
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": base,
                                  "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
        pages[who] = context.new_page()
    pages["ticket"] = pages["resident"]
    if kiosk_token:
        context = browser.new_context(locale="zh-CN", bypass_csp=True, viewport={"width": 1280, "height": 1024})
        context.add_init_script(path=str(AXE))
        page = pages["kiosk"] = pages["kiosk-person"] = context.new_page()
        page.goto(f"{base}/kiosk/device/")
        page.fill("#kiosk-token", kiosk_token)
        with page.expect_navigation():
            page.click("#kiosk-device-form button[type=submit]")
    return pages


def _care(pages, base: str, *, on: bool) -> None:
    for who in ("anonymous", "resident", "officer"):
        pages[who].context.add_cookies([{"name": care.COOKIE_NAME, "value": care.ON if on else care.OFF, "url": base}])


def _open(pages, base: str, who: str, path: str) -> None:
    page = pages[who]
    page.goto(f"{base}{path}")
    if who == "ticket":
        with page.expect_navigation():
            page.click("button.group-button")
        page.locator("#ticket-number").wait_for()
    elif who == "kiosk-person":
        from yiwang.accounts.models import User
        from yiwang.kiosks.services import confirm_qr_sign_in

        code = page.locator("#kiosk-qr").get_attribute("data-confirm-url").rstrip("/").rsplit("/", 1)[-1]
        confirm_qr_sign_in(code=code, person=User.objects.get(username="a11y-resident"))
        page.wait_for_url(f"{base}/kiosk/menu/")  # the page's poll, within a second
    page.wait_for_load_state("load")
    if who not in ("ticket", "kiosk-person"):  # the page asked for, not a sign-in or start page it sent us to
        assert urlsplit(page.url).path == urlsplit(f"{base}{path}").path, (path, page.url)


def _violations(page) -> list[str]:
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes'][0]['target'][0]} ×{len(v['nodes'])}"
            for v in result["violations"] if v["impact"] in BAD]


@pytest.mark.skipif(not AXE.exists(), reason="axe-core not installed (make browser-deps: scripts/ensure-axe.sh)")
@pytest.mark.django_db(transaction=True)
def test_no_serious_or_critical_violation_in_either_mode(catalog, live_server, browser, settings, tmp_path):
    made = _made(live_server, settings, tmp_path)
    base = live_server.url
    pages = _pages(browser, base, made["kiosk_token"])
    found = []
    for care_on in (False, True):
        _care(pages, base, on=care_on)
        for who, path in PAGES + (KIOSK_PAGES if care_on else []):
            url = path.format(**made)
            _open(pages, base, who, url)
            page = pages[who]
            assert page.evaluate("document.documentElement.classList.contains('care')") is care_on, url
            found += [f"{'关怀' if care_on else '标准'} {who} {url}: {v}" for v in _violations(page)]
    assert not found, "\n".join(found)


# What a hand must be able to hit in 关怀模式: the header's links and buttons and the main content's
# buttons and form controls (links inside running text are exempt, as WCAG 2.5.8 allows).
TARGETS = (".site-header a, .site-header button:not([hidden]), main .btn, main button:not([hidden]), "
           "main input:not([type=hidden]):not([type=radio]):not([type=checkbox]), main select")
MEASURE = """(selector) => Array.from(document.querySelectorAll(selector))
  .filter((e) => e.getClientRects().length)
  .map((e) => { const r = e.getBoundingClientRect();
               return {what: e.outerHTML.slice(0, 80), width: r.width, height: r.height}; })"""


@pytest.mark.django_db(transaction=True)
def test_care_mode_targets_and_text_are_large(catalog, live_server, browser, settings, tmp_path):
    made = _made(live_server, settings, tmp_path)
    base = live_server.url
    pages = _pages(browser, base)
    _care(pages, base, on=True)
    small = []
    for who, path in [("anonymous", "/"), ("anonymous", f"/items/{ITEM_ONE_LEVEL}/"), ("anonymous", "/accounts/login/"),
                      ("resident", "/cases/mine/"), ("resident", "/cases/{draft}/edit/"), ("resident", "/hall/{site}/take/")]:
        url = path.format(**made)
        _open(pages, base, who, url)
        page = pages[who]
        font = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert font >= 18, (url, font)
        paragraph = page.evaluate("(() => { const p = document.querySelector('main p'); return p ? parseFloat(getComputedStyle(p).fontSize) : 99; })()")
        assert paragraph >= 18, (url, paragraph)
        measured = page.evaluate(MEASURE, TARGETS)
        assert measured, url
        small += [f"{url}: {m['what']} {m['width']:.0f}×{m['height']:.0f}" for m in measured
                  if m["width"] < 60 or m["height"] < 60]
    assert not small, "\n".join(small)
    # The 效能公开 link (not a resident's errand) is left out of the simpler header.
    assert not pages["anonymous"].locator("header a[href='/dashboard/']").is_visible()


# The browser's speech synthesis, recorded instead of heard.
RECORD_SPEECH = """
window.__spoken = []; window.__cancelled = 0;
if (window.speechSynthesis) {
  window.speechSynthesis.speak = (u) => window.__spoken.push({text: u.text, lang: u.lang});
  window.speechSynthesis.cancel = () => { window.__cancelled += 1; };
}"""
NO_SPEECH = "Object.defineProperty(window, 'speechSynthesis', {value: undefined});"


@pytest.mark.django_db(transaction=True)
def test_read_aloud_reads_the_main_content_or_the_selection_in_the_page_language(catalog, live_server, browser):
    base = live_server.url
    context = browser.new_context(locale="zh-CN", bypass_csp=True)
    context.add_init_script(RECORD_SPEECH)
    context.add_cookies([{"name": care.COOKIE_NAME, "value": care.ON, "url": base}])
    page = context.new_page()
    page.goto(f"{base}/items/{ITEM_ONE_LEVEL}/")
    button = page.locator("#read-aloud")
    assert button.is_visible() and button.inner_text() == "朗读"
    button.click()
    spoken = page.evaluate("window.__spoken")
    assert spoken and {s["lang"] for s in spoken} == {"zh-CN"}
    said = "".join(s["text"] for s in spoken)
    assert "个体工商户设立登记" in said and "经营者身份证件" in said  # the guide itself...
    assert "办事指南" not in said.split("个体工商户设立登记")[0]  # ...not the header's links before it
    assert button.inner_text() == "停止朗读" and button.get_attribute("aria-pressed") == "true"
    button.click()
    assert page.evaluate("window.__cancelled") >= 1
    assert button.inner_text() == "朗读" and button.get_attribute("aria-pressed") == "false"

    # A selection is read instead of the whole page.
    page.evaluate("window.__spoken = []; getSelection().selectAllChildren(document.querySelector('main h1'))")
    button.click()
    assert [s["text"] for s in page.evaluate("window.__spoken")] == [page.locator("main h1").inner_text().strip()]

    # An English page is read in English.
    context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.goto(f"{base}/items/{ITEM_ONE_LEVEL}/")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.locator("#read-aloud").click()
    assert {s["lang"] for s in page.evaluate("window.__spoken")} == {"en-GB"}
    context.close()

    # Without speech synthesis in the browser there is no button to press.
    context = browser.new_context(locale="zh-CN")
    context.add_init_script(NO_SPEECH)
    page = context.new_page()
    page.goto(f"{base}/")
    assert page.locator("#read-aloud").count() == 1 and not page.locator("#read-aloud").is_visible()
    context.close()


@pytest.mark.skipif(not AXE.exists(), reason="axe-core not installed (make browser-deps: scripts/ensure-axe.sh)")
@pytest.mark.django_db(transaction=True)
def test_the_check_reports_what_it_should(catalog, live_server, browser):
    """The check itself: a picture without text and pale text are reported (so a pass means something)."""
    context = browser.new_context(locale="zh-CN", bypass_csp=True)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    page.evaluate("""document.querySelector('main').insertAdjacentHTML('beforeend',
        '<img src="/static/core/site.css"><p style="color:#bbb;background:#fff">浅色文字</p>')""")
    found = {line.split(" ", 1)[0] for line in _violations(page)}
    assert {"image-alt", "color-contrast"} <= found, found
    context.close()
