"""Departments' systems that subscribe to events, the events (CloudEvents), and each delivery."""

from __future__ import annotations

import uuid

from django.db import models

from yiwang.core.fields import CreatedAtField, UpdatedAtField

PENDING, DELIVERED, EXHAUSTED, ENDPOINT_DISABLED = "pending", "delivered", "exhausted", "endpoint_disabled"
DELIVERY_STATES = [(PENDING, "待投递"), (DELIVERED, "已投递"), (EXHAUSTED, "重试用尽"), (ENDPOINT_DISABLED, "端点已停用")]


class Endpoint(models.Model):
    name = models.CharField("名称", max_length=100)
    department = models.ForeignKey("catalog.Department", verbose_name="部门", null=True, blank=True, on_delete=models.PROTECT,
                                   help_text="只接收本部门办件的事件；留空则接收全部")
    url = models.URLField("接收地址", max_length=500)
    event_types = models.JSONField("订阅事件", default=list,
                                   help_text='如 ["case.*"] 或 ["case.accept", "case.issue_result"]')
    secret = models.CharField("签名密钥", max_length=100, editable=False)
    previous_secret = models.CharField("上一签名密钥", max_length=100, blank=True, editable=False)
    previous_secret_until = models.DateTimeField("上一密钥有效至", null=True, blank=True, editable=False)
    enabled = models.BooleanField("启用", default=True)
    disabled_reason = models.CharField("停用原因", max_length=200, blank=True)
    allow_private_addresses = models.BooleanField("允许内网地址", default=False,
                                                  help_text="仅在接收系统位于政务内网且经安全评估后开启")
    created_at = CreatedAtField("创建时间")
    updated_at = UpdatedAtField("更新时间")

    class Meta:
        verbose_name = "事件订阅端点"
        verbose_name_plural = "事件订阅端点"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


def new_event_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


class Event(models.Model):
    """One occurrence, as CloudEvents JSON; its id is stable across every delivery and retry."""

    id = models.CharField(primary_key=True, max_length=40, default=new_event_id, editable=False)
    source_event = models.CharField("来源事件", max_length=100, unique=True)
    type = models.CharField("类型", max_length=100)
    department = models.ForeignKey("catalog.Department", null=True, blank=True, on_delete=models.SET_NULL)
    body = models.TextField("内容")  # the exact JSON bytes every delivery sends (signed as is)
    created_at = CreatedAtField("时间")

    class Meta:
        verbose_name = "事件"
        verbose_name_plural = "事件"
        ordering = ["-created_at"]


class Delivery(models.Model):
    endpoint = models.ForeignKey(Endpoint, verbose_name="端点", on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, verbose_name="事件", on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField("状态", max_length=20, choices=DELIVERY_STATES, default=PENDING)
    attempts = models.PositiveIntegerField("已尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)
    last_status = models.PositiveIntegerField("最近响应码", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    delivered_at = models.DateTimeField("投递时间", null=True, blank=True)
    created_at = CreatedAtField("创建时间")

    class Meta:
        verbose_name = "事件投递"
        verbose_name_plural = "事件投递"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "event"], name="webhook_delivery_once")]


class Attempt(models.Model):
    """Evidence of one try: what we sent (headers), what came back (status, a truncated body)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = CreatedAtField("时间")
    replay = models.BooleanField("人工重放", default=False)
    request_headers = models.JSONField("请求头", default=dict)
    status = models.PositiveIntegerField("响应码", null=True, blank=True)
    response_excerpt = models.TextField("响应摘录", blank=True)
    error = models.CharField("错误", max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField("耗时（毫秒）", default=0)

    class Meta:
        verbose_name = "投递记录"
        verbose_name_plural = "投递记录"
        ordering = ["-at", "-id"]
