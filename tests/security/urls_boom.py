"""The site's URL map plus one view that fails, to see the real 500 page under the real CSP."""

from django.urls import path

from cms.urls import urlpatterns as site_patterns


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", boom), *site_patterns]
