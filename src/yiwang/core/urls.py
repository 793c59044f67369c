"""The web app's files at the site root: a service worker's scope is the folder it is served from."""

from django.urls import path

from yiwang.core import pwa

urlpatterns = [
    path("sw.js", pwa.service_worker, name="pwa-service-worker"),
    path("manifest.webmanifest", pwa.manifest, name="pwa-manifest"),
    path("offline/", pwa.offline, name="pwa-offline"),
]
