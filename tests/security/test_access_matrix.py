"""The access matrix: no role reaches another person's data, on any route, by any method.

Resident A owns everything seeded here: a licensed case (accepted, approved, result issued), a case
in progress (received), a draft with a material and a data-sharing consent, a submitted 一件事
(bundle) case, a hall ticket taken on the phone, a hall appointment, a bad rating of the licensed case (its
rectification task and an appeal against it); their notices (receipt, acceptance, approval,
result) come with them. Every route
of the URL conf (pages and /api/v1/, the admin included) is walked from `get_resolver()`, its path
parameters are filled with A's ids (each of A's three cases in turn for `case_id`), and every role
asks for it: A (the owner), resident B, enterprise B, a window officer of the cases' department
(SCJG), a window officer of another department (GAZA), an approver of another department (TAX) and
an anonymous visitor. One request is a cell: 6131 cells (see EXPECTED_CELLS).

Per cell:
- never a 5xx, for anybody;
- outsiders (B, B's company, the other departments' staff, anonymous) never get a 2xx on a route
  that carries one of A's ids, and no body they get contains A's real name, ID number, phone or
  case numbers (nor the bytes of A's uploaded file); the public routes (PUBLIC_ROUTES: catalogue,
  search, licence verification, login pages...) may answer them 2xx but never with A's ID number
  or phone in full; anonymous gets a 2xx on the public routes only;
- the SCJG window officer sees A's submitted cases (that is the job), never A's ID number in
  full, and never A's draft, consent, bundle (its members are another department's) or account;
- outsiders use GET, POST (with a body that would do harm if it were accepted) and PATCH/PUT/DELETE
  where the view has them; the owner and the SCJG officer only GET (their writes are legitimate).
  A snapshot of every case, event, material, notice, licence, consent, data access, bundle and
  account row is equal before and after the whole matrix: no request changed anything;
- the owner and the SCJG officer do reach A's data on the same paths (OWNER_REACHES,
  STAFF_REACHES), so every refusal above refuses something real.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern
from rest_framework.test import APIClient

from tests.bundles.conftest import upload_required
from tests.factories import make_enterprise, make_resident, make_staff
from tests.helpers import FORM, ITEM_ONE_LEVEL, PDF_BYTES, act, submitted_case, upload

pytestmark = pytest.mark.django_db

OWNER_NAME = "司马青云"  # distinctive: appears nowhere in the catalogue or the templates
OTHER_PHONE = "13900139000"  # resident B's own phone, so B's pages never show A's
BUNDLE = "310120-YJS-004"  # 无偿献血者用血费用减免一件事: open all year, residents apply
BUNDLE_ANSWERS = {"q1": "self", "q2": "yes"}
WINDOW_ONLY_ITEM = "310120-WJW-05-0002"  # not online: a POST to its apply page can create nothing
MARKER = b"A-PRIVATE-MATERIAL-5Q7Z"
HALL_SITE = "FX-CENTRE"
MARKED_PDF = PDF_BYTES.replace(b"\n", b"\n%" + MARKER + b"\n", 1)

ROLES = ("owner", "resident_b", "enterprise_b", "officer_scjg", "officer_other", "approver_other", "anonymous")
INSIDERS = frozenset({"owner", "officer_scjg"})  # may see A's data; GET only

# Routes anybody may use: they may answer 2xx to outsiders, anonymous included (never with A's ID
# number or phone in full), and each does answer anonymous 2xx (the list holds no stale entry).
PUBLIC_ROUTES = frozenset({
    "healthz", "admin:login",
    "catalog-api-item-list", "catalog-api-item-detail", "catalog-api-department-list",
    "api-bundles", "api-bundle-detail", "api-bundle-guidance", "search-api", "calendar-deadline", "api-schema",
    "api-licence-verify",
    "accounts:login", "accounts:register",
    "licences:verify-lookup", "licences:verify",
    "bundles:list", "bundles:guide", "bundles:guidance",
    "search:search", "portal-home", "catalog:item-list", "catalog:item-detail", "notifications:performance",
    "api-hall-sites", "api-hall-windows", "api-hall-slots", "hall:sites", "hall:device", "catalog:blank-form",
    "evaluation:public", "evaluation:public-json", "evaluation:public-csv", "api-evaluation-figures",
    "pwa-service-worker", "pwa-manifest", "pwa-offline", "kiosk:device",
})

# Query strings of GETs, so that a search searches and a queue is asked for the cases' department.
GET_QUERIES = {
    "search-api": "q=个体工商户", "search:search": "q=个体工商户", "catalog:item-list": "q=个体工商户",
    "calendar-deadline": "start=2026-03-10&working_days=3", "api-queue": "department=SCJG",
    "applications:queue": "department=SCJG", "api-applications": "state=received", "api-hall-slots": "group=market",
    "catalog:blank-form": "for=resident",
}

# Path parameters the matrix knows how to fill; a route with any other parameter is skipped, and
# the skipped routes must be exactly SKIPPED_ROUTES (a new kind of parameter forces a decision).
KNOWN_PARAMS = frozenset({
    "case_id", "material_id", "position", "bundle_case_id", "consent_id", "number", "code", "item_code",
    "object_id", "content_type_id", "id", "app_label", "url", "message_id", "gateway", "site", "window_id", "ticket_id",
    "appointment_id", "action", "notice_id", "task_id", "appeal_id",
})
# Parameters of routes that name nothing of anybody's (the RQ dashboard in the admin): a value of
# the right shape that names no real row, so the request still reaches the view's access check.
DUMMY_PARAMS = {
    "queue_index": 0, "scheduler_index": 0, "connection_index": 0, "job_id": "no-such-job",
    "result_id": "no-such-result", "key": "no-such-worker", "scheduler_name": "no-such-scheduler",
    "cron_job_name": "no-such-cron-job", "token": "nosuchtoken",
}
# A route another pattern answers first is unreachable and skipped too, with the one that wins.
SKIPPED_ROUTES: frozenset[str] = frozenset()

# A's objects that even the staff of the cases' department never reach: drafts, consents, the
# bundle (its members are WJW's) and A's account.
STAFF_NEVER_SEE = frozenset({"draft", "bundle", "consent", "owner", "message", "ticket", "appointment", "appeal"})

# Cells that must succeed, so that the ids are A's and a refusal to the others is a real refusal.
OWNER_REACHES = frozenset({
    ("api-application-detail", "licensed"), ("api-application-detail", "received"), ("api-application-detail", "draft"),
    ("api-application-material", "licensed"), ("api-application-material", "received"),
    ("api-application-material", "draft"), ("api-licence-pdf", "licence"), ("api-bundle-application", "bundle"),
    ("applications:detail", "licensed"), ("applications:detail", "received"), ("applications:edit", "draft"),
    ("licences:pdf", "licence"), ("bundles:case", "bundle"), ("notifications:detail", "message"),
    ("api-hall-ticket", "ticket"), ("applications:notice-pdf", "received"), ("applications:notice-pdf", "licensed"),
    ("ratings:case", "licensed"), ("ratings:case", "received"), ("ratings:visit", "ticket"),
})
STAFF_REACHES = frozenset({
    ("api-application-detail", "licensed"), ("api-application-detail", "received"),
    ("api-application-material", "licensed"), ("api-application-material", "received"),
    ("applications:detail", "licensed"), ("applications:detail", "received"),
    ("api-licence-pdf", "licence"), ("licences:pdf", "licence"), ("api-queue", ""), ("applications:queue", ""),
    ("applications:notice-pdf", "received"), ("applications:notice-pdf", "licensed"),
    ("ratings:task", "rectification"), ("ratings:tasks", ""),
})

# The figure in the module docstring: cells per role. A new route, parameter filling or method
# changes it, and so does a new model in the admin (each adds six routes).
EXPECTED_CELLS = {
    "owner": 463, "resident_b": 1041, "enterprise_b": 1041, "officer_scjg": 463,
    "officer_other": 1041, "approver_other": 1041, "anonymous": 1041,
}
TOTAL_CELLS = sum(EXPECTED_CELLS.values())
assert f"{TOTAL_CELLS} cells" in __doc__, "update the figure in the module docstring"


# ---------------------------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # the namespaced URL name, or the template when the pattern has no name
    template: str
    parts: tuple  # the pattern objects from the root to the leaf
    params: tuple[str, ...]
    callback: object
    extra_methods: tuple[str, ...]  # PUT/PATCH/DELETE when the view class has them


_ROUTE_PARAM = re.compile(r"<(?:\w+:)?(\w+)>")
_REGEX_PARAM = re.compile(r"\(\?P<(\w+)>[^)]*\)\??")


def _params(pattern) -> list[str]:
    if isinstance(pattern, RegexPattern):
        return list(pattern.regex.groupindex)
    return list(getattr(pattern, "converters", {}))


def _extra_methods(callback) -> tuple[str, ...]:
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    return tuple(m for m in ("put", "patch", "delete") if cls is not None and hasattr(cls, m))


def all_routes() -> list[Route]:
    routes = []

    def walk(patterns, parts, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, parts + (p.pattern,), f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern):
                chain = parts + (p.pattern,)
                template = "".join(str(x) for x in chain)
                params = tuple(name for x in chain for name in _params(x))
                name = f"{namespace}{p.name}" if p.name else template
                routes.append(Route(name, template, chain, params, p.callback, _extra_methods(p.callback)))

    walk(get_resolver().url_patterns, (), "")
    return routes


def build_path(route: Route, values: dict) -> str:
    text = ""
    for part in route.parts:
        if isinstance(part, RegexPattern):
            piece = _REGEX_PARAM.sub(lambda m: str(values[m.group(1)]), str(part))
            piece = piece.removeprefix("^").removesuffix("$").replace("/?", "/").replace("\\.", ".")
        else:
            piece = _ROUTE_PARAM.sub(lambda m: str(values[m.group(1)]), str(part))
        text += piece
    return "/" + text


# ---------------------------------------------------------------------------------------------
# A's data
# ---------------------------------------------------------------------------------------------


@dataclass
class Target:
    """One of A's cases, with the ids that go with it in a path."""

    label: str
    case_id: int
    state: str
    version: int
    material_id: int
    notice_id: int  # its first notice (0 for a draft, which has none)


