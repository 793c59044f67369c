from django.urls import path

from yiwang.search import api

urlpatterns = [
    path("search", api.SearchApi.as_view(), name="search-api"),
]
