"""Devices (ticket machines, calling screens) authenticate with their own token:
``Authorization: Device <token>``. The request then has no user; `request.auth` is the device."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.permissions import BasePermission

from yiwang.core import clock
from yiwang.hall.models import Device


def device_for_token(token: str) -> Device | None:
    from yiwang.hall.services import token_digest

    device = Device.objects.select_related("site").filter(token_digest=token_digest(token), active=True).first()
    if device is not None:
        Device.objects.filter(pk=device.pk).update(last_seen_at=clock.now())
    return device


class DeviceTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Device"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("设备令牌格式错误。")
        device = device_for_token(header[1])
        if device is None:
            raise exceptions.AuthenticationFailed("设备令牌无效或已停用。")
        return AnonymousUser(), device

    def authenticate_header(self, request):
        return self.keyword


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    target_class = DeviceTokenAuthentication
    name = "deviceToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Device <token>` of a ticket machine or calling screen"}


SESSION_DEVICE = "hall_device"


def session_device(request) -> Device | None:
    """The device a browser signed in as (a kiosk browser keeps its session cookie), if still active."""
    device_id = request.session.get(SESSION_DEVICE)
    if device_id is None:
        return None
    return Device.objects.select_related("site", "window__officer").filter(pk=device_id, active=True).first()


def request_device(request) -> Device | None:
    return request.auth if isinstance(request.auth, Device) else None


class IsDevice(BasePermission):
    message = "仅限大厅设备使用。"

    def has_permission(self, request, view) -> bool:
        return request_device(request) is not None
