"""One row per task that must run; see services.py for the life of a message."""

from django.db import models

TASK_ID_PREFIX = "outbox-"


class OutboxMessage(models.Model):
    """A Celery task call written in the caller's transaction, kept until the task succeeds."""

    class State(models.TextChoices):
        PENDING = "pending"
        DONE = "done"
        FAILED = "failed"

    task = models.CharField(max_length=200, help_text="Registered Celery task name.")
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    # Calls with the same key coalesce while one of them waits unsent (e.g. one rollup rebuild
    # per campaign however many changes asked for it).
    key = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    sends = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "enqueued_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(state="pending", enqueued_at__isnull=True) & ~models.Q(key=""),
                name="outbox_one_unsent_message_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk} ({self.state})"

    @property
    def task_id(self) -> str:
        """The Celery task id every send of this message uses, so the worker can find the row."""
        return f"{TASK_ID_PREFIX}{self.pk}"
