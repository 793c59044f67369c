"""Writes of the hall: tickets, windows' sign-in, calling and the ticket's end.

Every function is atomic and takes keyword arguments. Numbers come from the day's counter row,
taken under a lock, so they are unique and gapless per site, group and day; a call takes the
next waiting ticket under `FOR UPDATE SKIP LOCKED` (PostgreSQL), so two windows calling at the
same moment never get the same ticket, and neither waits for the other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from yiwang.accounts.services import walk_in_applicant
from yiwang.applications import constants as case_states
from yiwang.applications import services as application_services
from yiwang.catalog.selectors import get_item
from yiwang.core import clock
from yiwang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yiwang.core.identifiers import IdentifierError, mask_id_card, normalize_credit_code, normalize_id_card
from yiwang.hall import constants as c
from yiwang.hall import rules, selectors
from yiwang.hall.models import (
    Appointment, BookingSuspension, Call, Device, Handover, ServiceGroup, Site, SlotCapacity, Ticket, TicketCounter, Window,
)

logger = logging.getLogger("yiwang.hall")


# ---------------------------------------------------------------------------------------------
# Devices
# ---------------------------------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def register_device(*, site: Site, name: str, kind: str, window: Window | None = None) -> tuple[Device, str]:
    """A new device of the site and its token (shown once; only its digest is kept).

    An evaluator (评价器) faces one window of the site and needs it; other devices have none.
    """
    if kind not in dict(c.DEVICE_KINDS):
        raise ValidationFailed("unknown_device_kind", "设备类型无效。", "Unknown device kind.")
    if (kind == c.DEVICE_EVALUATOR) != (window is not None):
        raise ValidationFailed("evaluator_window", "窗口评价器须指定所在窗口，其他设备不指定窗口。",
                               "An evaluator needs the window it faces; other devices have none.")
    if window is not None and window.site_id != site.pk:
        raise ValidationFailed("window_of_other_site", "该窗口不属于此场所。", "That window belongs to another site.")
    token = secrets.token_urlsafe(32)
    device = Device.objects.create(site=site, name=name, kind=kind, window=window, token_digest=token_digest(token))
    return device, token


# ---------------------------------------------------------------------------------------------
# Tickets
# ---------------------------------------------------------------------------------------------


def _person_digest(id_number: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"hall-person:{id_number}".encode(), hashlib.sha256).hexdigest()


def group_for_item(item) -> ServiceGroup:
    """The group that serves an item: one naming the item itself, else one of its department."""
    group = ServiceGroup.objects.filter(items=item).first() or ServiceGroup.objects.filter(departments=item.department_id).first()
    if group is None:
        raise ValidationFailed("item_not_served_here", "该事项不在大厅取号范围内。", "This item is not served in the hall.")
    return group


def take_ticket(*, site: Site, group: ServiceGroup | None = None, item=None, id_number: str = "", channel: str,
                device: Device | None = None, taken_by=None, priority: str = c.PRIORITY_NORMAL) -> Ticket:
    """Take the next number of a group (or of the group serving `item`) at a site.

    A person named by ID number holds one waiting ticket per group; the site must be open.
    """
    if group is None:
        if item is None:
            raise ValidationFailed("group_or_item_required", "请选择业务分组或事项。", "Choose a service group or an item.")
        group = group_for_item(item)
    person_digest = person_masked = ""
    if id_number:
        try:
            number = normalize_id_card(id_number)
        except IdentifierError as exc:
            raise ValidationFailed("invalid_id_number", f"身份证号码无效：{exc}", f"Invalid ID number: {exc}") from None
        person_digest, person_masked = _person_digest(number), mask_id_card(number)
    now = clock.now()
    if not site.active or not _site_open(site, now):
        raise Conflict("site_closed", f"{site.name}现在不在开放时间内，无法取号。",
                       f"{site.name_en or site.name} is closed now; no tickets can be taken.")
    day = clock.legal_day(now)
    with transaction.atomic():
        if person_digest and Ticket.objects.filter(site=site, group=group, person_digest=person_digest, state=c.WAITING).exists():
            raise Conflict("ticket_already_waiting", "您在该业务分组已有等候中的号码。",
                           "You already hold a waiting ticket for this group.")
        counter, _ = TicketCounter.objects.select_for_update().get_or_create(site=site, group=group, day=day)
        counter.last += 1
        TicketCounter.objects.filter(pk=counter.pk).update(last=counter.last)
        ticket = Ticket.objects.create(
            site=site, group=group, item=item, day=day, sequence=counter.last,
            number=rules.ticket_number(group.prefix, counter.last), priority=priority,
            priority_rank=rules.PRIORITY_RANK[priority], channel=channel, taken_by_device=device, taken_by=taken_by,
            person_digest=person_digest, person_masked=person_masked, taken_at=now,
        )
    logger.info("ticket %s taken at %s (%s)", ticket.number, site.code, channel)
    return ticket


def _site_open(site: Site, at: dt.datetime) -> bool:
    from yiwang.workcalendar.selectors import current_calendar

    working, _ = current_calendar().is_workday(clock.legal_day(at))
    return rules.is_open(site.opening_hours, at.astimezone(clock.LEGAL_TIME_ZONE), working_day=working)


# ---------------------------------------------------------------------------------------------
# Windows and calling
# ---------------------------------------------------------------------------------------------


def _locked_window(window_id: int) -> Window:
    window = Window.objects.select_related("site").select_for_update(of=("self",)).filter(pk=window_id).first()
    if window is None:
        raise NotFound("window_not_found", "窗口不存在。", "Window not found.")
    return window


def sign_in(*, officer, window_id: int) -> Window:
    """The officer takes a window (leaving any other they held)."""
    with transaction.atomic():
        window = _locked_window(window_id)
        if not window.is_open:
            raise Conflict("window_closed", "该窗口已关闭。", "This window is closed.")
        if window.officer_id not in (None, officer.pk):
            raise Conflict("window_taken", "该窗口已有工作人员在岗。", "Another officer is signed in at this window.")
        Window.objects.filter(officer=officer).exclude(pk=window.pk).update(officer=None, signed_in_at=None)
        window.officer, window.signed_in_at = officer, clock.now()
        window.save(update_fields=["officer", "signed_in_at"])
    return window


def sign_out(*, officer, window_id: int) -> Window:
    with transaction.atomic():
        window = _locked_window(window_id)
        _require_signed_in(window, officer)
        window.officer, window.signed_in_at = None, None
        window.save(update_fields=["officer", "signed_in_at"])
    return window


def groups_served(window: Window, officer) -> list[int]:
    """Groups a window calls for its officer: the officer's qualifications, within the window's groups if it has any."""
    qualified = set(officer.hall_qualifications.values_list("group_id", flat=True))
    own = set(window.groups.values_list("pk", flat=True))
    return sorted(qualified & own if own else qualified)


def call_next(*, officer, window_id: int) -> Ticket:
    """Call the next ticket to the officer's window: 绿色通道, then appointments, then by take time."""
    with transaction.atomic():
        window = _locked_window(window_id)
        _require_signed_in(window, officer)
        if Ticket.objects.filter(window=window, state=c.CALLED).exists():
            raise Conflict("ticket_in_service", "请先办结当前号码再叫下一号。", "Finish the current ticket before calling the next.")
        groups = groups_served(window, officer)
        if not groups:
            raise PermissionDenied("not_qualified", "您没有可办理的业务分组资质。", "You are not qualified for any service group.")
        ticket = (Ticket.objects.select_for_update(skip_locked=True)
                  .filter(site=window.site_id, day=clock.today(), state=c.WAITING)
                  .filter(Q(target_window__isnull=True, group__in=groups) | Q(target_window=window))
                  .order_by("priority_rank", "taken_at", "pk").first())
        if ticket is None:
            raise Conflict("no_ticket_waiting", "当前没有等候的号码。", "No ticket is waiting.")
        now = clock.now()
        ticket.state, ticket.window, ticket.officer, ticket.called_at = c.CALLED, window, officer, now
        ticket.calls, ticket.version = 1, ticket.version + 1
        ticket.save(update_fields=["state", "window", "officer", "called_at", "calls", "version"])
        _announce(ticket, window, now)
    logger.info("ticket %s called to window %s at %s", ticket.number, window.code, window.site.code)
    return ticket


