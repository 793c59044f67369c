"""The kiosk's touch-screen pages, mounted at /kiosk/: big targets, few words, Chinese by default and
关怀模式 always on; the terminal's own device agent (card reader, printer) is reached from the page.

A terminal is set up once at ``device/`` with its token (kept in a signed cookie). A person signs in
with their ID card (the agent reads it) or with their phone (a one-time QR code confirmed on the
phone at ``/kiosk/confirm/<code>/``); the kiosk then acts for them: records, a hall number, an
application of the kiosk's items, their cases and licences, printing. ``end/`` wipes the visit —
the page calls it when the person leaves or the screen sits idle, and the server ends an idle
visit by itself too.
"""

from __future__ import annotations

import json
import uuid
from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.accounts.models import User
from yiwang.applications import constants as case_c
from yiwang.applications.presentation import field_rows, posted_form_values
from yiwang.applications.selectors import applicant_cases, case_form_fields, case_materials, get_case_for
from yiwang.core.errors import DomainError
from yiwang.core.i18n import english, error_text, say
from yiwang.core.middleware import CONTENT_SECURITY_POLICY
from yiwang.core.qr import qr_svg
from yiwang.kiosks import services, visit
from yiwang.kiosks.authentication import kiosk_for_token
from yiwang.kiosks.visit import Terminal

STOP_POLLING = 286  # htmx stops an `every 1s` poll on this status (an expired or used code)


def _csp() -> str:
    agent = urlsplit(settings.KIOSK["agent_url"])
    origin = f"{agent.scheme}://{agent.netloc}"
    return CONTENT_SECURITY_POLICY.replace("connect-src 'self'", f"connect-src 'self' {origin}")


def _page(request, template: str, context: dict | None = None, *, status: int = 200, terminal: Terminal | None = None):
    terminal = terminal or getattr(request, "kiosk_terminal", None)
    response = render(request, template, {
        "terminal": terminal, "agent_url": settings.KIOSK["agent_url"],
        "idle_seconds": settings.KIOSK["idle_seconds"], "idle_warning_seconds": settings.KIOSK["idle_warning_seconds"],
        "person": getattr(request, "kiosk_person", None), **(context or {})}, status=status)
    response["Content-Security-Policy"] = _csp()
    response["Cache-Control"] = "no-store"
    return response


def _refusal(request, error: DomainError):
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse(error.as_dict(), status=error.status)
    return _page(request, "kiosks/kiosk/refusal.html", {"message": error_text(error), "code": error.code}, status=error.status)


