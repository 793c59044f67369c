from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "yiwang.applications"
    label = "applications"
    verbose_name = "办件"

    def ready(self):
        # Deadlines stored on cases follow the holiday schedules an administrator publishes.
        from yiwang.workcalendar.services import register_schedule_job

        register_schedule_job("applications.recompute_open_deadlines")
