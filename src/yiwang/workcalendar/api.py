"""Public API: the due date of a time limit counted in Chinese working days."""

from __future__ import annotations

import datetime as dt
import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from yiwang.core.api import error_responses
from yiwang.core.errors import ValidationFailed
from yiwang.workcalendar import rules, selectors

MAX_DAYS = 3650
# Wide enough for any real case, and far from the ends of Python's calendar.
EARLIEST_START = dt.date(1900, 1, 1)
LATEST_START = dt.date(2999, 12, 31)
_DIGITS = re.compile(r"^[0-9]{1,9}$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


class DeadlineOutput(serializers.Serializer):
    due = serializers.DateField(help_text="期限届满日 / last day of the limit")
    provisional = serializers.BooleanField(
        help_text="为真时计算用到了尚未发布节假日安排的年份，发布后可能变化 / "
        "true when a year without a published holiday schedule was used; may change once it is published"
    )


def _parse_start(raw: str | None) -> dt.date:
    try:
        if raw is None or not _ISO_DATE.match(raw):
            raise ValueError
        start = dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(
            "invalid_date",
            "start 应为 YYYY-MM-DD 格式的有效日期。",
            "start must be a valid date in the form YYYY-MM-DD.",
        ) from None
    if not EARLIEST_START <= start <= LATEST_START:
        raise ValidationFailed(
            "date_out_of_range",
            f"start 应在 {EARLIEST_START} 至 {LATEST_START} 之间。",
            f"start must be between {EARLIEST_START} and {LATEST_START}.",
        )
    return start


def _parse_days(raw: str | None) -> int:
    if raw is None or not _DIGITS.match(raw) or int(raw) > MAX_DAYS:
        raise ValidationFailed(
            "invalid_working_days",
            f"working_days 应为 0 至 {MAX_DAYS} 之间的整数。",
            f"working_days must be a whole number from 0 to {MAX_DAYS}.",
        )
    return int(raw)


def _parse_unit(raw: str | None) -> str:
    unit = raw or rules.WORKING_DAY
    if unit not in rules.UNITS:
        raise ValidationFailed(
            "invalid_unit",
            "unit 只能是 working_day（工作日）或 calendar_day（自然日）。",
            "unit must be working_day or calendar_day.",
        )
    return unit


class DeadlineView(APIView):
    """The last day of a limit of N working days (or calendar days) from a start date."""

    permission_classes = [AllowAny]
    # Public and read-only: a stale token or session must not turn it into a 401/403.
    authentication_classes: list = []

    @extend_schema(
        operation_id="calendar_deadline",
        summary="计算办理期限届满日 / Due date of a time limit",
        description=(
            "第1日为 start 之后的第一个工作日；0 表示当日（即办）。自然日期限届满日为节假日的，顺延至节假日后的第一个工作日。"
            "\n\nDay 1 is the first working day after start; 0 means start itself (decided on the spot). "
            "A calendar-day limit ending on a day off ends on the next working day. `provisional` is true "
            "when the result used a year whose holiday schedule is not yet published."
        ),
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=True,
                             description="起算日（受理日）YYYY-MM-DD / start date (day of acceptance)"),
            OpenApiParameter("working_days", OpenApiTypes.INT, OpenApiParameter.QUERY, required=True,
                             description=f"期限天数 0–{MAX_DAYS}（unit=calendar_day 时为自然日）/ "
                             f"length of the limit, 0–{MAX_DAYS} (calendar days when unit=calendar_day)"),
            OpenApiParameter("unit", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False,
                             enum=list(rules.UNITS), default=rules.WORKING_DAY,
                             description="期限单位 / unit of the limit"),
        ],
        responses={200: DeadlineOutput, **error_responses(400)},
        examples=[
            OpenApiExample("across_national_day_2026", response_only=True,
                           summary="start=2026-09-28&working_days=10（跨国庆节 / across National Day）",
                           value={"due": "2026-10-16", "provisional": False}),
        ],
        tags=["calendar"],
    )
    def get(self, request):
        start = _parse_start(request.query_params.get("start"))
        days = _parse_days(request.query_params.get("working_days"))
        unit = _parse_unit(request.query_params.get("unit"))
        due = selectors.compute_deadline(start=start, value=days, unit=unit)
        return Response(DeadlineOutput({"due": due.due, "provisional": due.provisional}).data)