@dataclass
class Seed:
    owner: object
    people: dict
    cases: list[Target]
    licence_number: str
    licence_pk: int
    consent_id: int
    bundle_case_id: int
    bundle_material: str
    case_numbers: list[str]
    message_id: int
    window_id: int
    ticket_id: int
    appointment_id: int
    task_id: int
    appeal_id: int


def api_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def seed_world() -> Seed:
    from yiwang.applications.models import Notice
    from yiwang.registries.services import grant_consent

    owner = make_resident(real_name=OWNER_NAME)
    resident_b = make_resident(real_name="李四")
    resident_b.phone = OTHER_PHONE
    resident_b.save(update_fields=["phone"])
    people = {
        "owner": owner,
        "resident_b": resident_b,
        "enterprise_b": make_enterprise(real_name="另一家公司"),
        "officer_scjg": make_staff(role="window_officer", departments=["SCJG"]),
        "officer_other": make_staff(role="window_officer", departments=["GAZA"]),
        "approver_other": make_staff(role="approver", departments=["TAX"]),
        "anonymous": None,
    }
    a, officer = api_client(owner), api_client(people["officer_scjg"])

    licensed = submitted_case(a, key="matrix-licensed")
    for action in ("accept", "approve", "issue_result"):
        response = act(officer, licensed, action)
        assert response.status_code == 200, response.json()
        licensed = response.json()
    received = submitted_case(a, key="matrix-received")
    created = a.post("/api/v1/applications/", {"item_code": ITEM_ONE_LEVEL, "form_data": FORM}, format="json")
    assert created.status_code == 201, created.json()
    assert upload(a, created.json()["id"], 1, content=MARKED_PDF).status_code == 201
    consent = grant_consent(user=owner, exemptible_via="household:id_card", case_id=created.json()["id"], purpose="矩阵测试")

    cases = []
    for label, body in (("licensed", licensed), ("received", received), ("draft", created.json())):
        detail = a.get(f"/api/v1/applications/{body['id']}/").json()
        first_notice = Notice.objects.filter(case_id=detail["id"]).order_by("pk").first()
        cases.append(Target(label, detail["id"], detail["state"], detail["version"], detail["materials"][0]["id"],
                            first_notice.pk if first_notice else 0))

    started = a.post(f"/api/v1/bundles/{BUNDLE}/applications/",
                     {"answers": BUNDLE_ANSWERS, "form_data": {"phone": FORM["phone"], "address": FORM["address"]}},
                     format="json")
    assert started.status_code == 201, started.json()
    bundle = started.json()
    upload_required(a, bundle)
    submitted = a.post(f"/api/v1/bundle-applications/{bundle['id']}/submit/", HTTP_IDEMPOTENCY_KEY="matrix-bundle")
    assert submitted.status_code == 200, submitted.json()

    from yiwang.licences.models import Licence

    licence = Licence.objects.get(number=licensed["licence_number"])
    numbers = [licensed["number"], received["number"], submitted.json()["number"]]
    from tests.conftest import BackgroundRunner
    from yiwang.notifications.models import Message

    BackgroundRunner().run()  # A's message centre fills from the case events
    message = Message.objects.filter(recipient=owner).order_by("pk").first()
    window, ticket, appointment = _hall_ticket_of(owner)
    from yiwang.ratings import services as ratings

    # A's bad rating of the licensed case, appealed by the SCJG officer: a task and an appeal that are A's.
    task = ratings.rate_case(person=owner, case_id=licensed["id"], level=1, comment="矩阵差评").rectification
    appeal = ratings.file_appeal(officer=people["officer_scjg"], task_id=task.pk, reason="矩阵申诉")
    return Seed(owner, people, cases, licence.number, licence.pk, consent.pk, bundle["id"],
                bundle["materials"][0]["name"], [n for n in numbers if n], message.pk, window.pk, ticket.pk,
                appointment.pk, task.pk, appeal.pk)


