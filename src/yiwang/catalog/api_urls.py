from django.urls import path

from yiwang.catalog import api

urlpatterns = [
    path("items/", api.ItemListApi.as_view(), name="catalog-api-item-list"),
    path("items/<str:code>/", api.ItemDetailApi.as_view(), name="catalog-api-item-detail"),
    path("departments/", api.DepartmentListApi.as_view(), name="catalog-api-department-list"),
]
