from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "yiwang.ratings"
    label = "ratings"
    verbose_name = "好差评"

    def ready(self):
        from yiwang.ratings import forwarding, jobs  # noqa: F401 - registers the handlers and the adapters
