from django.apps import AppConfig


class BundlesConfig(AppConfig):
    name = "yiwang.bundles"
    label = "bundles"
    verbose_name = "一件事"

    def ready(self):
        # A member's issued licence is handed on to the members of the same bundle that need it.
        from yiwang.applications.services import register_result_issued_hook
        from yiwang.bundles.services import pass_result_on

        register_result_issued_hook(pass_result_on)
