"""Pages of the hall, mounted at /hall/."""

from django.urls import path

from yiwang.hall import views

app_name = "hall"
urlpatterns = [
    path("", views.site_list, name="sites"),
    path("device/", views.device_sign_in, name="device"),
    path("appointments/", views.appointments, name="appointments"),
    path("window/", views.console, name="console"),
    path("window/counter/", views.counter_open, name="counter-open"),
    path("window/counter/<int:case_id>/", views.counter_case, name="counter-case"),
    path("window/output/<slug:action>/", views.output_action, name="output-action"),
    path("results/<int:case_id>/delivery/", views.delivery_choice, name="delivery"),
    path("window/<slug:action>/", views.console_action, name="console-action"),
    path("<slug:site>/take/", views.take, name="take"),
    path("<slug:site>/statistics/", views.statistics_page, name="statistics"),
    path("<slug:site>/screen/", views.screen, name="screen"),
    path("<slug:site>/screen/feed/", views.screen_feed, name="screen-feed"),
]
