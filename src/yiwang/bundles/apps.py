from django.apps import AppConfig


class BundlesConfig(AppConfig):
    name = "yiwang.bundles"
    label = "bundles"
    verbose_name = "一件事"
