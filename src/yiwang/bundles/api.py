"""REST API of bundles (一件事): the catalogue of bundles, guidance, and bundle applications."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from yiwang.accounts.permissions import IsResidentOrEnterprise
from yiwang.bundles import selectors, services
from yiwang.bundles.models import BundleCase
from yiwang.catalog.selectors import item_promised_limit
from yiwang.core import clock
from yiwang.accounts.selectors import identity_as_seen_by
from yiwang.core.api import FormValueField, TextKeyDictField, error_responses

# ---------------------------------------------------------------------------------------------
# Bundles and guidance (public)
# ---------------------------------------------------------------------------------------------


class BundleWindowOut(serializers.Serializer):
    opens = serializers.CharField(help_text="MM-DD")
    closes = serializers.CharField(help_text="MM-DD")
    open_today = serializers.BooleanField()
    next_opens = serializers.DateField(allow_null=True)
    closes_on = serializers.DateField()


def _window(bundle) -> dict | None:
    state = selectors.window_state(bundle, clock.today())
    if state is None:
        return None
    return {"opens": bundle.window_opens, "closes": bundle.window_closes, "open_today": state.open,
            "next_opens": state.next_opens, "closes_on": state.closes_on}


class BundleOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    lead_department = serializers.CharField(source="lead_department.code")
    lead_department_name = serializers.CharField(source="lead_department.name")
    member_count = serializers.IntegerField()
    has_questions = serializers.SerializerMethodField()
    application_window = serializers.SerializerMethodField()

    def get_has_questions(self, bundle) -> bool:
        return bool(bundle.questions)

    def get_application_window(self, bundle) -> BundleWindowOut(allow_null=True):  # type: ignore[valid-type]
        return _window(bundle)


class BundleMemberItemOut(serializers.Serializer):
    position = serializers.IntegerField()
    code = serializers.CharField(source="item.code")
    name = serializers.CharField(source="item.name")
    name_en = serializers.CharField(source="item.name_en")
    department = serializers.CharField(source="item.department.code")
    department_name = serializers.CharField(source="item.department.name")
    online = serializers.SerializerMethodField()
    promised_limit = serializers.SerializerMethodField()

    def get_online(self, member) -> bool:
        return selectors.is_online(member.item)

    def get_promised_limit(self, member) -> dict | None:
        return item_promised_limit(member.item)


class BundleQuestionOptionOut(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


class BundleQuestionOut(serializers.Serializer):
    id = serializers.CharField()
    text = serializers.CharField()
    options = BundleQuestionOptionOut(many=True)


class BundleRuleOut(serializers.Serializer):
    when = serializers.DictField(child=serializers.CharField())
    add_items = serializers.ListField(child=serializers.CharField(), required=False)
    skip_items = serializers.ListField(child=serializers.CharField(), required=False)


class BundleDetailOut(BundleOut):
    notes = serializers.CharField()
    members = BundleMemberItemOut(many=True, source="members.all")
    questions = BundleQuestionOut(many=True)
    rules = BundleRuleOut(many=True)


class BundleListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="bundles_list", responses={200: BundleOut(many=True)})
    def get(self, request):
        return Response(BundleOut(selectors.list_bundles(), many=True).data)


class BundleDetailView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="bundles_retrieve", responses={200: BundleDetailOut, **error_responses(404)})
    def get(self, request, code: str):
        bundle = selectors.get_bundle(code)
        bundle.member_count = len(bundle.members.all())
        return Response(BundleDetailOut(bundle).data)


class BundleGuidanceIn(serializers.Serializer):
    answers = TextKeyDictField(child=serializers.CharField(allow_blank=True, max_length=100), required=False, default=dict,
                                    help_text="question id -> option value")


class BundleGuidanceItemOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    department = serializers.CharField(allow_null=True)
    online = serializers.BooleanField()
    reason = serializers.CharField()
    reason_en = serializers.CharField()


class BundleGuidanceMaterialOut(serializers.Serializer):
    name = serializers.CharField()
    items = serializers.ListField(child=serializers.CharField(), help_text="codes of the items that need it")
    necessity = serializers.CharField(help_text="1 必要 / 2 非必要 / 3 容缺后补 (the strongest over its items)")
    exemptible_via = serializers.CharField(allow_null=True, help_text="registry:kind when data sharing can supply it")


class BundleGuidanceOut(serializers.Serializer):
    items = BundleGuidanceItemOut(many=True)
    skipped = BundleGuidanceItemOut(many=True)
    materials = BundleGuidanceMaterialOut(many=True)
    application_window = BundleWindowOut(allow_null=True)


def _decision(row) -> dict:
    item = row.item
    return {
        "code": row.code,
        "name": item.name if item else row.code,
        "name_en": item.name_en if item else "",
        "department": item.department.code if item else None,
        "online": row.online,
        "reason": row.reason,
        "reason_en": row.reason_en,
    }


def _materials(merged) -> list[dict]:
    return [{"name": m.name, "items": m.items, "necessity": m.necessity, "exemptible_via": m.exemptible_via or None} for m in merged]


class GuidanceView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="bundles_guidance",
        request=BundleGuidanceIn,
        responses={200: BundleGuidanceOut, **error_responses(400, 404)},
        description="Applicable and skipped items with the reason for each, and the merged material list. "
        "Unknown questions, invalid options, contradictory answers and unanswered questions that a rule "
        "depends on give 400 with every problem listed in details.errors.",
    )
    def post(self, request, code: str):
        data = BundleGuidanceIn(data=request.data)
        data.is_valid(raise_exception=True)
        bundle = selectors.get_bundle(code)
        guide = selectors.guide_for(bundle, data.validated_data["answers"])
        if not guide.ok:
            raise services.guidance_refusal(guide.result)
        return Response(BundleGuidanceOut({
            "items": [_decision(row) for row in guide.items],
            "skipped": [_decision(row) for row in guide.skipped],
            "materials": _materials(guide.materials),
            "application_window": _window(bundle),
        }).data)


# ---------------------------------------------------------------------------------------------
# Bundle applications
# ---------------------------------------------------------------------------------------------


class BundleMemberCaseOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    version = serializers.IntegerField()
    department = serializers.CharField(source="department.code")
    submitted_at = serializers.DateTimeField(allow_null=True)
    accepted_on = serializers.DateField(allow_null=True)
    statutory_due = serializers.DateField(allow_null=True)
    promised_due = serializers.DateField(allow_null=True)


class BundleCaseMemberOut(serializers.Serializer):
    position = serializers.IntegerField(source="member.position")
    item_code = serializers.CharField(source="member.item.code")
    item_name = serializers.CharField(source="member.item.name")
    item_name_en = serializers.CharField(source="member.item.name_en")
    department = serializers.CharField(source="member.item.department.code")
    channel = serializers.CharField(source="member.channel", help_text="online: own case; window: apply at a window")
    state = serializers.CharField(help_text="the member case's state (shown to every viewer of the bundle case)")
    details_hidden = serializers.SerializerMethodField(
        help_text="true when the member case belongs to a department whose cases the viewer cannot read: "
                  "then case, requested_materials and notice are empty")
    reason = serializers.CharField(source="member.reason")
    reason_en = serializers.CharField(source="member.reason_en")
    case = BundleMemberCaseOut(allow_null=True)
    requested_materials = serializers.ListField(child=serializers.CharField(), help_text="open supplement request")
    notice = serializers.SerializerMethodField()

    def _hidden(self, member) -> bool:
        return member.case is not None and member.case.pk not in self.context.get("open_cases", set())

    def get_details_hidden(self, member) -> bool:
        return self._hidden(member)

    def to_representation(self, member):
        data = super().to_representation(member)
        if self._hidden(member):
            data.update(case=None, requested_materials=[], notice=None)
        return data

    def get_notice(self, member) -> dict | None:
        """The latest notice of the member case (receipt, acceptance, supplement, ...)."""
        if member.case is None or self._hidden(member):
            return None
        notice = member.case.notices.order_by("-issued_at", "-id").first()
        return {"kind": notice.kind, "title": notice.title} if notice else None


class BundleSupplementGroupOut(serializers.Serializer):
    material_name = serializers.CharField()
    items = serializers.ListField(child=serializers.CharField())


class BundleCaseOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    bundle_code = serializers.CharField(source="bundle.code")
    bundle_name = serializers.CharField(source="bundle.name")
    lead_department = serializers.CharField(source="bundle.lead_department.code")
    status = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField()
    status_label_en = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    applicant = serializers.SerializerMethodField()

    def _status(self, bundle_case):
        cache = self.context.setdefault("_status", {})
        if bundle_case.pk not in cache:
            cache[bundle_case.pk] = selectors.combined_status(bundle_case)
        return cache[bundle_case.pk]

    def get_status(self, bundle_case) -> str:
        return self._status(bundle_case).code

    def get_status_label(self, bundle_case) -> str:
        return self._status(bundle_case).label

    def get_status_label_en(self, bundle_case) -> str:
        return self._status(bundle_case).label_en

    def get_applicant(self, bundle_case) -> dict:
        return identity_as_seen_by(self.context.get("viewer"), bundle_case.applicant)


class BundleDraftMaterialOut(BundleGuidanceMaterialOut):
    uploaded_items = serializers.ListField(child=serializers.CharField(), help_text="codes of the items that have a file")
    produced_by = serializers.CharField(allow_null=True, help_text="member item whose result will supply it (nothing to bring)")
    complete = serializers.BooleanField()


class BundleCaseDetailOut(BundleCaseOut):
    answers = serializers.JSONField()
    form_data = serializers.JSONField()
    item_form_data = serializers.JSONField()
    members = serializers.SerializerMethodField()
    skipped = serializers.JSONField()
    supplements = serializers.SerializerMethodField()
    collect_at = serializers.SerializerMethodField()
    materials = serializers.SerializerMethodField()

    def get_materials(self, bundle_case) -> BundleDraftMaterialOut(many=True):  # type: ignore[valid-type]
        """While a draft: each material once, with the items that need it and those that have a file."""
        if not bundle_case.is_draft:
            return []
        return [
            {**_materials([row["material"]])[0],
             "uploaded_items": [code for code, upload in row["uploaded"].items() if upload is not None],
             "produced_by": row["produced_by"],
             "complete": row["complete"]}
            for row in selectors.draft_materials(bundle_case)
        ]

    def get_members(self, bundle_case) -> BundleCaseMemberOut(many=True):  # type: ignore[valid-type]
        members = self._status(bundle_case).members
        open_cases = selectors.member_cases_open_to(self.context.get("viewer"), members)
        return BundleCaseMemberOut(members, many=True, context={"open_cases": open_cases}).data

    def get_supplements(self, bundle_case) -> BundleSupplementGroupOut(many=True):  # type: ignore[valid-type]
        return [
            {"material_name": name, "items": [m.member.item.code for m in members]}
            for name, members in self._status(bundle_case).supplement_groups()
        ]

    def get_collect_at(self, bundle_case) -> str:
        """Where the results are collected: the lead department's window (one window for all)."""
        return bundle_case.bundle.lead_department.name


