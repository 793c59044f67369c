from django.urls import path

from yiwang.registries import api

urlpatterns = [
    path("applications/<int:case_id>/materials/<int:position>/fetch/", api.FetchView.as_view(), name="api-material-fetch"),
    path("data-sharing/my-accesses/", api.MyAccessesView.as_view(), name="api-data-sharing-my-accesses"),
    path("data-sharing/consents/", api.MyConsentsView.as_view(), name="api-data-sharing-consents"),
    path("data-sharing/consents/<int:consent_id>/withdraw/", api.WithdrawView.as_view(), name="api-data-sharing-withdraw"),
    path("data-sharing/report/", api.ReportView.as_view(), name="api-data-sharing-report"),
    path("data-sharing/access-log/", api.AccessLogView.as_view(), name="api-data-sharing-access-log"),
]