def _terminal_page(view):
    """The page needs the terminal set up (else its set-up page); a revoked token says so."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        found = visit.terminal(request)
        if found is None:
            if visit.had_terminal_cookie(request):
                # It stays out of service (no token prompt for the public) until staff set it up again.
                return _page(request, "kiosks/kiosk/revoked.html", status=403)
            return redirect("kiosk:device")
        request.kiosk_terminal = found
        try:
            return view(request, *args, **kwargs)
        except DomainError as error:
            return _refusal(request, error)

    return wrapper


def _person_page(view):
    """The page acts for the person signed in at the kiosk; an idle visit is ended here too."""

    @_terminal_page
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        person_id = visit.person_id(request)
        if person_id is not None and visit.is_idle(request):
            _end(request)
            return redirect(f"{reverse('kiosk:start')}?ended=idle")
        person = User.objects.filter(pk=person_id).first() if person_id else None
        if person is None:
            return redirect("kiosk:start")
        request.kiosk_person = person
        visit.touch(request)
        return view(request, *args, **kwargs)

    return wrapper


def _end(request) -> None:
    person_id = visit.person_id(request)
    person = User.objects.filter(pk=person_id).first() if person_id else None
    if person is not None:
        services.end_visit(kiosk=request.kiosk_terminal.kiosk, person=person, draft_ids=visit.drafts(request))
    request.session.flush()


def _json_body(request) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise DomainError("bad_json", "请求不是有效的 JSON 对象。", "The request is not a JSON object.", status=400)
    return body


@require_http_methods(["GET", "POST"])
def device(request):
    """Set this browser up as a kiosk: its token once; the signed cookie carries it from then on."""
    if request.method == "POST":
        token = request.POST.get("token", "").strip()
        found = kiosk_for_token(token) if token else None
        if found is None:
            return _page(request, "kiosks/kiosk/device.html", {"error": gettext("终端令牌无效或已停用。")}, status=400)
        response = redirect("kiosk:start")
        response.set_signed_cookie(visit.KIOSK_COOKIE, token, salt=visit.KIOSK_COOKIE_SALT, max_age=10 * 365 * 86400,
                                   httponly=True, samesite="Strict", secure=settings.SESSION_COOKIE_SECURE)
        return response
    return _page(request, "kiosks/kiosk/device.html")


@require_GET
@_terminal_page
def start(request):
    """The start screen: sign in with an ID card or a phone. A visit still open here is ended."""
    if visit.person_id(request) is not None:
        _end(request)
    return _page(request, "kiosks/kiosk/start.html", {"ended": request.GET.get("ended", "")})


@require_POST
@_terminal_page
def sign_in_card(request):
    """The page read the card through the agent and posts its fields; the kiosk vouches for the reader."""
    body = _json_body(request)
    person = services.sign_in_with_card(kiosk=request.kiosk_terminal.kiosk, card=body.get("card"))
    visit.begin(request, person, card_address=str((body.get("card") or {}).get("address") or "")[:200])
    return JsonResponse({"redirect": reverse("kiosk:menu")})


@require_GET
@_terminal_page
def sign_in_qr(request):
    """A one-time QR code for the resident's signed-in phone; the page asks every second whether it was confirmed."""
    sign_in, code = services.start_qr_sign_in(kiosk=request.kiosk_terminal.kiosk)
    request.session[visit.QR_SIGN_IN] = sign_in.pk
    url = f"{settings.PUBLIC_URL}{reverse('kiosk:confirm', args=[code])}"
    return _page(request, "kiosks/kiosk/qr.html", {"qr": qr_svg(url, size_px=280, label=gettext("手机扫码登录")),
                                                   "sign_in": sign_in, "confirm_url": url})


@require_GET
@_terminal_page
def sign_in_qr_poll(request):
    """htmx poll: nothing yet (204), or the person confirmed on the phone (HX-Redirect to the menu)."""
    sign_in_id = request.session.get(visit.QR_SIGN_IN)
    if sign_in_id is None:
        return _page(request, "kiosks/kiosk/_qr_state.html", {"message": gettext("二维码无效，请重新生成。")}, status=STOP_POLLING)
    try:
        person = services.claim_qr_sign_in(kiosk=request.kiosk_terminal.kiosk, sign_in_id=sign_in_id)
    except DomainError as error:
        return _page(request, "kiosks/kiosk/_qr_state.html", {"message": error_text(error)}, status=STOP_POLLING)
    if person is None:
        return HttpResponse(status=204)
    visit.begin(request, person)
    response = HttpResponse(status=204)
    response["HX-Redirect"] = reverse("kiosk:menu")
    return response


@require_http_methods(["GET", "POST"])
@login_required
def confirm(request, code: str):
    """On the resident's phone: which kiosk asks, and a button to let it act for them (once)."""
    try:
        if request.method == "POST":
            sign_in = services.confirm_qr_sign_in(code=code, person=request.user)
            return render(request, "kiosks/confirm.html", {"sign_in": sign_in, "confirmed": True})
        sign_in = services.peek_qr_sign_in(code=code)
    except DomainError as error:
        return render(request, "core/error.html", {"status": error.status, "message": error.message,
                                                   "message_en": error.message_en}, status=error.status)
    return render(request, "kiosks/confirm.html", {"sign_in": sign_in, "confirmed": False})


@require_GET
@_person_page
def menu(request):
    return _page(request, "kiosks/kiosk/menu.html")


@require_GET
@_person_page
def records(request):
    from yiwang.registries.selectors import self_query_kinds

    return _page(request, "kiosks/kiosk/records.html", {"kinds": self_query_kinds("en" if english() else "zh-hans")})


