"""Messages (the message centre) and their deliveries by SMS and e-mail.

A `Message` is what a person is told, in their language, once per event (unique on the event's
key and the recipient). Each channel it goes out on is a `Delivery` with Notify's statuses; the
send job moves it created → sending → sent, a delivery receipt to delivered or a failure.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from yiwang.core.fields import CreatedAtField, UpdatedAtField
from yiwang.notifications import constants as c


class Message(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField("类型", max_length=30, choices=c.KINDS)
    event_key = models.CharField("事件", max_length=100, help_text="产生本消息的事件（同一事件对同一人只发一次）")
    essential = models.BooleanField("必达消息", default=False)
    language = models.CharField("语言", max_length=10, choices=c.LANGUAGES, default="zh-hans")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    link = models.CharField("链接", max_length=300, blank=True)
    case_id = models.PositiveBigIntegerField("办件", null=True, blank=True)
    # When the event happened: "sent within 10 seconds" counts from here.
    event_at = models.DateTimeField("事件时间", null=True, blank=True)
    created_at = CreatedAtField("时间")
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)

    class Meta:
        verbose_name = "消息"
        verbose_name_plural = "消息"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["event_key", "recipient"], name="message_once_per_event")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="message_unread")]


class Delivery(models.Model):
    message = models.ForeignKey(Message, verbose_name="消息", on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField("渠道", max_length=10, choices=c.CHANNELS)
    to = models.CharField("发送至", max_length=254)
    text = models.TextField("发送内容")
    state = models.CharField("状态", max_length=20, choices=c.STATES, default=c.CREATED)
    gateway = models.CharField("通道", max_length=40, blank=True)
    gateway_reference = models.CharField("通道流水号", max_length=100, blank=True)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    failure_reason = models.CharField("失败原因", max_length=200, blank=True)
    created_at = CreatedAtField("创建时间")
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    updated_at = UpdatedAtField("更新时间")

    class Meta:
        verbose_name = "消息投递"
        verbose_name_plural = "消息投递"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["message", "channel"], name="delivery_once_per_channel")]
        indexes = [models.Index(fields=["channel", "state"], name="delivery_channel_state"),
                   models.Index(fields=["to", "created_at"], name="delivery_to_created")]


class DeliveryReceipt(models.Model):
    """Every receipt a gateway sent, kept as received (duplicates and early ones included)."""

    gateway = models.CharField("通道", max_length=40)
    reference = models.CharField("我方流水号", max_length=100, help_text="the delivery id we sent as the client reference")
    gateway_reference = models.CharField("通道流水号", max_length=100, blank=True)
    status = models.CharField("回执状态", max_length=40)
    outcome = models.CharField("解读", max_length=20, choices=c.STATES)
    received_at = CreatedAtField("收到时间")
    applied = models.BooleanField("已生效", default=False)

    class Meta:
        verbose_name = "送达回执"
        verbose_name_plural = "送达回执"
        ordering = ["-received_at", "-id"]


class NotificationSettings(models.Model):
    """A person's choices: the language of their messages and which extra channels they want."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings")
    language = models.CharField("消息语言", max_length=10, choices=c.LANGUAGES, default="zh-hans")
    sms = models.BooleanField("短信通知", default=True)
    email = models.BooleanField("邮件通知", default=True)
    updated_at = UpdatedAtField("更新时间")

    class Meta:
        verbose_name = "通知设置"
        verbose_name_plural = "通知设置"


class GatewayWeight(models.Model):
    """The current share of SMS traffic of each configured gateway (moved on errors, drifting back)."""

    gateway = models.CharField("通道", max_length=40, unique=True)
    weight = models.PositiveIntegerField("权重")
    updated_at = UpdatedAtField("更新时间")

    class Meta:
        verbose_name = "短信通道权重"
        verbose_name_plural = "短信通道权重"