def _require_signed_in(window: Window, officer) -> None:
    if window.officer_id != officer.pk:
        raise Conflict("not_signed_in", "请先在该窗口签到。", "Sign in at this window first.")


def _announce(ticket: Ticket, window: Window, at: dt.datetime) -> Call:
    text, text_en = rules.call_text(ticket.number, window.code)
    return Call.objects.create(site_id=ticket.site_id, ticket=ticket, window=window, text=text, text_en=text_en, at=at)


def _served_ticket(officer, ticket_id: int, *, states=(c.CALLED,)) -> Ticket:
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("window").filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound("ticket_not_found", "号码不存在。", "Ticket not found.")
    if ticket.officer_id != officer.pk:
        raise PermissionDenied("not_your_ticket", "该号码不由您办理。", "This ticket is not yours to serve.")
    if ticket.state not in states:
        raise Conflict("ticket_state", f"该号码当前为“{ticket.get_state_display()}”，不能执行此操作。",
                       f"The ticket is {ticket.state}; that cannot be done now.")
    return ticket


def recall(*, officer, ticket_id: int) -> Ticket:
    """Announce the called ticket again (重呼)."""
    with transaction.atomic():
        ticket = _served_ticket(officer, ticket_id)
        Ticket.objects.filter(pk=ticket.pk).update(calls=F("calls") + 1, version=F("version") + 1)
        _announce(ticket, ticket.window, clock.now())
        ticket.refresh_from_db()
    return ticket


