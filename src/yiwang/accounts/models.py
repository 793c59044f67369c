"""People who use the platform: residents, enterprises and staff with roles and departments."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q

from yiwang.accounts import constants as c
from yiwang.core import clock
from yiwang.core.fields import CreatedAtField
from yiwang.core.identifiers import mask_id_card, mask_name


class User(AbstractUser):
    kind = models.CharField("用户类型", max_length=12, choices=c.KINDS, default=c.KIND_RESIDENT)
    real_name = models.CharField("姓名/名称", max_length=100, blank=True)
    id_number = models.CharField("身份证号码", max_length=18, null=True, blank=True, unique=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, null=True, blank=True, unique=True)
    phone = models.CharField("手机号码", max_length=20, blank=True)
    # False for a walk-in applicant an officer recorded at a counter: no password, no sign-in,
    # until the person registers online with the same ID number and so claims the account.
    registered = models.BooleanField("已注册账号", default=True)
    # Staff only: one role, scoped to departments (administrators and auditors see all).
    role = models.CharField("岗位角色", max_length=20, choices=c.ROLES, blank=True)
    departments = models.ManyToManyField("catalog.Department", verbose_name="所属部门", blank=True, related_name="staff")
    # AbstractUser's default reads the wall clock; ours reads core.clock like every other timestamp.
    date_joined = models.DateTimeField("注册时间", default=clock.now)
    # When the password last changed: API tokens issued before then stop working.
    credentials_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="staff") | ~Q(role=""),
                name="staff_has_role",
            ),
        ]

    def set_password(self, raw_password):
        # Every way a password is set (admin form, createadmin, a reset) retires older API tokens.
        super().set_password(raw_password)
        if self.pk is not None:
            self.credentials_changed_at = clock.now()

    @property
    def is_staff_member(self) -> bool:
        return self.kind == c.KIND_STAFF

    @property
    def display_name(self) -> str:
        return self.real_name or self.username

    @property
    def masked_name(self) -> str:
        return mask_name(self.real_name) if self.kind == c.KIND_RESIDENT else self.real_name

    @property
    def masked_id_number(self) -> str:
        return mask_id_card(self.id_number or "")


class LoginAttempt(models.Model):
    """Recorded per attempt, so the rate limit holds across server workers."""

    identity = models.CharField("用户名", max_length=150, db_index=True)
    client_ip = models.GenericIPAddressField("客户端地址", null=True, blank=True)
    succeeded = models.BooleanField("成功", default=False)
    at = CreatedAtField("时间", db_index=True)

    class Meta:
        verbose_name = "登录尝试"
        verbose_name_plural = "登录尝试"
        # The rate limit counts recent rows per identity and per client address.
        indexes = [
            models.Index(fields=["identity", "at"], name="loginattempt_identity_at"),
            models.Index(fields=["client_ip", "at"], name="loginattempt_ip_at"),
        ]
