"""REST API of notifications: my messages, read, and the gateways' delivery receipts."""

from __future__ import annotations

import hmac

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from yiwang.core.api import error_responses
from yiwang.core.errors import NotFound, PermissionDenied
from yiwang.notifications import selectors, services
from yiwang.notifications.gateways import configured_gateways


class MessageOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    essential = serializers.BooleanField()
    title = serializers.CharField()
    body = serializers.CharField()
    link = serializers.CharField()
    case_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class MessageListOut(serializers.Serializer):
    unread = serializers.IntegerField()
    messages = MessageOut(many=True)


class MyMessagesView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="notifications_my_messages", summary="My message centre (newest first, 100 at most)",
                   responses={200: MessageListOut, **error_responses(401)})
    def get(self, request):
        return Response(MessageListOut({"unread": selectors.unread_count(request.user),
                                        "messages": selectors.messages_of(request.user)[:100]}).data)


class ReadMessageView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="notifications_read_message", summary="Mark one of my messages read", request=None,
                   responses={200: MessageOut, **error_responses(401, 404)})
    def post(self, request, message_id: int):
        return Response(MessageOut(services.mark_read(user=request.user, message_id=message_id)).data)


class ReceiptIn(serializers.Serializer):
    id = serializers.CharField(max_length=100, help_text="the gateway's id of the message")
    reference = serializers.CharField(max_length=100, help_text="our reference (the delivery id) sent with the message")
    status = serializers.CharField(max_length=40, help_text="DELIVRD, UNDELIV or EXPIRED")


class ReceiptOut(serializers.Serializer):
    outcome = serializers.CharField()


class ReceiptView(APIView):
    """A gateway's delivery receipt (authenticated by the receipt token, not by a user)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(operation_id="notifications_sms_receipt", summary="Delivery receipt from an SMS gateway",
                   request=ReceiptIn, responses={200: ReceiptOut, **error_responses(400, 403, 404)})
    def post(self, request, gateway: str):
        if gateway not in configured_gateways():
            raise NotFound("gateway_not_found", "没有该短信通道。", "No such SMS gateway.")
        presented = request.headers.get("Authorization", "")
        if not hmac.compare_digest(presented.encode(), f"Bearer {settings.SMS_RECEIPT_TOKEN}".encode()):
            raise PermissionDenied("bad_receipt_token", "回执凭证无效。", "The receipt token is not valid.")
        data = ReceiptIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        receipt = services.record_receipt(gateway_name=gateway, reference=values["reference"],
                                          gateway_reference=values["id"], status=values["status"])
        return Response(ReceiptOut({"outcome": receipt.outcome}).data)
