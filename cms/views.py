"""Views of the house shell."""

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.static import serve

from .health import run_checks, run_worker_check


@never_cache
@require_GET
def healthz(request):
    """JSON status of database, cache and broker: 200 when all answer, 503 otherwise.

    With `?worker=1` it also sends a ping task and waits (up to 5 s) for a Celery worker to answer.
    """
    checks = run_checks()
    if request.GET.get("worker") == "1":
        checks["worker"] = run_worker_check()
    healthy = all(item["status"] == "ok" for item in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks},
        status=200 if healthy else 503,
    )


@require_GET
def public_media(request, path):
    """A public media file (page image, audio) when no proxy or bucket serves MEDIA_URL.

    Rendition and upload names change when their content does, so phones may keep them a day.
    """
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = "public, max-age=86400"
    return response
