"""Pages of bundles (一件事), mounted at /bundles/."""

from django.urls import path

from yiwang.bundles import views

app_name = "bundles"
urlpatterns = [
    path("", views.bundle_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("queue/", views.queue, name="queue"),
    path("cases/<int:bundle_case_id>/", views.case_detail, name="case"),
    path("cases/<int:bundle_case_id>/form/", views.save_form, name="save-form"),
    path("cases/<int:bundle_case_id>/materials/", views.upload, name="upload"),
    path("cases/<int:bundle_case_id>/fetch/", views.fetch, name="fetch"),
    path("cases/<int:bundle_case_id>/submit/", views.submit, name="submit"),
    path("<str:code>/", views.bundle_guide, name="guide"),
    path("<str:code>/guidance/", views.guidance_partial, name="guidance"),
    path("<str:code>/start/", views.start, name="start"),
]
