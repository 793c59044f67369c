"""Back office of webhooks: endpoints (created and checked through the services, secret shown
once, rotation, a test event), and each delivery's evidence with a replay action."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from yiwang.core.admin import ReadOnlyAdmin
from yiwang.core.errors import DomainError
from yiwang.webhooks import models as m
from yiwang.webhooks import services


class EndpointForm(forms.ModelForm):
    url = forms.URLField(label=_("接收地址"), max_length=500, assume_scheme="https")

    class Meta:
        model = m.Endpoint
        fields = ["name", "department", "url", "event_types", "enabled", "allow_private_addresses"]

    def clean(self):
        cleaned = super().clean()
        try:
            services.check_endpoint(url=cleaned.get("url") or "", event_types=cleaned.get("event_types"),
                                     allow_private_addresses=bool(cleaned.get("allow_private_addresses")))
        except DomainError as refused:
            raise forms.ValidationError(f"{refused.message} {refused.message_en}") from None
        return cleaned


@admin.register(m.Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ["name", "department", "url", "enabled", "disabled_reason", "updated_at"]
    list_filter = ["enabled", "department"]
    readonly_fields = ["secret_hint", "previous_secret_until", "disabled_reason", "created_at", "updated_at"]
    actions = ["rotate", "test_event"]

    @admin.display(description=_("签名密钥"))
    def secret_hint(self, endpoint: m.Endpoint) -> str:
        return f"{endpoint.secret[:10]}…" if endpoint.secret else ""

    def save_model(self, request, obj, form, change):
        if change:
            if obj.enabled and "enabled" in form.changed_data:
                obj.disabled_reason = ""
            obj.save()
            return
        created = services.create_endpoint(
            name=obj.name, url=obj.url, event_types=obj.event_types, department=obj.department,
            allow_private_addresses=obj.allow_private_addresses)
        obj.pk, obj.secret = created.pk, created.secret
        self.message_user(request, _("端点已创建。签名密钥只显示这一次，请交给接收系统：%(secret)s") % {"secret": created.secret},
                          messages.WARNING)

    @admin.action(description=_("轮换签名密钥（旧密钥再签名 24 小时）"))
    def rotate(self, request, queryset):
        for endpoint in queryset:
            rotated = services.rotate_secret(endpoint_id=endpoint.pk)
            self.message_user(request, _("%(name)s 的新签名密钥：%(secret)s") % {"name": rotated.name, "secret": rotated.secret},
                              messages.WARNING)

    @admin.action(description=_("发送测试事件"))
    def test_event(self, request, queryset):
        for endpoint in queryset:
            services.send_test_event(endpoint_id=endpoint.pk)
        self.message_user(request, _("已安排发送测试事件。"), messages.SUCCESS)


class AttemptInline(admin.TabularInline):
    model = m.Attempt
    fields = ["at", "replay", "status", "error", "duration_ms", "response_excerpt"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(m.Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "endpoint", "event_type", "state", "attempts", "last_status", "last_error", "next_attempt_at",
                    "delivered_at"]
    list_filter = ["state", "endpoint"]
    fields = ["endpoint", "event", "event_body", "state", "attempts", "last_status", "last_error", "next_attempt_at",
              "delivered_at", "created_at"]
    readonly_fields = fields
    inlines = [AttemptInline]
    actions = ["replay"]

    @admin.display(description=_("事件类型"))
    def event_type(self, delivery: m.Delivery) -> str:
        return delivery.event.type

    @admin.display(description=_("事件内容"))
    def event_body(self, delivery: m.Delivery) -> str:
        return delivery.event.body

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser  # the replay action asks for "change"

    @admin.action(description=_("重放所选投递"), permissions=["change"])
    def replay(self, request, queryset):
        for delivery in queryset:
            services.request_replay(delivery_id=delivery.pk)
        self.message_user(request, _("已安排重放 %(count)d 个投递。") % {"count": queryset.count()}, messages.SUCCESS)
