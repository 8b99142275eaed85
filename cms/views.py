"""Views of the house shell."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

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
