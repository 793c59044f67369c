"""Reads of the kiosk fleet: each kiosk's state as the monitor shows it, and the day's transactions
per kiosk, site and item."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count

from yiwang.core import clock
from yiwang.kiosks.models import Kiosk, KioskTransaction


@dataclass(frozen=True)
class KioskRow:
    kiosk: Kiosk
    online: bool
    transactions: int
    problems: list[str]  # codes: silent, printer_fault, paper_low, card_reader_fault


def _problems(kiosk: Kiosk, online: bool) -> list[str]:
    problems = [] if online else ["silent"]
    if kiosk.printer_status == 2:
        problems.append(kiosk.printer_detail or "printer_fault")
    elif kiosk.printer_status == 1:
        problems.append(kiosk.printer_detail or "printer_warning")
    if kiosk.card_reader_status == 2:
        problems.append("card_reader_fault")
    return problems


def is_online(kiosk: Kiosk, now: dt.datetime | None = None) -> bool:
    now = now or clock.now()
    return (kiosk.active and kiosk.last_heartbeat_at is not None
            and now - kiosk.last_heartbeat_at <= dt.timedelta(seconds=settings.KIOSK_SILENT_SECONDS))


def fleet(*, day: dt.date | None = None) -> list[KioskRow]:
    """Every kiosk with its state and the day's transactions, those with a problem first."""
    day = day or clock.today()
    start = dt.datetime.combine(day, dt.time(), tzinfo=clock.LEGAL_TIME_ZONE)
    counts = dict(KioskTransaction.objects.filter(at__gte=start, at__lt=start + dt.timedelta(days=1))
                  .values_list("kiosk_id").annotate(n=Count("id")).values_list("kiosk_id", "n"))
    now = clock.now()
    rows = []
    for kiosk in Kiosk.objects.select_related("site").order_by("site__code", "code"):
        online = is_online(kiosk, now)
        rows.append(KioskRow(kiosk, online, counts.get(kiosk.pk, 0), _problems(kiosk, online) if kiosk.active else []))
    return sorted(rows, key=lambda r: (not r.problems, r.kiosk.site.code, r.kiosk.code))


def transactions_by(*, day: dt.date | None = None, by: str) -> list[tuple[str, int]]:
    """The day's transactions per site (by="site") or item (by="item"), most first."""
    day = day or clock.today()
    start = dt.datetime.combine(day, dt.time(), tzinfo=clock.LEGAL_TIME_ZONE)
    found = KioskTransaction.objects.filter(at__gte=start, at__lt=start + dt.timedelta(days=1))
    field = {"site": "kiosk__site__name", "item": "item__name"}[by]
    counted = found.values_list(field).annotate(n=Count("id")).order_by()
    # Most first; equal counts by name, the unnamed (no item) last on every database.
    return [(name or "—", n) for name, n in sorted(counted, key=lambda row: (-row[1], row[0] is None, row[0] or ""))]
