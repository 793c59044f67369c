"""Back office of notifications: each message's deliveries with their statuses (numbers masked)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from yiwang.core.admin import ReadOnlyAdmin
from yiwang.core.identifiers import mask_name
from yiwang.notifications.services import masked_address
from yiwang.notifications.models import Delivery, DeliveryReceipt, GatewayWeight, Message


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fields = ["channel", "masked_to", "state", "gateway", "gateway_reference", "attempts", "failure_reason",
              "created_at", "sent_at", "delivered_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description=_("发送至"))
    def masked_to(self, delivery: Delivery) -> str:
        return _mask(delivery)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "masked_recipient", "title", "essential", "created_at", "read_at"]
    list_filter = ["kind", "essential"]
    search_fields = ["event_key", "title"]
    fields = ["kind", "masked_recipient", "event_key", "essential", "language", "title", "body", "link", "case_id",
              "created_at", "read_at"]
    readonly_fields = fields
    inlines = [DeliveryInline]

    @admin.display(description=_("接收人"))
    def masked_recipient(self, message: Message) -> str:
        person = message.recipient
        return person.real_name if person.kind in ("enterprise", "staff") else mask_name(person.real_name or person.username)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "channel", "masked_to", "state", "gateway", "attempts", "failure_reason", "created_at", "sent_at",
                    "delivered_at"]
    list_filter = ["channel", "state", "gateway"]
    search_fields = ["gateway_reference", "failure_reason"]
    fields = ["message", "channel", "masked_to", "state", "gateway", "gateway_reference", "attempts", "failure_reason",
              "created_at", "sent_at", "delivered_at", "updated_at"]
    readonly_fields = fields

    @admin.display(description=_("发送至"))
    def masked_to(self, delivery: Delivery) -> str:
        return _mask(delivery)


@admin.register(DeliveryReceipt)
class DeliveryReceiptAdmin(ReadOnlyAdmin):
    list_display = ["id", "gateway", "reference", "gateway_reference", "status", "outcome", "applied", "received_at"]
    list_filter = ["gateway", "outcome", "applied"]


@admin.register(GatewayWeight)
class GatewayWeightAdmin(ReadOnlyAdmin):
    list_display = ["gateway", "weight", "updated_at"]


def _mask(delivery: Delivery) -> str:
    return masked_address(delivery.channel, delivery.to)
