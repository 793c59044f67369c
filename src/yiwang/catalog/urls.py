"""Public catalogue pages.

`portal-home` stays a global (non-namespaced) name because the base template and the login
redirects use it; the other pages live in the `catalog` namespace (`catalog:item-list`,
`catalog:item-detail`) through an include of a (patterns, app_name) pair.
"""

from django.urls import include, path

from yiwang.catalog import views

catalog_patterns = [
    path("items/", views.item_list, name="item-list"),
    path("items/<str:code>/", views.item_detail, name="item-detail"),
    path("items/<str:code>/materials/<int:position>/blank-form/", views.blank_form, name="blank-form"),
]

urlpatterns = [
    path("", views.portal_home, name="portal-home"),
    path("", include((catalog_patterns, "catalog"))),
]
