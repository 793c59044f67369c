"""The shared kernel's one table: hits counted by the rate limiter (see `core.ratelimit`)."""

from django.db import models

from yiwang.core.fields import CreatedAtField


class RateLimitHit(models.Model):
    """One counted request of a bucket (e.g. public licence verification) by a key (e.g. an address)."""

    bucket = models.CharField("限流对象", max_length=40)
    key = models.CharField("来源", max_length=64)
    at = CreatedAtField("时间")

    class Meta:
        verbose_name = "限流记录"
        verbose_name_plural = "限流记录"
        indexes = [models.Index(fields=["bucket", "key", "at"], name="ratelimithit_bucket_key_at")]
