"""A small hall: one site open on weekdays 09:00–17:00, groups A (market) and B (social), three
windows, officer `both` qualified for A and B, officer `market` for A only, and two devices."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.factories import make_staff


@dataclass
class Hall:
    site: object
    other_site: object
    market: object
    social: object
    windows: list
    both: object
    market_only: object
    machine_token: str
    screen_token: str


@pytest.fixture
def hall(catalog, frozen_clock):
    from yiwang.catalog.models import Department
    from yiwang.hall import services
    from yiwang.hall.models import Qualification, ServiceGroup, Site, Window

    site = Site.objects.create(code="FX-CENTRE", name="奉贤区行政服务中心", kind="district",
                               opening_hours={str(d): [["09:00", "17:00"]] for d in range(1, 6)})
    other = Site.objects.create(code="FX-NANQIAO", name="南桥镇社区事务受理服务中心", kind="street")
    market = ServiceGroup.objects.create(code="market", prefix="A", name="企业开办与市场准入")
    market.departments.set(Department.objects.filter(code="SCJG"))
    social = ServiceGroup.objects.create(code="social", prefix="B", name="社保医保与公积金")
    social.departments.set(Department.objects.filter(code="RSJSB"))
    windows = [Window.objects.create(site=site, code=str(n)) for n in (1, 2, 3)]
    both = make_staff(role="window_officer", departments=["SCJG", "RSJSB"])
    market_only = make_staff(role="window_officer", departments=["SCJG"])
    Qualification.objects.bulk_create([Qualification(officer=both, group=market), Qualification(officer=both, group=social),
                                       Qualification(officer=market_only, group=market)])
    _, machine = services.register_device(site=site, name="1号取号机", kind="ticket_machine")
    _, screen = services.register_device(site=site, name="叫号屏", kind="screen")
    return Hall(site, other, market, social, windows, both, market_only, machine, screen)
