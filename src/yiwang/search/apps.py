from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "yiwang.search"
    label = "search"
    verbose_name = "搜索"
