"""JSON endpoints for the learner's browser: the progress batch and a course's offline manifest."""

import json

from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from courses.models import CoursePage

from . import selectors, services

# A full batch (100 events with quiz answers) is under 40 KB; anything much larger is not a batch.
MAX_BODY_BYTES = 256 * 1024


def _error(message: str, code: str, status: int = 400, **extra) -> JsonResponse:
    return JsonResponse({"error": message, "code": code, **extra}, status=status)


@never_cache
@require_POST
def progress(request: HttpRequest) -> JsonResponse:
    """Record a batch of progress events (session auth; CSRF token in the X-CSRFToken header)."""
    if not request.user.is_authenticated:
        return _error(_("Sign in to save progress."), "not_signed_in", status=403)
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_BODY_BYTES or len(request.body) > MAX_BODY_BYTES:
        return _error(_("The request is too large to be a batch of events."), "too_large")
    try:
        payload = json.loads(request.body)
    except RecursionError:
        return _error(_("The request body is nested too deeply."), "malformed")
    except ValueError:  # also UnicodeDecodeError, and integers too long to read
        return _error(_("The request body is not valid JSON."), "malformed")
    events = payload.get("events") if isinstance(payload, dict) else None
    try:
        result = services.progress_record(learner=request.user, events=events)
    except ValidationError as exc:
        params = exc.params or {}
        extra = {key: params[key] for key in ("index", "lesson") if key in params}
        return _error(exc.messages[0], exc.code or "invalid", **extra)
    return JsonResponse(result.as_dict())


@never_cache
@require_GET
def offline_manifest(request: HttpRequest, course_id: int) -> JsonResponse:
    """What saving `course_id` for offline downloads: page and media URLs with their bytes."""
    course = get_object_or_404(CoursePage.objects.live().public(), pk=course_id)
    data_saver = selectors.data_saver_for(request)
    return JsonResponse(
        selectors.offline_manifest(request=request, course=course, small=data_saver)
    )
