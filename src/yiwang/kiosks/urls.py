"""Kiosk pages, mounted at /kiosks/."""

from django.urls import path

from yiwang.kiosks import views

app_name = "kiosks"
urlpatterns = [
    path("fleet/", views.fleet, name="fleet"),
]
