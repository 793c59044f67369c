"""API of the accounts app: obtain a token, and who am I."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from yiwang.accounts import selectors, services
from yiwang.accounts.authentication import ExpiringTokenAuthentication
from yiwang.accounts.http import client_ip
from yiwang.core.api import error_responses
from yiwang.core.errors import RateLimited


class TokenInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenOutput(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")
    kind = serializers.CharField(help_text="resident, enterprise or staff")
    role = serializers.CharField(help_text="staff role; empty for residents and enterprises")


class MeOutput(serializers.Serializer):
    username = serializers.CharField()
    kind = serializers.CharField()
    real_name = serializers.CharField()
    id_number_masked = serializers.CharField(help_text="e.g. 310120********123X; empty when none")
    credit_code = serializers.CharField(help_text="enterprises only; empty otherwise")
    role = serializers.CharField()
    department_codes = serializers.ListField(child=serializers.CharField())


class TokenView(APIView):
    # No authentication: SessionAuthentication would demand a CSRF token from a signed-in browser.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_token",
        summary="Exchange a username and password for an API token",
        request=TokenInput,
        responses={200: TokenOutput, **error_responses(400, 401, 429)},
        tags=["auth"],
    )
    def post(self, request):
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = services.authenticate_with_rate_limit(
                request_ip=client_ip(request),
                username=data.validated_data["username"],
                password=data.validated_data["password"],
            )
        except RateLimited as exc:
            retry_after = (exc.details or {}).get("retry_after_seconds")
            headers = {"Retry-After": str(retry_after)} if retry_after else {}
            return Response(exc.as_dict(), status=exc.status, headers=headers)
        token = services.issue_api_token(user=user)
        return Response(TokenOutput({"token": token, "kind": user.kind, "role": user.role}).data)


class MeView(APIView):
    # Token first, so an anonymous request gets 401 with `WWW-Authenticate: Token` (not 403).
    authentication_classes = [ExpiringTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me",
        summary="The signed-in user",
        responses={200: MeOutput, **error_responses(401)},
        tags=["auth"],
    )
    def get(self, request):
        user = request.user
        body = {
            "username": user.username,
            "kind": user.kind,
            "real_name": user.real_name,
            "id_number_masked": user.masked_id_number,
            "credit_code": user.credit_code or "",
            "role": user.role,
            "department_codes": selectors.staff_department_codes(user),
        }
        return Response(MeOutput(body).data)
