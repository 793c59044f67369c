"""Read-only view of cases for administrators; cases change only through the lifecycle services."""

from django.contrib import admin

from yiwang.accounts.selectors import identity_as_seen_by
from yiwang.applications.models import Case, CaseEvent, Notice
from yiwang.core.admin import ReadOnlyAdmin


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
class CaseAdmin(ReadOnlyAdmin):
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
        seen = identity_as_seen_by(None, case.applicant)
        return f"{seen['name']}（{seen['identifier']}）"
