"""Log lines in UTC carrying the request id, from gunicorn, Django and Celery alike (decision 0143).

Django sets the process time zone to TIME_ZONE (Asia/Shanghai), so a plain formatter would stamp
Django's and Celery's lines in Beijing time while the proxy and gunicorn's master use UTC. Every
formatter here uses UTC and says so (``Z``). The request id is the proxy's ``X-Request-ID`` when it
sends a well-formed one, else a new one; it is echoed in the response (gunicorn's access line logs
it from there) and added to every line logged while the request runs. In a Celery task the id is
the task's.
"""

import contextvars
import logging
import re
import time
import uuid

from django.http import HttpRequest, HttpResponseBase

REQUEST_ID_HEADER = "X-Request-ID"
_WELL_FORMED = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def current_request_id() -> str:
    """The id of the request (or Celery task) this code runs for, or "-"."""
    value = _request_id.get()
    if value:
        return value
    try:
        from celery import current_task
    except ImportError:  # pragma: no cover - Celery is a dependency
        return "-"
    task_id = getattr(getattr(current_task, "request", None), "id", None)
    return f"task-{task_id}" if task_id else "-"


class UTCFormatter(logging.Formatter):
    """ISO 8601 times in UTC: 2026-12-07T05:47:56.123Z."""

    converter = time.gmtime
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (a filter on the handler, so every logger gets it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class RequestIdMiddleware:
    """Take the proxy's request id (or make one), log with it, and send it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _WELL_FORMED.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response