def _hall_ticket_of(owner):
    """A hall with one window, a number A took on the phone, and A's appointment for tomorrow."""
    import datetime as dt

    from yiwang.catalog.models import Department
    from yiwang.hall.models import ServiceGroup, Site, SlotCapacity, Window
    from yiwang.hall.services import book_appointment, take_ticket

    site = Site.objects.create(code=HALL_SITE, name="奉贤区行政服务中心", kind="district")
    group = ServiceGroup.objects.create(code="market", prefix="A", name="企业开办与市场准入")
    group.departments.set(Department.objects.filter(code="SCJG"))
    window = Window.objects.create(site=site, code="1")
    SlotCapacity.objects.create(site=site, group=group)
    appointment = book_appointment(person=owner, site=site, group=group, day=dt.date(2026, 3, 11), start=dt.time(9, 30))
    return window, take_ticket(site=site, group=group, channel="phone", taken_by=owner), appointment


# ---------------------------------------------------------------------------------------------
# Filling path parameters
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filling:
    label: str  # which of A's objects the path names ("" when none)
    values: dict
    carries_a: bool  # the path names one of A's objects


_ADMIN_MODEL = re.compile(r"^admin/(\w+)/(\w+)/")


def fillings(route: Route, seed: Seed) -> list[Filling] | None:
    """The ways to fill the route's parameters; None when it has one the matrix cannot fill."""
    params = set(route.params)
    if not params:
        return [Filling("", {}, False)]
    if params <= set(DUMMY_PARAMS):
        return [Filling("", {p: DUMMY_PARAMS[p] for p in params}, False)]
    if params - KNOWN_PARAMS:
        return None
    if "case_id" in params:
        return [Filling(t.label, {"case_id": t.case_id, "material_id": t.material_id, "position": 2,
                                  "notice_id": t.notice_id, "ticket_id": seed.ticket_id}, True)
                for t in seed.cases]
    if params == {"bundle_case_id"}:
        return [Filling("bundle", {"bundle_case_id": seed.bundle_case_id}, True)]
    if params == {"consent_id"}:
        return [Filling("consent", {"consent_id": seed.consent_id}, True)]
    if params == {"message_id"}:
        return [Filling("message", {"message_id": seed.message_id}, True)]
    if params == {"site"}:
        return [Filling("", {"site": HALL_SITE}, False)]
    if params == {"window_id"}:  # a window is nobody's: signing in at it is an officer's to do
        return [Filling("", {"window_id": seed.window_id}, False)]
    if params == {"ticket_id"}:
        return [Filling("ticket", {"ticket_id": seed.ticket_id}, True)]
    if params == {"action"}:  # the officer's window: an action names no row
        return [Filling("", {"action": "call-next"}, False)]
    if params == {"code", "position"}:  # a guide's blank form: public
        return [Filling("", {"code": ITEM_ONE_LEVEL, "position": 1}, False)]
    if params == {"task_id"}:
        return [Filling("rectification", {"task_id": seed.task_id}, True)]
    if params == {"task_id", "action"}:
        return [Filling("rectification", {"task_id": seed.task_id, "action": "call-back"}, True)]
    if params == {"appeal_id"}:
        return [Filling("appeal", {"appeal_id": seed.appeal_id}, True)]
    if params == {"appointment_id"}:
        return [Filling("appointment", {"appointment_id": seed.appointment_id}, True)]
    if params == {"gateway"}:  # the SMS gateways' receipts (they present a token, not a user)
        return [Filling("", {"gateway": "file"}, False)]
    if params == {"number"}:
        return [Filling("licence", {"number": seed.licence_number}, True)]
    if params == {"code"}:
        return [Filling("", {"code": BUNDLE if "bundle" in route.name else ITEM_ONE_LEVEL}, False)]
    if params == {"item_code"}:
        return [Filling("", {"item_code": WINDOW_ONLY_ITEM}, False)]
    if params == {"app_label"}:
        return [Filling("", {"app_label": "applications"}, False)]
    if params == {"url"}:
        return [Filling("", {"url": "no-such-page/"}, False)]
    if params == {"id"}:  # admin: a user's password form
        return [Filling("owner", {"id": seed.owner.pk}, True)]
    if params == {"content_type_id", "object_id"}:  # admin: view on site
        content_type = ContentType.objects.get(app_label="applications", model="case")
        return [Filling(t.label, {"content_type_id": content_type.pk, "object_id": t.case_id}, True) for t in seed.cases]
    if params == {"object_id"}:  # admin change/delete/history of one row
        app_label, model = _ADMIN_MODEL.match(route.template).groups()
        own = {
            ("applications", "case"): [(t.label, t.case_id) for t in seed.cases],
            ("accounts", "user"): [("owner", seed.owner.pk)],
            ("licences", "licence"): [("licence", seed.licence_pk)],
            ("registries", "consent"): [("consent", seed.consent_id)],
        }.get((app_label, model))
        if own:
            return [Filling(label, {"object_id": pk}, True) for label, pk in own]
        return [Filling("", {"object_id": 1}, False)]  # a row of nobody's (or none at all)
    return None


