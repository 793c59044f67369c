"""Bundle cases (一件事办件): one application that fans out to one case per applicable item.

The combined status is never stored: it is derived from the member cases' states
(`selectors.combined_status`), so it cannot drift from what the departments did.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from yiwang.bundles import constants as c
from yiwang.core.fields import CreatedAtField, UpdatedAtField


class BundleCase(models.Model):
    """A resident's application for one bundle: the answers, the one form, and its member cases.

    Draft until `submitted_at` is set; every member case is submitted in the same transaction.
    """

    number = models.CharField("一件事编号", max_length=64, unique=True, null=True, blank=True)
    bundle = models.ForeignKey("catalog.Bundle", verbose_name="一件事", related_name="cases", on_delete=models.PROTECT)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", related_name="bundle_cases", on_delete=models.PROTECT
    )
    answers = models.JSONField("引导问题回答", default=dict, blank=True)
    form_data = models.JSONField("共用表单数据", default=dict, blank=True)
    item_form_data = models.JSONField("事项专用表单数据", default=dict, blank=True, help_text="事项编码 -> 字段 -> 值")
    skipped = models.JSONField("免办事项及原因", default=list, blank=True)
    # The page that last saved the one form and that page's save number: a page numbers its saves,
    # so one that arrives after a newer save of the same page is not applied over it.
    form_page = models.CharField("表单页面标识", max_length=32, blank=True)
    form_seq = models.PositiveIntegerField("表单保存序号", default=0)
    submission_key = models.CharField("提交幂等键", max_length=100, null=True, blank=True)
    created_at = CreatedAtField("创建时间")
    submitted_at = models.DateTimeField("申报时间", null=True, blank=True)
    updated_at = UpdatedAtField("更新时间")

    class Meta:
        verbose_name = "一件事办件"
        verbose_name_plural = "一件事办件"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "submission_key"],
                condition=Q(submission_key__isnull=False),
                name="bundlecase_submission_key_unique",
            ),
        ]

    def __str__(self):
        return self.number or f"一件事草稿#{self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.submitted_at is None


class BundleCaseMember(models.Model):
    """One applicable item of a bundle case: its own case (online) or a visit to a window."""

    bundle_case = models.ForeignKey(BundleCase, related_name="members", on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField("序号")
    item = models.ForeignKey("catalog.ServiceItem", verbose_name="事项", related_name="+", on_delete=models.PROTECT)
    case = models.OneToOneField(
        "applications.Case", verbose_name="办件", related_name="bundle_member", null=True, blank=True,
        on_delete=models.PROTECT,
    )
    channel = models.CharField("办理方式", max_length=10, choices=c.MEMBER_CHANNELS, default=c.CHANNEL_ONLINE)
    reason = models.TextField("纳入原因", blank=True)
    reason_en = models.TextField("纳入原因（英文）", blank=True)

    class Meta:
        verbose_name = "一件事成员事项"
        verbose_name_plural = "一件事成员事项"
        ordering = ["bundle_case", "position"]
        constraints = [
            models.UniqueConstraint(fields=["bundle_case", "position"], name="bundlecasemember_position_unique"),
            models.UniqueConstraint(fields=["bundle_case", "item"], name="bundlecasemember_item_unique"),
        ]

    def __str__(self):
        return f"{self.bundle_case} · {self.item.code}"
