"""Celery tasks of the campaigns room: thin wrappers that load ids and call one service."""

from celery import shared_task

from .models import RosterImport

MAX_RETRIES = 3


@shared_task(bind=True, max_retries=MAX_RETRIES, soft_time_limit=1800, time_limit=1900)
def roster_import_run(self, roster_import_id: int) -> None:
    """Import a confirmed roster."""
    from .services.roster import roster_run

    if not RosterImport.objects.filter(pk=roster_import_id).exists():
        return
    try:
        roster_run(roster_import_id=roster_import_id)
    except Exception as exc:
        if self.request.retries >= MAX_RETRIES:
            RosterImport.objects.filter(pk=roster_import_id).update(
                status=RosterImport.Status.FAILED, error=str(exc)[:2000]
            )
            raise
        raise self.retry(exc=exc, countdown=2**self.request.retries * 30) from exc
