"""The evaluation dashboard, mounted at /dashboard/."""

from django.urls import path

from yiwang.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.leader_dashboard, name="leaders"),
    path("public/", views.public_dashboard, name="public"),
    path("public.json", views.public_json, name="public-json"),
    path("public.csv", views.public_csv, name="public-csv"),
]
