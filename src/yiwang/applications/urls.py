"""Pages of cases, mounted at /cases/: the applicant's portal and the staff workbench."""

from django.urls import path

from yiwang.applications import views

app_name = "applications"
urlpatterns = [
    path("apply/<str:item_code>/", views.apply, name="apply"),
    path("mine/", views.mine, name="mine"),
    path("queue/", views.queue, name="queue"),
    path("<int:case_id>/", views.detail, name="detail"),
    path("<int:case_id>/edit/", views.edit, name="edit"),
    path("<int:case_id>/materials/", views.upload, name="upload"),
    path("<int:case_id>/submit/", views.submit, name="submit"),
    path("<int:case_id>/act/", views.act, name="act"),
    path("<int:case_id>/notices/<int:notice_id>.pdf", views.notice_pdf, name="notice-pdf"),
]
