"""Learner pages: check in to a training session by scanning its QR code or typing its code."""

from allauth.core import ratelimit
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .models import TrainingSession
from .services import CheckIn, attendance_check_in

RATE_LIMITED = _("Too many wrong codes. Wait 10 minutes, or ask the trainer to tick your name.")
CHECKED_IN = _("You are checked in. Welcome!")
ALREADY_CHECKED_IN = _("You were already checked in to this session.")

RATE_ACTION = "session_checkin"


def _check_in(request: HttpRequest, session: TrainingSession | None, template: str, context):
    """Run one check-in under the wrong-code rate limit; render the outcome."""
    code = request.POST.get("code", "").strip()
    if not ratelimit.consume(request, action=RATE_ACTION, dry_run=True):
        context["error"] = RATE_LIMITED
        return render(request, template, context, status=429)
    try:
        result: CheckIn = attendance_check_in(learner=request.user, code=code, session=session)
    except ValidationError as error:
        if error.code == "wrong_code":
            ratelimit.consume(request, action=RATE_ACTION)
        context["error"] = error.messages[0]
        context["code"] = code
        return render(request, template, context, status=400)
    return render(
        request,
        "campaigns/sessions/checked_in.html",
        {
            "session": result.attendance.session,
            "message": CHECKED_IN if result.created else ALREADY_CHECKED_IN,
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest) -> HttpResponse:
    """Type the 4-digit code shown on the trainer's phone."""
    template = "campaigns/sessions/check_in.html"
    if request.method == "POST":
        return _check_in(request, None, template, {})
    return render(request, template, {})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def check_in_session(request: HttpRequest, public_id) -> HttpResponse:
    """The page the session's QR code opens: one tap checks in (the code rides in the link)."""
    session = get_object_or_404(
        TrainingSession.objects.select_related("cohort", "village"), public_id=public_id
    )
    template = "campaigns/sessions/check_in_session.html"
    context = {"session": session, "code": request.GET.get("code", "")[:4]}
    if request.method == "POST":
        return _check_in(request, session, template, context)
    return render(request, template, context)
