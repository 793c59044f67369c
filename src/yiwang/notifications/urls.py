"""Pages of the message centre, mounted at /messages/."""

from django.urls import path

from yiwang.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.message_list, name="list"),
    path("<int:message_id>/", views.message_detail, name="detail"),
    path("read-all/", views.read_all, name="read-all"),
    path("settings/", views.preferences, name="preferences"),
    path("performance/", views.performance, name="performance"),
]
