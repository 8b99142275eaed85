"""What the campaigns room keeps: exports, roster imports and the rollups behind the dashboards.

The region tree, offices, campaigns and cohorts live in the core room (core/models.py).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Campaign, Cohort, ProgramOffice, Region

from .storage import export_storage


class ExportLog(models.Model):
    """One export of campaign data: who took what, when, and how many rows (PIPL accountability)."""

    class Kind(models.TextChoices):
        LEARNERS = "learners", _("learners and their progress")
        AGGREGATES = "aggregates", _("aggregate figures")

    class Status(models.TextChoices):
        PENDING = "pending", _("being built")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), null=True, on_delete=models.SET_NULL
    )
    office = models.ForeignKey(
        ProgramOffice, verbose_name=_("office"), null=True, on_delete=models.SET_NULL
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    file_format = models.CharField(_("format"), max_length=4)
    region_code = models.CharField(_("region code"), max_length=12, blank=True)
    full_phone_numbers = models.BooleanField(_("full phone numbers"), default=False)
    row_count = models.PositiveIntegerField(_("rows"), null=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    file = models.FileField(
        _("file"), upload_to="exports/%Y/%m/", storage=export_storage, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True)

    class Meta:
        verbose_name = _("export log entry")
        verbose_name_plural = _("export log")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_format} {self.created_at:%Y-%m-%d %H:%M}"


class RosterImport(models.Model):
    """An uploaded roster: its previewed rows, then the outcome once the officer confirms."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("waiting for confirmation")
        RUNNING = "running", _("importing")
        DONE = "done", _("imported")
        FAILED = "failed", _("failed")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="rosters"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(_("file name"), max_length=200)
    # One dict per line: line, name, phone (E.164 when valid), village_code, cohort, cohort_id,
    # outcome (new / existing / invalid) and reasons.
    rows = models.JSONField(default=list)
    valid_count = models.PositiveIntegerField(default=0)
    invalid_count = models.PositiveIntegerField(default=0)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PREVIEW
    )
    # Valid rows imported so far (the import commits batch by batch; a retry resumes from here).
    processed_count = models.PositiveIntegerField(default=0)
    registered_count = models.PositiveIntegerField(default=0)
    matched_count = models.PositiveIntegerField(default=0)
    enrolled_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


# --- Rollups --------------------------------------------------------------------------------------
# Derived tables the dashboard reads instead of the raw learner tables; rebuilt per campaign by
# campaigns.services.rollups (docs/decisions/0041-dashboard-rollups.md). Courses and lessons are
# referred to as Wagtail pages so this room does not depend on the courses migrations.


class Rollup(models.Model):
    """Common shape of the rollup rows: one campaign, maybe one cohort."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey(Cohort, null=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.campaign_id}/{self.cohort_id}"


class RollupState(models.Model):
    """When a campaign's rollups were last rebuilt."""

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="rollup")
    built_at = models.DateTimeField()
    # "Active in the last 7 days" is measured from this moment.
    as_of = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.campaign_id} @ {self.built_at:%Y-%m-%d %H:%M}"


class RegionRollup(Rollup):
    """Learner counts of one campaign for one (cohort, learner region) bucket."""

    # The learner's own region (their village code), else their cohort's village; null: unknown.
    region = models.ForeignKey(Region, null=True, on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=255, blank=True)
    enrolled = models.PositiveIntegerField(default=0)
    active_7d = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    certificates = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["campaign", "region_path"])]


class CourseRollup(Rollup):
    """Enrollment counts of one course in one campaign (per cohort and learner region)."""

    course = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    # The learner's region's path, as in RegionRollup: an office below the campaign's region
    # reads the rows of its subtree (decision 0131).
    region_path = models.CharField(max_length=255, blank=True)
    enrolled = models.PositiveIntegerField(default=0)
    active_7d = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    certificates = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["campaign", "region_path"], name="campaigns_cr_region")]


class WeeklyRollup(Rollup):
    """Per ISO week (Monday, local time): learners who joined, were active, completed."""

    week = models.DateField()
    region_path = models.CharField(max_length=255, blank=True)
    joined = models.PositiveIntegerField(default=0)
    active = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["campaign", "week"]),
            models.Index(fields=["campaign", "region_path"], name="campaigns_wr_region"),
        ]


class LessonRollup(Rollup):
    """Lesson funnel: campaign learners who started and completed each lesson."""

    course = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    region_path = models.CharField(max_length=255, blank=True)
    position = models.PositiveIntegerField()
    started = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["campaign", "region_path"], name="campaigns_lsr_region")]


class QuestionRollup(Rollup):
    """How often campaign learners answered one quiz question, and how often wrongly."""

    lesson = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    question_id = models.CharField(max_length=64)
    question_text = models.CharField(max_length=300, blank=True)
    region_path = models.CharField(max_length=255, blank=True)
    answered = models.PositiveIntegerField(default=0)
    missed = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["campaign", "region_path"], name="campaigns_qr_region")]


class LearnerRollup(models.Model):
    """One learner's share of a campaign's rollup rows, as last applied.

    The incremental refresh recomputes a changed learner's share, subtracts this one and adds
    the new one (docs/decisions/0095-incremental-rollups.md). `expires_at`: when the learner's
    "active in the last 7 days" (or one of their courses') runs out, so the refresh recomputes
    them then without a change to mark. `learner_id` is a plain id: the share must be
    subtracted even after the learner's rows are gone.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    learner_id = models.BigIntegerField()
    # Compressed compact text in a JSON string; see campaigns.services.rollups.share_dump.
    share = models.JSONField(default=list)
    expires_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["learner_id", "campaign"], name="campaigns_learnerrollup_unique"
            )
        ]
        indexes = [models.Index(fields=["expires_at"], name="campaigns_lr_expires")]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.learner_id}"


# Training sessions and attendance live in their own module (issue 20); importing them here
# registers them under this app.
from .sessions.models import Attendance, TrainingSession  # noqa: E402, F401