def _detail(bundle_case: BundleCase, request, status_code=200) -> Response:
    # Re-read so the members' cases show their state after the write.
    fresh = selectors.get_bundle_case_for(request.user, bundle_case.pk)
    return Response(BundleCaseDetailOut(fresh, context={"viewer": request.user}).data, status=status_code)


class BundleStartIn(serializers.Serializer):
    answers = TextKeyDictField(child=serializers.CharField(allow_blank=True, max_length=100), required=False, default=dict)
    form_data = TextKeyDictField(child=FormValueField(), required=False, default=dict,
                                      help_text="shared fields, asked once and mapped into every member's form")
    item_form_data = TextKeyDictField(
        child=TextKeyDictField(child=FormValueField()), required=False, default=dict,
        help_text="item code -> fields for that item only (override the shared ones)",
    )


class StartView(APIView):
    permission_classes = [IsResidentOrEnterprise]

    @extend_schema(operation_id="bundles_apply", request=BundleStartIn,
                   responses={201: BundleCaseDetailOut, **error_responses(400, 401, 403, 404)})
    def post(self, request, code: str):
        data = BundleStartIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        bundle_case = services.start_bundle_application(
            applicant=request.user, bundle_code=code, answers=values["answers"], form_data=values["form_data"],
            item_form_data=values["item_form_data"],
        )
        return _detail(bundle_case, request, status.HTTP_201_CREATED)


