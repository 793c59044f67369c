"""Administrators enter a year's holiday schedule here; every save goes through the services.

The inline rows are checked with `services.check_schedule` (errors shown on the form), and the
schedule is stored with `services.publish_schedule` / removed with `services.withdraw_schedule`,
so the recompute hooks fire exactly as for any other caller.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from yiwang.core.errors import DomainError
from yiwang.workcalendar import services
from yiwang.workcalendar.models import HolidaySchedule, ScheduleDay


def _message(error: DomainError) -> str:
    return error.message_en if (get_language() or "").startswith("en") else error.message


def _rows(formset) -> tuple[list, list]:
    holidays, workdays = [], []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE") or not data.get("date") or not data.get("kind"):
            continue
        target = holidays if data["kind"] == ScheduleDay.HOLIDAY else workdays
        target.append((data["date"], data.get("name") or ""))
    return holidays, workdays


class ScheduleDayFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        year = self.instance.year
        if not year:  # the year field itself is invalid; its own error is shown
            return
        holidays, workdays = _rows(self)
        try:
            services.check_schedule(year=year, holidays=holidays, makeup_workdays=workdays)
        except DomainError as exc:
            raise forms.ValidationError(_message(exc), code=exc.code) from None

    def validate_unique(self):
        # A date appearing twice is reported by check_schedule with a clearer message, and the
        # service replaces the rows, so the database's unique date is never at stake here.
        pass


class ScheduleDayInline(admin.TabularInline):
    model = ScheduleDay
    formset = ScheduleDayFormSet
    fields = ("date", "kind", "name")
    extra = 3
    min_num = 1
    validate_min = True


@admin.register(HolidaySchedule)
class HolidayScheduleAdmin(admin.ModelAdmin):
    list_display = ("year", "published", "source", "holiday_count", "workday_count", "updated_at")
    list_filter = ("published",)
    fields = ("year", "published", "source")
    inlines = [ScheduleDayInline]
    actions = ["withdraw_selected"]

    @admin.display(description=_("放假天数"))
    def holiday_count(self, obj):
        return obj.days.filter(kind=ScheduleDay.HOLIDAY).count()

    @admin.display(description=_("调休上班天数"))
    def workday_count(self, obj):
        return obj.days.filter(kind=ScheduleDay.WORKDAY).count()

    def get_readonly_fields(self, request, obj=None):
        # Changing the year would silently leave the old year without its schedule.
        return ("year",) if obj is not None else ()

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # bulk delete would bypass the hooks
        return actions

    def save_model(self, request, obj, form, change):
        # Stored in save_related, where the inline rows are known, through the service.
        pass

    def save_related(self, request, form, formsets, change):
        day_formset = next(fs for fs in formsets if fs.model is ScheduleDay)
        holidays, workdays = _rows(day_formset)
        schedule = services.publish_schedule(
            year=form.instance.year,
            holidays=holidays,
            makeup_workdays=workdays,
            source=form.cleaned_data.get("source", form.instance.source),
            published=form.cleaned_data.get("published", form.instance.published),
        )
        # The admin view logs and redirects using the object it holds, and its change message
        # reads what the formsets saved: the service replaced the rows, so report none.
        form.instance.pk = schedule.pk
        form.instance.updated_at = schedule.updated_at
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request, obj):
        services.withdraw_schedule(year=obj.year)

    @admin.action(description=_("撤销所选节假日安排"), permissions=["delete"])
    def withdraw_selected(self, request, queryset):
        years = list(queryset.values_list("year", flat=True))
        for year in years:
            services.withdraw_schedule(year=year)
        self.message_user(request, _("已撤销 %(count)d 个年度的节假日安排。") % {"count": len(years)})