def no_show(*, officer, ticket_id: int) -> Ticket:
    """The called person did not come (过号); they may be put back within REQUEUE_MINUTES."""
    with transaction.atomic():
        ticket = _served_ticket(officer, ticket_id)
        ticket.state, ticket.finished_at, ticket.version = c.NO_SHOW, clock.now(), ticket.version + 1
        ticket.save(update_fields=["state", "finished_at", "version"])
    return ticket


def requeue(*, officer, ticket_id: int) -> Ticket:
    """A person who missed their call came back in time: the ticket waits again, with its take time."""
    with transaction.atomic():
        ticket = _served_ticket(officer, ticket_id, states=(c.NO_SHOW,))
        if clock.now() - ticket.finished_at > dt.timedelta(minutes=c.REQUEUE_MINUTES):
            raise Conflict("requeue_too_late", f"过号超过{c.REQUEUE_MINUTES}分钟，请重新取号。",
                           f"More than {c.REQUEUE_MINUTES} minutes since the missed call; please take a new ticket.")
        ticket.state, ticket.window, ticket.officer, ticket.finished_at = c.WAITING, None, None, None
        ticket.version += 1
        ticket.save(update_fields=["state", "window", "officer", "finished_at", "version"])
    return ticket


def transfer(*, officer, ticket_id: int, group_id: int | None = None, window_id: int | None = None) -> Ticket:
    """Send the called person to another group's queue, or to one window; they keep their place by take time."""
    if (group_id is None) == (window_id is None):
        raise ValidationFailed("transfer_target", "请选择转往的业务分组或窗口（二选一）。",
                               "Choose either a service group or a window to transfer to.")
    if window_id is not None:
        return _transfer_to_window(officer=officer, ticket_id=ticket_id, window_id=window_id)
    with transaction.atomic():
        ticket = _served_ticket(officer, ticket_id)
        group = ServiceGroup.objects.filter(pk=group_id).first()
        if group is None:
            raise NotFound("group_not_found", "业务分组不存在。", "Service group not found.")
        if group.pk == ticket.group_id:
            raise ValidationFailed("same_group", "该号码已在此业务分组。", "The ticket is already in that group.")
        open_windows = Window.objects.filter(site=ticket.site_id, is_open=True, officer__isnull=False,
                                             officer__hall_qualifications__group=group)
        if not open_windows.exists():
            raise Conflict("no_open_window", "该业务分组当前没有开放的窗口。", "No window is open for that group now.")
        ticket.group, ticket.state, ticket.window, ticket.officer, ticket.version = group, c.WAITING, None, None, ticket.version + 1
        ticket.target_window = None
        ticket.save(update_fields=["group", "state", "window", "officer", "target_window", "version"])
    return ticket


def _transfer_to_window(*, officer, ticket_id: int, window_id: int) -> Ticket:
    with transaction.atomic():
        ticket = _served_ticket(officer, ticket_id)
        target = Window.objects.filter(pk=window_id, site=ticket.site_id).first()
        if target is None:
            raise NotFound("window_not_found", "窗口不存在。", "Window not found.")
        if target.pk == ticket.window_id:
            raise ValidationFailed("same_window", "该号码已在此窗口。", "The ticket is already at that window.")
        if not target.is_open or target.officer_id is None:
            raise Conflict("window_closed", f"{target.code}号窗口当前未开放或无人在岗。",
                           f"Window {target.code} is closed or has nobody signed in.")
        ticket.state, ticket.window, ticket.officer, ticket.target_window = c.WAITING, None, None, target
        ticket.version += 1
        ticket.save(update_fields=["state", "window", "officer", "target_window", "version"])
    return ticket


def hold(*, officer, ticket_id: int) -> Ticket:
    """Put the called ticket aside (暂挂) while the person fetches something; the window may call the next."""
    with transaction.atomic():
        ticket = _served_ticket(officer, ticket_id)
        ticket.state, ticket.version = c.HELD, ticket.version + 1
        ticket.save(update_fields=["state", "version"])
    return ticket


