"""The service hall: sites, service groups, windows, officers' qualifications, tickets, calls, devices.

A ticket's number is unique per site, issuing group and day (`TicketCounter` is the row taken under a
lock for the next one); a person holds at most one waiting ticket per group (by a digest of
their ID number, never the number itself). `Call` is the calling screens' feed: one row per
announcement, in order.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from yiwang.core.fields import CreatedAtField
from yiwang.hall import constants as c


def default_opening_hours() -> dict:
    return {str(day): [["09:00", "17:00"]] for day in range(1, 6)}


class Site(models.Model):
    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100)
    name_en = models.CharField("英文名称", max_length=200, blank=True)
    kind = models.CharField("类型", max_length=10, choices=c.SITE_KINDS)
    address = models.CharField("地址", max_length=200, blank=True)
    opening_hours = models.JSONField("开放时间", default=default_opening_hours,
                                     help_text='按星期（1=周一）列出时段，如 {"1": [["09:00", "17:00"]]}；非工作日不开放')
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "服务场所"
        verbose_name_plural = "服务场所"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ServiceGroup(models.Model):
    """A queue of the hall: a letter for its tickets, and the items it serves (by item or department)."""

    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100)
    name_en = models.CharField("英文名称", max_length=200, blank=True)
    prefix = models.CharField("号码字母", max_length=1, unique=True, help_text="取号号码的首字母，如 A")
    departments = models.ManyToManyField("catalog.Department", verbose_name="部门", blank=True, related_name="hall_groups")
    items = models.ManyToManyField("catalog.ServiceItem", verbose_name="事项", blank=True, related_name="hall_groups")
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "业务分组"
        verbose_name_plural = "业务分组"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.prefix} {self.name}"


class Window(models.Model):
    site = models.ForeignKey(Site, verbose_name="场所", on_delete=models.CASCADE, related_name="windows")
    code = models.CharField("窗口号", max_length=10)
    kind = models.CharField("类型", max_length=15, choices=c.WINDOW_KINDS, default=c.WINDOW_COMPREHENSIVE)
    # Empty for a comprehensive window: it serves whatever its officer is qualified for.
    groups = models.ManyToManyField(ServiceGroup, verbose_name="业务分组", blank=True, related_name="windows")
    is_open = models.BooleanField("开放", default=True)
    officer = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="在岗人员", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="hall_window")
    signed_in_at = models.DateTimeField("签到时间", null=True, blank=True)

    class Meta:
        verbose_name = "窗口"
        verbose_name_plural = "窗口"
        ordering = ["site", "code"]
        constraints = [models.UniqueConstraint(fields=["site", "code"], name="window_code_per_site")]

    def __str__(self) -> str:
        return f"{self.site.name} {self.code}号窗口"


class Qualification(models.Model):
    """An officer may serve a group's tickets (综合窗口 officers hold several)."""

    officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="工作人员", on_delete=models.CASCADE,
                                related_name="hall_qualifications")
    group = models.ForeignKey(ServiceGroup, verbose_name="业务分组", on_delete=models.CASCADE, related_name="qualifications")

    class Meta:
        verbose_name = "窗口资质"
        verbose_name_plural = "窗口资质"
        constraints = [models.UniqueConstraint(fields=["officer", "group"], name="qualification_once")]


class TicketCounter(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE)
    group = models.ForeignKey(ServiceGroup, on_delete=models.CASCADE)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "group", "day"], name="ticket_counter_per_day")]


class Device(models.Model):
    """A ticket machine or calling screen, acting under its own credential (a token, kept as a digest)."""

    site = models.ForeignKey(Site, verbose_name="场所", on_delete=models.CASCADE, related_name="devices")
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=c.DEVICE_KINDS)
    token_digest = models.CharField("令牌摘要", max_length=64, unique=True, editable=False)
    # An evaluator faces one window: it rates that window's visits.
    window = models.ForeignKey("Window", verbose_name="所在窗口", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="devices")
    active = models.BooleanField("启用", default=True)
    last_seen_at = models.DateTimeField("最近访问", null=True, blank=True)
    created_at = CreatedAtField("创建时间")

    class Meta:
        verbose_name = "大厅设备"
        verbose_name_plural = "大厅设备"
        ordering = ["site", "name"]

    def __str__(self) -> str:
        return f"{self.site.name} {self.name}"


