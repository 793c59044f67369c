"""Pages of the hall (mounted at /hall/): the ticket machine, the calling screen, the officer's window.

A hall device signs in once with its token (`/hall/device/`); the browser session then carries
the device, as a kiosk browser keeps its cookie. The officer's window is post/redirect/get: each
action answers with the console again, its refusal shown on it.
"""

from __future__ import annotations

import csv
import datetime as dt

from django.conf import settings
from django.contrib import messages as flash
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yiwang.accounts import constants as roles
from yiwang.accounts import selectors as accounts
from yiwang.accounts.permissions import applicant_required, staff_required
from yiwang.applications.presentation import field_rows, posted_form_values
from yiwang.applications import constants as case_states
from yiwang.applications import selectors as case_selectors
from yiwang.core.errors import DomainError, NotFound, ValidationFailed
from yiwang.core.i18n import say
from yiwang.core.qr import qr_svg
from yiwang.hall import constants as c
from yiwang.hall import selectors, services
from yiwang.hall.authentication import SESSION_DEVICE, device_for_token, session_device
from yiwang.hall.models import ServiceGroup, Site, Ticket, Window

def _said(refusal: DomainError) -> str:
    return refusal.message_en if get_language().startswith("en") else refusal.message


@require_GET
def site_list(request):
    return render(request, "hall/sites.html", {"sites": selectors.active_sites()})


@require_http_methods(["GET", "POST"])
def device_sign_in(request):
    """A ticket machine or calling screen presents its token once; its session carries it from then on."""
    if request.method == "POST":
        device = device_for_token(request.POST.get("token", "").strip())
        if device is None:
            flash.error(request, gettext("设备令牌无效或已停用。"))
            return redirect("hall:device")
        request.session.cycle_key()
        request.session[SESSION_DEVICE] = device.pk
        if device.kind == c.DEVICE_EVALUATOR:
            return redirect("ratings:evaluator")
        target = "hall:take" if device.kind == c.DEVICE_TICKET_MACHINE else "hall:screen"
        return redirect(target, site=device.site.code)
    return render(request, "hall/device.html")


def _site_or_404(code: str) -> Site:
    return get_object_or_404(Site, code=code, active=True)


