"""The planner page, mounted at /staffing/."""

from django.urls import path

from yiwang.staffing import views

app_name = "staffing"
urlpatterns = [
    path("", views.planner_page, name="planner"),
]
