from django.db import models


class HolidaySchedule(models.Model):
    """The State Council's holiday arrangement for one year, entered by an administrator.

    For years the `chinesecalendar` package does not cover, deadlines are provisional until
    a published schedule exists; publishing one recomputes them.
    """

    year = models.PositiveIntegerField("年份", unique=True)
    published = models.BooleanField("已发布", default=True)
    source = models.CharField("依据（通知文号）", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"
        ordering = ["year"]

    def __str__(self):
        return f"{self.year}年节假日安排"


class ScheduleDay(models.Model):
    HOLIDAY = "holiday"
    WORKDAY = "workday"
    KIND_CHOICES = [(HOLIDAY, "放假"), (WORKDAY, "调休上班")]

    schedule = models.ForeignKey(HolidaySchedule, related_name="days", on_delete=models.CASCADE)
    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=KIND_CHOICES)
    name = models.CharField("节日", max_length=40, blank=True)

    class Meta:
        verbose_name = "特殊日期"
        verbose_name_plural = "特殊日期"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}"
