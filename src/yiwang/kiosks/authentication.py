"""Kiosks call the API under their own credential: ``Authorization: Kiosk <token>``; the request
then has no user and `request.auth` is the kiosk. A revoked or retired kiosk's token is refused."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.permissions import BasePermission

from yiwang.kiosks.models import Kiosk


def kiosk_for_token(token: str) -> Kiosk | None:
    from yiwang.kiosks.services import token_digest

    return Kiosk.objects.select_related("site").filter(token_digest=token_digest(token), active=True).first()


class KioskTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Kiosk"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("终端令牌格式错误。")
        kiosk = kiosk_for_token(header[1])
        if kiosk is None:
            raise exceptions.AuthenticationFailed("终端令牌无效或已停用。")
        return AnonymousUser(), kiosk

    def authenticate_header(self, request):
        return self.keyword


class KioskTokenScheme(OpenApiAuthenticationExtension):
    target_class = KioskTokenAuthentication
    name = "kioskToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization", "description": "`Kiosk <token>` of a self-service kiosk"}


def request_kiosk(request) -> Kiosk | None:
    return request.auth if isinstance(request.auth, Kiosk) else None


class IsKiosk(BasePermission):
    message = "仅限自助终端使用。"

    def has_permission(self, request, view) -> bool:
        return request_kiosk(request) is not None
