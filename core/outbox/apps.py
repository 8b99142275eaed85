from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """Rows for tasks that must run, written in the same transaction as the change they follow."""

    name = "core.outbox"
    label = "outbox"
    verbose_name = "Outbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from celery.signals import task_postrun

        from .services import on_task_postrun

        # The worker marks a message done once its task has really finished (not on a retry).
        task_postrun.connect(on_task_postrun, dispatch_uid="outbox-task-postrun")