def resume(*, officer, ticket_id: int) -> Ticket:
    """Serve a held ticket again at the officer's window (announced again)."""
    with transaction.atomic():
        ticket = _served_ticket(officer, ticket_id, states=(c.HELD,))
        window = _locked_window(ticket.window_id)
        _require_signed_in(window, officer)
        if Ticket.objects.filter(window=window, state=c.CALLED).exists():
            raise Conflict("ticket_in_service", "请先办结当前号码再叫下一号。", "Finish the current ticket before calling the next.")
        ticket.state, ticket.calls, ticket.version = c.CALLED, ticket.calls + 1, ticket.version + 1
        ticket.save(update_fields=["state", "calls", "version"])
        _announce(ticket, window, clock.now())
    return ticket


def complete(*, officer, ticket_id: int, outcome: str) -> Ticket:
    """The service at the window ended: accepted, consultation only, or told what is missing."""
    if outcome not in dict(c.OUTCOMES):
        raise ValidationFailed("unknown_outcome", "办理结果无效。", "Unknown outcome.",
                               details={"allowed": list(dict(c.OUTCOMES))})
    with transaction.atomic():
        ticket = _served_ticket(officer, ticket_id, states=(c.CALLED, c.HELD))
        if outcome == c.OUTCOME_ACCEPTED and not ticket.cases.filter(accepted_on__isnull=False).exists():
            raise Conflict("no_case_accepted", "该号码尚未受理任何办件，请先窗口受理或选择其他办理结果。",
                           "No application was accepted for this ticket; accept one first or choose another outcome.")
        ticket.state, ticket.outcome, ticket.finished_at = c.DONE, outcome, clock.now()
        ticket.version += 1
        ticket.save(update_fields=["state", "outcome", "finished_at", "version"])
    return ticket


# ---------------------------------------------------------------------------------------------
# Appointments
# ---------------------------------------------------------------------------------------------


def _rule(name: str):
    return settings.HALL_APPOINTMENTS[name]


def slot_start(appointment: Appointment) -> dt.datetime:
    return dt.datetime.combine(appointment.day, appointment.start, tzinfo=clock.LEGAL_TIME_ZONE)


def _checked_slot(site: Site, group: ServiceGroup, day: dt.date, start: dt.time) -> tuple[SlotCapacity, tuple]:
    """The capacity row (locked: bookings of a site and group queue for it) and the slot asked for."""
    from yiwang.workcalendar.selectors import current_calendar

    calendar = current_calendar()
    if day not in rules.booking_days(clock.today(), calendar):
        raise ValidationFailed("day_not_bookable", "只能预约下一个工作日起的5个工作日内。",
                               "Appointments can be booked from the next working day to the fifth.")
    capacity = SlotCapacity.objects.select_for_update().filter(site=site, group=group).first()
    if capacity is None:
        raise ValidationFailed("no_appointments_here", "该场所的这项业务不接受预约，请现场取号。",
                               "This site takes no appointments for that service; please take a number at the hall.")
    working, _ = calendar.is_workday(day)
    slots = rules.day_slots(site.opening_hours, day, slot_minutes=capacity.slot_minutes, working_day=working)
    slot = next((s for s in slots if s[0] == start), None)
    if slot is None:
        raise ValidationFailed("not_a_slot", "该时段不在开放时间内。", "That time is not a slot within the opening hours.")
    return capacity, slot


def _require_room(capacity: SlotCapacity, day: dt.date, start: dt.time, *, moving: int | None = None) -> None:
    taken = Appointment.objects.filter(site=capacity.site_id, group=capacity.group_id, day=day, start=start,
                                       state__in=(c.BOOKED, c.CHECKED_IN)).exclude(pk=moving).count()
    if taken >= capacity.per_slot:
        raise Conflict("slot_full", "该时段已约满，请选择其他时段。", "That slot is full; please choose another.")


