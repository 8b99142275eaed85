"""URL map: service endpoints and the admin first, then learner pages under a language prefix."""

import re

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from core import pages
from learners.accounts.views import admin_login

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # Staff sign in through allauth (rate limits, lockout) rather than Wagtail's own login form.
    path("admin/login/", admin_login, name="admin_login_redirect"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    # Progress API, offline manifests, service worker and web manifest (site root scope).
    path("", include("learners.urls_root")),
]

if settings.SERVE_PUBLIC_MEDIA:
    # The embedded default has no proxy in front: the application serves public media (page
    # images, audio) itself. Private files never live under MEDIA_ROOT (cms/storage.py).
    urlpatterns += [
        re_path(
            r"^{}(?P<path>.*)$".format(re.escape(settings.MEDIA_URL.lstrip("/"))),
            views.public_media,
            name="public_media",
        )
    ]

# Learner-facing pages: Chinese at /, English at /en/.
urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("me/", include("learners.accounts.urls")),
    # Wagtail's front-end login (private pages) is a plain Django form without rate limits.
    path("_util/login/", admin_login, name="frontend_login_redirect"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("learners.certificates.urls")),
    path("", include("campaigns.urls")),
    path("", include("learners.urls")),
    # Wagtail's page view, with shared pages' routes kept per process (decision 0190); Wagtail's
    # own URLs follow for its password and login views (and name `wagtail_serve` for reversing).
    re_path(wagtail_urls.serve_pattern, pages.serve, name="wagtail_serve"),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