class Ticket(models.Model):
    site = models.ForeignKey(Site, verbose_name="场所", on_delete=models.PROTECT, related_name="tickets")
    group = models.ForeignKey(ServiceGroup, verbose_name="业务分组", on_delete=models.PROTECT, related_name="tickets")
    item = models.ForeignKey("catalog.ServiceItem", verbose_name="事项", null=True, blank=True, on_delete=models.SET_NULL)
    day = models.DateField("日期")
    sequence = models.PositiveIntegerField("序号")
    number = models.CharField("号码", max_length=10)
    state = models.CharField("状态", max_length=10, choices=c.TICKET_STATES, default=c.WAITING)
    priority = models.CharField("优先级", max_length=12, choices=c.PRIORITIES, default=c.PRIORITY_NORMAL)
    priority_rank = models.PositiveSmallIntegerField("叫号顺序", default=2)
    channel = models.CharField("取号渠道", max_length=10, choices=c.TICKET_CHANNELS)
    # Who took it: a device (ticket machine), a signed-in person (phone), or an officer (transfer).
    taken_by_device = models.ForeignKey(Device, verbose_name="取号设备", null=True, blank=True, on_delete=models.SET_NULL)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="取号人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="hall_tickets")
    person_digest = models.CharField("证件号摘要", max_length=64, blank=True)
    person_masked = models.CharField("证件号（脱敏）", max_length=20, blank=True)
    taken_at = models.DateTimeField("取号时间")
    window = models.ForeignKey(Window, verbose_name="窗口", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="tickets")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办理人员", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="hall_served")
    called_at = models.DateTimeField("叫号时间", null=True, blank=True)
    calls = models.PositiveSmallIntegerField("呼叫次数", default=0)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    outcome = models.CharField("办理结果", max_length=15, choices=c.OUTCOMES, blank=True)
    # Transferred to one window (not a group): only that window calls it.
    target_window = models.ForeignKey(Window, verbose_name="指定窗口", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="transferred_tickets")
    # Applications taken in at the counter while serving this ticket.
    cases = models.ManyToManyField("applications.Case", verbose_name="窗口受理办件", blank=True, related_name="hall_tickets")
    version = models.PositiveIntegerField("版本", default=0)

    class Meta:
        verbose_name = "排队号"
        verbose_name_plural = "排队号"
        ordering = ["-day", "site", "group", "sequence"]
        constraints = [
            # The number's letter is the group that issued it: a transferred ticket keeps its number.
            models.UniqueConstraint(fields=["site", "day", "number"], name="ticket_number_per_day"),
            models.UniqueConstraint(fields=["site", "group", "person_digest"], condition=Q(state="waiting") & ~Q(person_digest=""),
                                    name="one_waiting_ticket_per_person"),
        ]
        indexes = [models.Index(fields=["site", "state", "day", "priority_rank", "taken_at"], name="ticket_queue")]

    def __str__(self) -> str:
        return f"{self.number}（{self.site.name}）"


