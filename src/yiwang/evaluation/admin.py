"""Partner regions' figures addresses; the aggregates themselves are rebuilt, never edited."""

from django.contrib import admin

from yiwang.evaluation.models import PartnerDashboard


@admin.register(PartnerDashboard)
class PartnerDashboardAdmin(admin.ModelAdmin):
    list_display = ["region", "url", "score", "since", "until", "fetched_at", "last_error"]
    fields = ["region", "url", "score", "since", "until", "fetched_at", "last_error"]
    readonly_fields = ["score", "since", "until", "fetched_at", "last_error"]
