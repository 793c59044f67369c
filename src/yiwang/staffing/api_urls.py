from django.urls import path

from yiwang.staffing import api

urlpatterns = [
    path("staffing/plan/", api.PlanView.as_view(), name="api-staffing-plan"),
    path("staffing/history/", api.HistoryView.as_view(), name="api-staffing-history"),
]
