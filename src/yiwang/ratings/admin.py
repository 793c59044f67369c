"""好差评 in the admin: read only. A rating is never changed by staff; tasks and appeals move only
through their pages and services, where each step is checked and recorded."""

from django.contrib import admin

from yiwang.ratings.models import Appeal, Rating, Rectification


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Rating)
class RatingAdmin(_ReadOnly):
    list_display = ["id", "subject", "level", "channel", "defaulted", "department", "rated_on"]
    list_filter = ["subject", "level", "channel", "defaulted"]
    exclude = ["comment"]  # free text may hold personal details; the task page shows it to those who follow it up


@admin.register(Rectification)
class RectificationAdmin(_ReadOnly):
    list_display = ["id", "department", "state", "due_on", "assignee", "escalated_at"]
    list_filter = ["state"]
    fields = ["department", "state", "due_on", "working_days", "assignee", "called_back_at", "outcome", "fix_due_on",
              "replied_at", "verdict", "escalated_at"]


@admin.register(Appeal)
class AppealAdmin(_ReadOnly):
    list_display = ["id", "rating", "state", "filed_at", "decided_at"]
    list_filter = ["state"]
    fields = ["rating", "state", "filed_at", "decided_at"]
