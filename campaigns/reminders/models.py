"""Reminder rules of a campaign and the log of every reminder planned, held back or sent."""

from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# The message is written by the office, in Chinese: the learners' language (issue 19).
DEFAULT_MESSAGE = "{name}，您好！《{course}》还在等您，点这里继续学习：{link}"
DEFAULT_DAILY_BUDGET = 500
PLACEHOLDERS = ("{name}", "{course}", "{link}")
MESSAGE_NEEDS_LINK = _("The message must contain {link}: the learner's way back to the lesson.")
MESSAGE_BAD_PLACEHOLDER = _("Use only the placeholders {name}, {course} and {link}.")
WINDOW_EMPTY = _("The sending window must end after it starts.")
# Suggested text per kind of rule, in the officer's language (issue 19); the form offers it.
MESSAGE_TEMPLATES = {
    "not_started": _("{name}, hello! “{course}” is waiting for you, start here: {link}"),
    "stalled": _("{name}, hello! “{course}” is waiting for you, continue here: {link}"),
    "quiz_failed": _(
        "{name}, the quiz in “{course}” was nearly there. Read the lesson again and retry: {link}"
    ),
    "certificate": _("{name}, congratulations! Your certificate for “{course}” is ready: {link}"),
}


class ReminderRule(models.Model):
    """Whom to remind in one campaign (or one cohort of it), with what words and when."""

    class Kind(models.TextChoices):
        NOT_STARTED = "not_started", _("Enrolled but not started after N days")
        STALLED = "stalled", _("Stalled for N days in the middle of a course")
        QUIZ_FAILED = "quiz_failed", _("Failed a lesson's quiz twice, not passed since (N days)")
        CERTIFICATE = "certificate", _("Certificate ready for N days, not opened yet")

    campaign = models.ForeignKey(
        "core.Campaign", on_delete=models.CASCADE, related_name="reminder_rules"
    )
    # Set for a trainer's rule: only learners of this cohort.
    cohort = models.ForeignKey(
        "core.Cohort",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminder_rules",
        verbose_name=_("cohort"),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("whom to remind"), max_length=20, choices=Kind.choices, default=Kind.STALLED
    )
    days = models.PositiveSmallIntegerField(_("after days"), default=7)
    message = models.TextField(_("text message"), max_length=300, default=DEFAULT_MESSAGE)
    window_start = models.TimeField(_("send from"), default=time(10, 0))
    window_end = models.TimeField(_("send until"), default=time(19, 0))
    active = models.BooleanField(_("on"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The local day this rule last picked its learners (planning runs once a day per rule).
    planned_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        ordering = ["campaign", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if "{link}" not in (self.message or ""):
            errors["message"] = MESSAGE_NEEDS_LINK
        else:
            rest = str(self.message)
            for placeholder in PLACEHOLDERS:
                rest = rest.replace(placeholder, "")
            if "{" in rest or "}" in rest:
                errors["message"] = MESSAGE_BAD_PLACEHOLDER
        if self.window_start and self.window_end and self.window_end <= self.window_start:
            errors["window_end"] = WINDOW_EMPTY
        if errors:
            raise ValidationError(errors)


class ReminderBudget(models.Model):
    """How many reminder SMS a campaign may send per day, all its rules together."""

    campaign = models.OneToOneField(
        "core.Campaign", on_delete=models.CASCADE, related_name="reminder_budget"
    )
    daily_sms = models.PositiveIntegerField(_("SMS per day"), default=DEFAULT_DAILY_BUDGET)

    class Meta:
        verbose_name = _("reminder budget")
        verbose_name_plural = _("reminder budgets")

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.daily_sms}"


class ReminderSend(models.Model):
    """One learner picked by one rule on one day: queued, then sent, held back or skipped.

    Unique per (rule, learner, day): planning again the same day adds nothing. Held-back rows
    (caps, budget) are the comparison group of "did it work?".
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("handed to the gateway")
        SENT = "sent", _("sent")
        FAILED = "failed", _("gateway refused")
        UNCERTAIN = "uncertain", _("outcome unknown (worker stopped)")
        HELD = "held", _("held back")
        SKIPPED = "skipped", _("not sent")

    class Reason(models.TextChoices):
        NONE = "", ""
        RECENT = "recent", _("reminded in the last 3 days")
        COURSE_CAP = "course_cap", _("3 reminders for this course already")
        BUDGET = "budget", _("daily budget used up")
        OFF = "off", _("learner turned reminders off")
        ERASED = "erased", _("account deleted or no mobile number")
        FINISHED = "finished", _("course finished meanwhile")
        QUIZ_PASSED = "quiz_passed", _("quiz passed meanwhile")
        CERT_OPENED = "cert_opened", _("certificate opened or revoked meanwhile")
        LATE = "late", _("the day ended before an allowed time")

    rule = models.ForeignKey(ReminderRule, on_delete=models.CASCADE, related_name="sends")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    enrollment = models.ForeignKey(
        "learners.Enrollment", on_delete=models.CASCADE, related_name="reminder_sends"
    )
    campaign = models.ForeignKey("core.Campaign", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(max_length=12, choices=Reason.choices, blank=True)
    phone_masked = models.CharField(max_length=16, blank=True)
    planned_at = models.DateTimeField()
    enqueued_at = models.DateTimeField(null=True, blank=True)
    attempted_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    gateway_result = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "learner", "day"], name="reminders_once_per_rule_learner_day"
            )
        ]
        indexes = [
            models.Index(fields=["learner", "attempted_at"], name="reminders_learner_recent"),
            models.Index(fields=["campaign", "day", "status"], name="reminders_campaign_day"),
            models.Index(fields=["status", "day"], name="reminders_status_day"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}/{self.learner_id}/{self.day} {self.status}"


class CallNote(models.Model):
    """A trainer's note that they phoned a stalled learner (the call list)."""

    enrollment = models.ForeignKey(
        "learners.Enrollment", on_delete=models.CASCADE, related_name="call_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    called_at = models.DateTimeField()

    class Meta:
        verbose_name = _("call note")
        verbose_name_plural = _("call notes")
        ordering = ["-called_at"]

    def __str__(self) -> str:
        return f"{self.enrollment_id} {self.called_at:%Y-%m-%d}"
