"""Read-only view of cases for administrators; cases change only through the lifecycle services."""

from django.contrib import admin

from yiwang.applications.models import Case, CaseEvent, Notice
from yiwang.core.identifiers import mask_id_card, mask_name


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ("sequence", "action", "from_state", "to_state", "actor", "actor_role", "opinion", "at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class NoticeInline(admin.TabularInline):
    model = Notice
    fields = ("kind", "title", "issued_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("number", "item", "department", "masked_applicant", "state", "promised_due", "statutory_due", "due_provisional")
    list_filter = ("state", "department", "due_provisional")
    search_fields = ("number", "item__code", "item__name")
    list_select_related = ("item", "department", "applicant")
    fields = (
        "number", "item", "department", "masked_applicant", "state", "step", "submitted_at", "accepted_on",
        "statutory_due", "promised_due", "due_provisional", "paused_working_days", "paused_calendar_days",
        "owed_materials", "rules", "version",
    )
    readonly_fields = fields
    inlines = [CaseEventInline, NoticeInline]

    @admin.display(description="申请人")
    def masked_applicant(self, case):
        user = case.applicant
        identifier = user.id_number or user.credit_code or ""
        name = mask_name(user.real_name) if user.kind == "resident" else user.real_name
        return f"{name}（{mask_id_card(identifier)}）"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
