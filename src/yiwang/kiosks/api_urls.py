from django.urls import path

from yiwang.kiosks import api

urlpatterns = [
    path("kiosks/heartbeat/", api.HeartbeatView.as_view(), name="api-kiosk-heartbeat"),
    path("kiosks/transactions/", api.TransactionView.as_view(), name="api-kiosk-transaction"),
    path("kiosks/", api.FleetView.as_view(), name="api-kiosk-fleet"),
]
