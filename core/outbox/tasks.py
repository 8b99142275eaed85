"""The beat task that re-sends outbox messages the broker never got."""

from celery import shared_task

from . import services


@shared_task(bind=True, name="outbox.drain")
def outbox_drain(self) -> int:
    """Send pending outbox messages again (scheduled by Celery beat every minute)."""
    return services.outbox_drain()
