"""English pages are English: with English chosen, no resident or staff page shows Chinese text
except data values that have no translation (people's names, addresses, what a resident typed)
and the language switch's "中文".

The pages are requested with the Django test client (no browser). The visible text is the text
of the page outside <script>, <style> and <template>, plus the attributes a reader sees or hears
(title, placeholder, aria-label, alt, and the value of buttons). `PAGES` is a module-level list so
that a new page is checked by appending one row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import make_enterprise, make_resident, make_staff
from tests.helpers import FORM, act, form_for, submitted_case

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff01-\uff60\u3000-\u303f]")

# Data values that stay as they were written: people's and companies' names, addresses, what the
# test resident typed into forms, the language switch ("中文" is how the switch names Chinese).
ALLOWED = sorted({
    "中文",
    "张三", "王经办", "上海示例餐饮有限公司", "示例说明", "示例", FORM["address"], FORM["remarks"],
    "上海市奉贤区望园路1529号", "上海市奉贤区南桥镇解放东路",
    "太慢了",  # the resident's comment on the bad rating
    "南桥1号机",  # the kiosk's name, as the hall manager registered it
    "简体中文",  # the message language offered, named in its own language
    "出件",  # the code painted on the demo centre's output counter (an identifier, like A001)
}, key=len, reverse=True)
# Staff and demo names are made up as 工作人员<n> / 窗口人员<n>; masked names keep one character (张*).
ALLOWED_PATTERNS = [re.compile(r"工作人员\d+"), re.compile(r"[\u4e00-\u9fff]\*+")]


@dataclass(frozen=True)
class Page:
    """One page to check: who looks at it, its URL (formatted with the world's ids), GET or POST data."""

    label: str
    who: str  # "anonymous", "resident", "enterprise", "officer", "manager", "leader", "auditor"
    url: str
    post: dict | None = None
    status: int = 200
    shows: str = ""  # a text the page must show (a refusal's English message)
    allow: tuple[str, ...] = ()  # data values of this page only (what the person typed into it)


PAGES: list[Page] = [
    Page("home", "anonymous", "/"),
    Page("item list", "anonymous", "/items/"),
    Page("item list of a department", "anonymous", "/items/?department=SCJG"),
    Page("item guide", "anonymous", "/items/310120-SCJG-01-0001/"),
    Page("item guide with fees", "anonymous", "/items/{fee_item}/"),
    Page("search", "anonymous", "/search/?q=营业执照", allow=("营业执照",)),  # the query as typed
    Page("bundle list", "anonymous", "/bundles/"),
    Page("bundle guide", "enterprise", "/bundles/310120-YJS-001/"),
    Page("bundle guide answered", "enterprise",
         "/bundles/310120-YJS-001/?answer_q1=company&answer_q2=yes&answer_q3=yes&answer_q4=food_service"),
    Page("bundle guidance partial", "enterprise",
         "/bundles/310120-YJS-001/guidance/?answer_q1=individual&answer_q2=no&answer_q3=no&answer_q4=prepackaged"),
    Page("bundle form", "enterprise", "/bundles/cases/{bundle_case}/"),
    Page("my bundle cases", "enterprise", "/bundles/mine/"),
    Page("a submitted bundle case", "enterprise", "/bundles/cases/{submitted_bundle_case}/"),
    Page("apply form", "resident", "/cases/apply/310120-SCJG-01-0001/"),
    Page("draft case", "resident", "/cases/{draft}/edit/"),
    Page("draft submitted with mistakes", "resident", "/cases/{draft}/submit/",
         post={"idempotency_key": "k", "phone": "12", "address": FORM["address"]}, status=400,
         shows="The application form has errors"),
    Page("draft submitted without its materials", "resident", "/cases/{draft}/submit/",
         post={"idempotency_key": "k", **FORM}, status=400, shows="Required materials are missing"),
    Page("bundle guide refused", "enterprise", "/bundles/310120-YJS-001/start/", post={"answer_q1": "nonsense"}, status=400,
         shows="The answer to “What type of business will you set up?” is not one of its options"),
    Page("case page", "resident", "/cases/{case}/"),
    Page("ended case page", "resident", "/cases/{ended_case}/"),
    Page("case asked for materials", "resident", "/cases/{supplement_case}/", shows="Notice to supply materials"),
    Page("my cases", "resident", "/cases/mine/"),
    Page("messages", "resident", "/messages/"),
    Page("a message", "resident", "/messages/{message}/"),
    Page("message settings", "resident", "/messages/settings/"),
    Page("message sending performance", "anonymous", "/messages/performance/"),
    Page("my data", "resident", "/data-sharing/my-data/"),
    Page("hall sites", "anonymous", "/hall/"),
    Page("appointments", "resident", "/hall/appointments/"),
    Page("take a ticket", "resident", "/hall/FX-CENTRE/take/"),
    Page("ticket", "resident", "/hall/FX-CENTRE/take/", post={"group": "{market_group}"}),
    Page("rate a case", "resident", "/ratings/case/{ended_case}/"),
    Page("officer queue", "officer", "/cases/queue/"),
    Page("officer case page", "officer", "/cases/{case}/"),
    Page("officer bundle queue", "officer", "/bundles/queue/"),
    Page("officer bundle case", "officer", "/bundles/cases/{submitted_bundle_case}/"),
    Page("ratings tasks", "officer", "/ratings/tasks/"),
    Page("a rating task", "officer", "/ratings/tasks/{task}/"),
    Page("public dashboard", "anonymous", "/dashboard/public/"),
    Page("leaders' dashboard", "leader", "/dashboard/"),
    Page("staffing", "manager", "/staffing/"),
    Page("kiosk fleet", "manager", "/kiosks/fleet/"),
    Page("hall statistics", "manager", "/hall/FX-CENTRE/statistics/"),
    Page("hall window console", "officer", "/hall/window/"),
    Page("calling screen", "officer", "/hall/FX-CENTRE/screen/"),
    Page("hall device sign-in", "anonymous", "/hall/device/"),
    Page("rating appeals", "manager", "/ratings/appeals/"),
    Page("licence verification", "anonymous", "/licences/verify/"),
    Page("a licence verified", "anonymous", "/licences/verify/{licence}/"),
    Page("exemption report", "officer", "/data-sharing/report/"),
    Page("data access log", "auditor", "/data-sharing/access-log/"),
    Page("login", "anonymous", "/accounts/login/"),
    Page("register", "anonymous", "/accounts/register/"),
]


class _VisibleText(HTMLParser):
    """Collects text nodes and the visible attributes, skipping what the browser does not show."""

    HIDDEN = {"script", "style", "template"}
    SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hidden_depth = 0
        self.fragments: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden_depth += 1
            return
        values = dict(attrs)
        shown = [values.get(name) for name in self.SHOWN_ATTRIBUTES]
        if tag == "input" and values.get("type") in ("submit", "button"):
            shown.append(values.get("value"))
        self.fragments.extend(v.strip() for v in shown if v and v.strip())

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden_depth:
            self.hidden_depth -= 1

    def handle_data(self, data):
        if not self.hidden_depth and data.strip():
            self.fragments.append(" ".join(data.split()))


def chinese_fragments(html: str, *, allow: tuple[str, ...] = ()) -> list[str]:
    """The visible fragments of `html` that hold Chinese once the allowed data values (and the
    page's own, `allow`) are taken out."""
    parser = _VisibleText()
    parser.feed(html)
    offending = []
    for fragment in parser.fragments:
        rest = fragment
        for allowed in sorted({*ALLOWED, *allow}, key=len, reverse=True):
            rest = rest.replace(allowed, "")
        for pattern in ALLOWED_PATTERNS:
            rest = pattern.sub("", rest)
        if CJK.search(rest):
            offending.append(fragment)
    return offending


def test_the_checker_finds_chinese_and_lets_data_values_through():
    html = ('<p>Applicant: 张三</p><script>var a = "中文字";</script><p title="提交">Submit</p>'
            '<a href="/i18n/">中文</a><p>材料 list</p><input type="submit" value="保存">')
    assert chinese_fragments(html) == ["提交", "材料 list", "保存"]


@pytest.fixture
def world(catalog, settings_media, frozen_clock, background):
    """Every page's data: a resident's open and ended case, an enterprise's 一件事 draft, a bad
    rating's task, the demo hall with a kiosk, and one client per role with English chosen."""
    from tests.bundles.conftest import start, upload_required
    from yiwang.catalog.models import ServiceItem
    from yiwang.hall.demo import ensure_demo_hall
    from yiwang.hall.models import ServiceGroup, Site
    from yiwang.kiosks.services import register_kiosk
    from yiwang.licences.models import Licence
    from yiwang.notifications.models import Message
    from yiwang.notifications.services import update_settings
    from yiwang.ratings import services as ratings
    from yiwang.ratings.models import Rectification

    ensure_demo_hall()
    resident = make_resident()
    enterprise = make_enterprise()
    officer = make_staff(role="window_officer", departments=["SCJG"])
    people = {"resident": resident, "enterprise": enterprise, "officer": officer,
              "manager": make_staff(role="hall_manager"), "leader": make_staff(role="leader"),
              "auditor": make_staff(role="auditor")}

    def api(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    # The resident chose English for their messages too (messages are written in the chosen language).
    update_settings(user=resident, language="en", sms=True, email=False)
    applicant, staff = api(resident), api(officer)
    ended = submitted_case(applicant, key="english-ended")
    for action in ("accept", "approve", "issue_result"):
        answer = act(staff, ended, action)
        assert answer.status_code == 200, answer.json()
        ended = answer.json()
    open_case = submitted_case(applicant, key="english-open")
    assert act(staff, open_case, "accept").status_code == 200
    asked = act(staff, submitted_case(applicant, key="english-supplement"), "request_supplement", missing_materials=[2, 1],
                opinion="please scan again")
    assert asked.status_code == 200, asked.json()
    draft = applicant.post("/api/v1/applications/", {"item_code": "310120-SCJG-01-0004", "form_data": form_for("310120-SCJG-01-0004")},
                           format="json")
    assert draft.status_code == 201, draft.json()
    ratings.rate_case(person=resident, case_id=ended["id"], level=1, comment="太慢了")
    drafted = start(api(enterprise), answers={"q1": "company", "q2": "yes", "q3": "yes", "q4": "food_service"})
    assert drafted.status_code == 201, drafted.json()
    company = api(enterprise)
    second = start(company)
    upload_required(company, second.json())
    submitted = company.post(f"/api/v1/bundle-applications/{second.json()['id']}/submit/", HTTP_IDEMPOTENCY_KEY="english-b")
    assert submitted.status_code == 200, submitted.json()
    register_kiosk(code="K-EN", name="南桥1号机", site=Site.objects.get(code="FX-NANQIAO"),
                   item_codes=["310120-SCJG-01-0001"])
    background.run()  # the messages of the cases' steps
    ids = {
        "case": open_case["id"], "ended_case": ended["id"], "bundle_case": drafted.json()["id"], "draft": draft.json()["id"], "supplement_case": asked.json()["id"],
        "submitted_bundle_case": submitted.json()["id"],
        "message": Message.objects.filter(recipient=resident).order_by("id").values_list("id", flat=True).first(),
        "task": Rectification.objects.values_list("id", flat=True).get(),
        "market_group": ServiceGroup.objects.get(code="market").pk,
        "licence": Licence.objects.get(case_id=ended["id"]).number,
        "fee_item": ServiceItem.objects.exclude(fees=[]).order_by("code").values_list("code", flat=True).first(),
    }
    clients = {"anonymous": Client()}
    for who, person in people.items():
        clients[who] = Client()
        clients[who].force_login(person)
    for client in clients.values():
        client.cookies["django_language"] = "en"
    return ids, clients


def test_english_pages_show_no_chinese_but_data_values(world):
    ids, clients = world
    found = {}
    for page in PAGES:
        url = page.url.format(**ids)
        client = clients[page.who]
        if page.post is None:
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        else:
            response = client.post(url, {k: str(v).format(**ids) for k, v in page.post.items()}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == page.status, f"{page.label} {url}: {response.status_code}"
        html = response.content.decode()
        assert "<html" not in html or '<html lang="en"' in html, f"{page.label}: not served in English"
        assert page.shows in html, f"{page.label}: “{page.shows}” not shown"
        fragments = chinese_fragments(html, allow=page.allow)
        if fragments:
            found[f"{page.label} ({url})"] = sorted(set(fragments))
    report = "\n".join(f"{label}:\n" + "\n".join(f"    {f}" for f in fragments) for label, fragments in found.items())
    assert not found, "Chinese on English pages:\n" + report


# The kiosk's pages (/kiosk/), seen by a person signed in with their ID card at a registered kiosk.
# The start page comes last: showing it to a signed-in person ends their visit.
KIOSK_PAGES: list[str] = [
    "/kiosk/menu/", "/kiosk/apply/", "/kiosk/apply/case/{kiosk_case}/", "/kiosk/cases/", "/kiosk/licences/",
    "/kiosk/records/", "/kiosk/ticket/", "/kiosk/",
]
KIOSK_CARD = {"name": "张三", "sex": "男", "nation": "汉", "birth_date": "1990-03-07", "address": FORM["address"],
              "id_number": "31012019900307123X", "issuer": "上海市公安局奉贤分局", "valid_from": "2016-08-01",
              "valid_until": None}


def test_kiosk_pages_in_english_show_no_chinese_but_data_values(catalog, settings):
    import json

    from yiwang.hall.models import ServiceGroup, Site
    from yiwang.kiosks.services import register_kiosk

    settings.KIOSK = {**settings.KIOSK, "agent_url": "http://127.0.0.1:8599"}
    site = Site.objects.create(code="FX-NANQIAO", name="南桥镇社区事务受理服务中心", name_en="Nanqiao Town Community Affairs Centre",
                               kind="street", opening_hours={str(d): [["09:00", "17:00"]] for d in range(1, 6)})
    ServiceGroup.objects.create(code="social", prefix="B", name="社保医保与公积金", name_en="Social and medical insurance, housing fund")
    item = "310120-SCJG-21-0001"  # 企业名称状态查询: offered at kiosks, no materials
    _kiosk, token = register_kiosk(code="K-001", name="南桥1号机", site=site, item_codes=[item])
    client = Client()
    client.cookies["django_language"] = "en"
    assert client.post("/kiosk/device/", {"token": token}).status_code == 302
    signed_in = client.post("/kiosk/sign-in/card/", json.dumps({"card": KIOSK_CARD}), content_type="application/json",
                            HTTP_ACCEPT="application/json")
    assert signed_in.status_code == 200, signed_in.content
    started = client.post(f"/kiosk/apply/{item}/start/")
    ids = {"kiosk_case": int(started["Location"].rstrip("/").rsplit("/", 1)[1])}
    found = {}
    for url in KIOSK_PAGES:
        response = client.get(url.format(**ids), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200, f"{url}: {response.status_code}"
        assert '<html lang="en"' in response.content.decode(), f"{url}: not served in English"
        fragments = chinese_fragments(response.content.decode())
        if fragments:
            found[url] = sorted(set(fragments))
    assert not found, "Chinese on English kiosk pages:\n" + "\n".join(
        f"{url}:\n" + "\n".join(f"    {f}" for f in fragments) for url, fragments in found.items())


def test_my_data_names_the_records_and_registries_in_english(catalog):
    from datetime import timedelta

    from yiwang.core import clock
    from yiwang.registries.models import Consent, DataAccess

    resident = make_resident()
    consent = Consent.objects.create(user=resident, registry="household", record_kind="id_card", purpose="for the test",
                                     granted_at=clock.now(), expires_at=clock.now() + timedelta(days=1))
    DataAccess.objects.create(accessor=resident, subject=resident, subject_identifier=resident.id_number, registry="household",
                              record_kind="id_card", consent=consent, platform="yiwang", at=clock.now(), outcome="ok")
    client = Client()
    client.force_login(resident)
    client.cookies["django_language"] = "en"
    page = client.get("/data-sharing/my-data/").content.decode()
    assert page.count("Household registration data · Resident identity card") == 2  # the fetch and the consent
    assert page.count("for the test") == 2  # a purpose the asker wrote stays as written
    assert chinese_fragments(page) == []


def test_my_data_shows_the_english_purpose_of_a_consent_the_platform_worded(catalog, settings_media):
    from yiwang.registries.models import Consent
    from yiwang.registries.services import grant_consent

    resident = make_resident()
    case = submitted_case(_api(resident), key="english-consent")
    consent = grant_consent(user=resident, exemptible_via="household:id_card", case_id=case["id"],
                            purpose="办理“个体工商户设立登记”：免交“经营者身份证件”",
                            purpose_en="Applying for “Registration of an individual business”: instead of submitting "
                                       "“Operator's identity document”")
    assert Consent.objects.get(pk=consent.pk).purpose.startswith("办理")  # the Chinese stays the record
    client = Client()
    client.force_login(resident)
    client.cookies["django_language"] = "en"
    page = client.get("/data-sharing/my-data/").content.decode()
    assert "instead of submitting “Operator&#x27;s identity document”" in page
    assert chinese_fragments(page) == []
    client.cookies["django_language"] = "zh-hans"
    assert "免交“经营者身份证件”" in client.get("/data-sharing/my-data/").content.decode()


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
