"""The outbox of background work: one row per job, written in the transaction that needs it.

The task queue (database or Redis) only carries a job's id; every guarantee lives here: the
state says whether it ran, `attempts` and `next_attempt_at` drive retries, a dead job waits for
a person in the back office.
"""

from __future__ import annotations

from django.db import models

from yiwang.core import clock
from yiwang.core.fields import CreatedAtField
from yiwang.jobs import constants as c


class Job(models.Model):
    kind = models.CharField("类型", max_length=100)
    payload = models.JSONField("参数", default=dict, blank=True)
    # Set for work that must exist once (a periodic slot, "pass this result on"): a second
    # request for the same key returns the first job.
    dedupe_key = models.CharField("去重键", max_length=200, null=True, blank=True, unique=True)
    state = models.CharField("状态", max_length=10, choices=c.STATES, default=c.QUEUED)
    attempts = models.PositiveIntegerField("已尝试次数", default=0)
    max_attempts = models.PositiveIntegerField("最多尝试次数", default=8)
    next_attempt_at = models.DateTimeField("下次尝试时间", default=clock.now)
    enqueued_at = models.DateTimeField("交给队列时间", null=True, blank=True)
    claimed_at = models.DateTimeField("开始处理时间", null=True, blank=True)
    claimed_by = models.CharField("处理进程", max_length=100, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    result = models.JSONField("结果", null=True, blank=True)
    created_at = CreatedAtField("创建时间")

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="job_state_due")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.get_state_display()})"