@require_POST
@_person_page
def record(request):
    """Ask the registry for one of the person's own records; show it with a print button."""
    from yiwang.registries.record_display import receipt_lines
    from yiwang.registries.services import query_own_record

    kiosk = request.kiosk_terminal.kiosk
    envelope = query_own_record(person=request.kiosk_person, scope=request.POST.get("scope", ""), actor=request.kiosk_person,
                                channel="kiosk", kiosk_code=kiosk.code)
    services.record_transaction(kiosk=kiosk, kind="query", reference=uuid.uuid4().hex, person=request.kiosk_person)
    lines = receipt_lines(envelope, english=english())
    job = {"title": say(envelope["record_name"], envelope.get("record_name_en", ""))[:40], "lines": [list(x) for x in lines[:40]],
           "footer": f"{envelope.get('issuer', '')} · {kiosk.code}"[:200], "qr_url": ""}
    return _page(request, "kiosks/kiosk/record.html", {"envelope": envelope, "lines": _unwrapped(lines), "print_job": job})


def _unwrapped(lines: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Receipt lines for the screen: a value the receipt's width split (continuation lines have no
    label) is one value again."""
    shown: list[list[str]] = []
    for label, value in lines:
        if not label and shown:
            shown[-1][1] += value
        else:
            shown.append([label, value])
    return [(label, value) for label, value in shown]


@require_http_methods(["GET", "POST"])
@_person_page
def ticket(request):
    """A number of this site's hall for the person, printed on the spot."""
    from yiwang.hall.models import ServiceGroup

    kiosk = request.kiosk_terminal.kiosk
    if request.method == "POST":
        try:
            group_id = int(request.POST.get("group", ""))
        except ValueError:
            group_id = 0
        taken = services.take_ticket_at_kiosk(kiosk=kiosk, person=request.kiosk_person, group_id=group_id,
                                              reference=request.POST.get("reference", "")[:64] or uuid.uuid4().hex)
        job = {"title": gettext("排队号"), "lines": [[gettext("号码"), taken.number],
                                                     [gettext("业务"), say(taken.group.name, taken.group.name_en)],
                                                     [gettext("场所"), say(kiosk.site.name, kiosk.site.name_en)]],
               "footer": gettext("请留意叫号屏，过号请重新取号。"), "qr_url": ""}
        return _page(request, "kiosks/kiosk/ticket_taken.html", {"ticket": taken, "print_job": job})
    groups = ServiceGroup.objects.all()
    return _page(request, "kiosks/kiosk/ticket.html", {"groups": groups, "reference": uuid.uuid4().hex})


@require_GET
@_person_page
def items(request):
    kiosk = request.kiosk_terminal.kiosk
    offered = [i for i in kiosk.items.select_related("department").order_by("code") if "kiosk" in (i.channels or [])]
    return _page(request, "kiosks/kiosk/items.html", {"items": offered})


@require_POST
@_person_page
def apply_start(request, code: str):
    case = services.start_application_at_kiosk(kiosk=request.kiosk_terminal.kiosk, person=request.kiosk_person, item_code=code,
                                               address=visit.card_address(request))
    visit.remember_draft(request, case.pk)
    return redirect("kiosk:apply", case_id=case.pk)


def _apply_page(request, case, *, values=None, errors=None, message: str = "", status: int = 200):
    fields = case_form_fields(case)
    materials = case_materials(case)
    return _page(request, "kiosks/kiosk/apply.html", {
        "case": case, "item_name": say(case.item.name, case.item.name_en),
        "fields": field_rows(fields, {**case.form_data, **(values or {})}, errors),
        "fetched": [m for m in materials if m.get("exemptible_via")],
        "reference": uuid.uuid4().hex, "message": message}, status=status)


