from django.urls import path

from yiwang.licences import api

urlpatterns = [
    path("licences/<str:number>/verify/", api.LicenceVerifyAPIView.as_view(), name="api-licence-verify"),
    path("licences/<str:number>/pdf/", api.LicencePdfAPIView.as_view(), name="api-licence-pdf"),
    path("licences/<str:number>/revoke/", api.LicenceRevokeAPIView.as_view(), name="api-licence-revoke"),
]
