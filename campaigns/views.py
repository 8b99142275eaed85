"""Learner-facing views: joining a campaign with a code."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from core.codes import normalise_join_code
from learners.models import Enrollment

from .services import campaign_join, join_target_check

JOINED = _("You have joined “%(campaign)s”. Your courses are waiting for you.")


@require_http_methods(["GET"])
def join_form(request):
    """Type a code by hand (for learners who cannot scan the QR code)."""
    code = normalise_join_code(request.GET.get("code", ""))
    if code:
        return redirect("campaigns_join", code=code)
    return render(request, "campaigns/join_form.html")


@require_http_methods(["GET", "POST"])
def join(request, code: str):
    """Show what a code opens; a signed-in learner joins with one tap."""
    try:
        target = join_target_check(code=code)
    except ValidationError as error:
        status = 410 if error.code == "expired" else 404
        return render(
            request, "campaigns/join_error.html", {"message": error.messages[0]}, status=status
        )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        target = campaign_join(learner=request.user, code=code)
        messages.success(request, JOINED % {"campaign": target.campaign.title})
        return redirect(
            "campaigns_join",
            code=target.campaign.join_code if target.cohort is None else target.cohort.join_code,
        )
    return render(
        request,
        "campaigns/join.html",
        {
            "target": target,
            "code": normalise_join_code(code),
            "login_url": f"{reverse('account_login')}?next={request.path}",
            "joined": request.user.is_authenticated
            and Enrollment.objects.filter(learner=request.user, campaign=target.campaign).exists(),
        },
    )
