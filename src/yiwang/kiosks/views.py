"""The fleet monitor page for hall managers: online or silent, printer and card reader faults,
transactions per kiosk, site and item today."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET

from yiwang.accounts import constants as roles
from yiwang.accounts.permissions import staff_required
from yiwang.core.i18n import say
from yiwang.kiosks import constants as c
from yiwang.kiosks import selectors

PROBLEMS = {"silent": ("失联", "Silent"), "paper_low": ("纸将用完", "Paper low"), "paper_out": ("缺纸", "Out of paper"),
            "offline": ("打印机未连接", "Printer offline"), "printer_fault": ("打印机故障", "Printer fault"),
            "printer_warning": ("打印机警告", "Printer warning"), "card_reader_fault": ("读卡器故障", "Card reader fault")}


@require_GET
@staff_required(roles=[roles.ROLE_HALL_MANAGER, roles.ROLE_ADMINISTRATOR])
def fleet(request):
    rows = [{"row": r, "problems": [say(*PROBLEMS[p]) for p in r.problems],
             "reader": say(*c.STATUS_LABELS[r.kiosk.card_reader_status]),
             "printer": say(*c.STATUS_LABELS[r.kiosk.printer_status])} for r in selectors.fleet()]
    return render(request, "kiosks/fleet.html", {
        "rows": rows, "online": sum(r["row"].online for r in rows), "total": len(rows),
        "by_site": selectors.transactions_by(by="site"), "by_item": selectors.transactions_by(by="item")[:20]})