# ---------------------------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------------------------


def _pdf() -> io.BytesIO:
    f = io.BytesIO(PDF_BYTES)
    f.name = "intruder.pdf"
    return f


def _action(role: str, target: Target | None) -> str:
    if role == "officer_other":
        return {"received": "accept", "result_issued": "deliver"}.get(target.state if target else "", "accept")
    if role == "approver_other":
        return "approve"
    return "withdraw"


def write_request(route: Route, filling: Filling, role: str, seed: Seed) -> dict:
    """Keyword arguments of a POST/PATCH that would do harm if the route accepted it from `role`."""
    target = next((t for t in seed.cases if t.label == filling.label), None)
    name = route.name
    as_json = lambda body: {"data": json.dumps(body), "content_type": "application/json"}  # noqa: E731
    changed_form = {"phone": "13700137000", "address": "上海市奉贤区被篡改路1号"}
    if name in ("api-application-action", "applications:act"):
        body = {"action": _action(role, target), "version": target.version, "opinion": "越权操作", "missing_materials": [1]}
        return as_json(body) if name.startswith("api-") else {"data": body}
    if name in ("api-application-materials", "applications:upload"):
        return {"data": {"position": 1, "file": _pdf()}}
    if name == "api-application-submit":
        return {"HTTP_IDEMPOTENCY_KEY": "intruder"}
    if name == "applications:submit":
        return {"data": {"idempotency_key": "intruder", **changed_form}}
    if name == "applications:edit":
        return {"data": changed_form}
    if name in ("api-application-detail", "api-bundle-application"):
        return as_json({"form_data": changed_form})
    if name == "api-material-fetch":
        return as_json({"consent": True})
    if name == "registries:fetch":
        return {"data": {"consent": "yes"}}
    if name == "api-licence-revoke":
        return as_json({"reason": "越权吊销"})
    if name in ("api-bundle-application-materials", "api-bundle-application-supplements", "bundles:upload"):
        return {"data": {"material_name": seed.bundle_material, "file": _pdf()}}
    if name == "api-bundle-application-fetch":
        return as_json({"material_name": seed.bundle_material, "consent": True})
    if name == "bundles:fetch":
        return {"data": {"material_name": seed.bundle_material, "consent": "yes"}}
    if name == "api-bundle-application-submit":
        return {"HTTP_IDEMPOTENCY_KEY": "intruder"}
    if name == "bundles:submit":
        return {"data": {"idempotency_key": "intruder", **changed_form}}
    if name == "api-bundle-guidance":
        return as_json({"answers": BUNDLE_ANSWERS})
    if name == "bundles:save-form":
        return {"data": changed_form}
    # Everything else (creation routes, login and registration forms, logout, the admin) gets an
    # empty body: what matters there is that it creates or reveals nothing of A's.
    return {}


