"""Pages of data sharing (免交), mounted at /data-sharing/."""

from django.urls import path

from yiwang.registries import views

app_name = "registries"
urlpatterns = [
    path("my-data/", views.my_data, name="my-data"),
    path("my-records/", views.my_records, name="my-records"),
    path("consents/<int:consent_id>/withdraw/", views.withdraw, name="withdraw"),
    path("cases/<int:case_id>/materials/<int:position>/fetch/", views.fetch, name="fetch"),
    path("report/", views.report, name="report"),
    path("access-log/", views.access_log, name="access-log"),
]
