"""The page behind the short link in a reminder SMS: continue learning (signs in once) or stop."""

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import links

BACKEND = "django.contrib.auth.backends.ModelBackend"


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (link previews must not use the link up); POST signs in and goes on."""
    if request.method == "POST":
        link = links.sign_in_link_use(token=token)
        if link is not None:
            login(request, link.user, backend=BACKEND)
            return HttpResponseRedirect(link.next_path)
        return render(request, "accounts/sign_in_link.html", {"gone": True}, status=410)
    link = links.sign_in_link_find(token=token)
    usable = link is not None and link.used_at is None and link.user.is_active
    return render(
        request,
        "accounts/sign_in_link.html",
        {"gone": not usable, "token": token, "known": link is not None},
        status=200 if usable else 410,
    )


@never_cache
@require_POST
def sign_in_link_off(request: HttpRequest, token: str) -> HttpResponse:
    """Turn reminders off for the link's learner (works after the link was used or expired)."""
    link = links.sign_in_link_find(token=token)
    if link is None:
        return render(request, "accounts/sign_in_link.html", {"gone": True}, status=404)
    links.reminders_turn_off(user=link.user)
    messages.success(request, _("You will get no more reminders by SMS."))
    return render(request, "accounts/sign_in_link.html", {"stopped": True})
