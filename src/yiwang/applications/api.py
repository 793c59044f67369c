"""REST API of cases: thin views that validate input and call services/selectors."""

from __future__ import annotations

from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from yiwang.applications import constants as c
from yiwang.applications import lifecycle, selectors, services
from yiwang.applications.models import Case
from yiwang.applications.storage import ALLOWED_CONTENT_TYPES, open_material_file
from yiwang.accounts.selectors import identity_as_seen_by
from yiwang.catalog.application_forms import KINDS, field_as_dict
from yiwang.catalog.selectors import get_item
from yiwang.core.api import FormValueField, TextKeyDictField, error_responses
from yiwang.core.errors import NotFound, PermissionDenied
from yiwang.registries.constants import VIEWED_BY_DOWNLOAD
from yiwang.registries.services import record_staff_view


class MaterialOut(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField(source="material_position")
    name = serializers.CharField(source="material_name")
    source = serializers.CharField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class EventOut(serializers.Serializer):
    sequence = serializers.IntegerField()
    action = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    actor_role = serializers.CharField()
    opinion = serializers.CharField()
    at = serializers.DateTimeField()


class NoticeOut(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    missing_materials = serializers.ListField(child=serializers.CharField())
    issued_at = serializers.DateTimeField()


class CaseOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    item_code = serializers.CharField(source="item.code")
    item_name = serializers.CharField(source="item.name")
    department = serializers.CharField(source="department.code")
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    step = serializers.IntegerField()
    version = serializers.IntegerField()
    applicant = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    accepted_on = serializers.DateField(allow_null=True)
    statutory_due = serializers.DateField(allow_null=True)
    promised_due = serializers.DateField(allow_null=True)
    due_provisional = serializers.BooleanField()
    warning = serializers.SerializerMethodField()
    owed_materials = serializers.ListField(child=serializers.CharField())
    licence_number = serializers.SerializerMethodField()

    def get_applicant(self, case) -> dict:
        return identity_as_seen_by(self.context.get("viewer"), case.applicant)

    def get_warning(self, case) -> str:
        return selectors.case_warning(case)

    def get_licence_number(self, case) -> str | None:
        licence = getattr(case, "licence", None) if case.state in {c.RESULT_ISSUED, c.DELIVERED} else None
        return licence.number if licence else None


class CaseDetailOut(CaseOut):
    form_data = serializers.SerializerMethodField()
    rules = serializers.JSONField()
    materials = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    notices = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()

    def get_form_data(self, case) -> dict:
        return selectors.form_data_as_seen_by(self.context.get("viewer"), case)

    def get_materials(self, case) -> list[dict]:
        return MaterialOut(case.materials.filter(superseded=False), many=True).data

    def get_events(self, case) -> list[dict]:
        return EventOut(case.events.all(), many=True).data

    def get_notices(self, case) -> list[dict]:
        return NoticeOut(case.notices.all(), many=True).data

    def get_available_actions(self, case) -> list[str]:
        viewer = self.context.get("viewer")
        return [a.name for a in selectors.actions_for(viewer, case)] if viewer else []


class CaseWriteOut(CaseOut):
    """What a write answers: the case summary and the notice the write produced (if any).

    The full record (form, materials, events, every notice) is `GET /applications/{id}/`.
    """

    notice = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()

    def get_notice(self, case) -> dict | None:
        produced = self.context.get("notice")
        return NoticeOut(produced).data if produced else None

    def get_available_actions(self, case) -> list[str]:
        viewer = self.context.get("viewer")
        return [a.name for a in selectors.actions_for(viewer, case)] if viewer else []


def _written(case: Case, request, status_code=200, *, produced_notice: bool = True) -> Response:
    """Answer a write with the case as the service returned it (the service checked access)."""
    notice = case.notices.order_by("-issued_at", "-id").first() if produced_notice and case.version else None
    context = {"viewer": request.user, "notice": notice}
    return Response(CaseWriteOut(case, context=context).data, status=status_code)


class CreateIn(serializers.Serializer):
    item_code = serializers.CharField(max_length=40)
    form_data = TextKeyDictField(child=FormValueField(), required=False, default=dict)
    submit = serializers.BooleanField(required=False, default=False, help_text="submit at once (items needing no uploads)")


IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description="A retried submission with the same key returns the first case instead of creating another.",
)


class ApplicationListView(APIView):
    @extend_schema(
        operation_id="applications_list",
        parameters=[OpenApiParameter("state", str, description="filter by state")],
        responses={200: CaseOut(many=True), **error_responses(401, 403)},
    )
    def get(self, request):
        # A 一件事 member's draft is its bundle's (GET /api/v1/bundle-applications/{id}/), not listed alone.
        cases = selectors.cases_visible_to(request.user).exclude(in_bundle=True, state="draft").select_related("licence")
        state = request.query_params.get("state")
        if state:
            cases = cases.filter(state=state)
        return Response(CaseOut(cases[:200], many=True, context={"viewer": request.user}).data)

    @extend_schema(
        operation_id="applications_create",
        request=CreateIn,
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: CaseWriteOut, 200: CaseWriteOut, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request):
        data = CreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values["submit"]:
            submission = services.create_and_submit(
                applicant=request.user, item_code=values["item_code"], form_data=values["form_data"],
                idempotency_key=request.headers.get("Idempotency-Key", ""),
            )
            return _written(submission.case, request, 201 if submission.created else 200)
        case = services.create_draft(applicant=request.user, item_code=values["item_code"], form_data=values["form_data"])
        return _written(case, request, 201)


class UpdateIn(serializers.Serializer):
    form_data = TextKeyDictField(child=FormValueField())


class ApplicationDetailView(APIView):
    @extend_schema(operation_id="applications_retrieve", responses={200: CaseDetailOut, **error_responses(401, 404)})
    def get(self, request, case_id: int):
        return Response(CaseDetailOut(selectors.get_case_for(request.user, case_id), context={"viewer": request.user}).data)

    @extend_schema(operation_id="applications_update_draft", request=UpdateIn,
                   responses={200: CaseWriteOut, **error_responses(400, 401, 404, 409)})
    def patch(self, request, case_id: int):
        data = UpdateIn(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.update_draft(case_id=case_id, applicant=request.user, form_data=data.validated_data["form_data"])
        return _written(case, request, produced_notice=False)


class UploadIn(serializers.Serializer):
    position = serializers.IntegerField(min_value=1)
    file = serializers.FileField()


class MaterialUploadView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(operation_id="applications_materials_upload", request={"multipart/form-data": UploadIn},
                   responses={201: MaterialOut, **error_responses(400, 401, 404, 409)})
    def post(self, request, case_id: int):
        data = UploadIn(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        material = services.attach_material(
            case_id=case_id, user=request.user, position=data.validated_data["position"], stream=upload, original_name=upload.name
        )
        return Response(MaterialOut(material).data, status=status.HTTP_201_CREATED)


# A material shown inside the case page (PDF in a frame, image) may be framed by this site's own
# pages, and by nothing else; the file itself may load nothing.
INLINE_CONTENT_SECURITY_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'; " \
                                 "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"


class MaterialDownloadView(APIView):
    @extend_schema(
        operation_id="applications_materials_download",
        parameters=[OpenApiParameter("inline", bool, description="1: shown in the page (PDF and images only), not saved")],
        responses={(200, "application/octet-stream"): bytes, **error_responses(401, 404, 410)},
    )
    def get(self, request, case_id: int, material_id: int):
        case = selectors.get_case_for(request.user, case_id)
        material = case.materials.filter(pk=material_id).first()
        if material is None:
            raise NotFound("material_not_found", "材料不存在。", "Material not found.")
        if material.file_removed_at is not None:
            raise NotFound(
                "material_file_removed", "该文件在提交前已被替换，文件本身已按保留期限清除。",
                "This file was replaced before submission and has been removed after its retention period.",
                status=410,
            )
        if material.source == c.SOURCE_REGISTRY:  # another person's shared data: the reading is logged
            record_staff_view(viewer=request.user, case=case, material=material, how=VIEWED_BY_DOWNLOAD)
        inline = request.query_params.get("inline") in ("1", "true") and material.content_type in ALLOWED_CONTENT_TYPES
        response = FileResponse(open_material_file(material.storage_path), content_type=material.content_type,
                                as_attachment=not inline, filename=material.original_name or f"material-{material.pk}")
        response["Cache-Control"] = "private, no-store"  # personal documents stay out of shared caches
        if inline:
            response["Content-Security-Policy"] = INLINE_CONTENT_SECURITY_POLICY
            response["X-Frame-Options"] = "SAMEORIGIN"
        return response


class SubmitView(APIView):
    @extend_schema(operation_id="applications_submit", request=None, parameters=[IDEMPOTENCY_HEADER],
                   responses={200: CaseWriteOut, **error_responses(400, 401, 404, 409)})
    def post(self, request, case_id: int):
        case = services.submit_application(
            case_id=case_id, applicant=request.user, idempotency_key=request.headers.get("Idempotency-Key")
        )
        return _written(case, request)


class ActionIn(serializers.Serializer):
    action = serializers.ChoiceField(choices=sorted(lifecycle.ACTIONS))
    version = serializers.IntegerField(min_value=0, help_text="the case version you saw; a stale version gets 409")
    opinion = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    missing_materials = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list,
        help_text="request_supplement: positions of every missing material",
    )


class ActionView(APIView):
    @extend_schema(operation_id="applications_action", request=ActionIn,
                   responses={200: CaseWriteOut, **error_responses(400, 401, 403, 404, 409)})
    def post(self, request, case_id: int):
        data = ActionIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        case = services.perform_action(
            case_id=case_id, actor=request.user, action=values["action"], expected_version=values["version"],
            opinion=values["opinion"], missing_materials=values["missing_materials"],
        )
        return _written(case, request, produced_notice=lifecycle.ACTIONS[values["action"]].notice is not None)


class QueueRowOut(serializers.Serializer):
    case = CaseOut()
    due = serializers.DateField(allow_null=True)
    warning = serializers.CharField()
    bundle_case_id = serializers.SerializerMethodField(help_text="the 一件事 case this case is a member of, or null")

    def get_bundle_case_id(self, row) -> int | None:
        return selectors.bundle_case_id_of(row.case)


class WorkQueueView(APIView):
    @extend_schema(
        operation_id="queue_list",
        parameters=[
            OpenApiParameter("department", str),
            OpenApiParameter("q", str, description="part of a case number, or an applicant's full name"),
            OpenApiParameter("state", str, description="a case state"),
            OpenApiParameter("item", str, description="an item code"),
            OpenApiParameter("due", str, enum=sorted(selectors.DUE_FILTERS), description="overdue or due soon"),
        ],
        responses={200: QueueRowOut(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request):
        if request.user.kind != "staff":
            raise PermissionDenied("staff_only", "只有工作人员可以查看工作台。", "Only staff can see the work queue.")
        params = request.query_params
        filters = selectors.queue_filter(query=params.get("q"), state=params.get("state"), item_code=params.get("item"),
                                         due=params.get("due"))
        rows = selectors.work_queue(request.user, department_code=params.get("department"), filters=filters)
        return Response(QueueRowOut(rows, many=True, context={"viewer": request.user}).data)


class FormFieldOut(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    label_en = serializers.CharField()
    kind = serializers.ChoiceField(choices=KINDS)
    required = serializers.BooleanField()
    max_length = serializers.IntegerField()
    help = serializers.CharField(required=False)
    help_en = serializers.CharField(required=False)
    prefill = serializers.CharField(required=False, help_text="filled from the applicant's account when the draft starts")
    min = serializers.CharField(required=False)
    max = serializers.CharField(required=False)
    options = serializers.ListField(child=serializers.DictField(child=serializers.CharField()), required=False,
                                    help_text="choice/choices: value, label, label_en")
    show_if = serializers.DictField(required=False, help_text="asked only when field `field` has one of `values`")
    columns = serializers.ListField(child=serializers.DictField(), required=False, help_text="table: its columns' fields")
    min_rows = serializers.IntegerField(required=False)
    max_rows = serializers.IntegerField(required=False)


class FormFieldsView(APIView):
    @extend_schema(operation_id="applications_form_fields",
                   parameters=[OpenApiParameter("item", str, description="the item's code: its own fields first (else the common fields)")],
                   responses={200: FormFieldOut(many=True), **error_responses(401, 404)})
    def get(self, request):
        code = request.query_params.get("item")
        item = get_item(code) if code else None
        return Response([field_as_dict(f) for f in selectors.form_fields_for(request.user, item)])
