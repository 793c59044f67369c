from django.apps import AppConfig


class HallConfig(AppConfig):
    name = "yiwang.hall"
    label = "hall"
    verbose_name = "服务大厅"

    def ready(self):
        # Every issued result is routed to the unified output (collect, mail or e-licence only).
        from yiwang.applications.services import register_result_issued_job

        register_result_issued_job("hall.prepare_handover")
