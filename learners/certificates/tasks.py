"""Celery tasks for certificates: thin wrappers that load ids and call one service."""

from celery import shared_task

from core.outbox.services import outbox_message_live
from learners.models import Enrollment

from . import services
from .models import PrintBatch

# Ten runs in all, as many as a certificate got before it shared the one outbox (decision 0160).
MAX_RETRIES = 9
# Exponential back-off from 10 s, capped below the outbox's re-send delay so that the drain never
# sends a message again while its task is only waiting for a retry (core/outbox/services.py).
RETRY_FIRST_WAIT = 10
RETRY_LONGEST_WAIT = 300


def retry_countdown(retries: int) -> int:
    """Seconds before run `retries + 2` of a failing certificate task."""
    return min(RETRY_FIRST_WAIT * 2**retries, RETRY_LONGEST_WAIT)


@shared_task(bind=True, name=services.CERTIFICATE_TASK, max_retries=MAX_RETRIES)
def certificate_make_task(self, enrollment_id: int) -> int | None:
    """Issue and render the certificate of enrollment `enrollment_id` (sent through the outbox)."""
    if not outbox_message_live(self.request.id):
        return None  # withdrawn (the learner deleted their account) or done by another delivery
    if not Enrollment.objects.filter(pk=enrollment_id).exists():
        return None  # the enrollment was deleted: nothing to retry
    try:
        certificate = services.certificate_make(enrollment_id=enrollment_id)
    except Exception as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
    return certificate.pk if certificate else None


@shared_task(bind=True, name="certificates.print_batch_build", max_retries=2)
def print_batch_build(self, batch_id: int) -> int | None:
    """Build the PDF of print batch `batch_id`."""
    if not PrintBatch.objects.filter(pk=batch_id).exists():
        return None
    try:
        return services.print_batch_build(batch_id=batch_id).pk
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            PrintBatch.objects.filter(pk=batch_id).update(
                state=PrintBatch.State.FAILED, error=repr(exc)[:2000]
            )
            raise
        raise self.retry(exc=exc, countdown=30) from exc