@require_http_methods(["GET", "POST"])
@_person_page
def apply(request, case_id: int):
    """The item's form, one consent for the records fetched instead of brought, and submit.

    The page submits with a reference of its own: when the network drops the answer it tries the
    same reference again, and the platform answers with the case that first try submitted.
    """
    case = get_case_for(request.kiosk_person, case_id)
    # Only this visit's drafts are filled here; a retry may find its case submitted already.
    if case.state == case_c.DRAFT and case_id not in visit.drafts(request):
        raise DomainError("case_not_found", "办件不存在。", "Case not found.", status=404)
    if request.method == "GET":
        return _apply_page(request, case)
    values = posted_form_values(request.POST, case_form_fields(case))
    try:
        submitted = services.submit_application_at_kiosk(
            kiosk=request.kiosk_terminal.kiosk, person=request.kiosk_person, case_id=case.pk, form_data=values,
            consented=request.POST.get("consent") == "yes", reference=request.POST.get("reference", ""))
    except DomainError as error:
        if request.headers.get("Accept", "").startswith("application/json"):
            return JsonResponse(error.as_dict(), status=error.status)
        from yiwang.applications.views import _field_errors

        return _apply_page(request, case, values=values, errors=_field_errors(error), message=error_text(error),
                           status=error.status)
    target = reverse("kiosk:case", args=[submitted.pk])
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"redirect": target, "case": submitted.number})
    return redirect(target)


@require_GET
@_person_page
def cases(request):
    mine = applicant_cases(request.kiosk_person).exclude(state=case_c.DRAFT).select_related("item")[:20]
    return _page(request, "kiosks/kiosk/cases.html", {"cases": [_case_row(c) for c in mine]})


def _case_row(case) -> dict:
    return {"case": case, "item_name": say(case.item.name, case.item.name_en),
            "state": say(dict(case_c.STATES).get(case.state, case.state), case_c.STATES_EN.get(case.state, case.state))}


@require_GET
@_person_page
def case(request, case_id: int):
    found = get_case_for(request.kiosk_person, case_id)
    if found.state == case_c.DRAFT:
        raise DomainError("case_not_found", "办件不存在。", "Case not found.", status=404)
    row = _case_row(found)
    lines = [[gettext("办件编号"), found.number], [gettext("事项"), row["item_name"]], [gettext("状态"), row["state"]],
             [gettext("提交时间"), localtime(found.submitted_at).strftime("%Y-%m-%d %H:%M") if found.submitted_at else ""]]
    if found.promised_due:
        lines.append([gettext("承诺办结日期"), found.promised_due.isoformat()])
    job = {"title": gettext("办件回执"), "lines": lines, "footer": gettext("可在一网通办“我的办件”查看进度。"),
           "qr_url": f"{settings.PUBLIC_URL}{reverse('applications:detail', args=[found.pk])}"}
    return _page(request, "kiosks/kiosk/case.html", {**row, "lines": lines, "print_job": job})


@require_GET
@_person_page
def licences(request):
    from yiwang.licences.selectors import valid_licences_held_by, verification_url

    held = list(valid_licences_held_by(request.kiosk_person.id_number or ""))
    rows = []
    for licence in held:
        job = {"title": licence.title[:40], "lines": [[gettext("证照编号"), licence.number], [gettext("持证人"), licence.holder_name],
                                                     [gettext("发证日期"), licence.issued_at.date().isoformat()]],
               "footer": gettext("扫码核验真伪"), "qr_url": verification_url(licence.number)}
        rows.append({"licence": licence, "print_job": job, "job_id": f"print-licence-{licence.pk}"})
    return _page(request, "kiosks/kiosk/licences.html", {"rows": rows})


@require_POST
@_person_page
def printed(request):
    """The page reports what the printer did with a job, for the fleet's figures."""
    body = _json_body(request)
    outcome = body.get("outcome") if body.get("outcome") in ("done", "failed", "cancelled") else "failed"
    services.record_transaction(kiosk=request.kiosk_terminal.kiosk, kind="print", reference=str(body.get("reference", ""))[:64],
                                outcome=outcome, person=request.kiosk_person)
    return JsonResponse({"recorded": True})


@require_POST
@_person_page
def still_here(request):
    """The person is using the page without loading another (typing a form): their visit goes on."""
    return JsonResponse({"idle_seconds": settings.KIOSK["idle_seconds"]})


@require_POST
@_terminal_page
def end(request):
    """Wipe the visit: unsubmitted drafts and their files, the session, the visit's cookies and the
    page's storage (Clear-Site-Data); the terminal's own cookie stays."""
    _end(request)
    response = JsonResponse({"redirect": reverse("kiosk:start")})
    response["Clear-Site-Data"] = '"cache", "storage"'
    for name in visit.VISIT_COOKIES:
        response.delete_cookie(name)
    return response
