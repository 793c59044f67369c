from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "yiwang.jobs"
    label = "jobs"
    verbose_name = "后台任务"

    def ready(self):
        # Every app's handlers and periodic entries live in its `jobs.py`.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("jobs")
