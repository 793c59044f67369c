from django.urls import path

from yiwang.bundles import api

urlpatterns = [
    path("bundles/", api.BundleListView.as_view(), name="api-bundles"),
    path("bundles/<str:code>/", api.BundleDetailView.as_view(), name="api-bundle-detail"),
    path("bundles/<str:code>/guidance/", api.GuidanceView.as_view(), name="api-bundle-guidance"),
    path("bundles/<str:code>/applications/", api.StartView.as_view(), name="api-bundle-apply"),
    path("bundle-applications/", api.BundleCaseListView.as_view(), name="api-bundle-applications"),
    path("bundle-applications/<int:bundle_case_id>/", api.BundleCaseDetailView.as_view(), name="api-bundle-application"),
    path("bundle-applications/<int:bundle_case_id>/materials/", api.MaterialUploadView.as_view(),
         name="api-bundle-application-materials"),
    path("bundle-applications/<int:bundle_case_id>/materials/fetch/", api.MaterialFetchView.as_view(),
         name="api-bundle-application-fetch"),
    path("bundle-applications/<int:bundle_case_id>/submit/", api.SubmitView.as_view(), name="api-bundle-application-submit"),
    path("bundle-applications/<int:bundle_case_id>/supplements/", api.SupplementView.as_view(),
         name="api-bundle-application-supplements"),
]