def book_appointment(*, person, site: Site, group: ServiceGroup, day: dt.date, start: dt.time) -> Appointment:
    """Book a slot online: one booking per person, group and day; not while booking is suspended."""
    from yiwang.accounts.selectors import is_resident_like

    if not is_resident_like(person):
        raise PermissionDenied("applicants_only", "仅限个人或企业用户预约。", "Only residents and enterprises book appointments.")
    now = clock.now()
    suspension = BookingSuspension.objects.filter(person=person, until__gt=now).order_by("-until").first()
    if suspension is not None:
        until = suspension.until.astimezone(clock.LEGAL_TIME_ZONE).strftime("%Y-%m-%d")
        raise Conflict("booking_suspended", f"您的网上预约已暂停至{until}，请到大厅现场取号。",
                       f"Online booking is suspended until {until}; please take a number at the hall.")
    with transaction.atomic():
        capacity, (begins, ends) = _checked_slot(site, group, day, start)
        if Appointment.objects.filter(person=person, site=site, group=group, day=day, state=c.BOOKED).exists():
            raise Conflict("already_booked", "您当天已预约该业务。", "You already booked this service on that day.")
        _require_room(capacity, day, start)
        return Appointment.objects.create(site=site, group=group, person=person, day=day, start=begins, end=ends,
                                          booked_at=now)


def _own_booking(person, appointment_id: int) -> Appointment:
    appointment = Appointment.objects.select_for_update().select_related("site", "group").filter(
        pk=appointment_id, person=person).first()
    if appointment is None:
        raise NotFound("appointment_not_found", "预约不存在。", "Appointment not found.")
    _require_booked(appointment)
    if not rules.may_still_change(slot_start(appointment), clock.now(), hours=_rule("change_hours")):
        raise Conflict("too_late_to_change", f"距预约时段不足{_rule('change_hours')}小时，不能取消或改约。",
                       f"Less than {_rule('change_hours')} hours before the slot: it can no longer be changed.")
    return appointment


def _require_booked(appointment: Appointment) -> None:
    if appointment.state != c.BOOKED:
        raise Conflict("appointment_state", f"该预约当前为“{appointment.get_state_display()}”。",
                       f"The appointment is {appointment.state}.")


def cancel_appointment(*, person, appointment_id: int) -> Appointment:
    with transaction.atomic():
        appointment = _own_booking(person, appointment_id)
        appointment.state, appointment.changed_at = c.CANCELLED, clock.now()
        appointment.save(update_fields=["state", "changed_at"])
    _apply_booking_rule(person)
    return appointment


def move_appointment(*, person, appointment_id: int, day: dt.date, start: dt.time) -> Appointment:
    """Move a booking to another slot of the same site and group (not counted as a cancellation)."""
    with transaction.atomic():
        appointment = _own_booking(person, appointment_id)
        capacity, (begins, ends) = _checked_slot(appointment.site, appointment.group, day, start)
        if day != appointment.day and Appointment.objects.filter(
                person=person, site=appointment.site, group=appointment.group, day=day, state=c.BOOKED).exists():
            raise Conflict("already_booked", "您当天已预约该业务。", "You already booked this service on that day.")
        _require_room(capacity, day, start, moving=appointment.pk)
        appointment.day, appointment.start, appointment.end, appointment.changed_at = day, begins, ends, clock.now()
        appointment.save(update_fields=["day", "start", "end", "changed_at"])
    return appointment


def check_in(*, appointment_id: int, person=None, device: Device | None = None) -> Ticket:
    """At the hall, around the slot: the booking becomes a ticket called before walk-ins of its group."""
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().select_related("site", "group").filter(pk=appointment_id).first()
        if appointment is None or (person is not None and appointment.person_id != person.pk) or (
                device is not None and device.site_id != appointment.site_id):
            raise NotFound("appointment_not_found", "预约不存在。", "Appointment not found.")
        _require_booked(appointment)
        if not rules.check_in_open(slot_start(appointment), clock.now(), early_minutes=_rule("early_minutes"),
                                   grace_minutes=_rule("grace_minutes")):
            raise Conflict("check_in_closed", f"请在预约时段开始前{_rule('early_minutes')}分钟至开始后{_rule('grace_minutes')}分钟内签到。",
                           f"Check in from {_rule('early_minutes')} minutes before the slot to {_rule('grace_minutes')} after it starts.")
        ticket = take_ticket(site=appointment.site, group=appointment.group, priority=c.PRIORITY_APPOINTMENT,
                             channel=c.CHANNEL_MACHINE if device else c.CHANNEL_PHONE, device=device,
                             taken_by=appointment.person)
        appointment.state, appointment.ticket, appointment.changed_at = c.CHECKED_IN, ticket, clock.now()
        appointment.save(update_fields=["state", "ticket", "changed_at"])
    return ticket


