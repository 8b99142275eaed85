from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """Rows for tasks that must run, written in the same transaction as the change they follow."""

    name = "core.outbox"
    label = "outbox"
    verbose_name = "Outbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from celery.signals import task_postrun, task_retry

        from .services import on_task_postrun, on_task_retry

        # The worker marks a message done once its task has really finished (not on a retry).
        task_postrun.connect(on_task_postrun, dispatch_uid="outbox-task-postrun")
        # A retry keeps the message with the broker: the drain need not send it again yet.
        task_retry.connect(on_task_retry, dispatch_uid="outbox-task-retry")
