"""Training sessions held in a village and who attended them (imported by campaigns.models)."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def _new_secret() -> str:
    return secrets.token_hex(32)


class TrainingSession(models.Model):
    """One in-person class of a cohort: when, where, which lessons, and its check-in secret."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    cohort = models.ForeignKey(
        "core.Cohort",
        verbose_name=_("cohort"),
        on_delete=models.PROTECT,
        related_name="training_sessions",
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainer"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    village = models.ForeignKey(
        "core.Region", verbose_name=_("village"), on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField(_("place"), max_length=120, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    planned_minutes = models.PositiveSmallIntegerField(_("planned length (minutes)"), default=90)
    lessons = models.ManyToManyField(
        "courses.LessonPage", verbose_name=_("lessons covered"), blank=True, related_name="+"
    )
    # Check-in codes are derived from this and the minute (codes.py); never shown to anyone.
    secret = models.CharField(max_length=64, default=_new_secret, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["cohort", "starts_at"], name="campaigns_session_cohort")]

    def __str__(self) -> str:
        return f"{self.cohort} {self.starts_at:%Y-%m-%d %H:%M}"


class Attendance(models.Model):
    """A learner was present at a session; primary key = the client's UUID (a replay is a no-op)."""

    class Method(models.TextChoices):
        QR = "qr", _("scanned the QR code")
        CODE = "code", _("typed the code")
        TICKED = "ticked", _("ticked by the trainer")
        WALK_IN = "walk_in", _("walk-in added by the trainer")

    id = models.UUIDField(primary_key=True)
    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("training session"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    method = models.CharField(_("how"), max_length=8, choices=Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_in_at = models.DateTimeField(_("checked in at"))

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["session", "learner"], name="campaigns_attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}/{self.learner_id}"
