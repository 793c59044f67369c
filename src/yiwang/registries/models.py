"""Consents to fetch registry records (免交) and the audit log of every fetch."""

import secrets

from django.conf import settings
from django.db import models

from yiwang.registries import constants as c


def new_consent_reference() -> str:
    return secrets.token_hex(16)


class Consent(models.Model):
    """A resident's or enterprise's agreement that the platform fetch one kind of record.

    Scoped to `registry:record_kind` and, when `case_id` is set, to that case (a consent without a
    case covers the user's cases, e.g. for a 一件事 bundle). Active while not withdrawn and not
    expired; withdrawing stops later fetches and keeps what was already fetched and audited.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="授权人", related_name="registry_consents",
                             on_delete=models.CASCADE)
    registry = models.CharField("数据源", max_length=40)
    record_kind = models.CharField("记录类型", max_length=60)
    # A plain id, not a foreign key: consents and the audit outlive drafts and belong to this app.
    case_id = models.PositiveBigIntegerField("办件", null=True, blank=True)
    purpose = models.CharField("用途", max_length=c.PURPOSE_MAX_LENGTH)
    # The same purpose in English, for readers who chose English ("" when the asker gave their own).
    purpose_en = models.CharField("用途（英文）", max_length=c.PURPOSE_MAX_LENGTH, blank=True)
    granted_at = models.DateTimeField("授权时间")
    expires_at = models.DateTimeField("有效期至")
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    # The officer who recorded a consent the person gave in person at a counter (None: given online).
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人员（窗口）", null=True, blank=True,
                                    related_name="+", on_delete=models.PROTECT)
    # How the registries know this consent: random, so no other consent (after a restore, or on a
    # reinstalled platform of the same name) can ever share a withdrawal recorded there.
    reference = models.CharField("授权编号", max_length=40, unique=True, default=new_consent_reference)
    # Where a person consented to read their own record (本人查询), which is that one query's consent;
    # "" for a consent to fetch records into cases.
    channel = models.CharField("本人查询渠道", max_length=c.CHANNEL_MAX_LENGTH, choices=c.CHANNELS, blank=True, default="")

    class Meta:
        verbose_name = "数据调取授权"
        verbose_name_plural = "数据调取授权"
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["user", "registry", "record_kind"], name="consent_user_scope_idx")]

    def __str__(self):
        return f"{self.scope} #{self.pk}"

    @property
    def scope(self) -> str:
        return f"{self.registry}:{self.record_kind}"

    def is_active(self, at) -> bool:
        return self.withdrawn_at is None and self.expires_at > at


class DataAccess(models.Model):
    """One fetch from a registry: who, whose record, which record, for which case, on what consent."""

    accessor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="调取人", null=True, on_delete=models.SET_NULL,
                                 related_name="registry_accesses_made")
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="数据主体", null=True, on_delete=models.SET_NULL,
                                related_name="registry_accesses_about")
    subject_identifier = models.CharField("数据主体证件号码", max_length=18)
    case_id = models.PositiveBigIntegerField("办件", null=True, blank=True, db_index=True)
    material_position = models.PositiveSmallIntegerField("材料序号", null=True, blank=True)
    registry = models.CharField("数据源", max_length=40)
    record_kind = models.CharField("记录类型", max_length=60)
    consent = models.ForeignKey(Consent, verbose_name="授权", null=True, on_delete=models.PROTECT, related_name="accesses")
    platform = models.CharField("调用平台", max_length=60)
    at = models.DateTimeField("调取时间", db_index=True)
    outcome = models.CharField("结果", max_length=12, choices=c.OUTCOMES)
    detail = models.CharField("说明", max_length=60, blank=True, help_text="如 timeout、circuit_open、HTTP 状态")
    record_id = models.CharField("记录编号", max_length=100, blank=True)
    source = models.CharField("答复方", max_length=20, blank=True, help_text="registry（外部数据源）或 platform（本平台证照）")
    latency_ms = models.PositiveIntegerField("耗时（毫秒）", default=0)
    # The registry's own record of the query (its receipt), so the resident sees both sides.
    registry_query_id = models.CharField("数据源查询记录号", max_length=40, blank=True)
    registry_answered_at = models.DateTimeField("数据源答复时间", null=True, blank=True)
    # A self query (本人查询, no case): where the person asked, and at which kiosk; "" for a fetch into a case.
    channel = models.CharField("本人查询渠道", max_length=c.CHANNEL_MAX_LENGTH, choices=c.CHANNELS, blank=True, default="")
    kiosk_code = models.CharField("自助终端编号", max_length=c.KIOSK_CODE_MAX_LENGTH, blank=True, default="")

    class Meta:
        verbose_name = "数据调取记录"
        verbose_name_plural = "数据调取记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["subject", "at"], name="dataaccess_subject_at_idx")]

    def __str__(self):
        return f"{self.registry}:{self.record_kind} {self.outcome} #{self.pk}"
