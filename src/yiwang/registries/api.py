"""REST API of data sharing: fetch a material from a registry, my accesses and consents, the report."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from yiwang.accounts.permissions import HasStaffRole, IsResidentOrEnterprise, IsStaff
from yiwang.core.api import error_responses
from yiwang.registries import selectors, services


class FetchIn(serializers.Serializer):
    consent = serializers.BooleanField(
        help_text="true: the applicant consents now (an active consent is reused); false: use an existing consent."
    )
    purpose = serializers.CharField(required=False, allow_blank=True, max_length=200)


class SharedMaterialOut(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField(source="material_position")
    name = serializers.CharField(source="material_name")
    source = serializers.CharField()
    shared_source = serializers.CharField(help_text="registry:kind")
    fetched_at = serializers.DateTimeField()
    access_log_id = serializers.IntegerField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class FetchView(APIView):
    permission_classes = [IsResidentOrEnterprise]

    @extend_schema(
        operation_id="applications_materials_fetch",
        summary="Fetch a material from a registry instead of uploading it (免交)",
        request=FetchIn,
        responses={201: SharedMaterialOut, **error_responses(400, 401, 403, 404, 409, 502, 503)},
    )
    def post(self, request, case_id: int, position: int):
        data = FetchIn(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["consent"]:
            material = services.grant_and_fetch(case_id=case_id, user=request.user, position=position,
                                                purpose=data.validated_data.get("purpose") or None)
        else:
            material = services.fetch_material_for_case(case_id=case_id, user=request.user, position=position)
        return Response(SharedMaterialOut(material).data, status=status.HTTP_201_CREATED)


class AccessOut(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    is_self = serializers.BooleanField()
    accessor = serializers.CharField(help_text="masked name; 本人 when the resident fetched it")
    via = serializers.CharField()
    registry = serializers.CharField()
    registry_name = serializers.CharField()
    record_kind = serializers.CharField()
    record_name = serializers.CharField()
    case_id = serializers.IntegerField(allow_null=True)
    case_label = serializers.CharField()
    purpose = serializers.CharField()
    outcome = serializers.CharField()
    outcome_label = serializers.CharField()
    registry_query_id = serializers.CharField(help_text="the registry's own record of the query (its receipt)")
    registry_answered_at = serializers.DateTimeField(allow_null=True)


class MyAccessesView(APIView):
    permission_classes = [IsResidentOrEnterprise]

    @extend_schema(operation_id="data_sharing_my_accesses", summary="Who fetched my data",
                   responses={200: AccessOut(many=True), **error_responses(401, 403)})
    def get(self, request):
        return Response(AccessOut(selectors.accesses_for_subject(request.user), many=True).data)


class ConsentOut(serializers.Serializer):
    id = serializers.IntegerField()
    scope = serializers.CharField()
    registry_name = serializers.CharField()
    record_name = serializers.CharField()
    case_id = serializers.IntegerField(allow_null=True)
    purpose = serializers.CharField()
    granted_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    active = serializers.BooleanField()


class MyConsentsView(APIView):
    permission_classes = [IsResidentOrEnterprise]

    @extend_schema(operation_id="data_sharing_consents", summary="My consents",
                   responses={200: ConsentOut(many=True), **error_responses(401, 403)})
    def get(self, request):
        return Response(ConsentOut(selectors.consents_of(request.user), many=True).data)


class WithdrawView(APIView):
    permission_classes = [IsResidentOrEnterprise]

    @extend_schema(operation_id="data_sharing_consent_withdraw", summary="Withdraw a consent", request=None,
                   responses={200: ConsentOut, **error_responses(401, 403, 404)})
    def post(self, request, consent_id: int):
        consent = services.withdraw_consent(user=request.user, consent_id=consent_id)
        entry = next(x for x in selectors.consents_of(request.user) if x.id == consent.pk)
        return Response(ConsentOut(entry).data)


class ItemExemptionOut(serializers.Serializer):
    item_code = serializers.CharField()
    item_name = serializers.CharField()
    item_name_en = serializers.CharField()
    exemptible = serializers.IntegerField(help_text="materials of the item that a registry record may replace")
    exempted = serializers.IntegerField(help_text="materials of submitted cases satisfied by a fetched record")
    visits_saved = serializers.IntegerField(help_text="exempted required (or deferrable) materials, once per case")
    cases = serializers.IntegerField(help_text="submitted cases with at least one exempted material")


class ReportOut(serializers.Serializer):
    total = ItemExemptionOut()
    items = ItemExemptionOut(many=True)


class ReportView(APIView):
    permission_classes = [IsStaff]

    @extend_schema(operation_id="data_sharing_report", summary="Exemption report (免交统计), per item and overall",
                   responses={200: ReportOut, **error_responses(401, 403)})
    def get(self, request):
        return Response(ReportOut(selectors.exemption_report()).data)


class AuditOut(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    accessor = serializers.CharField()
    subject_name = serializers.CharField()
    subject_identifier = serializers.CharField(help_text="masked")
    registry = serializers.CharField()
    record_kind = serializers.CharField()
    record_name = serializers.CharField()
    case_id = serializers.IntegerField(allow_null=True)
    consent_id = serializers.IntegerField(allow_null=True)
    outcome = serializers.CharField()
    detail = serializers.CharField()
    latency_ms = serializers.IntegerField()
    source = serializers.CharField()


class AccessLogView(APIView):
    permission_classes = [HasStaffRole("auditor", "administrator")]

    @extend_schema(operation_id="data_sharing_access_log", summary="Registry access log (auditors)",
                   responses={200: AuditOut(many=True), **error_responses(401, 403)})
    def get(self, request):
        return Response(AuditOut(selectors.access_log(request.user), many=True).data)
