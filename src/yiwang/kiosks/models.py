"""The kiosk fleet: each kiosk registered to a site with its items and its own credential, its
devices' latest status from its heartbeats, what changed (events) and what people did (transactions).

A heartbeat updates the kiosk's row only (80 kiosks every 10 s would be 690,000 rows a day); a
change of a device's status, a silence and a return are kept as events.
"""

from django.db import models

from yiwang.core.fields import CreatedAtField


class Kiosk(models.Model):
    code = models.CharField("终端编号", max_length=20, unique=True)
    name = models.CharField("名称", max_length=100)
    site = models.ForeignKey("hall.Site", verbose_name="所在场所", on_delete=models.PROTECT, related_name="kiosks")
    items = models.ManyToManyField("catalog.ServiceItem", verbose_name="可办事项", blank=True, related_name="kiosks")
    token_digest = models.CharField("令牌摘要", max_length=64, unique=True, editable=False)
    active = models.BooleanField("启用", default=True)
    last_heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True, db_index=True)
    card_reader_status = models.SmallIntegerField("读卡器状态", default=-1)
    printer_status = models.SmallIntegerField("打印机状态", default=-1)
    printer_detail = models.CharField("打印机说明", max_length=20, blank=True)
    silent_since = models.DateTimeField("失联起始", null=True, blank=True)
    created_at = CreatedAtField("登记时间")

    class Meta:
        verbose_name = "自助终端"
        verbose_name_plural = "自助终端"
        ordering = ["site", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class KioskEvent(models.Model):
    kiosk = models.ForeignKey(Kiosk, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("类型", max_length=20)  # silent, back_online, printer, card_reader, token_revoked
    detail = models.CharField("说明", max_length=200, blank=True)
    at = CreatedAtField("时间")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kiosk", "at"], name="kiosk_event_at")]


class KioskTransaction(models.Model):
    kiosk = models.ForeignKey(Kiosk, on_delete=models.PROTECT, related_name="transactions")
    kind = models.CharField("业务", max_length=20)  # query, ticket, apply, status, print
    item = models.ForeignKey("catalog.ServiceItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField("结果", max_length=20, default="done")  # done, cancelled, failed
    # Whom the kiosk acted for (signed in by card or phone) and the case it submitted, if any.
    person = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    case = models.ForeignKey("applications.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The kiosk's own id of the transaction: a retry after a lost answer is the same transaction.
    reference = models.CharField("终端流水号", max_length=64)
    at = models.DateTimeField("时间")

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["kiosk", "reference"], name="kiosk_transaction_once")]
        indexes = [models.Index(fields=["at", "kiosk"], name="kiosk_transaction_at")]


class KioskSignIn(models.Model):
    """A one-time code a kiosk shows as a QR code; a signed-in phone confirms it, then the kiosk claims it.

    Only a digest of the code is kept: the code itself is in the QR image and the kiosk's session.
    """

    kiosk = models.ForeignKey(Kiosk, on_delete=models.CASCADE, related_name="sign_ins")
    code_digest = models.CharField("码摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("生成时间")
    expires_at = models.DateTimeField("失效时间")
    confirmed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    claimed_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "终端扫码登录"
        verbose_name_plural = "终端扫码登录"