class BundleCaseListView(APIView):
    @extend_schema(operation_id="bundle_applications_list", responses={200: BundleCaseOut(many=True), **error_responses(401)})
    def get(self, request):
        cases = selectors.bundle_cases_visible_to(request.user).order_by("-created_at", "-id")[:200]
        return Response(BundleCaseOut(cases, many=True, context={"viewer": request.user}).data)


class BundleFormUpdateIn(serializers.Serializer):
    form_data = TextKeyDictField(child=FormValueField(), required=False, default=dict)
    item_form_data = TextKeyDictField(
        child=TextKeyDictField(child=FormValueField()), required=False, default=dict
    )


class BundleCaseDetailView(APIView):
    @extend_schema(operation_id="bundle_applications_retrieve", responses={200: BundleCaseDetailOut, **error_responses(401, 404)})
    def get(self, request, bundle_case_id: int):
        return _detail(selectors.get_bundle_case_for(request.user, bundle_case_id), request)

    @extend_schema(operation_id="bundle_applications_update_form", request=BundleFormUpdateIn,
                   responses={200: BundleCaseDetailOut, **error_responses(400, 401, 404, 409)})
    def patch(self, request, bundle_case_id: int):
        data = BundleFormUpdateIn(data=request.data)
        data.is_valid(raise_exception=True)
        bundle_case = services.update_bundle_form(
            bundle_case_id=bundle_case_id, applicant=request.user, form_data=data.validated_data["form_data"],
            item_form_data=data.validated_data["item_form_data"],
        )
        return _detail(bundle_case, request)


