"""Certificates and bulk print batches (their issuing goes through core/outbox, decision 0160).

Campaign-side models are referred to by string only: learners never import campaigns.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import codes
from .storage import (
    certificate_pdf_name,
    certificate_png_name,
    print_batch_name,
    private_storage,
)


class CertificateQuerySet(models.QuerySet):
    """Reads shared by the views, the admin and the selectors."""

    def live(self) -> "CertificateQuerySet":
        return self.filter(status=Certificate.Status.ISSUED)

    def in_region_paths(self, paths: tuple[str, ...]) -> "CertificateQuerySet":
        """Certificates whose region lies in one of the subtrees `paths`."""
        condition = models.Q(pk__in=[])
        for path in paths:
            condition |= models.Q(region__path__startswith=path)
        return self.filter(condition)


class Certificate(models.Model):
    """A completion certificate: snapshots of what it says, its files, its signed credential."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("valid")
        REVOKED = "revoked", _("revoked")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(
        _("code"), max_length=codes.CODE_LENGTH, unique=True, default=codes.new_code
    )
    # A learner who deletes their account (PIPL) takes their certificates with them; officers can
    # only revoke.
    enrollment = models.ForeignKey(
        "learners.Enrollment",
        verbose_name=_("enrollment"),
        on_delete=models.CASCADE,
        related_name="certificates",
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.CASCADE,
        related_name="certificates",
    )
    course = models.ForeignKey(
        "courses.CoursePage", verbose_name=_("course"), on_delete=models.PROTECT, related_name="+"
    )
    campaign = models.ForeignKey(
        "core.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cohort = models.ForeignKey(
        "core.Cohort",
        verbose_name=_("cohort"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    office = models.ForeignKey(
        "core.ProgramOffice",
        verbose_name=_("issuing office"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The cohort's village, else the campaign's or the office's region."),
    )
    # Snapshots: what the paper says never changes when a course or an office is renamed.
    learner_name = models.CharField(_("name on certificate"), max_length=100)
    course_title = models.CharField(_("course title"), max_length=255)
    issuer_name = models.CharField(_("issuer"), max_length=120)
    signatory_name = models.CharField(_("signatory"), max_length=80, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    completed_on = models.DateField(_("completed on"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    # Private storage, random names (finding 6 of issue 16): storage.py.
    pdf = models.FileField(
        _("PDF"), upload_to=certificate_pdf_name, storage=private_storage, blank=True
    )
    png = models.FileField(
        _("image"), upload_to=certificate_png_name, storage=private_storage, blank=True
    )
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    # When its learner, signed in, first downloaded the PDF or the image ("certificate ready"
    # reminders stop then; issue 19).
    opened_at = models.DateTimeField(_("first opened by the learner"), null=True, blank=True)
    credential = models.JSONField(_("signed credential"), default=dict, blank=True)
    recipient_salt = models.CharField(max_length=32, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ISSUED
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)
    replaced_by = models.OneToOneField(
        "self",
        verbose_name=_("replaced by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaces",
    )

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at"]
        permissions = [
            ("revoke_certificate", _("Can revoke and re-issue certificates")),
            ("view_all_regions", _("Can see certificates of every region")),
        ]
        constraints = [
            # One live certificate per (learner, course, campaign); NULL campaign (self-enrolled)
            # needs its own condition because NULLs never collide in a unique index.
            models.UniqueConstraint(
                fields=["learner", "course", "campaign"],
                condition=models.Q(status="issued", campaign__isnull=False),
                name="certificates_one_live_per_campaign",
            ),
            models.UniqueConstraint(
                fields=["learner", "course"],
                condition=models.Q(status="issued", campaign__isnull=True),
                name="certificates_one_live_self_enrolled",
            ),
            models.CheckConstraint(
                condition=models.Q(status="issued") | models.Q(revoked_at__isnull=False),
                name="certificates_revoked_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "issued_at"])]

    def __str__(self) -> str:
        return f"{self.code} {self.course_title}"

    @property
    def is_valid(self) -> bool:
        return self.status == self.Status.ISSUED

    @property
    def is_ready(self) -> bool:
        return bool(self.pdf) and bool(self.png)


class PrintBatch(models.Model):
    """A bulk print: every live certificate of a cohort, a village or the registry's current
    filters in one PDF, built by Celery."""

    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        BUILDING = "building", _("building")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    cohort = models.ForeignKey(
        "core.Cohort", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    region = models.ForeignKey(
        "core.Region", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The registry's filters when printed from its list (campaign, course, region, search).
    filters = models.JSONField(default=dict, blank=True)
    title = models.CharField(_("title"), max_length=200)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    pdf = models.FileField(upload_to=print_batch_name, storage=private_storage, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("print batch")
        verbose_name_plural = _("print batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0
