"""Endpoints outside the language prefix: the JSON APIs and the PWA files at the site root."""

from django.urls import path

from . import api, views

urlpatterns = [
    path("api/progress/", api.progress, name="learners_api_progress"),
    path(
        "api/courses/<int:course_id>/offline.json",
        api.offline_manifest,
        name="learners_offline_manifest",
    ),
    path("sw.js", views.service_worker, name="learners_service_worker"),
    path("manifest.webmanifest", views.web_manifest, name="learners_web_manifest"),
]
