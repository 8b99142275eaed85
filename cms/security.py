"""Response headers and admin sign-in rules that protect the whole site.

Content-Security-Policy comes from django-csp 4 (docs/decisions/0050-csp-django-csp.md): the
learner site gets a strict nonce policy, the Wagtail admin (which still ships inline scripts) a
looser one of its own. Permissions-Policy has no Django setting, so a tiny middleware adds it.
"""

import weakref
from urllib.parse import urlsplit

from csp import constants as csp
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

ADMINISTRATORS = "Administrators"


def _origin(url: str | None) -> str:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


_storage_origins: "weakref.WeakKeyDictionary[object, str]" = weakref.WeakKeyDictionary()


def _public_storage_origin() -> str:
    """The origin of the URLs the public media storage hands out (bucket endpoint or CDN domain),
    read from the storage itself, so the policy matches what the pages contain exactly."""
    from django.core.files.storage import storages

    storage = storages["default"]
    if not getattr(storage, "bucket_name", None):
        return ""
    if storage not in _storage_origins:
        _storage_origins[storage] = _origin(storage.url("csp-origin-probe"))
    return _storage_origins[storage]


def media_origins() -> list[str]:
    """Origins that serve uploaded media from elsewhere than the site (MEDIA_URL, bucket, CDN)."""
    origins = [
        _origin(getattr(settings, "MEDIA_URL", "")),
        _public_storage_origin(),
    ]
    custom_domain = getattr(settings, "AWS_S3_CUSTOM_DOMAIN", None)
    if custom_domain:
        origins.append(f"https://{custom_domain}")
    return list(dict.fromkeys(o for o in origins if o))


def static_origins() -> list[str]:
    """The origin of STATIC_URL when static files are served from a CDN (else none)."""
    origin = _origin(getattr(settings, "STATIC_URL", ""))
    return [origin] if origin else []


# Which directives admit the media and static origins: pictures and sound; media also for
# "Save for offline", which fetches every file of the manifest from the page (connect-src).
MEDIA_DIRECTIVES = ("img-src", "media-src", "connect-src")
STATIC_DIRECTIVES = ("script-src", "style-src", "img-src", "media-src", "font-src", "connect-src")


def _is_admin_path(request: HttpRequest) -> bool:
    return request.path_info.startswith(settings.CSP_ADMIN_PATH_PREFIXES)


def _is_admin_preview(request: HttpRequest) -> bool:
    """Wagtail's preview renders a page through a dummy request for the page's own URL, and the
    admin shows that response in its preview panel: it must be frameable by the admin (only)."""
    return getattr(request, "is_dummy", False)


# A script or style sheet is never a document: a policy sent with one does nothing (a worker script
# is the exception, and /sw.js is not under STATIC_URL). Leaving CSP and Permissions-Policy off them
# saves ~0.5 KB of headers per file on a learner's first visit (decision 0136).
SUBRESOURCE_ONLY_TYPES = {"text/javascript", "application/javascript", "text/css"}


def _media_type(response: HttpResponseBase) -> str:
    return response.get("Content-Type", "").split(";", 1)[0].strip().lower()


def _is_static_subresource(request: HttpRequest, response: HttpResponseBase) -> bool:
    return _media_type(response) in SUBRESOURCE_ONLY_TYPES and request.path_info.startswith(
        settings.STATIC_URL
    )


# JSON (the progress API, offline manifests) is data: never a page that loads anything. Its policy
# is the strictest there is, "nothing, and never framed" (OWASP's advice for APIs), in 45 bytes
# instead of the page policy's 250; Permissions-Policy, which only documents apply, is left off.
DATA_TYPES = {"application/json", "application/manifest+json"}
DATA_DIRECTIVES = {"default-src": [csp.NONE], "frame-ancestors": [csp.NONE]}


