"""Cases (办件), their materials, lifecycle events and notices."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from yiwang.applications import constants as c
from yiwang.core.fields import CreatedAtField, UpdatedAtField


class Case(models.Model):
    """One application for one service item, from draft to delivery.

    `rules` is the item's rules (limits, materials, flow) at submission: catalogue edits never
    change a running case. `version` increases on every transition; an action names the version
    it saw, so two officers acting on the same case cannot both succeed.
    """

    number = models.CharField("办件编号", max_length=64, unique=True, null=True, blank=True)
    item = models.ForeignKey("catalog.ServiceItem", verbose_name="事项", related_name="cases", on_delete=models.PROTECT)
    department = models.ForeignKey("catalog.Department", verbose_name="实施部门", related_name="cases", on_delete=models.PROTECT)
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", related_name="cases", on_delete=models.PROTECT)
    state = models.CharField("状态", max_length=30, choices=c.STATES, default=c.DRAFT, db_index=True)
    step = models.PositiveSmallIntegerField("当前审批环节", default=0)
    form_data = models.JSONField("表单数据", default=dict, blank=True)
    rules = models.JSONField("事项规则快照", default=dict, blank=True)
    channel = models.CharField("申报渠道", max_length=12, choices=c.CASE_CHANNELS, default=c.CHANNEL_ONLINE)
    # A member of a 一件事: reached, filled and submitted only through its bundle case.
    in_bundle = models.BooleanField("属于一件事", default=False)
    # The officer who took the application in at a counter (None when the applicant applied themselves).
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="收件人员", null=True, blank=True,
                                    related_name="received_cases", on_delete=models.PROTECT)
    submission_key = models.CharField("提交幂等键", max_length=100, null=True, blank=True)
    submitted_at = models.DateTimeField("申报时间", null=True, blank=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)
    statutory_due = models.DateField("法定期限", null=True, blank=True)
    promised_due = models.DateField("承诺期限", null=True, blank=True)
    due_provisional = models.BooleanField("期限为暂定（缺节假日安排）", default=False)
    paused_on = models.DateField("暂停计时日期", null=True, blank=True)
    paused_working_days = models.PositiveIntegerField("已暂停工作日", default=0)
    paused_calendar_days = models.PositiveIntegerField("已暂停自然日", default=0)
    owed_materials = models.JSONField("容缺后补材料", default=list, blank=True)
    version = models.PositiveIntegerField("版本", default=0)
    created_at = CreatedAtField("创建时间")
    updated_at = UpdatedAtField("更新时间")

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "submission_key"],
                condition=Q(submission_key__isnull=False),
                name="case_submission_key_unique",
            ),
        ]
        indexes = [models.Index(fields=["department", "state", "promised_due"], name="case_queue_idx")]

    def __str__(self):
        return self.number or f"草稿#{self.pk}"


class CaseSerial(models.Model):
    """Per item and day counter behind case numbers; the row is locked while a number is taken."""

    prefix = models.CharField(max_length=40)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "day"], name="case_serial_unique")]


class CaseMaterial(models.Model):
    case = models.ForeignKey(Case, related_name="materials", on_delete=models.CASCADE)
    material_position = models.PositiveSmallIntegerField("材料序号")
    material_name = models.CharField("材料名称", max_length=200)
    source = models.CharField("来源", max_length=10, choices=c.MATERIAL_SOURCES, default=c.SOURCE_UPLOAD)
    original_name = models.CharField("原文件名", max_length=255, blank=True)
    content_type = models.CharField("文件类型", max_length=100, blank=True)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    sha256 = models.CharField("SHA-256", max_length=64)
    storage_path = models.CharField("存储位置", max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = CreatedAtField("上传时间")
    superseded = models.BooleanField("已被替换", default=False)
    superseded_at = models.DateTimeField("替换时间", null=True, blank=True)
    # A file replaced before the case was submitted was never part of the case; its bytes are
    # removed after a retention period, the row (name, size, digest) stays for the record.
    file_removed_at = models.DateTimeField("文件清除时间", null=True, blank=True)
    # Set when the material was fetched from a data-sharing registry instead of uploaded (免交).
    shared_source = models.CharField("共享数据来源", max_length=100, blank=True, help_text="<数据源>:<记录类型>")
    fetched_at = models.DateTimeField("调取时间", null=True, blank=True)
    access_log_id = models.PositiveBigIntegerField("调取记录", null=True, blank=True)

    class Meta:
        verbose_name = "办件材料"
        verbose_name_plural = "办件材料"
        ordering = ["case", "material_position", "uploaded_at", "id"]


class CaseEvent(models.Model):
    """Every transition: who, when, from which state to which, with the opinion given."""

    case = models.ForeignKey(Case, related_name="events", on_delete=models.CASCADE)
    sequence = models.PositiveIntegerField("序号")
    action = models.CharField("动作", max_length=40)
    from_state = models.CharField("原状态", max_length=30, choices=c.STATES)
    to_state = models.CharField("新状态", max_length=30, choices=c.STATES)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_role = models.CharField("角色", max_length=20, blank=True)
    # The person the actor acted for, when not themselves (an officer submitting for a walk-in resident).
    on_behalf_of = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="代办对象", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField("渠道", max_length=12, choices=c.EVENT_CHANNELS, default=c.CHANNEL_ONLINE)
    opinion = models.TextField("意见", blank=True)
    data = models.JSONField("附加数据", default=dict, blank=True)
    at = CreatedAtField("时间")

    class Meta:
        verbose_name = "办件环节"
        verbose_name_plural = "办件环节"
        ordering = ["case", "sequence"]
        constraints = [models.UniqueConstraint(fields=["case", "sequence"], name="case_event_sequence_unique")]


class Notice(models.Model):
    """A standard notice (受理通知书, 补正材料通知书, ...) sent to the applicant."""

    case = models.ForeignKey(Case, related_name="notices", on_delete=models.CASCADE)
    event = models.OneToOneField(CaseEvent, related_name="notice", on_delete=models.CASCADE)
    kind = models.CharField("文书类型", max_length=30, choices=c.NOTICE_KINDS)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    # The same notice in English for readers who chose English (the Chinese text is the legal one).
    title_en = models.CharField("英文标题", max_length=200, blank=True)
    body_en = models.TextField("英文正文", blank=True)
    missing_materials = models.JSONField("需补正材料", default=list, blank=True)
    issued_at = CreatedAtField("出具时间")

    class Meta:
        verbose_name = "文书"
        verbose_name_plural = "文书"
        ordering = ["case", "issued_at", "id"]
