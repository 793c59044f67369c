from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from yiwang.core.views import care_mode_switch, healthz

admin.site.site_header = "一网通办 管理后台"
admin.site.site_title = "一网通办"
admin.site.index_title = "目录与系统管理"

api_v1 = [
    path("", include("yiwang.catalog.api_urls")),
    path("", include("yiwang.accounts.api_urls")),
    path("", include("yiwang.applications.api_urls")),
    path("", include("yiwang.licences.api_urls")),
    path("", include("yiwang.workcalendar.api_urls")),
    path("", include("yiwang.registries.api_urls")),
    path("", include("yiwang.bundles.api_urls")),
    path("", include("yiwang.search.api_urls")),
    path("", include("yiwang.notifications.api_urls")),
    path("", include("yiwang.hall.api_urls")),
    path("", include("yiwang.staffing.api_urls")),
    path("", include("yiwang.ratings.api_urls")),
    path("", include("yiwang.evaluation.api_urls")),
    path("", include("yiwang.kiosks.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("care-mode/", care_mode_switch, name="care-mode"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("accounts/", include("yiwang.accounts.urls")),
    path("cases/", include("yiwang.applications.urls")),
    path("licences/", include("yiwang.licences.urls")),
    path("data-sharing/", include("yiwang.registries.urls")),
    path("bundles/", include("yiwang.bundles.urls")),
    path("search/", include("yiwang.search.urls")),
    path("messages/", include("yiwang.notifications.urls")),
    path("hall/", include("yiwang.hall.urls")),
    path("staffing/", include("yiwang.staffing.urls")),
    path("ratings/", include("yiwang.ratings.urls")),
    path("dashboard/", include("yiwang.evaluation.urls")),
    path("kiosks/", include("yiwang.kiosks.urls")),
    path("kiosk/", include("yiwang.kiosks.kiosk_urls")),
    path("", include("yiwang.core.urls")),  # /sw.js, /manifest.webmanifest, /offline/
    path("", include("yiwang.catalog.urls")),
]

handler400 = "yiwang.core.views.bad_request"
handler404 = "yiwang.core.views.not_found"
handler500 = "yiwang.core.views.server_error"