def _is_data(response: HttpResponseBase) -> bool:
    return _media_type(response) in DATA_TYPES


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp's middleware with a second policy for the Wagtail admin."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if _is_static_subresource(request, response):
            return response
        return super().process_response(request, response)

    def get_policy_parts(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        report_only: bool = False,
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        if parts.config is None and _is_data(response):
            parts.config = dict(DATA_DIRECTIVES)
            return parts
        if parts.config is None:
            # A view that chose its own policy (csp_override) keeps it.
            base = (
                settings.CSP_ADMIN_DIRECTIVES
                if _is_admin_path(request)
                else settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
            )
            parts.config = dict(base)
            if _is_admin_preview(request):
                parts.config["frame-ancestors"] = [csp.SELF]
        for origins, directives in (
            (media_origins(), MEDIA_DIRECTIVES),
            (static_origins(), STATIC_DIRECTIVES),
        ):
            for directive in directives if origins else ():
                # A directive not spelled out falls back to default-src: once named, it starts
                # from default-src's sources so that adding an origin takes nothing away.
                present = parts.config.get(directive) or parts.config.get("default-src") or []
                parts.config[directive] = [*present, *(o for o in origins if o not in present)]
        return parts


class PermissionsPolicyMiddleware:
    """Switch off the powerful browser features no page of the classroom uses."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = self._header(settings.PERMISSIONS_POLICY)
        # The admin may use a few features (the narration recorder needs the microphone).
        self.admin_header = self._header(
            {**settings.PERMISSIONS_POLICY, **getattr(settings, "PERMISSIONS_POLICY_ADMIN", {})}
        )

    @staticmethod
    def _header(policy: dict[str, list[str]]) -> str:
        # A structured-field dictionary needs no space after its commas (RFC 8941).
        return ",".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if _is_static_subresource(request, response) or _is_data(response):
            return response
        header = self.admin_header if _is_admin_path(request) else self.header
        response.headers.setdefault("Permissions-Policy", header)
        return response


class AdminFrameOptionsMiddleware:
    """Let the Wagtail admin frame its own pages and previews; everything else stays DENY."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        # Set before XFrameOptionsMiddleware (listed above this one) adds its DENY default.
        if _is_admin_path(request) or _is_admin_preview(request):
            response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        elif _is_data(response):
            # JSON is never framed as a page; its policy already says frame-ancestors 'none'.
            response.xframe_options_exempt = True
        return response


def mfa_required(user) -> bool:
    """True when this staff user must have an authenticator before using the admin."""
    if not getattr(settings, "ADMIN_MFA_REQUIRED", True) or not user.is_authenticated:
        return False
    return user.is_superuser or user.groups.filter(name=ADMINISTRATORS).exists()


def has_authenticator(user) -> bool:
    """True when the user has set up a TOTP authenticator (allauth.mfa)."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


class AdminMFARequiredMiddleware:
    """Send an administrator without a TOTP authenticator to set one up before the admin."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if (
            request.path_info.startswith("/admin/")
            and mfa_required(request.user)
            and not has_authenticator(request.user)
        ):
            setup = reverse("mfa_activate_totp")
            return HttpResponseRedirect(f"{setup}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def user_sessions_end(*, user) -> int:
    """End every session the user signed in with (allauth.usersessions tracks them); idempotent."""
    from allauth.usersessions.models import UserSession

    sessions = list(UserSession.objects.filter(user_id=user.pk))
    for session in sessions:
        session.end()
    return len(sessions)


def on_user_pre_save(sender, instance, raw=False, **kwargs) -> None:
    """Remember whether the account was active before this save."""
    if raw or instance.pk is None:
        return
    instance._was_active = (
        sender.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()
    )


def on_user_post_save(sender, instance, created, raw=False, **kwargs) -> None:
    """Disabling an account signs it out everywhere at once (issue 8, point 1)."""
    if raw or created or instance.is_active or not getattr(instance, "_was_active", False):
        return
    from core.audit import USER_DEACTIVATED, audit_record

    ended = user_sessions_end(user=instance)
    audit_record(action=USER_DEACTIVATED, target=instance, details={"sessions_ended": ended})
