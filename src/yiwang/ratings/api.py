"""REST API of 好差评 (/api/v1/): rate a case or a visit (phone, kiosk), the departments' tasks and
their steps, appeals, and the figures. Thin views: input checked here, the rules in the services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from yiwang.accounts import constants as roles
from yiwang.accounts.authentication import ExpiringTokenAuthentication
from yiwang.accounts.permissions import HasStaffRole, IsResidentOrEnterprise
from yiwang.accounts.selectors import is_resident_like, staff_department_ids
from yiwang.applications.selectors import get_case_for
from yiwang.core.api import error_responses, validated
from yiwang.core.errors import NotFound, ValidationFailed
from yiwang.hall.authentication import DeviceTokenAuthentication, request_device
from yiwang.ratings import constants as c
from yiwang.ratings import rules, selectors, services

AUTHENTICATION = [ExpiringTokenAuthentication, SessionAuthentication]
STAFF = [HasStaffRole(*services.ACTING_ROLES, roles.ROLE_AUDITOR)]


class ScoresField(serializers.DictField):
    child = serializers.IntegerField(min_value=1, max_value=5)


class RatingIn(serializers.Serializer):
    level = serializers.IntegerField(min_value=1, max_value=5, help_text="5 非常满意 … 1 非常不满意 (1 and 2 are bad ratings)")
    scores = ScoresField(required=False, default=dict,
                         help_text="indicator scores 1–5: online efficiency, guide_accuracy, convenience, usability; "
                                   "in person efficiency, competence, attitude")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=services.MAX_COMMENT)
    channel = serializers.ChoiceField(choices=sorted(c.PERSON_CHANNELS), required=False, default=c.CHANNEL_MOBILE)


class VisitRatingIn(RatingIn):
    code = serializers.CharField(required=False, allow_blank=True, default="", max_length=40,
                                 help_text="the code printed with the ticket's QR (not needed by the ticket's own person or an evaluator)")


class RectificationOut(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    due_on = serializers.DateField()
    overdue = serializers.BooleanField()
    outcome = serializers.CharField()
    fix_due_on = serializers.DateField(allow_null=True)
    reply = serializers.CharField()
    verdict = serializers.CharField()
    version = serializers.IntegerField()


class RatingOut(serializers.Serializer):
    id = serializers.IntegerField()
    subject = serializers.CharField()
    level = serializers.IntegerField()
    level_label = serializers.CharField()
    scores = serializers.DictField(child=serializers.IntegerField())
    comment = serializers.CharField()
    channel = serializers.CharField()
    defaulted = serializers.BooleanField()
    rated_on = serializers.DateField()
    rectification = RectificationOut(allow_null=True)


def _task_out(task) -> dict | None:
    if task is None:
        return None
    return {"id": task.pk, "state": task.state, "state_label": rules.STATES[task.state][0], "due_on": task.due_on,
            "overdue": selectors.is_overdue(task), "outcome": task.outcome, "fix_due_on": task.fix_due_on,
            "reply": task.reply, "verdict": task.verdict, "version": task.version}


def _rating_out(rating, task=None) -> dict:
    from yiwang.ratings.models import Rectification

    task = task or Rectification.objects.filter(rating=rating).first()
    return {"id": rating.pk, "subject": rating.subject, "level": rating.level, "level_label": rules.LEVELS[rating.level][0],
            "scores": rating.scores, "comment": rating.comment, "channel": rating.channel, "defaulted": rating.defaulted,
            "rated_on": rating.rated_on, "rectification": _task_out(task)}


class CaseRatingView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsResidentOrEnterprise]

    @extend_schema(operation_id="case_rating_read", summary="The applicant's rating of their case (404 until rated)",
                   responses={200: RatingOut, **error_responses(401, 403, 404)})
    def get(self, request, case_id: int):
        case = get_case_for(request.user, case_id)
        panel = selectors.case_panel(case)
        if panel.rating is None:
            raise NotFound("not_rated", "该办件尚未评价。", "This case has not been rated yet.")
        return Response(_rating_out(panel.rating, panel.rectification))

    @extend_schema(operation_id="case_rating_create", summary="Rate an ended case once (一事一评)",
                   request=RatingIn, responses={201: RatingOut, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request, case_id: int):
        data = validated(RatingIn, request)
        rating = services.rate_case(person=request.user, case_id=case_id, **data)
        return Response(_rating_out(rating), status=201)


class IsApplicantOrDevice(BasePermission):
    message = "仅限申请人或窗口评价器。"

    def has_permission(self, request, view) -> bool:
        return request_device(request) is not None or is_resident_like(request.user)


class VisitRatingView(APIView):
    authentication_classes = [DeviceTokenAuthentication, *AUTHENTICATION]
    permission_classes = [IsApplicantOrDevice]

    @extend_schema(operation_id="visit_rating_create",
                   summary="Rate a finished hall visit once (一次一评): its person, the holder of its printed code, or the window's evaluator",
                   request=VisitRatingIn, responses={201: RatingOut, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request, ticket_id: int):
        data = validated(VisitRatingIn, request)
        device = request_device(request)
        code = data.pop("code")
        if device is not None:
            data.pop("channel")
            rating = services.rate_visit(ticket_id=ticket_id, device=device, **data)
        else:
            rating = services.rate_visit(ticket_id=ticket_id, person=request.user, token=code, **data)
        return Response(_rating_out(rating), status=201)


class VerdictIn(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=list(rules.VERDICTS))


class VerdictView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [IsResidentOrEnterprise]

    @extend_schema(operation_id="rectification_verdict", summary="The rater judges how their bad rating was dealt with",
                   request=VerdictIn, responses={200: RectificationOut, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request, task_id: int):
        data = validated(VerdictIn, request)
        return Response(_task_out(services.give_verdict(person=request.user, task_id=task_id, **data)))


class TaskListOut(serializers.Serializer):
    results = RectificationOut(many=True)


class TaskListView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = STAFF

    @extend_schema(operation_id="rectification_list", summary="Open rectifications of the caller's departments, by deadline",
                   responses={200: TaskListOut, **error_responses(401, 403)})
    def get(self, request):
        found = selectors.tasks_visible_to(request.user).filter(state__in=list(rules.OPEN_STATES) + [rules.REPLIED])
        return Response({"results": [_task_out(task) for task in found.order_by("due_on", "pk")[:500]]})


class TaskActionIn(serializers.Serializer):
    action = serializers.ChoiceField(choices=["call_back", "resolve", "finish_fix", "appeal"])
    version = serializers.IntegerField(required=False, min_value=0)
    reached = serializers.BooleanField(required=False, default=False)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=services.MAX_TEXT)
    outcome = serializers.ChoiceField(choices=list(rules.OUTCOMES), required=False)
    reply = serializers.CharField(required=False, allow_blank=True, default="", max_length=services.MAX_TEXT)
    fix_due_on = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=services.MAX_TEXT)


class TaskActionView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [HasStaffRole(*services.ACTING_ROLES)]

    @extend_schema(operation_id="rectification_action",
                   summary="One step of a rectification: call_back, resolve (fixed_now / ledger / explained), finish_fix, appeal",
                   request=TaskActionIn, responses={200: RectificationOut, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request, task_id: int):
        data = validated(TaskActionIn, request)
        action, version, who = data["action"], data.get("version"), request.user
        if action == "call_back":
            task = services.record_callback(officer=who, task_id=task_id, reached=data["reached"], notes=data["notes"], version=version)
        elif action == "resolve":
            if "outcome" not in data:
                raise ValidationFailed("outcome_required", "请选择处理方式。", "Choose an outcome.")
            task = services.resolve(officer=who, task_id=task_id, outcome=data["outcome"], reply=data["reply"],
                                    fix_due_on=data["fix_due_on"], version=version)
        elif action == "finish_fix":
            task = services.finish_fix(officer=who, task_id=task_id, reply=data["reply"], version=version)
        else:
            services.file_appeal(officer=who, task_id=task_id, reason=data["reason"])
            task = selectors.task_for(who, task_id)
        return Response(_task_out(task))


class DecisionIn(serializers.Serializer):
    upheld = serializers.BooleanField()
    note = serializers.CharField(max_length=services.MAX_TEXT)


class DecisionOut(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.CharField()


class AppealDecisionView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = [HasStaffRole(*services.REVIEWER_ROLES)]

    @extend_schema(operation_id="appeal_decision", summary="A reviewer decides an appeal once (upheld: the rating leaves the figures)",
                   request=DecisionIn, responses={200: DecisionOut, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request, appeal_id: int):
        data = validated(DecisionIn, request)
        appeal = services.decide_appeal(reviewer=request.user, appeal_id=appeal_id, **data)
        return Response({"id": appeal.pk, "state": appeal.state})


class SummaryOut(serializers.Serializer):
    total = serializers.IntegerField()
    good = serializers.IntegerField()
    fair = serializers.IntegerField()
    bad = serializers.IntegerField()
    defaulted = serializers.IntegerField()
    set_aside = serializers.IntegerField()
    bad_real_name = serializers.IntegerField()
    called_back = serializers.IntegerField()
    rectified = serializers.IntegerField()
    good_rate = serializers.FloatField(allow_null=True, help_text="good / total; null when nothing was rated")
    callback_rate = serializers.FloatField(allow_null=True, help_text="实名差评回访率: called_back / bad_real_name")
    rectification_rate = serializers.FloatField(allow_null=True, help_text="差评整改率: rectified / bad")
    overdue = serializers.IntegerField()


class SummaryView(APIView):
    authentication_classes = AUTHENTICATION
    permission_classes = STAFF

    @extend_schema(operation_id="rating_summary", summary="The 好差评 figures of the caller's departments",
                   responses={200: SummaryOut, **error_responses(401, 403)})
    def get(self, request):
        from dataclasses import asdict

        return Response(asdict(selectors.summary(department_ids=staff_department_ids(request.user))))
