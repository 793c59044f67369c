"""The demo's hall: the district centre as it is after the reform (123 comprehensive windows and a
unified output counter), one street centre, six service groups (appointments at the centre),
officers hall01–hall10 qualified for every group, four weeks of served tickets for the statistics and
the staffing planner, and a ticket machine and a calling screen whose tokens are printed at start-up."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction

from yiwang.accounts.models import User
from yiwang.accounts.services import DemoAccount, create_staff
from yiwang.catalog.models import Department
from yiwang.hall import constants as c
from yiwang.hall.models import Device, Qualification, ServiceGroup, Site, SlotCapacity, Ticket, Window
from yiwang.hall.services import register_device, token_digest

DISTRICT_CENTRE = "FX-CENTRE"
STREET_CENTRE = "FX-NANQIAO"
COMPREHENSIVE_WINDOWS = 123  # the district's 202 department windows became 123 comprehensive ones

GROUPS = [
    ("market", "A", "企业开办与市场准入", "Business start-up and market access",
     ["SCJG", "SCJGTS", "SCJGYP", "TAX", "SWW", "FGW", "TJJ", "CZJ"]),
    ("social", "B", "社保医保与公积金", "Social and medical insurance, housing fund",
     ["RSJ", "RSJSB", "RSJJY", "YBJ", "YBZX", "GJJ", "TYJR", "CL", "MZJ", "MZST"]),
    ("police", "C", "户籍出入境与婚姻", "Household register, exit-entry, marriage", ["GAHZ", "GACRJ", "GAZA", "GAJG", "MZHY"]),
    ("building", "D", "规划建设与不动产", "Planning, building and real estate",
     ["GHZY", "BDC", "FGJ", "JSW", "JSWMF", "JTW", "STHJ", "SWJ", "LHSR", "YJJ", "XFJY", "NYW"]),
    ("health", "E", "卫生教育与文旅", "Health, education, culture and sport", ["WJW", "WJWJD", "WJWFY", "JYJ", "WLJ", "TYJ"]),
    ("consult", "Z", "综合咨询", "General enquiries", []),
]
WEEKDAYS = {str(day): [["09:00", "17:00"]] for day in range(1, 6)}


@dataclass(frozen=True)
class DemoHall:
    accounts: list[DemoAccount]
    ticket_machine_token: str
    screen_token: str
    evaluator_token: str  # the rating tablet of window 1


@transaction.atomic
def ensure_demo_hall() -> DemoHall:
    """Create what is missing (idempotent); the two devices get fresh tokens on every call."""
    groups = []
    for order, (code, prefix, name, name_en, departments) in enumerate(GROUPS):
        group, _ = ServiceGroup.objects.get_or_create(code=code, defaults=dict(
            prefix=prefix, name=name, name_en=name_en, sort_order=order))
        group.departments.set(Department.objects.filter(code__in=departments))
        groups.append(group)
    centre = _site(DISTRICT_CENTRE, "奉贤区行政服务中心", "Fengxian District Administrative Service Centre", c.SITE_DISTRICT,
                   "上海市奉贤区望园路1529号", windows=COMPREHENSIVE_WINDOWS)
    _site(STREET_CENTRE, "南桥镇社区事务受理服务中心", "Nanqiao Town Community Affairs Centre", c.SITE_STREET,
          "上海市奉贤区南桥镇解放东路", windows=8)
    # The district centre takes appointments for every group but enquiries: 10 people per half hour.
    SlotCapacity.objects.bulk_create([SlotCapacity(site=centre, group=group, slot_minutes=30, per_slot=10)
                                      for group in groups if group.code != "consult"], ignore_conflicts=True)
    accounts = []
    for n in range(1, 11):
        account = DemoAccount(f"hall{n:02d}", f"demo-hall{n:02d}-2026", "window_officer",
                              "综合窗口（服务大厅） comprehensive window officer, service hall")
        officer = User.objects.filter(username=account.username).first()
        if officer is None:
            # Qualified for every group, so acting in every group's departments.
            officer = create_staff(username=account.username, password=account.password, real_name=f"大厅{n:02d}",
                                   role=account.role, department_codes=list(
                                       Department.objects.filter(hall_groups__in=groups).values_list("code", flat=True).distinct()))
        elif not officer.check_password(account.password):
            officer.set_password(account.password)
            officer.save(update_fields=["password", "credentials_changed_at"])
        Qualification.objects.bulk_create([Qualification(officer=officer, group=group) for group in groups],
                                          ignore_conflicts=True)
        accounts.append(account)
    officers = list(User.objects.filter(username__in=[a.username for a in accounts]).order_by("username"))
    seed_demo_history(centre, groups, officers)
    return DemoHall(accounts=accounts, ticket_machine_token=_device_token(centre, "1号取号机", c.DEVICE_TICKET_MACHINE),
                    screen_token=_device_token(centre, "大厅叫号屏", c.DEVICE_SCREEN),
                    evaluator_token=_device_token(centre, "1号窗口评价器", c.DEVICE_EVALUATOR,
                                                  window=Window.objects.get(site=centre, code="1")))


# A working day of the demo centre's past, per group: tickets, mean window minutes, and the share of
# the day's tickets in each hour from 09:00 to 16:00 (enterprises' agents come in the morning).
HISTORY_DAYS = 28
HISTORY = {
    "market": (120, 14.0, (0.17, 0.19, 0.15, 0.06, 0.11, 0.13, 0.12, 0.07)),
    "social": (160, 8.0, (0.11, 0.14, 0.13, 0.09, 0.12, 0.15, 0.14, 0.12)),
    "police": (110, 10.0, (0.18, 0.20, 0.15, 0.05, 0.10, 0.12, 0.11, 0.09)),
    "building": (70, 20.0, (0.12, 0.16, 0.14, 0.07, 0.12, 0.15, 0.14, 0.10)),
    "health": (50, 9.0, (0.12, 0.14, 0.13, 0.09, 0.12, 0.15, 0.14, 0.11)),
    "consult": (40, 4.0, (0.12, 0.13, 0.13, 0.12, 0.12, 0.13, 0.13, 0.12)),
}


def seed_demo_history(site: Site, groups: list[ServiceGroup], officers: list, *, days: int = HISTORY_DAYS) -> int:
    """Served tickets on the centre's working days of the past `days` days, so the hall statistics
    and the staffing planner's history have something to show; once (nothing is added when the
    site already has tickets before today). Seeded: every demo has the same past. Returns the count."""
    import datetime as dt
    import random

    from yiwang.core import clock
    from yiwang.hall.rules import ticket_number
    from yiwang.workcalendar.selectors import current_calendar

    today = clock.today()
    if not officers or Ticket.objects.filter(site=site, day__lt=today).exists():
        return 0
    calendar = current_calendar()
    windows = list(site.windows.filter(kind=c.WINDOW_COMPREHENSIVE).order_by("pk")[:40])
    rng = random.Random(2026)
    tickets = []
    for back in range(days, 0, -1):
        day = today - dt.timedelta(days=back)
        if not calendar.is_workday(day)[0]:
            continue
        opening = dt.datetime.combine(day, dt.time(9, 0), tzinfo=clock.LEGAL_TIME_ZONE)
        for group in groups:
            per_day, service_minutes, profile = HISTORY[group.code]
            taken = sorted(opening + dt.timedelta(hours=hour, seconds=rng.uniform(0, 3600))
                           for hour, share in enumerate(profile) for _ in range(round(per_day * share)))
            for sequence, taken_at in enumerate(taken, start=1):
                called_at = taken_at + dt.timedelta(minutes=rng.expovariate(1 / 6))
                served = rng.randrange(len(windows))
                tickets.append(Ticket(
                    site=site, group=group, day=day, sequence=sequence, number=ticket_number(group.prefix, sequence),
                    state=c.DONE, channel=c.CHANNEL_MACHINE, taken_at=taken_at, called_at=called_at, calls=1,
                    finished_at=called_at + dt.timedelta(minutes=max(0.5, rng.expovariate(1 / service_minutes))),
                    outcome=c.OUTCOME_CONSULTATION, window=windows[served], officer=officers[served % len(officers)]))
    Ticket.objects.bulk_create(tickets, batch_size=2000)
    return len(tickets)


def _site(code, name, name_en, kind, address, *, windows: int) -> Site:
    site, _ = Site.objects.get_or_create(code=code, defaults=dict(name=name, name_en=name_en, kind=kind, address=address,
                                                                  opening_hours=WEEKDAYS))
    Window.objects.bulk_create([Window(site=site, code=str(n), kind=c.WINDOW_COMPREHENSIVE) for n in range(1, windows + 1)]
                               + [Window(site=site, code="出件", kind=c.WINDOW_OUTPUT)], ignore_conflicts=True)
    return site


def _device_token(site: Site, name: str, kind: str, window: Window | None = None) -> str:
    device = Device.objects.filter(site=site, name=name, kind=kind).first()
    if device is None:
        return register_device(site=site, name=name, kind=kind, window=window)[1]
    token = secrets.token_urlsafe(32)
    Device.objects.filter(pk=device.pk).update(token_digest=token_digest(token), active=True)
    return token
