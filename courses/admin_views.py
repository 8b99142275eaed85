"""Admin views of the courses room: the lesson editor's narration recorder."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .audio import format_duration
from .services import lesson_audio_record


@require_POST
def narration_record(request):
    """Receive a take from the recorder; answer with what the media chooser needs, plus size
    and length for the trainer."""
    try:
        media = lesson_audio_record(
            user=request.user,
            upload=request.FILES.get("audio"),
            title=request.POST.get("title", ""),
        )
    except PermissionDenied:
        return JsonResponse({"error": _("You may not add audio.")}, status=403)
    except ValidationError as exc:
        return JsonResponse({"error": " ".join(exc.messages)}, status=400)
    size, length = filesizeformat(media.file_size), format_duration(media.duration)
    return JsonResponse(
        {
            "id": media.pk,
            "title": media.title,
            "edit_url": reverse("wagtailmedia:edit", args=(media.pk,)),
            "url": media.url,
            "size": media.file_size,
            "duration": media.duration,
            "message": _("Saved “%(title)s”: %(size)s, %(length)s (the version learners hear).")
            % {"title": media.title, "size": size, "length": length},
        },
        status=201,
    )
