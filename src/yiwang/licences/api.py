"""REST API of the licences app: public verification, PDF download and revocation."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from yiwang.accounts.http import client_ip
from yiwang.core.api import error_responses
from yiwang.licences import constants as c
from yiwang.licences import selectors, services
from yiwang.licences.responses import pdf_response


class AnyAcceptNegotiation(BaseContentNegotiation):
    """The body is the PDF on success and the JSON error otherwise, whatever the Accept header says."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class VerificationOutput(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=[c.STATUS_VALID, c.STATUS_REVOKED, c.STATUS_UNKNOWN])
    detail = serializers.ChoiceField(
        choices=[c.DETAIL_OK, c.DETAIL_NOT_FOUND, c.DETAIL_INVALID_SIGNATURE, c.DETAIL_DIGEST_MISMATCH],
        help_text="Why the status is what it is: ok, not_found, invalid_signature or digest_mismatch.",
    )
    title = serializers.CharField()
    holder_name = serializers.CharField(help_text="Masked for natural persons.")
    holder_identifier = serializers.CharField(help_text="Masked.")
    department = serializers.CharField()
    department_en = serializers.CharField()
    issued_on = serializers.DateField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    signature_valid = serializers.BooleanField()


class RevokeInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class RevokedLicenceOutput(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    revoked_at = serializers.DateTimeField()
    revoke_reason = serializers.CharField()


class LicenceVerifyAPIView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="licence_verify",
        summary="Verify a licence by its number (public)",
        responses={200: VerificationOutput, **error_responses(429)},
        tags=["licences"],
    )
    def get(self, request, number):
        services.count_public_verification(client_ip=client_ip(request))
        verification = selectors.verify_licence(number)
        body = {
            "number": verification.number,
            "status": verification.status,
            "detail": verification.detail,
            "title": verification.title,
            "holder_name": verification.holder_name,
            "holder_identifier": verification.holder_identifier,
            "department": verification.department_name,
            "department_en": verification.department_name_en,
            "issued_on": verification.issued_on,
            "revoked_at": verification.revoked_at,
            "signature_valid": verification.signature_valid,
        }
        return Response(VerificationOutput(body).data)


class LicencePdfAPIView(APIView):
    content_negotiation_class = AnyAcceptNegotiation

    @extend_schema(
        operation_id="licence_pdf",
        summary="Download the licence PDF (holder, staff of the department, administrators, auditors)",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The licence as PDF"),
            **error_responses(403, 404, 409),
        },
        tags=["licences"],
    )
    def get(self, request, number):
        licence = selectors.access_licence_for_download(user=request.user, number=number)
        return pdf_response(selectors.render_licence_pdf(licence), licence.number)


class LicenceRevokeAPIView(APIView):
    @extend_schema(
        operation_id="licence_revoke",
        summary="Revoke a licence (window officers and approvers of its department, administrators)",
        request=RevokeInput,
        responses={200: RevokedLicenceOutput, **error_responses(400, 403, 404, 409)},
        tags=["licences"],
    )
    def post(self, request, number):
        licence = selectors.access_licence_for_revoke(user=request.user, number=number)
        payload = RevokeInput(data=request.data)
        payload.is_valid(raise_exception=True)
        licence = services.revoke_licence(licence=licence, reason=payload.validated_data["reason"], actor=request.user)
        return Response(RevokedLicenceOutput(licence).data)