class BundleMaterialIn(serializers.Serializer):
    material_name = serializers.CharField(max_length=200)
    file = serializers.FileField()


class BundleStoredMaterialOut(serializers.Serializer):
    case_id = serializers.IntegerField()
    position = serializers.IntegerField(source="material_position")
    name = serializers.CharField(source="material_name")
    source = serializers.CharField()
    sha256 = serializers.CharField()
    size = serializers.IntegerField()


class MaterialUploadView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(operation_id="bundle_applications_materials_upload", request={"multipart/form-data": BundleMaterialIn},
                   responses={201: BundleStoredMaterialOut(many=True), **error_responses(400, 401, 404, 409)},
                   description="One upload stored into every member draft that needs a material of this name.")
    def post(self, request, bundle_case_id: int):
        data = BundleMaterialIn(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        stored = services.attach_bundle_material(
            bundle_case_id=bundle_case_id, user=request.user, material_name=data.validated_data["material_name"],
            stream=upload, original_name=upload.name,
        )
        return Response(BundleStoredMaterialOut(stored, many=True).data, status=status.HTTP_201_CREATED)


class BundleMaterialFetchIn(serializers.Serializer):
    material_name = serializers.CharField(max_length=200)
    consent = serializers.BooleanField(help_text="must be true: the applicant agrees to the fetch (recorded per member case)")


class MaterialFetchView(APIView):
    @extend_schema(operation_id="bundle_applications_materials_fetch", request=BundleMaterialFetchIn,
                   responses={201: BundleStoredMaterialOut(many=True), **error_responses(400, 401, 403, 404, 409, 502, 503)},
                   description="Fetch the material from data sharing (免交) for every member draft that needs it; "
                   "consent is recorded for each member case.")
    def post(self, request, bundle_case_id: int):
        data = BundleMaterialFetchIn(data=request.data)
        data.is_valid(raise_exception=True)
        stored = services.fetch_bundle_material(
            bundle_case_id=bundle_case_id, user=request.user, material_name=data.validated_data["material_name"],
            consent=data.validated_data["consent"],
        )
        return Response(BundleStoredMaterialOut(stored, many=True).data, status=status.HTTP_201_CREATED)


IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description="A retried submission with the same key returns the bundle case it submitted.",
)


class SubmitView(APIView):
    @extend_schema(operation_id="bundle_applications_submit", request=None, parameters=[IDEMPOTENCY_HEADER],
                   responses={200: BundleCaseDetailOut, **error_responses(400, 401, 404, 409)},
                   description="Submits every member case in one transaction: all or none.")
    def post(self, request, bundle_case_id: int):
        bundle_case = services.submit_bundle(
            bundle_case_id=bundle_case_id, applicant=request.user, idempotency_key=request.headers.get("Idempotency-Key")
        )
        return _detail(bundle_case, request)


class BundleSupplementOut(serializers.Serializer):
    uploaded_case_ids = serializers.ListField(child=serializers.IntegerField())
    resumed_case_ids = serializers.ListField(child=serializers.IntegerField())
    waiting = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                    help_text="case id -> materials that member still waits for")
    bundle_application = BundleCaseDetailOut()


class SupplementView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(operation_id="bundle_applications_supplements", request={"multipart/form-data": BundleMaterialIn},
                   responses={200: BundleSupplementOut, **error_responses(400, 401, 404, 409)},
                   description="One upload for every member whose open supplement request names this material; "
                   "members with every requested material present are handed back (supply).")
    def post(self, request, bundle_case_id: int):
        data = BundleMaterialIn(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        result = services.supply_bundle_supplement(
            bundle_case_id=bundle_case_id, user=request.user, material_name=data.validated_data["material_name"],
            stream=upload, original_name=upload.name,
        )
        fresh = selectors.get_bundle_case_for(request.user, bundle_case_id)
        return Response({
            "uploaded_case_ids": result.uploaded_case_ids,
            "resumed_case_ids": result.resumed_case_ids,
            "waiting": {str(k): v for k, v in result.waiting.items()},
            "bundle_application": BundleCaseDetailOut(fresh, context={"viewer": request.user}).data,
        })
