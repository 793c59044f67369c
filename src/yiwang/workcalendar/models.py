from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from yiwang.core.fields import UpdatedAtField


class HolidaySchedule(models.Model):
    """The State Council's holiday arrangement for one year, entered by an administrator.

    For years the `chinesecalendar` package does not cover, deadlines are provisional until
    a published schedule exists; publishing one recomputes them.
    """

    year = models.PositiveIntegerField(_("年份"), unique=True)
    published = models.BooleanField(_("已发布"), default=True)
    source = models.CharField(_("依据（通知文号）"), max_length=200, blank=True)
    updated_at = UpdatedAtField(_("更新时间"))

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = pgettext_lazy("plural", "节假日安排")
        ordering = ["year"]

    def __str__(self):
        return _("%(year)s年节假日安排") % {"year": self.year}


class ScheduleDay(models.Model):
    HOLIDAY = "holiday"
    WORKDAY = "workday"
    KIND_CHOICES = [(HOLIDAY, _("放假")), (WORKDAY, _("调休上班"))]

    schedule = models.ForeignKey(HolidaySchedule, related_name="days", on_delete=models.CASCADE)
    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=KIND_CHOICES)
    name = models.CharField(_("节日"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("特殊日期")
        verbose_name_plural = pgettext_lazy("plural", "特殊日期")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}"
