from django.urls import path

from yiwang.applications import api

urlpatterns = [
    path("applications/", api.ApplicationListView.as_view(), name="api-applications"),
    path("applications/form-fields/", api.FormFieldsView.as_view(), name="api-application-form-fields"),
    path("applications/<int:case_id>/", api.ApplicationDetailView.as_view(), name="api-application-detail"),
    path("applications/<int:case_id>/materials/", api.MaterialUploadView.as_view(), name="api-application-materials"),
    path("applications/<int:case_id>/materials/<int:material_id>/", api.MaterialDownloadView.as_view(), name="api-application-material"),
    path("applications/<int:case_id>/submit/", api.SubmitView.as_view(), name="api-application-submit"),
    path("applications/<int:case_id>/actions/", api.ActionView.as_view(), name="api-application-action"),
    path("queue/", api.WorkQueueView.as_view(), name="api-queue"),
]
