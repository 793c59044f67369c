"""E-licences and decisions issued by the platform, signed under a department's seal key."""

from django.conf import settings
from django.db import models

from yiwang.core.fields import CreatedAtField


class SealKey(models.Model):
    """One signing key of a department's approval seal. Retired keys stay for verification."""

    department = models.ForeignKey("catalog.Department", related_name="seal_keys", on_delete=models.PROTECT)
    key_id = models.CharField("密钥标识", max_length=64, unique=True)
    algorithm = models.CharField("算法", max_length=20, default="ed25519")
    public_key = models.TextField("公钥（PEM）")
    private_key = models.TextField("私钥（PEM）")
    active = models.BooleanField("在用", default=True)
    created_at = CreatedAtField("创建时间")
    retired_at = models.DateTimeField("停用时间", null=True, blank=True)

    class Meta:
        verbose_name = "电子印章密钥"
        verbose_name_plural = "电子印章密钥"
        constraints = [
            models.UniqueConstraint(
                fields=["department"], condition=models.Q(active=True), name="one_active_seal_key_per_department"
            ),
        ]

    def __str__(self):
        return f"{self.department} {self.key_id}"


class Licence(models.Model):
    VALID = "valid"
    REVOKED = "revoked"
    STATUSES = [(VALID, "有效"), (REVOKED, "已撤销")]

    number = models.CharField("证照编号", max_length=64, unique=True)
    case = models.OneToOneField("applications.Case", related_name="licence", on_delete=models.PROTECT)
    department = models.ForeignKey("catalog.Department", related_name="licences", on_delete=models.PROTECT)
    title = models.CharField("证照名称", max_length=200)
    holder_name = models.CharField("持证人", max_length=200)
    holder_identifier = models.CharField("持证人证件号码", max_length=18, blank=True)
    content = models.JSONField("签名内容")
    content_sha256 = models.CharField("内容摘要", max_length=64)
    signature = models.TextField("签名（Base64）")
    seal_key = models.ForeignKey(SealKey, related_name="licences", on_delete=models.PROTECT)
    status = models.CharField("状态", max_length=10, choices=STATUSES, default=VALID)
    issued_at = CreatedAtField("签发时间")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="签发人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoke_reason = models.TextField("撤销原因", blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="撤销人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "电子证照"
        verbose_name_plural = "电子证照"
        ordering = ["-issued_at", "-id"]

    def __str__(self):
        return f"{self.title} {self.number}"
