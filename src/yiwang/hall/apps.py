from django.apps import AppConfig


class HallConfig(AppConfig):
    name = "yiwang.hall"
    label = "hall"
    verbose_name = "服务大厅"

    def ready(self):
        # A result issued for a case taken in at a counter waits at that site's unified output.
        from yiwang.applications.services import register_result_issued_job

        register_result_issued_job("hall.prepare_handover")