@dataclass(frozen=True)
class Cell:
    role: str
    route: Route
    filling: Filling
    method: str
    path: str


def plan(seed: Seed) -> tuple[list[Cell], list[str]]:
    cells, skipped = [], []
    for route in all_routes():
        found = fillings(route, seed)
        if found is None:
            skipped.append(route.name)
            continue
        for filling in found:
            path = build_path(route, filling.values)
            match = resolve(path)
            if match.func is not route.callback:  # an earlier pattern answers this path: unreachable
                skipped.append(f"{route.name} (shadowed by {match.view_name})")
                break
            query = GET_QUERIES.get(route.name)
            for role in ROLES:
                methods = ("get",) if role in INSIDERS else ("get", "post", *route.extra_methods)
                cells.extend(Cell(role, route, filling, method, f"{path}?{query}" if query and method == "get" else path)
                             for method in methods)
    return cells, skipped


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)  # the test client closes it (without closing the database)
    return response.content


def needles(seed: Seed) -> dict[str, list[bytes]]:
    def forms(text: str) -> list[bytes]:
        return [text.encode(), json.dumps(text)[1:-1].encode()]  # as is, and \u-escaped in JSON

    owner = seed.owner
    found = {"real name": forms(owner.real_name), "ID number": forms(owner.id_number), "phone": forms(FORM["phone"]),
             "uploaded file": [MARKER]}
    for number in seed.case_numbers:
        found[f"case number {number}"] = forms(number)
    return found


