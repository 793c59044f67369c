"""Daily aggregates of the platform's records, kept by the background worker, read by the dashboards.

One row per day and scope (department, item, hall site; None where a figure has no such
dimension: hall waits have no item, messages no department). The counters are the inputs of the
indicators (`indicators.COUNTERS`, the same names); a dashboard sums rows of a period, so it
reads thousands of small rows instead of millions of cases.
"""

from django.db import models

from yiwang.evaluation.indicators import COUNTERS


class DailyFigure(models.Model):
    day = models.DateField("日期")
    department = models.ForeignKey("catalog.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey("catalog.ServiceItem", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey("hall.Site", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    submitted = models.BigIntegerField(default=0)
    online = models.BigIntegerField(default=0)
    at_mobile = models.BigIntegerField(default=0)
    fully_online = models.BigIntegerField(default=0)
    at_window = models.BigIntegerField(default=0)
    at_kiosk = models.BigIntegerField(default=0)
    from_partner = models.BigIntegerField(default=0)
    bundle_members = models.BigIntegerField(default=0)
    decided = models.BigIntegerField(default=0)
    instant = models.BigIntegerField(default=0)
    on_time = models.BigIntegerField(default=0)
    late = models.BigIntegerField(default=0)
    handling_days = models.BigIntegerField(default=0)
    promised_days = models.BigIntegerField(default=0)
    statutory_days = models.BigIntegerField(default=0)
    limits_counted = models.BigIntegerField(default=0)
    visits = models.BigIntegerField(default=0)
    delivered = models.BigIntegerField(default=0)
    delivered_electronically = models.BigIntegerField(default=0)
    materials = models.BigIntegerField(default=0)
    materials_shared = models.BigIntegerField(default=0)
    rated = models.BigIntegerField(default=0)
    rated_good = models.BigIntegerField(default=0)
    rated_bad = models.BigIntegerField(default=0)
    bad_real_name = models.BigIntegerField(default=0)
    called_back = models.BigIntegerField(default=0)
    rectified = models.BigIntegerField(default=0)
    tickets_served = models.BigIntegerField(default=0)
    wait_seconds = models.BigIntegerField(default=0)
    called_within_target = models.BigIntegerField(default=0)
    sms = models.BigIntegerField(default=0)
    sms_within_10s = models.BigIntegerField(default=0)
    bundle_cases = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "每日指标数据"
        verbose_name_plural = "每日指标数据"
        indexes = [models.Index(fields=["day", "department"], name="figure_day_department"),
                   models.Index(fields=["day", "site"], name="figure_day_site")]


class DailyHandlingTime(models.Model):
    """How many cases decided that day took so many working days from acceptance (for the median)."""

    day = models.DateField("日期")
    department = models.ForeignKey("catalog.Department", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey("catalog.ServiceItem", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    working_days = models.PositiveIntegerField("办理工作日")
    cases = models.BigIntegerField("件数")

    class Meta:
        indexes = [models.Index(fields=["day", "department"], name="handling_day_department")]


assert tuple(f.name for f in DailyFigure._meta.local_fields if f.name in COUNTERS) == COUNTERS


class PartnerDashboard(models.Model):
    """A partner region's published figures (their /api/v1/evaluation/figures/), fetched nightly so
    the regions can be ranked side by side; the last good answer is kept when a fetch fails."""

    region = models.OneToOneField("catalog.Region", verbose_name="区域", on_delete=models.CASCADE, related_name="dashboard")
    url = models.URLField("指标接口地址", help_text="对方平台的 /api/v1/evaluation/figures/ 地址")
    since = models.DateField("统计起始", null=True, blank=True)
    until = models.DateField("统计截止", null=True, blank=True)
    score = models.FloatField("综合得分", null=True, blank=True)
    values = models.JSONField("指标值", default=dict, blank=True)
    fetched_at = models.DateTimeField("获取时间", null=True, blank=True)
    last_error = models.CharField("最近一次错误", max_length=300, blank=True)

    class Meta:
        verbose_name = "合作区域指标"
        verbose_name_plural = "合作区域指标"

    def __str__(self) -> str:
        return str(self.region)
