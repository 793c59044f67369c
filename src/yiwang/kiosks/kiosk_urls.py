"""The kiosk's touch-screen pages, mounted at /kiosk/ (see kiosk_views)."""

from django.urls import path

from yiwang.kiosks import kiosk_views as views

app_name = "kiosk"
urlpatterns = [
    path("", views.start, name="start"),
    path("device/", views.device, name="device"),
    path("sign-in/card/", views.sign_in_card, name="sign-in-card"),
    path("sign-in/qr/", views.sign_in_qr, name="sign-in-qr"),
    path("sign-in/qr/poll/", views.sign_in_qr_poll, name="sign-in-qr-poll"),
    path("confirm/<str:code>/", views.confirm, name="confirm"),
    path("menu/", views.menu, name="menu"),
    path("records/", views.records, name="records"),
    path("records/query/", views.record, name="record"),
    path("ticket/", views.ticket, name="ticket"),
    path("apply/", views.items, name="items"),
    path("apply/<str:code>/start/", views.apply_start, name="apply-start"),
    path("apply/case/<int:case_id>/", views.apply, name="apply"),
    path("cases/", views.cases, name="cases"),
    path("cases/<int:case_id>/", views.case, name="case"),
    path("licences/", views.licences, name="licences"),
    path("printed/", views.printed, name="printed"),
    path("still-here/", views.still_here, name="still-here"),
    path("end/", views.end, name="end"),
]