def snapshot() -> dict:
    """Every row a request could change (sessions, login attempts and rate-limit counters aside)."""
    from yiwang.accounts.models import User
    from yiwang.applications.models import Case, CaseEvent, CaseMaterial, Notice
    from yiwang.bundles.models import BundleCase, BundleCaseMember
    from yiwang.licences.models import Licence
    # Notification settings are left out: the settings page changes the signed-in person's own only.
    from yiwang.notifications.models import Delivery, DeliveryReceipt, Message
    from yiwang.ratings.models import Appeal, Rating, Rectification, RectificationEvent
    from yiwang.registries.models import Consent, DataAccess

    rows = {m.__name__: list(m.objects.order_by("pk").values()) for m in (
        Case, CaseEvent, CaseMaterial, Notice, Licence, Consent, DataAccess, BundleCase, BundleCaseMember,
        Delivery, DeliveryReceipt, Rating, Rectification, RectificationEvent, Appeal)}
    rows["Message"] = list(Message.objects.order_by("pk").values())
    for row in rows["Message"]:
        row.pop("read_at")  # the owner opening a message reads it
    rows["User"] = list(User.objects.order_by("pk").values())
    for row in rows["User"]:
        row.pop("last_login")  # the matrix signs its roles in (again after a logout)
    return rows


# ---------------------------------------------------------------------------------------------
# The matrix
# ---------------------------------------------------------------------------------------------


