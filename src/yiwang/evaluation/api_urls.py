from django.urls import path

from yiwang.evaluation import api

urlpatterns = [
    path("evaluation/figures/", api.FiguresView.as_view(), name="api-evaluation-figures"),
]