def mark_missed_appointments() -> int:
    """Bookings not checked in by the end of their grace period become 爽约 (a periodic job)."""
    grace = dt.timedelta(minutes=_rule("grace_minutes"))
    now = clock.now()
    missed = []
    with transaction.atomic():
        for appointment in Appointment.objects.select_for_update().filter(state=c.BOOKED, day__lte=clock.today()):
            if slot_start(appointment) + grace < now:
                missed.append(appointment)
        Appointment.objects.filter(pk__in=[a.pk for a in missed]).update(state=c.MISSED, changed_at=now)
    for person_id in sorted({a.person_id for a in missed}):
        _apply_booking_rule_for(person_id, missed=[a for a in missed if a.person_id == person_id])
    return len(missed)


def _apply_booking_rule(person) -> None:
    _apply_booking_rule_for(person.pk, missed=[])


def _apply_booking_rule_for(person_id: int, *, missed: list[Appointment]) -> None:
    """Warn after a no-show; suspend online booking when the month's no-shows or cancellations reach the rule."""
    from yiwang.accounts.models import User
    from yiwang.notifications import constants as kinds
    from yiwang.notifications.services import Outgoing, create_messages

    now = clock.now()
    since = now - dt.timedelta(days=_rule("period_days"))
    history = Appointment.objects.filter(person_id=person_id, changed_at__gte=since)
    no_shows = history.filter(state=c.MISSED).count()
    cancellations = history.filter(state=c.CANCELLED).count()
    person = User.objects.get(pk=person_id)
    outgoing = [Outgoing(
        recipient=person, kind=kinds.APPOINTMENT_MISSED, event_key=f"appointment-missed-{a.pk}",
        variables={"site": a.site.name, "site_en": a.site.name_en or a.site.name, "group": a.group.name,
                   "group_en": a.group.name_en or a.group.name, "day": a.day.isoformat(), "start": a.start.strftime("%H:%M"),
                   "period": str(_rule("period_days")), "limit": str(_rule("max_no_shows"))},
        link="/hall/appointments/") for a in missed]
    suspended = BookingSuspension.objects.filter(person_id=person_id, until__gt=now).exists()
    if not suspended and rules.suspension_due(no_shows=no_shows, cancellations=cancellations,
                                             max_no_shows=_rule("max_no_shows"), max_cancellations=_rule("max_cancellations")):
        until = now + dt.timedelta(days=_rule("suspend_days"))
        suspension = BookingSuspension.objects.create(
            person_id=person_id, since=now, until=until,
            reason=f"{no_shows} no-shows, {cancellations} cancellations in {_rule('period_days')} days")
        outgoing.append(Outgoing(
            recipient=person, kind=kinds.BOOKING_SUSPENDED, event_key=f"booking-suspended-{suspension.pk}",
            variables={"period": str(_rule("period_days")), "until": until.astimezone(clock.LEGAL_TIME_ZONE).strftime("%Y-%m-%d")},
            link="/hall/appointments/"))
        logger.info("online booking of person %s suspended until %s", person_id, until)
    create_messages(outgoing)


# ---------------------------------------------------------------------------------------------
# Front desk: applications taken in at the counter (前台一窗受理)
# ---------------------------------------------------------------------------------------------

def _qualified_for_item(officer, item) -> None:
    group = group_for_item(item)
    if not officer.hall_qualifications.filter(group=group).exists():
        raise PermissionDenied("not_qualified", f"您没有“{group.name}”业务分组的资质，不能受理该事项。",
                               f"You are not qualified for the {group.name_en or group.name} group, which serves this item.")


def open_counter_application(*, officer, ticket_id: int, item_code: str, real_name: str, id_number: str = "",
                             credit_code: str = "", phone: str = "", form_data: dict | None = None):
    """Start an application for the person at the window (called ticket) for any item the officer is
    qualified for: the person is found by ID number or credit code, or recorded as a walk-in."""
    with transaction.atomic():
        ticket = _served_ticket(officer, ticket_id)
        item = get_item(item_code)
        _qualified_for_item(officer, item)
        person = walk_in_applicant(officer=officer, real_name=real_name, id_number=id_number,
                                   credit_code=credit_code, phone=phone).person
        case = application_services.create_draft(applicant=person, item_code=item.code, form_data=form_data,
                                                 actor=officer, channel=case_states.CHANNEL_WINDOW)
        ticket.cases.add(case)
    logger.info("counter application %s opened at ticket %s", case.pk, ticket.number)
    return case


def _counter_case_of(officer, ticket_id: int, case_id: int) -> Ticket:
    ticket = _served_ticket(officer, ticket_id, states=(c.CALLED, c.HELD))
    if not ticket.cases.filter(pk=case_id).exists():
        raise NotFound("case_not_found", "办件不存在。", "Case not found.")
    return ticket