def run(cells: list[Cell], seed: Seed) -> list[tuple[Cell, int, bytes]]:
    clients, session_of = {}, {}
    for index, role in enumerate(ROLES):
        clients[role] = Client(raise_request_exception=False, REMOTE_ADDR=f"10.1.0.{index + 1}")  # one address each
        if seed.people[role] is not None:
            clients[role].force_login(seed.people[role])
            session_of[role] = clients[role].cookies[settings.SESSION_COOKIE_NAME].value
    results = []
    for cell in cells:
        client = clients[cell.role]
        kwargs = write_request(cell.route, cell.filling, cell.role, seed) if cell.method != "get" else {}
        response = getattr(client, cell.method)(cell.path, **kwargs)
        results.append((cell, response.status_code, body_of(response)))
        # Logout and the language switch change the client's cookies: back to the role, signed in.
        client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
        person = seed.people[cell.role]
        if person is not None:
            current = client.cookies.get(settings.SESSION_COOKIE_NAME)
            if current is None or current.value != session_of[cell.role]:
                client.force_login(person)
                session_of[cell.role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return results


def failures_of(results, seed: Seed) -> list[str]:
    secret = needles(seed)
    failures = []
    for cell, status, body in results:
        label = f" [{cell.filling.label}]" if cell.filling.label else ""
        where = f"{cell.role} {cell.method.upper()} {cell.path} ({cell.route.name}{label}) -> {status}"
        ok = 200 <= status < 300
        shown = [what for what, forms in secret.items() if any(f in body for f in forms)]
        if status >= 500:
            failures.append(f"{where}: server error")
        elif cell.role == "owner":
            continue
        elif cell.role == "officer_scjg":
            # The cases' own department sees A's submitted cases (that is its job), never in full
            # A's ID number or mobile, and never what is not a submitted case of its department.
            for what in ("ID number", "phone"):
                if what in shown:
                    failures.append(f"{where}: shows A's {what} in full to staff")
            if cell.filling.label in STAFF_NEVER_SEE and (ok or shown):
                seen = f" ({', '.join(shown)})" if shown else ""
                failures.append(f"{where}: A's {cell.filling.label} reached staff{seen}")
        else:
            public = cell.route.name in PUBLIC_ROUTES
            if ok and cell.filling.carries_a and not public:
                failures.append(f"{where}: a 2xx on a route naming A's {cell.filling.label}")
            if ok and cell.role == "anonymous" and not public:
                failures.append(f"{where}: a 2xx for an anonymous visitor on a route that is not public")
            leaked = [what for what in shown if not public or what in ("ID number", "phone")]
            if leaked:
                failures.append(f"{where}: shows A's {', '.join(leaked)}")
    return failures


def reached(results, role: str) -> set[tuple[str, str]]:
    return {(c.route.name, c.filling.label) for c, status, _ in results if c.role == role and 200 <= status < 300}


def test_no_role_reaches_another_persons_data(catalog, settings_media):
    seed = seed_world()
    cells, skipped = plan(seed)
    assert sorted(skipped) == sorted(SKIPPED_ROUTES), f"routes the matrix cannot request: {skipped}"
    by_role = Counter(cell.role for cell in cells)
    print(f"\naccess matrix: {len(cells)} cells, {dict(by_role)}")
    assert len(cells) == TOTAL_CELLS
    assert dict(by_role) == EXPECTED_CELLS

    before = snapshot()
    results = run(cells, seed)
    assert snapshot() == before, "a request of the matrix changed data"

    failures = failures_of(results, seed)
    assert not failures, f"{len(failures)} of {len(cells)} cells fail:\n" + "\n".join(failures)
    # The denials above are real: the same paths do reach A's data for those who may see it.
    assert OWNER_REACHES <= reached(results, "owner"), OWNER_REACHES - reached(results, "owner")
    assert STAFF_REACHES <= reached(results, "officer_scjg"), STAFF_REACHES - reached(results, "officer_scjg")
    # And PUBLIC_ROUTES holds no stale entry: anonymous gets a 2xx on each of them.
    assert {name for name, _ in reached(results, "anonymous")} == PUBLIC_ROUTES
