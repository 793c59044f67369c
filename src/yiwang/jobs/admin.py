"""Back office of background jobs: what failed and why, and "retry now" for the dead ones."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from yiwang.core.admin import ReadOnlyAdmin
from yiwang.jobs import services
from yiwang.jobs.models import Job


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "state", "attempts", "max_attempts", "next_attempt_at", "finished_at", "short_error"]
    list_filter = ["state", "kind"]
    search_fields = ["kind", "dedupe_key", "last_error"]
    fields = ["kind", "state", "payload", "dedupe_key", "attempts", "max_attempts", "next_attempt_at", "enqueued_at",
              "claimed_at", "claimed_by", "finished_at", "last_error", "result", "created_at"]
    readonly_fields = fields
    actions = ["retry_now"]

    @admin.display(description=_("最近错误"))
    def short_error(self, job: Job) -> str:
        return job.last_error[:80]

    def has_change_permission(self, request, obj=None):
        # Read-only fields; "change" is the permission the retry action asks for.
        return request.user.is_active and request.user.is_superuser

    @admin.action(description=_("立即重试所选任务"), permissions=["change"])
    def retry_now(self, request, queryset):
        count = services.retry_now(job_ids=list(queryset.values_list("pk", flat=True)), actor=request.user)
        self.message_user(
            request,
            ngettext("已安排 %(count)d 个任务立即重试。", "已安排 %(count)d 个任务立即重试。", count) % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
