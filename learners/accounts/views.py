"""Learner pages of the accounts room: profile, consent, data download, account deletion."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, translate_url
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from . import selectors, services
from .forms import ConsentForm, ProfileForm, RegisterLearnerForm
from .models import LearnerProfile


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """Show and change the learner's name, village code and preferences."""
    instance = selectors.profile_for_request(request) or LearnerProfile(user=request.user)
    form = ProfileForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.profile_update(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            with translation.override(saved.language):
                messages.success(request, _("Your settings are saved."))
            # Continue in the chosen language: its URL prefix and the language cookie.
            url = translate_url(reverse("accounts_profile"), saved.language)
            response = HttpResponseRedirect(url)
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                saved.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
            )
            return response
    return render(request, "accounts/profile.html", {"form": form, "profile": instance})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest) -> HttpResponse:
    """The privacy notice of the current version, and the learner's agreement to it."""
    next_url = _safe_next(request, "/")
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.consent_record(user=request.user, language=translation.get_language())
        return HttpResponseRedirect(next_url)
    return render(
        request,
        "accounts/consent.html",
        {"form": form, "next": next_url, "version": settings.CONSENT_VERSION},
    )


@never_cache
@login_required
@require_http_methods(["GET"])
def data_download(request: HttpRequest) -> HttpResponse:
    """Everything stored about the signed-in user, as a JSON file."""
    data = selectors.personal_data_collect(user=request.user)
    data["exported_at"] = timezone.now().isoformat()
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    """Confirm, then remove the learner's personal data and sign them out."""
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        services.account_erase(user=request.user)
        logout(request)
        messages.success(request, _("Your account and your personal data have been deleted."))
        return redirect("/")
    error = request.method == "POST"
    return render(request, "accounts/delete.html", {"error": error})


@never_cache
@permission_required("accounts.register_learner", raise_exception=True)
@require_http_methods(["GET", "POST"])
def register_learner(request: HttpRequest) -> HttpResponse:
    """Wagtail admin: a trainer registers a learner by name and phone (idempotent on phone)."""
    form = RegisterLearnerForm(request.POST or None)
    registered = None
    if request.method == "POST" and form.is_valid():
        try:
            user = services.learner_register(
                name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"],
                village_code=form.cleaned_data["village_code"],
                registered_by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # Echo what the trainer typed, never the stored name: an existing number must not
            # tell them whose it is (issue 16, finding 5). The answer is the same either way.
            registered = {
                "display_name": form.cleaned_data["name"],
                "phone": user.learner_profile.phone,
            }
            form = RegisterLearnerForm()
    return render(
        request,
        "accounts/admin/register_learner.html",
        {"form": form, "registered": registered},
    )


@never_cache
def admin_login(request: HttpRequest) -> HttpResponse:
    """/admin/login/: staff sign in through allauth, which rate-limits and locks out guessing."""
    if request.user.is_authenticated:
        # Signed in but without admin access: a login form would only loop back here.
        raise PermissionDenied
    query = request.GET.urlencode()
    return HttpResponseRedirect(reverse("account_login") + (f"?{query}" if query else ""))
