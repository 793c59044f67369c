from django.apps import AppConfig


class KiosksConfig(AppConfig):
    name = "yiwang.kiosks"
    label = "kiosks"
    verbose_name = "自助终端"

    def ready(self):
        from yiwang.kiosks import jobs  # noqa: F401 - registers the silence alert
