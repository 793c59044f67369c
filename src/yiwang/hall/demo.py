"""The demo's hall: the district centre as it is after the reform (123 comprehensive windows and a
unified output counter), one street centre, six service groups (appointments at the centre),
officers hall01–hall10 qualified for every group, and a ticket machine and a calling screen whose
tokens are printed at start-up."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction

from yiwang.accounts.models import User
from yiwang.accounts.services import DemoAccount, create_staff
from yiwang.catalog.models import Department
from yiwang.hall import constants as c
from yiwang.hall.models import Device, Qualification, ServiceGroup, Site, SlotCapacity, Window
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
    return DemoHall(accounts=accounts, ticket_machine_token=_device_token(centre, "1号取号机", c.DEVICE_TICKET_MACHINE),
                    screen_token=_device_token(centre, "大厅叫号屏", c.DEVICE_SCREEN))


def _site(code, name, name_en, kind, address, *, windows: int) -> Site:
    site, _ = Site.objects.get_or_create(code=code, defaults=dict(name=name, name_en=name_en, kind=kind, address=address,
                                                                  opening_hours=WEEKDAYS))
    Window.objects.bulk_create([Window(site=site, code=str(n), kind=c.WINDOW_COMPREHENSIVE) for n in range(1, windows + 1)]
                               + [Window(site=site, code="出件", kind=c.WINDOW_OUTPUT)], ignore_conflicts=True)
    return site


def _device_token(site: Site, name: str, kind: str) -> str:
    device = Device.objects.filter(site=site, name=name, kind=kind).first()
    if device is None:
        return register_device(site=site, name=name, kind=kind)[1]
    token = secrets.token_urlsafe(32)
    Device.objects.filter(pk=device.pk).update(token_digest=token_digest(token), active=True)
    return token
