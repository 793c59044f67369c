"""Forwarding ratings to a provincial or national 好差评 system, behind an adapter.

The record carries the field set such systems ask for (after an Anhui integration: projNo,
serviceCode, serviceName, serviceDepartment, applicant, times, state, region, channel, level).
Adapters: ``file`` appends JSON lines in the data folder (the demo), ``http:<url>`` POSTs the
record as JSON, with the same record also base64-encoded twice in ``data`` as those systems
expect; ``none`` keeps ratings here. A non-2xx answer or a network error raises, so the job
is retried later.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx
from django.conf import settings

from yiwang.applications.constants import STATES as CASE_STATES
from yiwang.core.registry import Registry
from yiwang.ratings import constants as c
from yiwang.ratings import rules
from yiwang.ratings.models import Rating

adapters: Registry = Registry("rating forwarding")
TIMEOUT_SECONDS = 10.0
# The channel codes of the provincial system (evaluateChannel): PC, mobile, QR code, kiosk, evaluator.
CHANNEL_CODES = {c.CHANNEL_WEB: "PC", c.CHANNEL_MOBILE: "APP", c.CHANNEL_QR: "EWM", c.CHANNEL_KIOSK: "ZZZD",
                 c.CHANNEL_EVALUATOR: "PJQ", c.CHANNEL_DEFAULT: "MRHP"}


def record_of(rating: Rating) -> dict:
    """The record sent upward for one rating (applicant named, ID number masked)."""
    from yiwang.core.identifiers import mask_id_card

    case = rating.case
    ticket = rating.ticket
    item = rating.item
    department = rating.department
    rater = rating.rater
    return {
        "projNo": case.number if case else f"{ticket.site.code}-{ticket.day.isoformat()}-{ticket.number}",
        "serviceCode": item.code if item else "",
        "serviceName": item.name if item else (ticket.group.name if ticket else ""),
        "serviceDepartment": department.name if department else "",
        "serviceDepartmentCode": department.credit_code if department else "",
        "applicantName": rater.real_name if rater else "",
        "applicantCardNumber": mask_id_card(rater.id_number or rater.credit_code or "") if rater else "",
        "applyTime": (case.submitted_at or case.created_at).isoformat() if case else ticket.taken_at.isoformat(),
        "transactionTime": (case.decided_at.isoformat() if case and case.decided_at else
                            (ticket.finished_at.isoformat() if ticket and ticket.finished_at else "")),
        "handleStateName": dict(CASE_STATES).get(case.state, case.state) if case else "已办结",
        "regionCode": settings.RATINGS.get("region_code", "310120"),
        "evaluateChannel": CHANNEL_CODES[rating.channel],
        "evaluateType": "一事一评" if rating.subject == c.SUBJECT_CASE else "一次一评",
        "evaluateLevel": rating.level,
        "evaluateLevelName": rules.LEVELS[rating.level][0],
        "evaluateScores": rating.scores,
        "evaluateContent": rating.comment,
        "evaluateTime": rating.created_at.isoformat(),
        "defaulted": rating.defaulted,
        "evaluatedPersonInfo": rating.officer.real_name if rating.officer else "",
        "windowNo": rating.window.code if rating.window else "",
        "version": "2",
    }


def twice_base64(record: dict) -> str:
    """The record as the provincial systems carry it: JSON, base64-encoded twice."""
    once = base64.b64encode(json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return base64.b64encode(once).decode("ascii")


def from_twice_base64(text: str) -> dict:
    return json.loads(base64.b64decode(base64.b64decode(text)).decode("utf-8"))


@adapters.register("file")
def _to_file(record: dict, target: str) -> str:
    path = Path(settings.DATA_DIR) / "ratings-forwarded.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    return str(path)


@adapters.register("http")
def _to_http(record: dict, target: str) -> str:
    response = httpx.post(target, json={"projNo": record["projNo"], "record": record, "data": twice_base64(record)},
                          timeout=TIMEOUT_SECONDS)
    if response.status_code // 100 != 2:
        raise RuntimeError(f"the rating system answered {response.status_code}")
    return target


def forward_rating(*, rating_id: int) -> dict:
    """Send one rating upward through the configured adapter, once it is sent mark it so."""
    from yiwang.ratings.services import mark_forwarded

    configured = settings.RATINGS["forward"]
    if configured == "none":
        return {"forwarded": False}
    rating = (Rating.objects.select_related("case", "ticket__site", "ticket__group", "item", "department", "rater",
                                            "officer", "window").get(pk=rating_id))
    if rating.forward_state == c.FORWARD_SENT:
        return {"forwarded": True, "again": False}
    name, _, target = configured.partition(":")
    where = adapters[name](record_of(rating), target)
    mark_forwarded(rating_id=rating_id)
    return {"forwarded": True, "to": name, "where": where}
