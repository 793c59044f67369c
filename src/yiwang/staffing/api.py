"""REST API of the staffing planner under /api/v1/staffing/ (hall managers and administrators).

The request body of ``plan/`` is the planner's input document, checked by `planner.parse_request`
(not by the serializers below, which only describe it for the schema), so the API refuses with the
same codes and messages as the command and the page.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from yiwang.accounts import constants as roles
from yiwang.accounts.authentication import ExpiringTokenAuthentication
from yiwang.accounts.permissions import HasStaffRole
from yiwang.core.api import error_responses
from yiwang.core.errors import ValidationFailed
from yiwang.core.i18n import english
from yiwang.core.parsers import BoundedJSONParser
from yiwang.staffing import constants as c
from yiwang.staffing import planner, selectors
from yiwang.staffing.simulation import check_plan

AUTHENTICATION = [ExpiringTokenAuthentication, SessionAuthentication]
PLANNERS = [HasStaffRole(roles.ROLE_HALL_MANAGER, roles.ROLE_ADMINISTRATOR)]
MAX_REPLICATIONS = 50
MAX_SIMULATED_PEOPLE = 1_000_000  # people over every simulated day and both layouts: seconds, not minutes


@extend_schema_field({"oneOf": [{"type": "number", "minimum": 0},
                                {"type": "array", "items": {"type": "number", "minimum": 0}, "minItems": 1}]})
class NumberOrIntervals(serializers.JSONField):
    """One number for the whole period, or one per interval."""


class TargetIn(serializers.Serializer):
    wait_seconds = serializers.FloatField(min_value=0, help_text="the target wait T, in seconds")
    service_level = serializers.FloatField(help_text="the share called within T, strictly between 0 and 1")
    patience_minutes = serializers.FloatField(required=False, help_text="mean patience: Erlang A (abandonment) when given")


class QueueIn(serializers.Serializer):
    name = serializers.CharField(max_length=c.MAX_NAME_LENGTH)
    arrivals_per_hour = NumberOrIntervals(help_text="arrivals per hour (a list: one rate per interval)")
    mean_service_minutes = NumberOrIntervals(help_text="mean service time at the window, minutes (> 0)")


class PlanIn(serializers.Serializer):
    target = TargetIn()
    interval_minutes = serializers.FloatField(required=False, help_text="length of each interval when rates are lists (default 60)")
    queues = QueueIn(many=True)


class DedicatedOut(serializers.Serializer):
    per_queue = serializers.DictField(child=serializers.IntegerField(), help_text="windows per queue (its peak interval's)")
    total = serializers.IntegerField()


class PooledOut(serializers.Serializer):
    total = serializers.IntegerField()


class PlanOut(serializers.Serializer):
    dedicated = DedicatedOut()
    pooled = PooledOut()
    saving = serializers.IntegerField(help_text="dedicated total minus pooled total")
    details = serializers.DictField(help_text="model, target, and per queue: load, service level achieved, waits, occupancy")
    intervals = serializers.DictField(required=False, help_text="interval mode only: the counts of every interval")
    simulation = serializers.DictField(required=False, help_text="with ?simulate=true: the simulated days against Erlang")


class HistoryOut(serializers.Serializer):
    site = serializers.CharField()
    to = serializers.DateField()
    working_days = serializers.IntegerField()
    hours = serializers.ListField(child=serializers.IntegerField(), help_text="the hours of the day the lists cover")
    document = serializers.DictField(help_text="the planner input document built from the history")
    skipped = serializers.ListField(child=serializers.DictField(), help_text="groups with tickets but no service time yet")
    plan = PlanOut(allow_null=True, help_text="the plan of the document (null when no group can be planned)")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField()  # "from" is a Python keyword
        return fields


def _flag(params, name: str) -> bool:
    value = (params.get(name) or "").lower()
    if value in ("", "false", "0", "no"):
        return False
    if value in ("true", "1", "yes"):
        return True
    raise ValidationFailed("bad_parameter", f"参数 {name} 应为 true 或 false。", f"{name} must be true or false.",
                           details={"parameter": name})


def _bounded_int(params, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ValidationFailed("bad_parameter", f"参数 {name} 应为 {low} 至 {high} 的整数。",
                               f"{name} must be a whole number from {low} to {high}.", details={"parameter": name})
    return value


def _number(params, name: str, default: float) -> float:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValidationFailed(c.NOT_A_NUMBER, f"参数 {name} 应为数字。", f"{name} must be a number.",
                               details={"parameter": name}) from None


def _simulation(request: planner.PlanRequest, result: planner.Plan, replications: int) -> dict:
    people = sum(sum(q.arrivals_per_hour) * (request.interval_minutes or 480) / 60 for q in request.queues)
    if people * replications * 2 > MAX_SIMULATED_PEOPLE:
        raise ValidationFailed("simulation_too_large", "需求过大，接口不做仿真；请减少仿真天数或用命令 yiwang staffing --simulate。",
                               "Too much demand to simulate through the API; simulate fewer days or use yiwang staffing --simulate.",
                               details={"people_per_day": round(people)})
    return check_plan(request, result, replications=replications, seed=0).as_dict()


class PlanView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = PLANNERS
    parser_classes = [BoundedJSONParser]

    @extend_schema(operation_id="staffing_plan",
                   summary="Windows needed to meet a waiting-time target, each queue on its own and all pooled",
                   request=PlanIn,
                   parameters=[OpenApiParameter("simulate", OpenApiTypes.BOOL, description="also simulate the plan's days (SimPy)"),
                               OpenApiParameter("replications", OpenApiTypes.INT,
                                                description=f"simulated days, 1 to {MAX_REPLICATIONS} (default 10)")],
                   responses={200: PlanOut, **error_responses(400, 401, 403, 413)})
    def post(self, request):
        simulate = _flag(request.query_params, "simulate")
        replications = _bounded_int(request.query_params, "replications", 10, 1, MAX_REPLICATIONS)
        parsed = planner.parse_request(request.data)
        result = planner.plan(parsed)
        body = result.as_dict()
        if simulate:
            body["simulation"] = _simulation(parsed, result, replications)
        return Response(body)


class HistoryView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = PLANNERS

    @extend_schema(operation_id="staffing_history",
                   summary="A site's own demand per group and hour as a planner input document, and its plan",
                   parameters=[OpenApiParameter("site", str, required=True, description="the site's code"),
                               OpenApiParameter("from", OpenApiTypes.DATE, description="first day (default: four weeks before to)"),
                               OpenApiParameter("to", OpenApiTypes.DATE, description="last day (default: yesterday)"),
                               OpenApiParameter("wait_seconds", OpenApiTypes.NUMBER, description="target wait (default 900)"),
                               OpenApiParameter("service_level", OpenApiTypes.NUMBER, description="target share (default 0.8)")],
                   responses={200: HistoryOut, **error_responses(400, 401, 403, 404)})
    def get(self, request):
        params = request.query_params
        site, day_from, day_to = selectors.history_period(params)
        target = {"wait_seconds": _number(params, "wait_seconds", 900), "service_level": _number(params, "service_level", 0.8)}
        planner.parse_target(target)
        history = selectors.history_request(site, day_from=day_from, day_to=day_to, target=target, english=english())
        document = history["document"]
        history["plan"] = planner.plan(planner.parse_request(document)).as_dict() if document["queues"] else None
        return Response(history)