class Call(models.Model):
    """One announcement on a site's calling screens (a call or a recall), in order of id."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="calls")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="announcements")
    window = models.ForeignKey(Window, on_delete=models.CASCADE)
    text = models.CharField(max_length=100)
    text_en = models.CharField(max_length=200)
    at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["site", "id"], name="call_feed")]


class SlotCapacity(models.Model):
    """How many appointments a site takes per slot for a group (slots follow the opening hours)."""

    site = models.ForeignKey(Site, verbose_name="场所", on_delete=models.CASCADE, related_name="capacities")
    group = models.ForeignKey(ServiceGroup, verbose_name="业务分组", on_delete=models.CASCADE, related_name="capacities")
    slot_minutes = models.PositiveSmallIntegerField("时段长度（分钟）", default=30)
    per_slot = models.PositiveSmallIntegerField("每时段名额", default=4)

    class Meta:
        verbose_name = "预约名额"
        verbose_name_plural = "预约名额"
        constraints = [models.UniqueConstraint(fields=["site", "group"], name="capacity_per_site_group")]


class Appointment(models.Model):
    site = models.ForeignKey(Site, verbose_name="场所", on_delete=models.PROTECT, related_name="appointments")
    group = models.ForeignKey(ServiceGroup, verbose_name="业务分组", on_delete=models.PROTECT, related_name="appointments")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="预约人", on_delete=models.CASCADE,
                               related_name="hall_appointments")
    day = models.DateField("日期")
    start = models.TimeField("开始")
    end = models.TimeField("结束")
    state = models.CharField("状态", max_length=12, choices=c.APPOINTMENT_STATES, default=c.BOOKED)
    booked_at = models.DateTimeField("预约时间")
    changed_at = models.DateTimeField("变更时间", null=True, blank=True)
    ticket = models.OneToOneField(Ticket, verbose_name="签到号码", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="appointment")

    class Meta:
        verbose_name = "预约"
        verbose_name_plural = "预约"
        ordering = ["day", "start", "id"]
        constraints = [models.UniqueConstraint(fields=["person", "site", "group", "day"], condition=Q(state="booked"),
                                               name="one_booking_per_person_group_day")]
        indexes = [models.Index(fields=["state", "day"], name="appointment_state_day")]


class BookingSuspension(models.Model):
    """Online booking suspended for a person (too many no-shows or cancellations in a month)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="预约人", on_delete=models.CASCADE,
                               related_name="hall_suspensions")
    since = models.DateTimeField("起始")
    until = models.DateTimeField("截止")
    reason = models.CharField("原因", max_length=200)

    class Meta:
        verbose_name = "预约限制"
        verbose_name_plural = "预约限制"
        ordering = ["-until"]


class Handover(models.Model):
    """How a case's result leaves the hall (统一出件): collected at the output counter against an
    ID check or mailed with a tracking number; one row per result issued for a counter case."""

    case = models.OneToOneField("applications.Case", verbose_name="办件", on_delete=models.CASCADE, related_name="handover")
    site = models.ForeignKey(Site, verbose_name="出件场所", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="handovers")
    method = models.CharField("送达方式", max_length=12, choices=c.HANDOVER_METHODS)
    state = models.CharField("状态", max_length=12, choices=c.HANDOVER_STATES, default=c.AWAITING)
    ready_at = models.DateTimeField("可领取时间")
    mail_address = models.CharField("邮寄地址", max_length=200, blank=True)
    tracking_number = models.CharField("快递单号", max_length=40, blank=True)
    handed_over_at = models.DateTimeField("交付时间", null=True, blank=True)
    handed_over_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="交付人员", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    # What the applicant asked for (on the case page or the API) before the result left: the
    # output counter carries it out, so the officer remains the one who delivers.
    requested_method = models.CharField("申请人选择的送达方式", max_length=12, choices=c.HANDOVER_METHODS, blank=True)
    requested_at = models.DateTimeField("选择时间", null=True, blank=True)
    # The identity shown at pickup, masked: the check itself compares the full number and keeps none.
    collector_masked = models.CharField("领取人证件（脱敏）", max_length=20, blank=True)
    version = models.PositiveIntegerField("版本", default=0)

    class Meta:
        verbose_name = "统一出件"
        verbose_name_plural = "统一出件"
        ordering = ["ready_at", "pk"]
        indexes = [models.Index(fields=["site", "state", "ready_at"], name="handover_queue")]

    def __str__(self) -> str:
        return f"{self.case}（{self.get_state_display()}）"