@require_http_methods(["GET", "POST"])
def take(request, site: str):
    """The ticket machine's touch screen (or a resident's phone): a button per group."""
    place = _site_or_404(site)
    device = session_device(request)
    machine = device is not None and device.kind == c.DEVICE_TICKET_MACHINE and device.site_id == place.pk
    if not machine and not accounts.is_resident_like(request.user):
        return render(request, "hall/needs_device.html", {"site": place}, status=403)
    groups = ServiceGroup.objects.all()
    if request.method == "POST":
        group = ServiceGroup.objects.filter(pk=request.POST.get("group") or 0).first()
        priority = c.PRIORITY_GREEN if machine and request.POST.get("priority") == c.PRIORITY_GREEN else c.PRIORITY_NORMAL
        try:
            if group is None:
                raise DomainError("group_required", "请选择业务。", "Choose a service.")
            ticket = services.take_ticket(
                site=place, group=group, id_number=request.POST.get("id_number", "").strip(), priority=priority,
                channel=c.CHANNEL_MACHINE if machine else c.CHANNEL_PHONE, device=device if machine else None,
                taken_by=None if machine else request.user)
        except DomainError as refused:
            return render(request, "hall/take.html", {"site": place, "groups": groups, "machine": machine,
                                                      "error": _said(refused)}, status=refused.status)
        rating_url = f"{settings.PUBLIC_URL}/ratings/ticket/{ticket.pk}/?t={selectors.ticket_code(ticket.pk)}"
        return render(request, "hall/ticket.html", {
            "site": place, "ticket": ticket, "ahead": selectors.people_ahead(ticket), "machine": machine,
            "rating_url": rating_url, "rating_qr": mark_safe(qr_svg(rating_url, size_px=140, label=gettext("办理结束后扫码评价"))),
            "wait_minutes": -(-selectors.estimated_wait_seconds(ticket) // 60)})
    return render(request, "hall/take.html", {"site": place, "groups": groups, "machine": machine})


def _may_watch(request, place: Site) -> bool:
    device = session_device(request)
    if device is not None:
        return device.kind == c.DEVICE_SCREEN and device.site_id == place.pk
    return accounts.has_role(request.user, roles.ROLE_WINDOW_OFFICER, roles.ROLE_HALL_MANAGER)


@require_GET
def screen(request, site: str):
    """The calling screen: the latest calls and the waiting counts, refreshed by hall/screen.js."""
    place = _site_or_404(site)
    if not _may_watch(request, place):
        return render(request, "hall/needs_device.html", {"site": place}, status=403)
    return render(request, "hall/screen.html", {"site": place})


@require_GET
def screen_feed(request, site: str):
    """JSON for the screen: announcements after ?after= (in order), and waiting counts per group letter."""
    place = _site_or_404(site)
    if not _may_watch(request, place):
        return JsonResponse({"code": "not_a_screen", "message": "仅限叫号屏或大厅工作人员使用。",
                             "message_en": "For calling screens and hall staff only."}, status=403)
    try:
        after = int(request.GET.get("after", "0"))
    except ValueError:
        return JsonResponse({"code": "bad_after", "message": "after 须为整数。", "message_en": "after must be an integer."},
                            status=400)
    calls = selectors.calls_after(place, after)
    return JsonResponse({
        "calls": [{"id": call.id, "number": call.ticket.number, "window": call.window.code, "text": call.text,
                   "text_en": call.text_en} for call in calls],
        "waiting": selectors.waiting_counts(place),
    })


@require_GET
@staff_required(roles=[roles.ROLE_WINDOW_OFFICER])
def console(request):
    """The officer's window: sign in, call, and end each ticket."""
    window = Window.objects.select_related("site").filter(officer=request.user).first()
    if window is not None and window.kind == c.WINDOW_OUTPUT:
        return _render_output(request, window)
    context = {"window": window, "sites": selectors.active_sites(), "groups": ServiceGroup.objects.all(),
               "outcomes": c.OUTCOMES}
    if window is not None:
        current = Ticket.objects.filter(window=window, state=c.CALLED).select_related("group").first()
        context["current"] = current
        served = services.groups_served(window, request.user)
        context["waiting"] = Ticket.objects.filter(site=window.site, state=c.WAITING, group__in=served).count()
        context["missed"] = Ticket.objects.filter(officer=request.user, state=c.NO_SHOW).order_by("-finished_at")[:5]
        context["held"] = Ticket.objects.filter(officer=request.user, state=c.HELD).order_by("called_at")[:10]
        if current is not None:
            context["counter_cases"] = [{"case": case, "state": _state_label(case)}
                                        for case in current.cases.select_related("item").order_by("pk")]
            context["items"] = selectors.items_officer_may_accept(request.user)
            context["other_windows"] = (Window.objects.filter(site=window.site, is_open=True, officer__isnull=False)
                                        .exclude(pk=window.pk).exclude(kind=c.WINDOW_OUTPUT).order_by("pk")[:200])
    else:
        site = Site.objects.filter(code=request.GET.get("site", "")).first() or selectors.active_sites().first()
        context["site"] = site
        context["free_windows"] = Window.objects.filter(site=site, is_open=True, officer__isnull=True).order_by("pk")[:200] \
            if site else []
    return render(request, "hall/console.html", context)


ACTIONS = {
    "sign-in": lambda request, w, t: services.sign_in(officer=request.user, window_id=w),
    "sign-out": lambda request, w, t: services.sign_out(officer=request.user, window_id=w),
    "call-next": lambda request, w, t: services.call_next(officer=request.user, window_id=w),
    "recall": lambda request, w, t: services.recall(officer=request.user, ticket_id=t),
    "no-show": lambda request, w, t: services.no_show(officer=request.user, ticket_id=t),
    "requeue": lambda request, w, t: services.requeue(officer=request.user, ticket_id=t),
    "complete": lambda request, w, t: services.complete(officer=request.user, ticket_id=t,
                                                        outcome=request.POST.get("outcome", "")),
    "transfer": lambda request, w, t: services.transfer(officer=request.user, ticket_id=t,
                                                        group_id=_posted_id(request, "group"),
                                                        window_id=_posted_id(request, "to_window")),
    "hold": lambda request, w, t: services.hold(officer=request.user, ticket_id=t),
    "resume": lambda request, w, t: services.resume(officer=request.user, ticket_id=t),
}


def _posted_id(request, name: str) -> int | None:
    value = request.POST.get(name) or ""
    if value and not value.isdigit():
        raise ValidationFailed("bad_request", "请求无效，请刷新页面后重试。", "Invalid request; reload the page and try again.")
    return int(value) if value else None


@require_POST
@staff_required(roles=[roles.ROLE_WINDOW_OFFICER])
def console_action(request, action: str):
    run = ACTIONS.get(action)
    if run is None:
        raise Http404("unknown action")
    try:
        window_id = int(request.POST.get("window") or 0)
        ticket_id = int(request.POST.get("ticket") or 0)
    except ValueError:
        flash.error(request, gettext("请求无效。"))
        return redirect("hall:console")
    try:
        outcome = run(request, window_id, ticket_id)
    except DomainError as refused:
        flash.error(request, _said(refused))
    else:
        if action == "call-next":
            flash.success(request, gettext("已呼叫 %(number)s 号。") % {"number": outcome.number})
    return redirect("hall:console")


@require_http_methods(["GET", "POST"])
@applicant_required
def appointments(request):
    """A resident's appointments: book a slot of the next five working days, cancel, check in at the hall."""
    site = Site.objects.filter(code=request.GET.get("site") or request.POST.get("site") or "", active=True).first() \
        or selectors.active_sites().first()
    group = ServiceGroup.objects.filter(pk=request.GET.get("group") or request.POST.get("group") or 0).first()
    if request.method == "POST":
        action = request.POST.get("action", "book")
        try:
            if action == "book":
                day = dt.date.fromisoformat(request.POST.get("day", ""))
                start = dt.time.fromisoformat(request.POST.get("start", ""))
                if site is None or group is None:
                    raise DomainError("group_required", "请选择场所和业务。", "Choose a site and a service.")
                services.book_appointment(person=request.user, site=site, group=group, day=day, start=start)
                flash.success(request, gettext("预约成功。"))
            elif action == "cancel":
                services.cancel_appointment(person=request.user, appointment_id=int(request.POST.get("appointment") or 0))
                flash.success(request, gettext("预约已取消。"))
            elif action == "check-in":
                ticket = services.check_in(appointment_id=int(request.POST.get("appointment") or 0), person=request.user)
                flash.success(request, gettext("签到成功，您的号码是 %(number)s。") % {"number": ticket.number})
        except ValueError:
            flash.error(request, gettext("请求无效。"))
        except DomainError as refused:
            flash.error(request, _said(refused))
        query = f"?site={site.code}" + (f"&group={group.pk}" if group else "") if site else ""
        return redirect(f"{request.path}{query}")
    return render(request, "hall/appointments.html", {
        "sites": selectors.active_sites(), "site": site, "groups": ServiceGroup.objects.all(), "group": group,
        "days": selectors.open_slots(site, group) if site and group else [],
        "mine": selectors.appointments_of(request.user)[:20],
    })


# ---------------------------------------------------------------------------------------------
# Front desk: the counter application opened from the called ticket
# ---------------------------------------------------------------------------------------------


@require_POST
@staff_required(roles=[roles.ROLE_WINDOW_OFFICER])
def counter_open(request):
    """Identify the person at the window and start their application for the chosen item."""
    try:
        case = services.open_counter_application(
            officer=request.user, ticket_id=int(request.POST.get("ticket") or 0),
            item_code=request.POST.get("item_code", ""), real_name=request.POST.get("real_name", ""),
            id_number=request.POST.get("id_number", "").strip(), credit_code=request.POST.get("credit_code", "").strip(),
            phone=request.POST.get("phone", "").strip())
    except (DomainError, ValueError) as refused:
        flash.error(request, _said(refused) if isinstance(refused, DomainError) else gettext("请求无效。"))
        return redirect("hall:console")
    return redirect("hall:counter-case", case_id=case.pk)


def _counter_case_or_404(request, case_id: int):
    case = selectors.counter_case_for(request.user, case_id)
    if case is None:
        raise Http404("not a counter case of this officer")
    return case


def _state_label(case) -> str:
    return say(case.get_state_display(), case_states.STATES_EN[case.state])


def _counter_ticket(case, officer) -> Ticket | None:
    """The ticket the officer opened the counter application from."""
    return case.hall_tickets.filter(officer=officer).order_by("-pk").first()


def _render_counter(request, case, *, error: str = "", status: int = 200):
    ticket = _counter_ticket(case, request.user)
    return render(request, "hall/counter.html", {
        "case": case, "ticket": ticket, "error": error, "materials": case_selectors.case_materials(case),
        "fields": field_rows(case_selectors.case_form_fields(case), case.form_data),
        "acceptance": case.notices.filter(kind="acceptance").first(),
        "state_label": _state_label(case),
    }, status=status)


@require_http_methods(["GET", "POST"])
@staff_required(roles=[roles.ROLE_WINDOW_OFFICER])
def counter_case(request, case_id: int):
    """Fill the form, attach scans or fetch records with the person's consent, accept on the spot."""
    case = _counter_case_or_404(request, case_id)
    if request.method == "GET":
        return _render_counter(request, case)
    action = request.POST.get("action", "")
    try:
        if action == "save":
            services.save_counter_form(officer=request.user, case_id=case.pk, form_data=posted_form_values(
                request.POST, case_selectors.case_form_fields(case)))
            flash.success(request, gettext("申请表已保存。"))
        elif action == "upload":
            services.attach_counter_scan(officer=request.user, case_id=case.pk,
                                         position=int(request.POST.get("position") or 0), upload=request.FILES.get("file"))
            flash.success(request, gettext("扫描件已上传。"))
        elif action == "fetch":
            services.fetch_for_counter(officer=request.user, case_id=case.pk, position=int(request.POST.get("position") or 0),
                                       consented=request.POST.get("consent") == "yes")
            flash.success(request, gettext("已调取共享数据。"))
        elif action == "accept":
            ticket = _counter_ticket(case, request.user)
            services.accept_counter_application(officer=request.user, ticket_id=ticket.pk if ticket else 0, case_id=case.pk)
            flash.success(request, gettext("已受理，办件已转入部门后台审批。"))
        else:
            raise Http404("unknown action")
    except (DomainError, ValueError) as refused:
        case.refresh_from_db()
        message = _said(refused) if isinstance(refused, DomainError) else gettext("请求无效。")
        return _render_counter(request, case, error=message, status=getattr(refused, "status", 400))
    return redirect("hall:counter-case", case_id=case.pk)


# ---------------------------------------------------------------------------------------------
# Unified output counter (统一出件)
# ---------------------------------------------------------------------------------------------


def _render_output(request, window: Window, *, error: str = "", status: int = 200):
    return render(request, "hall/output.html", {
        "window": window, "error": error, "awaiting": selectors.awaiting_handovers(window.site),
        "uncollected": selectors.uncollected_handovers(window.site), "uncollected_days": selectors.uncollected_days(),
    }, status=status)


@require_POST
@staff_required(roles=[roles.ROLE_WINDOW_OFFICER])
def output_action(request, action: str):
    window = selectors.output_window_of(request.user)
    if window is None:
        flash.error(request, gettext("请先在统一出件窗口签到。"))
        return redirect("hall:console")
    try:
        case_id = int(request.POST.get("case") or 0)
        if action == "hand-over":
            services.hand_over(officer=request.user, case_id=case_id, id_number=request.POST.get("id_number", "").strip())
            flash.success(request, gettext("已核验身份并交付。"))
        elif action == "mail":
            services.record_mailing(officer=request.user, case_id=case_id, address=request.POST.get("address", ""),
                                    tracking_number=request.POST.get("tracking_number", ""))
            flash.success(request, gettext("已登记邮寄。"))
        elif action == "electronic":
            services.deliver_electronically(officer=request.user, case_id=case_id)
            flash.success(request, gettext("已按电子证照送达。"))
        else:
            raise Http404("unknown action")
    except (DomainError, ValueError) as refused:
        message = _said(refused) if isinstance(refused, DomainError) else gettext("请求无效。")
        return _render_output(request, window, error=message, status=getattr(refused, "status", 400))
    return redirect("hall:console")


@require_POST
@applicant_required
def delivery_choice(request, case_id: int):
    """The applicant chooses, on their case page, how the result waiting at the hall reaches them."""
    try:
        services.request_delivery(person=request.user, case_id=case_id, method=request.POST.get("method", ""),
                                  address=request.POST.get("address", ""))
        flash.success(request, gettext("已记录您选择的送达方式，出件窗口将按此办理。"))
    except DomainError as refused:
        if isinstance(refused, NotFound):
            raise Http404("no handover of this applicant") from None
        flash.error(request, _said(refused))
    return redirect("applications:detail", case_id=case_id)


# ---------------------------------------------------------------------------------------------
# Hall statistics (the hall manager's page, with CSV and a chart drawn on the server)
# ---------------------------------------------------------------------------------------------

STATISTICS_COLUMNS = ["key", "tickets", "served", "no_shows", "abandoned", "wait_p50_seconds", "wait_p90_seconds",
                      "service_mean_seconds"]


def _bars(rows: list[dict]) -> list[dict]:
    """Bar geometry for the SVG chart: tickets per key, scaled to the largest."""
    most = max((row["tickets"] for row in rows), default=0) or 1
    return [{"key": row["key"], "tickets": row["tickets"], "y": 8 + index * 26, "width": round(360 * row["tickets"] / most, 1)}
            for index, row in enumerate(rows[:40])]


@require_GET
@staff_required(roles=[roles.ROLE_HALL_MANAGER, roles.ROLE_ADMINISTRATOR])
def statistics_page(request, site: str):
    place = _site_or_404(site)
    try:
        day_from, day_to, by = selectors.statistics_query(request.GET)
    except DomainError as refused:
        return render(request, "hall/statistics.html", {"site": place, "error": _said(refused),
                                                        "dimensions": selectors.STATISTICS_DIMENSIONS}, status=400)
    figures = selectors.hall_statistics(place, day_from=day_from, day_to=day_to, by=by)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="hall-{place.code}-{by}-{day_from}-{day_to}.csv"'
        response.write("\ufeff")  # so spreadsheet programs read the Chinese as UTF-8
        writer = csv.writer(response)
        writer.writerow(STATISTICS_COLUMNS)
        for row in figures["rows"]:
            writer.writerow(["" if row[column] is None else row[column] for column in STATISTICS_COLUMNS])
        return response
    bars = _bars(figures["rows"])
    return render(request, "hall/statistics.html", {
        "site": place, "figures": figures, "bars": bars, "chart_height": 16 + 26 * len(bars),
        "dimensions": selectors.STATISTICS_DIMENSIONS, "by": by, "day_from": day_from, "day_to": day_to,
        "csv_query": f"from={day_from}&to={day_to}&by={by}&format=csv"})
