from django.apps import AppConfig


class StaffingConfig(AppConfig):
    name = "yiwang.staffing"
    label = "staffing"
    verbose_name = "窗口配置测算"
