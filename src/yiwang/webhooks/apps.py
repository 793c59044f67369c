from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "yiwang.webhooks"
    label = "webhooks"
    verbose_name = "事件订阅（Webhook）"
