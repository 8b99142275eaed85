"""Endpoints outside the language prefix: the JSON APIs and the PWA files at the site root."""

from django.urls import path

from . import api, views
from .accounts import link_views

urlpatterns = [
    path("api/progress/", api.progress, name="learners_api_progress"),
    path(
        "api/courses/<int:course_id>/offline.json",
        api.offline_manifest,
        name="learners_offline_manifest",
    ),
    # The short link in reminder SMS (learners/accounts/links.py): outside the language prefix.
    path("r/<str:token>/", link_views.sign_in_link, name="accounts_sign_in_link"),
    path("r/<str:token>/off/", link_views.sign_in_link_off, name="accounts_sign_in_link_off"),
    path("sw.js", views.service_worker, name="learners_service_worker"),
    path("manifest.webmanifest", views.web_manifest, name="learners_web_manifest"),
]
