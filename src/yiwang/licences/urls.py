from django.urls import path

from yiwang.licences import views

app_name = "licences"
urlpatterns = [
    path("verify/", views.verify_lookup, name="verify-lookup"),
    path("verify/<str:number>/", views.verify, name="verify"),
    path("<str:number>/pdf/", views.licence_pdf, name="pdf"),
]
