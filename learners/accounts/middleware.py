"""Ask learners for consent again when the privacy notice changes; answer rate limits with 429."""

from allauth.core.exceptions import RateLimited
from allauth.core.ratelimit import respond_429
from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode

from .selectors import profile_for_request
from .sms import SmsError

# Pages a learner may still reach before agreeing to the new notice.
EXEMPT_URL_NAMES = {
    "accounts_consent",
    "accounts_delete",
    "accounts_data",
    "account_logout",
    "javascript-catalog",
    "set_language",
    "healthz",
}
EXEMPT_PREFIXES = ("/admin/", "/static/", "/media/", "/documents/")


def consent_needed(request: HttpRequest) -> bool:
    """True when a signed-in learner has not agreed to the current notice version."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    # Only learner accounts (those with a profile) are asked; staff accounts have none.
    profile = profile_for_request(request)
    return profile is not None and profile.consent_version != settings.CONSENT_VERSION


class ConsentMiddleware:
    """Before anything else, send a learner with outdated consent to the consent page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        if self._gated(request):
            url = reverse("accounts_consent")
            if request.method in ("GET", "HEAD"):
                return HttpResponseRedirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
            return JsonResponse({"error": "consent required", "consent_url": url}, status=403)
        return self.get_response(request)

    def _gated(self, request: HttpRequest) -> bool:
        if request.path_info.startswith(EXEMPT_PREFIXES):
            return False
        if not consent_needed(request):
            return False
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.url_name not in EXEMPT_URL_NAMES

    def process_exception(self, request: HttpRequest, exception: Exception):
        # allauth raises RateLimited from some flows (a phone code sent too soon) without
        # catching it; that is a 429 for the client, not a server error.
        if isinstance(exception, RateLimited):
            return respond_429(request)
        if isinstance(exception, SmsError):
            # The gateway is down: say so plainly instead of a server error page.
            return render(request, "accounts/sms_failed.html", status=503)
        return None
