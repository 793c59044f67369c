from django.apps import AppConfig
from django.core import checks


class NotificationsConfig(AppConfig):
    name = "yiwang.notifications"
    label = "notifications"
    verbose_name = "消息通知"

    def ready(self):
        checks.register(_gateways_are_configured, "notifications")


def _gateways_are_configured(app_configs, **kwargs):
    """Start-up check of every configured SMS gateway (`manage.py check`, `yiwang worker`)."""
    from yiwang.notifications.gateways import configuration_problems

    return [checks.Error(problem, id="yiwang.notifications.E001") for problem in configuration_problems()]
