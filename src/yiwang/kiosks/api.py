"""The kiosk fleet's API: kiosks send heartbeats and their transactions under their own token
(``Authorization: Kiosk <token>``); hall managers read the fleet."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.response import Response
from rest_framework.views import APIView

from yiwang.accounts import constants as roles
from yiwang.accounts.authentication import ExpiringTokenAuthentication
from yiwang.accounts.permissions import HasStaffRole
from yiwang.core.api import error_responses, validated
from yiwang.kiosks import selectors, services
from yiwang.kiosks.authentication import IsKiosk, KioskTokenAuthentication, request_kiosk

MANAGERS = [HasStaffRole(roles.ROLE_HALL_MANAGER, roles.ROLE_ADMINISTRATOR)]


class HeartbeatIn(serializers.Serializer):
    card_reader = serializers.IntegerField(min_value=-1, max_value=4, help_text="−1 initialising, 0 normal, 1 warning, 2 error, 3 busy, 4 disabled")
    printer = serializers.IntegerField(min_value=-1, max_value=4)
    printer_detail = serializers.ChoiceField(choices=["", "paper_low", "paper_out", "offline"], required=False, default="")


class HeartbeatOut(serializers.Serializer):
    kiosk = serializers.CharField()
    at = serializers.DateTimeField()
    items = serializers.ListField(child=serializers.CharField(), help_text="the item codes this kiosk offers")


class HeartbeatView(APIView):
    authentication_classes = [KioskTokenAuthentication]
    permission_classes = [IsKiosk]

    @extend_schema(operation_id="kiosk_heartbeat", summary="A kiosk is alive: its devices' status (every 10 s)",
                   request=HeartbeatIn, responses={200: HeartbeatOut, **error_responses(400, 401, 403)})
    def post(self, request):
        data = validated(HeartbeatIn, request)
        kiosk = services.record_heartbeat(kiosk=request_kiosk(request), **data)
        return Response({"kiosk": kiosk.code, "at": kiosk.last_heartbeat_at,
                         "items": sorted(kiosk.items.values_list("code", flat=True))})


class TransactionIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["query", "ticket", "apply", "status", "print"])
    reference = serializers.CharField(max_length=64, help_text="the kiosk's own id of it: sent again after a lost answer, it counts once")
    item_code = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    outcome = serializers.ChoiceField(choices=["done", "cancelled", "failed"], required=False, default="done")


class TransactionOut(serializers.Serializer):
    reference = serializers.CharField()
    created = serializers.BooleanField()


class TransactionView(APIView):
    authentication_classes = [KioskTokenAuthentication]
    permission_classes = [IsKiosk]

    @extend_schema(operation_id="kiosk_transaction", summary="A kiosk records what a person did (once per reference)",
                   request=TransactionIn, responses={200: TransactionOut, 201: TransactionOut, **error_responses(400, 401, 403, 404)})
    def post(self, request):
        data = validated(TransactionIn, request)
        row, created = services.record_transaction(kiosk=request_kiosk(request), **data)
        return Response({"reference": row.reference, "created": created}, status=201 if created else 200)


class KioskOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    site = serializers.CharField()
    online = serializers.BooleanField()
    last_heartbeat_at = serializers.DateTimeField(allow_null=True)
    card_reader_status = serializers.IntegerField()
    printer_status = serializers.IntegerField()
    printer_detail = serializers.CharField()
    problems = serializers.ListField(child=serializers.CharField())
    transactions_today = serializers.IntegerField()


class FleetOut(serializers.Serializer):
    kiosks = KioskOut(many=True)


class FleetView(APIView):
    authentication_classes = [ExpiringTokenAuthentication, SessionAuthentication]
    permission_classes = MANAGERS

    @extend_schema(operation_id="kiosk_fleet", summary="Every kiosk: online or silent, device faults, today's transactions",
                   responses={200: FleetOut, **error_responses(401, 403)})
    def get(self, request):
        return Response({"kiosks": [{
            "code": r.kiosk.code, "name": r.kiosk.name, "site": r.kiosk.site.code, "online": r.online,
            "last_heartbeat_at": r.kiosk.last_heartbeat_at, "card_reader_status": r.kiosk.card_reader_status,
            "printer_status": r.kiosk.printer_status, "printer_detail": r.kiosk.printer_detail, "problems": r.problems,
            "transactions_today": r.transactions} for r in selectors.fleet()]})
