"""Who organises training: the region tree, program offices, campaigns and cohorts."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from .codes import new_join_code
from .storage import export_storage

REGION_CODE_VALIDATOR = RegexValidator(
    r"^\d{12}$", _("A division code has exactly 12 digits."), code="region_code"
)
JOIN_CODE_RULE = _(
    "4 to 12 letters and digits, without the letters I and O (a typed I or O is read as 1 or 0); "
    "lower case is fine."
)
JOIN_CODE_VALIDATOR = RegexValidator(r"^[0-9A-HJ-NP-Z]{4,12}$", JOIN_CODE_RULE, code="join_code")

REGION_SCOPE_OUTSIDE_OFFICE = _("The campaign's region must be inside the office's region.")
DATES_REVERSED = _("The campaign cannot end before it starts.")
TARGET_NOT_POSITIVE = _("The target must be a whole number greater than 0.")
COHORT_VILLAGE_OUTSIDE_CAMPAIGN = _("The cohort's village must be inside the campaign's region.")
COHORT_VILLAGE_NOT_VILLAGE = _("Choose a village for the cohort.")
JOIN_CODE_TAKEN = _("This join code is already used by another campaign or cohort.")


class Region(MP_Node):
    """An administrative division (province down to village) with its official 12-digit code."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("province")
        PREFECTURE = "prefecture", _("prefecture")
        COUNTY = "county", _("county")
        TOWNSHIP = "township", _("township")
        VILLAGE = "village", _("village")

    code = models.CharField(
        _("division code"), max_length=12, unique=True, validators=[REGION_CODE_VALIDATOR]
    )
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    def subtree_filter(self, prefix: str = "") -> models.Q:
        """A Q object selecting this region and everything under it through `prefix`path."""
        return models.Q(**{f"{prefix}path__startswith": self.path})

    def contains(self, other: "Region") -> bool:
        """True when `other` is this region or lies below it."""
        return other.path.startswith(self.path)


class ProgramOffice(models.Model):
    """A government or partner office that runs training in its region."""

    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="offices"
    )
    name = models.CharField(_("name"), max_length=120)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        blank=True,
        related_name="program_offices",
        help_text=_("Program officers who run this office's campaigns."),
    )
    signatory_name = models.CharField(
        _("signatory name"),
        max_length=80,
        blank=True,
        help_text=_("Printed under the signature on certificates."),
    )
    seal_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("seal image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The office's own image collection (under 各办公室) and the group through which its members
    # may add, change and choose what it holds (finding 7 of issue 16, decision 0120). Kept by
    # services/office_media.py.
    collection = models.OneToOneField(
        "wagtailcore.Collection",
        verbose_name=_("image collection"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="program_office",
    )
    media_group = models.OneToOneField(
        "auth.Group",
        verbose_name=_("image group"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="program_office",
    )
    is_default = models.BooleanField(
        _("platform default office"),
        default=False,
        help_text=_("Issues certificates to learners who enrol on their own, outside a campaign."),
    )

    class Meta:
        verbose_name = _("program office")
        verbose_name_plural = _("program offices")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="campaigns_one_default_office",
            )
        ]

    def __str__(self) -> str:
        return self.name


class JoinCodeMixin(models.Model):
    """A unique join code shared by campaigns and cohorts (one `/join/<code>` namespace)."""

    join_code = models.CharField(
        _("join code"),
        max_length=12,
        unique=True,
        default=new_join_code,
        validators=[JOIN_CODE_VALIDATOR],
        help_text=_("Learners type this code or scan its QR code to join."),
    )

    class Meta:
        abstract = True

    def clean_join_code(self) -> None:
        other_models = [m for m in (Campaign, Cohort) if not isinstance(self, m)]
        if any(m.objects.filter(join_code=self.join_code).exists() for m in other_models):
            raise ValidationError({"join_code": JOIN_CODE_TAKEN})


class Campaign(JoinCodeMixin):
    """A training drive: some courses, for learners in a region, between two dates."""

    office = models.ForeignKey(
        ProgramOffice, verbose_name=_("office"), on_delete=models.PROTECT, related_name="campaigns"
    )
    title = models.CharField(_("title"), max_length=150)
    courses = models.ManyToManyField(
        "courses.CoursePage",
        verbose_name=_("courses"),
        blank=True,
        related_name="campaigns",
        help_text=_("Learners who join are enrolled in each of these courses."),
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="campaigns",
        help_text=_("Where the campaign runs; inside the office's region."),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class TargetKind(models.TextChoices):
        COMPLETIONS = "completions", _("completions (people who finish the courses)")
        PERSON_TIMES = "person_times", _("person-times (attendances at village training sessions)")

    target_learners = models.PositiveIntegerField(
        _("target learners"),
        help_text=_(
            "How many learners should complete the courses, or how many person-times should"
            " attend training sessions, as chosen below."
        ),
    )
    target_kind = models.CharField(
        _("target counted in"),
        max_length=16,
        choices=TargetKind.choices,
        default=TargetKind.COMPLETIONS,
        help_text=_("What the target counts: people who complete, or attendances at sessions."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "title"]
        permissions = [
            ("view_dashboard", "Can see campaign dashboards"),
            ("export_figures", "Can export campaign figures and learner lists"),
            ("import_roster", "Can import a campaign roster"),
            ("view_contact_details", "Can see learners' full phone numbers"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = DATES_REVERSED
        if self.office_id and self.region_id and not self.office.region.contains(self.region):
            errors["region"] = REGION_SCOPE_OUTSIDE_OFFICE
        if self.target_learners is not None and self.target_learners <= 0:
            errors["target_learners"] = TARGET_NOT_POSITIVE
        if errors:
            raise ValidationError(errors)
        self.clean_join_code()


class Cohort(JoinCodeMixin):
    """A group of learners in one village, taught by one trainer within a campaign."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="cohorts"
    )
    name = models.CharField(_("name"), max_length=120)
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="trained_cohorts",
    )
    village = models.ForeignKey(
        Region, verbose_name=_("village"), on_delete=models.PROTECT, related_name="cohorts"
    )
    schedule = models.TextField(
        _("schedule"), blank=True, help_text=_("When and where the group meets.")
    )

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["campaign", "name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="campaigns_cohort_name")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.village_id:
            if self.village.level != Region.Level.VILLAGE:
                raise ValidationError({"village": COHORT_VILLAGE_NOT_VILLAGE})
            if self.campaign_id and not self.campaign.region.contains(self.village):
                raise ValidationError({"village": COHORT_VILLAGE_OUTSIDE_CAMPAIGN})
        self.clean_join_code()


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
