"""Kiosks in the admin: registering one shows its token once; revoking stops the token at once."""

from django.contrib import admin, messages

from yiwang.kiosks import services
from yiwang.kiosks.models import Kiosk


@admin.register(Kiosk)
class KioskAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "site", "active", "last_heartbeat_at", "printer_status", "card_reader_status"]
    list_filter = ["site", "active"]
    fields = ["code", "name", "site", "items", "active"]
    filter_horizontal = ["items"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        kiosk, token = services.register_kiosk(code=obj.code, name=obj.name, site=obj.site)
        obj.pk, obj.token_digest, obj.created_at = kiosk.pk, kiosk.token_digest, kiosk.created_at
        messages.warning(request, f"终端令牌（只显示这一次，请配置到终端上） kiosk token (shown once): {token}")

    @admin.action(description="停用并作废令牌 / revoke the token")
    def revoke(self, request, queryset):
        for kiosk in queryset:
            services.revoke_kiosk(kiosk_id=kiosk.pk)
