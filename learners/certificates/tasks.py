"""Celery tasks for certificates: thin wrappers that load ids and call one service."""

from celery import shared_task

from . import services
from .models import CertificateJob, PrintBatch

MAX_RETRIES = 5


@shared_task(bind=True, name="certificates.job_run", max_retries=MAX_RETRIES)
def certificate_job_run(self, job_id: int) -> int | None:
    """Issue and render the certificate of outbox job `job_id`."""
    if not CertificateJob.objects.filter(pk=job_id).exists():
        return None  # the enrollment was deleted: nothing to retry
    try:
        certificate = services.certificate_job_process(job_id=job_id)
    except Exception as exc:
        raise self.retry(exc=exc, countdown=10 * 2**self.request.retries) from exc
    return certificate.pk if certificate else None


@shared_task(bind=True, name="certificates.outbox_drain")
def outbox_drain(self) -> int:
    """Re-send outbox jobs the broker never got (scheduled by Celery beat)."""
    return services.outbox_drain()


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