def accept_counter_application(*, officer, ticket_id: int, case_id: int):
    """Submit the counter application and accept it on the spot (受理); it goes to its department's back office."""
    with transaction.atomic():
        ticket = _counter_case_of(officer, ticket_id, case_id)
        case = application_services.submit_at_counter(case_id=case_id, officer=officer,
                                                      idempotency_key=f"counter-{ticket.pk}-{case_id}")
    return case


def save_counter_form(*, officer, case_id: int, form_data: dict):
    """Save what the officer typed into the counter application's form."""
    return application_services.update_draft(case_id=case_id, applicant=officer, form_data=form_data)


def attach_counter_scan(*, officer, case_id: int, position: int, upload):
    """Attach the scan of a paper material the person brought."""
    if upload is None:
        raise ValidationFailed("file_required", "请选择扫描文件。", "Choose the scanned file.")
    return application_services.attach_material(case_id=case_id, user=officer, position=position, stream=upload,
                                                original_name=getattr(upload, "name", "scan"))


def fetch_for_counter(*, officer, case_id: int, position: int, consented: bool):
    """Fetch a record through data sharing in place of a paper copy, once the person said yes in person."""
    from yiwang.registries.services import grant_and_fetch_at_counter

    if not consented:
        raise ValidationFailed("consent_required", "请先向申请人确认并勾选其当面同意调取。",
                               "Ask the applicant and tick that they consent in person before fetching.")
    return grant_and_fetch_at_counter(case_id=case_id, officer=officer, position=position)


# ---------------------------------------------------------------------------------------------
# Unified output (统一出件)
# ---------------------------------------------------------------------------------------------


def prepare_handover(case_id: int) -> Handover | None:
    """After a result is issued for a case taken in at a counter: it waits at that site's unified
    output counter, and the applicant is told it is ready. Online cases are delivered by their
    department as before (None); a rerun returns the handover already made."""
    from yiwang.applications.models import Case
    from yiwang.notifications.services import create_messages
    from yiwang.notifications.sources import outgoing_for_pickup_ready

    with transaction.atomic():
        case = Case.objects.select_related("item", "department", "applicant").get(pk=case_id)
        existing = Handover.objects.filter(case=case).first()
        ticket = case.hall_tickets.select_related("site").order_by("pk").first()
        if existing is not None or case.state != case_states.RESULT_ISSUED or ticket is None:
            return existing
        site = ticket.site
        handover = Handover.objects.create(case=case, site=site, method=c.PICKUP, ready_at=clock.now())
        create_messages(outgoing_for_pickup_ready(
            case=case, handover_id=handover.pk, place=f"{site.name}统一出件窗口",
            place_en=f"the unified output counter of {site.name_en or site.name}"))
    return handover


def _locked_handover(case_id: int) -> Handover:
    handover = Handover.objects.select_for_update(of=("self",)).select_related("case__applicant").filter(case_id=case_id).first()
    if handover is None:
        raise NotFound("handover_not_found", "该办件没有待出件的结果。", "This case has no result waiting to leave the hall.")
    return handover


def _require_output_window(officer, site_id: int | None) -> Window:
    window = selectors.output_window_of(officer)
    if window is None:
        raise Conflict("not_at_output_window", "请先在统一出件窗口签到。", "Sign in at a unified output window first.")
    if site_id is not None and window.site_id != site_id:
        raise Conflict("other_site", "该结果在其他场所出件。", "This result leaves from another site.")
    return window


_HANDOVER_STATES_EN = {c.HANDED_OVER: "collected", c.MAILED: "mailed", c.ELECTRONIC: "delivered electronically"}


def _require_awaiting(handover: Handover) -> None:
    if handover.state != c.AWAITING:
        raise Conflict("already_handed_over", f"该结果已{handover.get_state_display()}，不能重复出件。",
                       f"This result was already {_HANDOVER_STATES_EN[handover.state]}; it cannot leave twice.")


def _close_handover(handover: Handover, *, officer, window: Window, state: str, method: str, how: dict, **recorded) -> None:
    """Record how the result left (by whom, when) and deliver the case, in the caller's transaction."""
    handover.state, handover.method, handover.handed_over_at, handover.handed_over_by = state, method, clock.now(), officer
    for name, value in recorded.items():
        setattr(handover, name, value)
    handover.site = window.site
    handover.version += 1
    handover.save()
    application_services.deliver_result(case_id=handover.case_id, actor=officer, channel=case_states.CHANNEL_WINDOW,
                                        how={"method": method, "site": window.site.code, "window": window.code, **how})


