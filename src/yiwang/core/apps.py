from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "yiwang.core"
    label = "core"
    verbose_name = "核心"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from yiwang.core.care import on_login

        user_logged_in.connect(on_login, dispatch_uid="yiwang.core.care.on_login")
