"""好差评: ratings of cases and hall visits, the rectification of each bad one, appeals, and
their forwarding to the provincial system.

A rating is written once and never changed by staff: an upheld appeal sets it aside in its own
row (`Appeal`), and the figures leave it out, but the rating stays as it was given.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from yiwang.core.fields import CreatedAtField
from yiwang.ratings import constants as c
from yiwang.ratings import rules

LEVEL_CHOICES = [(level, names[0]) for level, names in rules.LEVELS.items()]


class Rating(models.Model):
    subject = models.CharField("评价对象", max_length=8, choices=c.SUBJECTS)
    case = models.OneToOneField("applications.Case", verbose_name="办件", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="rating")
    ticket = models.OneToOneField("hall.Ticket", verbose_name="排队号", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="rating")
    # The person rating (real name); None only for a visit whose ticket named nobody.
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="评价人", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="ratings_given")
    channel = models.CharField("评价渠道", max_length=10, choices=c.CHANNELS)
    device = models.ForeignKey("hall.Device", verbose_name="评价设备", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    level = models.PositiveSmallIntegerField("评价等级", choices=LEVEL_CHOICES)
    scores = models.JSONField("分项评分", default=dict, blank=True)
    comment = models.TextField("评价内容", blank=True)
    defaulted = models.BooleanField("默认好评", default=False)
    # Who is rated (谁办理谁负责): the department, the item, the officer, the window.
    department = models.ForeignKey("catalog.Department", verbose_name="责任部门", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="ratings")
    item = models.ForeignKey("catalog.ServiceItem", verbose_name="事项", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="ratings")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="被评价人员", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="ratings_received")
    window = models.ForeignKey("hall.Window", verbose_name="窗口", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="ratings")
    site = models.ForeignKey("hall.Site", verbose_name="场所", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="ratings")
    rated_on = models.DateField("评价日期", db_index=True)
    created_at = CreatedAtField("评价时间")
    forward_state = models.CharField("上报状态", max_length=8, default=c.FORWARD_PENDING)
    forwarded_at = models.DateTimeField("上报时间", null=True, blank=True)

    class Meta:
        verbose_name = "评价"
        verbose_name_plural = "评价"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(subject="case", case__isnull=False, ticket__isnull=True)
                           | Q(subject="visit", ticket__isnull=False, case__isnull=True)),
                name="rating_has_one_subject"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="rating_level_1_to_5"),
        ]
        indexes = [models.Index(fields=["department", "rated_on"], name="rating_department_day")]

    def __str__(self) -> str:
        return f"{self.get_level_display()}（{self.case or self.ticket}）"

    @property
    def is_bad(self) -> bool:
        return rules.is_bad(self.level)


class Rectification(models.Model):
    """The follow-up of one bad rating: call-back, fix or explanation, and the resident's verdict."""

    rating = models.OneToOneField(Rating, verbose_name="评价", on_delete=models.PROTECT, related_name="rectification")
    department = models.ForeignKey("catalog.Department", verbose_name="责任部门", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="rectifications")
    state = models.CharField("状态", max_length=20, choices=[(k, v[0]) for k, v in rules.STATES.items()],
                             default=rules.AWAITING_CALLBACK, db_index=True)
    state_before_appeal = models.CharField("申诉前状态", max_length=20, blank=True)
    due_on = models.DateField("整改期限")
    working_days = models.PositiveSmallIntegerField("整改时限（工作日）")
    # The named person who calls the resident back (the officer who handled it, by default).
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="回访责任人", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="rectifications_assigned")
    called_back_at = models.DateTimeField("回访时间", null=True, blank=True)
    called_back_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="回访人", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    reached = models.BooleanField("已联系上", null=True, blank=True)
    callback_notes = models.TextField("回访记录", blank=True)
    outcome = models.CharField("处理方式", max_length=10, choices=[(k, v[0]) for k, v in rules.OUTCOMES.items()], blank=True)
    fix_due_on = models.DateField("限期整改日期", null=True, blank=True)
    reply = models.TextField("答复内容", blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="答复人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField("申请人对整改的评价", max_length=20, choices=[(k, v[0]) for k, v in rules.VERDICTS.items()],
                               blank=True)
    verdict_at = models.DateTimeField("整改评价时间", null=True, blank=True)
    escalated_at = models.DateTimeField("超期上报时间", null=True, blank=True)
    created_at = CreatedAtField("创建时间")
    version = models.PositiveIntegerField("版本", default=0)

    class Meta:
        verbose_name = "差评整改"
        verbose_name_plural = "差评整改"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["department", "state", "due_on"], name="rectification_queue")]

    def __str__(self) -> str:
        return f"整改#{self.pk}（{self.get_state_display()}）"


class RectificationEvent(models.Model):
    """Every step of a rectification: who, when, from which state to which, with what was said."""

    rectification = models.ForeignKey(Rectification, on_delete=models.CASCADE, related_name="events")
    sequence = models.PositiveIntegerField("序号")
    action = models.CharField("动作", max_length=20)
    from_state = models.CharField("原状态", max_length=20)
    to_state = models.CharField("新状态", max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.TextField("说明", blank=True)
    at = CreatedAtField("时间")

    class Meta:
        verbose_name = "整改环节"
        verbose_name_plural = "整改环节"
        ordering = ["rectification", "sequence"]
        constraints = [models.UniqueConstraint(fields=["rectification", "sequence"], name="rectification_event_sequence")]


class Appeal(models.Model):
    """申诉复核: staff contest a rating as mistaken or malicious; a reviewer decides once."""

    rating = models.OneToOneField(Rating, verbose_name="评价", on_delete=models.PROTECT, related_name="appeal")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申诉人", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("申诉理由")
    filed_at = CreatedAtField("申诉时间")
    state = models.CharField("状态", max_length=10, choices=c.APPEAL_STATES, default=c.APPEAL_PENDING, db_index=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="复核人", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    decision_note = models.TextField("复核意见", blank=True)
    decided_at = models.DateTimeField("复核时间", null=True, blank=True)

    class Meta:
        verbose_name = "差评申诉"
        verbose_name_plural = "差评申诉"
        ordering = ["-filed_at", "-id"]
