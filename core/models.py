"""What more than one room needs: the region tree, program offices, campaigns and cohorts, and
the audit log.

These models moved here from campaigns and cms (issue 17, decision 0151); their tables kept their
names, so `db_table` names them.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from .codes import new_join_code

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
        db_table = "campaigns_region"  # the table kept its name when the model moved (issue 17)
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
        db_table = "campaigns_programoffice"
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
    # Course pages, named through Wagtail's Page so that core does not depend on the courses room
    # above it; the campaigns room offers only course pages to choose (CampaignForm).
    courses = models.ManyToManyField(
        "wagtailcore.Page",
        through="CampaignCourse",
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
        db_table = "campaigns_campaign"
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
        db_table = "campaigns_cohort"
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


class CampaignCourse(models.Model):
    """One course of a campaign (the rows of the campaign's course list)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.CASCADE, related_name="+", db_column="coursepage_id"
    )

    class Meta:
        db_table = "campaigns_campaign_courses"
        unique_together = [("campaign", "course")]  # as in the table Django made for the M2M

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.course_id}"


class AuditLog(models.Model):
    """One thing a person did that someone may later have to answer for (append-only)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept when the account is later deleted or anonymised, so the record still reads.
    actor_label = models.CharField(_("who (name at the time)"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        db_table = "cms_auditlog"  # the table kept its name when the model moved (issue 17)
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label or '-'} {self.action_label()}"

    def action_label(self) -> str:
        """The action in words ("加入角色"), for the audit log's listing and detail view."""
        from .audit import action_label

        return action_label(self.action)

    action_label.short_description = _("action")
    get_action_display = action_label  # the detail view shows a field through get_<name>_display
