"""Celery tasks of the reminders: thin wrappers around one service each."""

from celery import shared_task

from . import services


@shared_task(bind=True, name="reminders.dispatch")
def reminders_dispatch(self) -> int:
    """Plan due rules and hand due reminders to the outbox (Celery beat, every minute)."""
    return services.reminders_dispatch()


@shared_task(bind=True, name="reminders.send", acks_late=True)
def reminder_send(self, send_id: int) -> str:
    """Send one reminder at most once (behind the outbox; safe to deliver twice)."""
    return services.reminder_send(send_id=send_id)