def hand_over(*, officer, case_id: int, id_number: str = "", credit_code: str = "") -> Handover:
    """The applicant collects the result at the output counter: the ID number (a person) or credit
    code (a company) shown is checked against the case's applicant, the handover is recorded (who,
    when, masked identity) and the case delivered."""
    with transaction.atomic():
        handover = _locked_handover(case_id)
        window = _require_output_window(officer, handover.site_id)
        _require_awaiting(handover)
        applicant = handover.case.applicant
        company = applicant.kind == "enterprise"
        try:
            shown = (normalize_credit_code if company else normalize_id_card)(id_number or credit_code)
        except IdentifierError as exc:
            raise ValidationFailed(exc.code, exc.message, exc.message_en) from None
        if shown != ((applicant.credit_code if company else applicant.id_number) or ""):
            raise ValidationFailed("identity_mismatch", "证件与申请人不符，不能领取。",
                                   "The ID shown is not the applicant's; the result cannot be handed over.")
        _close_handover(handover, officer=officer, window=window, state=c.HANDED_OVER, method=c.PICKUP, how={},
                        collector_masked=mask_id_card(shown))
    return handover


def request_delivery(*, person, case_id: int, method: str, address: str = "") -> Handover:
    """The applicant says how they want the waiting result: collect it (the default), have it
    mailed to `address`, or keep the e-licence only. The output counter sees the choice and
    carries it out; it may be changed until the result has left."""
    if method not in (c.PICKUP, c.MAIL, c.ELECTRONIC):
        raise ValidationFailed("invalid_method", "送达方式应为窗口领取、邮寄送达或仅电子证照。",
                               "The delivery method is pickup, mail or electronic.")
    address = (address or "").strip() if method == c.MAIL else ""
    if method == c.MAIL and (not address or len(address) > 200):
        raise ValidationFailed("address_required", "请填写邮寄地址（200字以内）。", "Give the mailing address (at most 200 characters).")
    with transaction.atomic():
        handover = Handover.objects.select_for_update(of=("self",)).select_related("case").filter(
            case_id=case_id, case__applicant=person).first()
        if handover is None:  # another person's case is not found, not forbidden
            raise NotFound("handover_not_found", "该办件没有待出件的结果。", "This case has no result waiting to leave the hall.")
        _require_awaiting(handover)
        if method == c.ELECTRONIC and not _has_e_licence(handover.case):
            raise Conflict("no_e_licence", "该结果没有电子证照，请选择窗口领取或邮寄。",
                           "This result has no e-licence; choose pickup or mail.")
        handover.requested_method, handover.requested_at, handover.mail_address = method, clock.now(), address
        handover.version += 1
        handover.save()
    logger.info("case %s: applicant asks for delivery by %s", handover.case.number, method)
    return handover


def _has_e_licence(case) -> bool:
    from yiwang.licences.selectors import licence_for_case

    return licence_for_case(case) is not None


def deliver_electronically(*, officer, case_id: int) -> Handover:
    """The applicant keeps the e-licence only (they said so online, by phone or in person): the
    paper result does not leave, the case is delivered by the output counter's officer."""
    with transaction.atomic():
        handover = _locked_handover(case_id)
        window = _require_output_window(officer, handover.site_id)
        _require_awaiting(handover)
        if not _has_e_licence(handover.case):
            raise Conflict("no_e_licence", "该结果没有电子证照，请选择窗口领取或邮寄。",
                           "This result has no e-licence; choose pickup or mail.")
        _close_handover(handover, officer=officer, window=window, state=c.ELECTRONIC, method=c.ELECTRONIC, how={})
    return handover


def record_mailing(*, officer, case_id: int, address: str, tracking_number: str) -> Handover:
    """The result is mailed (邮寄送达): the address and the carrier's tracking number are recorded."""
    address, tracking_number = (address or "").strip(), (tracking_number or "").strip()
    if not address or len(address) > 200:
        raise ValidationFailed("address_required", "请填写邮寄地址（200字以内）。", "Give the mailing address (at most 200 characters).")
    if not rules.valid_tracking_number(tracking_number):
        raise ValidationFailed("invalid_tracking_number", "快递单号应为8至30位字母或数字。",
                               "A tracking number has 8 to 30 letters or digits.")
    with transaction.atomic():
        handover = _locked_handover(case_id)
        window = _require_output_window(officer, handover.site_id)
        _require_awaiting(handover)
        _close_handover(handover, officer=officer, window=window, state=c.MAILED, method=c.MAIL,
                        how={"tracking_number": tracking_number}, mail_address=address, tracking_number=tracking_number)
    return handover
