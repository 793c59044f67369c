from django.apps import AppConfig


class BundlesConfig(AppConfig):
    name = "yiwang.bundles"
    label = "bundles"
    verbose_name = "一件事"

    def ready(self):
        # A member's issued licence is handed on to the members of the same bundle that need it.
        from yiwang.applications.services import register_result_issued_job

        register_result_issued_job("bundles.pass_result_on")
