"""The hall manager's back office: sites, groups, windows, qualifications, devices; tickets to read."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages

from yiwang.hall import rules, services
from yiwang.hall.models import Device, Qualification, ServiceGroup, Site, Ticket, Window


class SiteForm(forms.ModelForm):
    class Meta:
        model = Site
        fields = "__all__"

    def clean_opening_hours(self):
        value = self.cleaned_data["opening_hours"]
        problems = rules.validate_opening_hours(value)
        if problems:
            raise forms.ValidationError(problems)
        return value


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    form = SiteForm
    list_display = ["code", "name", "kind", "active"]


@admin.register(ServiceGroup)
class ServiceGroupAdmin(admin.ModelAdmin):
    list_display = ["prefix", "code", "name", "sort_order"]
    filter_horizontal = ["departments", "items"]
    search_fields = ["code", "name"]


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ["site", "code", "kind", "is_open", "officer"]
    list_filter = ["site", "kind", "is_open"]
    filter_horizontal = ["groups"]
    raw_id_fields = ["officer"]


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin):
    list_display = ["officer", "group"]
    list_filter = ["group"]
    raw_id_fields = ["officer"]


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["site", "name", "kind", "active", "last_seen_at"]
    fields = ["site", "name", "kind", "window", "active"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        device, token = services.register_device(site=obj.site, name=obj.name, kind=obj.kind, window=obj.window)
        obj.pk, obj.token_digest = device.pk, device.token_digest
        messages.warning(request, f"设备令牌（只显示这一次，请配置到设备上） device token (shown once): {token}")


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["number", "site", "group", "day", "state", "priority", "window", "taken_at", "called_at", "outcome"]
    list_filter = ["site", "group", "state", "day"]
    exclude = ["person_digest"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
