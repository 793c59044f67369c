"""DRF glue shared by every app's API: the error shape and the exception handler."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema_field, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from yiwang.core.errors import DomainError
from yiwang.core.parsers import RequestTooLarge

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "code": serializers.CharField(),
        "message": serializers.CharField(help_text="中文说明"),
        "message_en": serializers.CharField(help_text="English message"),
        "details": serializers.JSONField(required=False),
    },
)


def unsafe_text(value: str) -> bool:
    """Text no database column or JSON document can hold: NUL, or half of a UTF-16 surrogate pair."""
    return "\x00" in value or any("\ud800" <= char <= "\udfff" for char in value)


class TextKeyDictField(serializers.DictField):
    """A dict whose keys are short, storable strings (DRF checks values, never keys)."""

    def __init__(self, *args, max_key_length: int = 100, **kwargs):
        self.max_key_length = max_key_length
        super().__init__(*args, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            for key in data:
                if not isinstance(key, str) or unsafe_text(key) or not 0 < len(key) <= self.max_key_length:
                    raise serializers.ValidationError(
                        f"keys must be 1-{self.max_key_length} characters of ordinary text", code="invalid_key"
                    )
        return super().to_internal_value(data)


@extend_schema_field({"oneOf": [
    {"type": "string"},
    {"type": "array", "items": {"type": "string"}, "maxItems": 50, "description": "several choices"},
    {"type": "array", "items": {"type": "object", "additionalProperties": {"type": "string"}}, "maxItems": 50,
     "description": "table rows: column name -> value"},
]})
class FormValueField(serializers.Field):
    """One answer of an application form: text, several choices, or table rows of text."""

    default_error_messages = {"invalid": "a form value is text, a list of texts, or a list of rows of texts"}

    def _text(self, value) -> bool:
        return isinstance(value, str) and not unsafe_text(value) and len(value) <= 5000

    def to_internal_value(self, data):
        if self._text(data):
            return data
        if isinstance(data, list) and len(data) <= 50:
            if all(self._text(v) for v in data):
                return data
            if all(isinstance(row, dict) and len(row) <= 50 and all(
                    isinstance(k, str) and 0 < len(k) <= 100 and not unsafe_text(k) and self._text(v) for k, v in row.items())
                   for row in data):
                return data
        self.fail("invalid")

    def to_representation(self, value):
        return value


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """OpenAPI responses for the given HTTP error statuses, all of the error shape."""
    return {code: OpenApiResponse(ErrorSerializer) for code in codes}


_DRF_MESSAGES: dict[type, tuple[str, str, str]] = {
    exceptions.NotAuthenticated: ("not_authenticated", "请先登录。", "Authentication required."),
    exceptions.AuthenticationFailed: ("authentication_failed", "身份验证失败。", "Authentication failed."),
    exceptions.PermissionDenied: ("permission_denied", "您无权执行此操作。", "You do not have permission for this action."),
    exceptions.NotFound: ("not_found", "未找到。", "Not found."),
    exceptions.MethodNotAllowed: ("method_not_allowed", "不支持该请求方法。", "Method not allowed."),
    exceptions.NotAcceptable: ("not_acceptable", "无法提供所请求的格式。", "Not acceptable."),
    exceptions.UnsupportedMediaType: ("unsupported_media_type", "不支持的请求内容类型。", "Unsupported media type."),
    exceptions.Throttled: ("rate_limited", "请求过于频繁，请稍后再试。", "Too many requests; try again later."),
    RequestTooLarge: ("request_too_large", "请求内容过大（JSON 不超过 1 MB）。", "The request body is too large (JSON: at most 1 MB)."),
    exceptions.ParseError: ("malformed_request", "请求内容格式错误（如 JSON 无法解析）。", "Malformed request body (e.g. invalid JSON)."),
}


def exception_handler(exc, context):
    """Render every API error as {"code", "message", "message_en"} with a 4xx status."""
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ValidationError):
        body = {
            "code": "invalid_input",
            "message": "提交的数据不符合要求，请按字段说明修改。",
            "message_en": "The submitted data is invalid; see the field details.",
            "details": exc.detail,
        }
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    for exc_type, (code, message, message_en) in _DRF_MESSAGES.items():
        if isinstance(exc, exc_type):
            response = drf_exception_handler(exc, context)
            status_code = response.status_code if response is not None else exc.status_code
            body = {"code": code, "message": message, "message_en": message_en}
            headers = {}
            if response is not None:
                for header in ("WWW-Authenticate", "Retry-After", "Allow"):
                    if header in response:
                        headers[header] = response[header]
            return Response(body, status=status_code, headers=headers)
    return drf_exception_handler(exc, context)


def validated(serializer_class, request) -> dict:
    """The request body checked by `serializer_class` (a 400 with the field errors otherwise)."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data

