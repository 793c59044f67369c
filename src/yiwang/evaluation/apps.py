from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "yiwang.evaluation"
    label = "evaluation"
    verbose_name = "效能评估"

    def ready(self):
        from yiwang.evaluation import jobs  # noqa: F401 - registers the nightly aggregation
