"""Writes for certificates: request (outbox), issue, render, revoke, re-issue, bulk print.

Issuance is two steps (docs/decisions/0034-certificate-outbox.md, 0160-one-outbox.md):
`certificate_request` writes a message to the project's one outbox (core/outbox) inside the
learner's completion transaction, sent to the broker on commit; the worker's `certificate_make`
creates the certificate (once, by unique constraint) and renders it. If the broker is down the
learner's request is not slowed or failed: the message stays pending and `outbox.drain` sends it.
"""

import logging
from decimal import ROUND_HALF_UP, Decimal
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.links import site_url
from core.models import Cohort, ProgramOffice, Region
from core.outbox.services import broker_connection, outbox_request
from core.scope import user_scope
from learners.accounts.models import LearnerProfile
from learners.changes import learners_changed
from learners.models import Enrollment

from . import credential, render
from .models import Certificate, PrintBatch

logger = logging.getLogger(__name__)

REVOKE_REASON_REQUIRED = _("Say why the certificate is revoked.")
ALREADY_REVOKED = _("This certificate is already revoked.")
OUTSIDE_REGION = _("This certificate belongs to a region outside yours.")
NO_PERMISSION = _("You may not revoke or re-issue certificates.")
NAME_REQUIRED = _("Enter the corrected name.")
NAME_UNCHANGED = _("The corrected name is the same as the printed one.")
NOTHING_TO_PRINT = _("There are no valid certificates to print for this choice.")
PRINT_TARGET_REQUIRED = _("Choose a cohort or a village.")

# The outbox task that issues and renders an enrollment's certificate, and the key its messages
# carry: requests coalesce on it, My learning and account deletion find the waiting ones by it.
CERTIFICATE_TASK = "certificates.issue"
CERTIFICATE_KEY_PREFIX = "certificate:"
PLATFORM_ISSUER = "数字乡村课堂"


# --- helpers --------------------------------------------------------------------------------------


def verify_url(code: str) -> str:
    """The public verification URL printed in the QR code."""
    path = reverse("certificates:verify", kwargs={"code": code})
    base = settings.CERTIFICATE_VERIFY_BASE_URL
    return base.rstrip("/") + path if base else site_url(path)


def _course_hours(course) -> Decimal:
    """The course's declared training hours; the estimated minutes when none are declared."""
    declared = getattr(course, "credit_hours", None)
    if declared:
        return Decimal(declared).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    minutes = getattr(course, "estimated_minutes", None) or 0
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _course_has_certificate(course) -> bool:
    return bool(getattr(course, "certificate_enabled", True))


def _profile(user):
    return getattr(user, "learner_profile", None) if user is not None else None


def _learner_name(user) -> str:
    profile = _profile(user)
    name = getattr(profile, "display_name", "") if profile else ""
    return (name or user.get_full_name() or user.get_username()).strip()


def _learner_identity(user) -> tuple[str, str]:
    """What the credential's salted hash hides: the phone number, else the account id."""
    profile = _profile(user)
    phone = str(getattr(profile, "phone", "") or "") if profile else ""
    if phone:
        return phone, "ext:PhoneNumber"
    return f"dvc-user:{user.pk}", "systemId"


def _default_office():
    return ProgramOffice.objects.filter(is_default=True).select_related("region").first()


def _seal_bytes(office) -> bytes | None:
    image = getattr(office, "seal_image", None) if office is not None else None
    if image is None:
        return None
    try:
        with image.file.open("rb") as handle:
            return handle.read()
    except (FileNotFoundError, ValueError, OSError):
        logger.warning("Seal image of office %s is missing; printing without it", office.pk)
        return None


def _signed_credential(certificate: Certificate) -> dict:
    key = credential.signing_key()
    identity, identity_type = _learner_identity(certificate.learner)
    facts = credential.CredentialFacts(
        credential_id=f"urn:uuid:{certificate.public_id}",
        verify_url=verify_url(certificate.code),
        issuer_name=certificate.issuer_name,
        course_title=certificate.course_title,
        course_url=_course_url(certificate.course),
        hours=render.hours_text(certificate.hours),
        issued_at=certificate.issued_at,
        recipient_identity=identity,
        recipient_identity_type=identity_type,
        salt=certificate.recipient_salt,
        status=(credential.STATUS_VALID if certificate.is_valid else credential.STATUS_REVOKED),
        revoked_at=certificate.revoked_at,
    )
    return credential.sign(credential.build(facts, public_key=key.public_key()), key=key)


def _course_url(course) -> str:
    url = getattr(course, "url", None) or f"/courses/{course.pk}/"
    return url if url.startswith("http") else site_url(url)


def _live_for(*, learner_id: int, course_id: int, campaign_id: int | None) -> Certificate | None:
    return (
        Certificate.objects.live()
        .filter(learner_id=learner_id, course_id=course_id, campaign_id=campaign_id)
        .first()
    )


# --- request (learner's transaction) --------------------------------------------------------------


def certificate_key(enrollment_id: int) -> str:
    """The outbox key of the messages that make an enrollment's certificate."""
    return f"{CERTIFICATE_KEY_PREFIX}{enrollment_id}"


def certificate_request(*, enrollment_id: int) -> None:
    """Queue the certificate of a just-completed enrollment; idempotent, one query.

    Called inside the progress transaction (setting LEARNERS_ON_COURSE_COMPLETED); the broker is
    asked only after commit, and never in a way that can fail or hold up the learner.
    """
    # The task itself, not its name: importing it registers it in this (web) process, so the
    # send on commit finds it (a worker imports every tasks module; a web process does not).
    from .tasks import certificate_make_task

    outbox_request(
        task=certificate_make_task, args=[enrollment_id], key=certificate_key(enrollment_id)
    )


# --- issue and render (worker) --------------------------------------------------------------------


def certificate_make(*, enrollment_id: int) -> Certificate | None:
    """Issue (if needed) and render the certificate of an enrollment; idempotent.

    An enrollment is issued one certificate: once it has one, live or revoked, a later message
    only renders its live one (a re-issued copy) and never issues another.
    """
    issued = list(Certificate.objects.filter(enrollment_id=enrollment_id))
    if issued:
        certificate = next((c for c in issued if c.is_valid), None)
    else:
        certificate = certificate_issue(enrollment_id=enrollment_id)
    if certificate is not None:
        certificate_render(certificate_id=certificate.pk)
    return certificate


def certificate_issue(*, enrollment_id: int) -> Certificate | None:
    """The live certificate of a completed enrollment, created if missing; idempotent.

    None when the enrollment is not complete or its course gives no certificate. Exactly one live
    certificate per (learner, course, campaign) is guaranteed by the database, so concurrent calls
    converge on the same row.
    """
    enrollment = Enrollment.objects.select_related("learner", "course").get(pk=enrollment_id)
    if enrollment.completed_at is None or not _course_has_certificate(enrollment.course):
        return None
    key = {
        "learner_id": enrollment.learner_id,
        "course_id": enrollment.course_id,
        "campaign_id": enrollment.campaign_id,
    }
    existing = _live_for(**key)
    if existing is not None:
        return existing
    certificate = _new_certificate(enrollment)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                certificate.credential = _signed_credential(certificate)
                certificate.save()
                learners_changed([certificate.learner_id])  # dashboard figures (decision 0095)
            return certificate
        except IntegrityError:
            existing = _live_for(**key)
            if existing is not None:
                return existing
            # Not the (learner, course, campaign) constraint: a 1-in-10^15 code collision.
            certificate.code = Certificate._meta.get_field("code").get_default()
            certificate.pk = None
    raise IntegrityError(f"could not issue a certificate for enrollment {enrollment_id}")


def _learner_village(learner_id: int):
    """The region of the learner's own village code, if it names one."""
    code = LearnerProfile.objects.filter(user_id=learner_id).values_list("village_code", flat=True)
    code = code.first()
    if not code:
        return None
    return Region.objects.filter(code=code).first()


def _new_certificate(enrollment) -> Certificate:
    campaign = getattr(enrollment, "campaign", None)
    cohort = getattr(enrollment, "cohort", None)
    office = campaign.office if campaign is not None else _default_office()
    # Where the learner lives, as the dashboard counts them (decision 0090): their village, else
    # their cohort's village, else the campaign's (or office's) region. An office sees the
    # certificates of its own villages, also in a campaign run by an office above it.
    region = (
        _learner_village(enrollment.learner_id)
        or getattr(cohort, "village", None)
        or (campaign.region if campaign is not None else None)
        or (office.region if office is not None else None)
    )
    return Certificate(
        enrollment=enrollment,
        learner=enrollment.learner,
        course=enrollment.course,
        campaign=campaign,
        cohort=cohort,
        office=office,
        region=region,
        learner_name=_learner_name(enrollment.learner)[:100],
        # "完成了课程《…》" names the course itself (certificate_title is the document's name).
        course_title=enrollment.course.title[:255],
        issuer_name=(office.name if office is not None else PLATFORM_ISSUER)[:120],
        signatory_name=(office.signatory_name if office is not None else "")[:80],
        hours=_course_hours(enrollment.course),
        completed_on=timezone.localdate(enrollment.completed_at),
        recipient_salt=credential.new_salt(),
    )


def certificate_content(certificate: Certificate) -> render.CertificateContent:
    """What the renderers print for `certificate` (its snapshots, seal and link)."""
    return render.CertificateContent(
        learner_name=certificate.learner_name,
        course_title=certificate.course_title,
        hours=certificate.hours,
        completed_on=certificate.completed_on,
        issuer_name=certificate.issuer_name,
        signatory_name=certificate.signatory_name,
        code=certificate.code,
        verify_url=verify_url(certificate.code),
        seal_image=_seal_bytes(certificate.office),
    )


def certificate_render(*, certificate_id: int, force: bool = False) -> Certificate:
    """Render the PDF and the PNG of a certificate (skipped when already rendered)."""
    certificate = Certificate.objects.select_related("office__seal_image").get(pk=certificate_id)
    if certificate.is_ready and not force:
        return certificate
    content = certificate_content(certificate)
    pdf = render.render_pdf(content)
    png = render.render_png(content)
    certificate.pdf.save(f"{certificate.public_id}.pdf", ContentFile(pdf), save=False)
    certificate.png.save(f"{certificate.public_id}.png", ContentFile(png), save=False)
    certificate.rendered_at = timezone.now()
    Certificate.objects.filter(pk=certificate.pk).update(
        pdf=certificate.pdf.name, png=certificate.png.name, rendered_at=certificate.rendered_at
    )
    return certificate


# --- officers: scope, revoke, re-issue, print -----------------------------------------------------


def certificates_in_scope(user, queryset: QuerySet[Certificate]) -> QuerySet[Certificate]:
    """The certificates of `queryset` a staff user may see, by the project's one region scope:
    every region for administrators, the subtrees of their offices for officers; none otherwise."""
    scope = user_scope(user)
    return queryset if scope.everything else queryset.in_region_paths(scope.region_paths)


def _check_may_manage(user, certificate: Certificate) -> None:
    if not user.has_perm("certificates.revoke_certificate"):
        raise PermissionDenied(NO_PERMISSION)
    region_path = certificate.region.path if certificate.region_id else None
    if not user_scope(user).contains_path(region_path):
        raise PermissionDenied(OUTSIDE_REGION)


def certificate_revoke(*, certificate: Certificate, by, reason: str) -> Certificate:
    """Revoke a certificate (never deleted); who, when and why are recorded."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REVOKE_REASON_REQUIRED})
    _check_may_manage(by, certificate)
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if not locked.is_valid:
            raise ValidationError(ALREADY_REVOKED)
        locked.status = Certificate.Status.REVOKED
        locked.revoked_at = timezone.now()
        locked.revoked_by = by
        locked.revoke_reason = reason
        locked.credential = _signed_credential(locked)
        locked.save()
        learners_changed([locked.learner_id])  # dashboard figures (decision 0095)
    return locked


def certificate_reissue(
    *, certificate: Certificate, by, learner_name: str, reason: str
) -> Certificate:
    """Revoke `certificate` and issue a corrected copy with a new code; returns the new one."""
    learner_name = (learner_name or "").strip()
    if not learner_name:
        raise ValidationError({"learner_name": NAME_REQUIRED})
    if learner_name == certificate.learner_name:
        raise ValidationError({"learner_name": NAME_UNCHANGED})
    with transaction.atomic():
        old = certificate_revoke(certificate=certificate, by=by, reason=reason)
        new = Certificate(
            enrollment_id=old.enrollment_id,
            learner_id=old.learner_id,
            course_id=old.course_id,
            campaign_id=old.campaign_id,
            cohort_id=old.cohort_id,
            office_id=old.office_id,
            region_id=old.region_id,
            learner_name=learner_name[:100],
            course_title=old.course_title,
            issuer_name=old.issuer_name,
            signatory_name=old.signatory_name,
            hours=old.hours,
            completed_on=old.completed_on,
            recipient_salt=credential.new_salt(),
        )
        new.credential = _signed_credential(new)
        new.save()
        Certificate.objects.filter(pk=old.pk).update(replaced_by=new)
        certificate_request(enrollment_id=new.enrollment_id)  # the worker renders the new copy
    return new


# Registry filters a print batch may carry, as the registry's query string names them.
PRINT_FILTERS = ("q", "status", "campaign", "course", "cohort", "region")


def print_filters_clean(data) -> dict[str, str]:
    """The registry filters of a query string that a print batch understands (others dropped)."""
    return {k: str(data.get(k)).strip() for k in PRINT_FILTERS if str(data.get(k) or "").strip()}


def print_batch_create(
    *,
    by,
    cohort_id: int | None = None,
    region_id: int | None = None,
    filters: dict[str, str] | None = None,
    title: str = "",
):
    """Queue one PDF of every live certificate of a cohort, a village or the registry's current
    filters, within the user's region."""
    filters = print_filters_clean(filters or {})
    if not cohort_id and not region_id and not filters:
        raise ValidationError(PRINT_TARGET_REQUIRED)
    certificates = print_batch_certificates(
        by=by, cohort_id=cohort_id, region_id=region_id, filters=filters
    )
    total = certificates.count()
    if total == 0:
        raise ValidationError(NOTHING_TO_PRINT)
    if cohort_id:
        title = str(Cohort.objects.get(pk=cohort_id))
    elif region_id:
        title = str(Region.objects.get(pk=region_id))
    batch = PrintBatch.objects.create(
        requested_by=by,
        cohort_id=cohort_id,
        region_id=region_id,
        filters=filters,
        title=(title or str(_("Certificates")))[:200],
        total=total,
    )
    from .tasks import print_batch_build

    transaction.on_commit(partial(_send_print, print_batch_build, batch.pk))
    return batch


def _send_print(task, batch_id: int) -> None:
    try:
        with broker_connection() as connection:
            task.apply_async(args=[batch_id], retry=False, connection=connection)
    except Exception as exc:
        PrintBatch.objects.filter(pk=batch_id).update(
            state=PrintBatch.State.FAILED, error=f"broker unavailable: {exc}"
        )


def _apply_filters(queryset: QuerySet[Certificate], filters: dict[str, str]):
    def number(key):
        value = filters.get(key, "")
        return int(value) if value.isdigit() else None

    for key in ("campaign", "course", "cohort"):
        if key in filters:
            queryset = queryset.filter(**{f"{key}_id": number(key)})
    if "region" in filters:
        region = Region.objects.filter(code=filters["region"])
        path = region.values_list("path", flat=True).first()
        queryset = queryset.filter(region__path__startswith=path) if path else queryset.none()
    if "q" in filters:
        queryset = queryset.filter(
            Q(code__icontains=filters["q"]) | Q(learner_name__icontains=filters["q"])
        )
    return queryset


def print_batch_certificates(
    *, by, cohort_id=None, region_id=None, filters: dict[str, str] | None = None
) -> QuerySet[Certificate]:
    """The live certificates a print batch covers, narrowed to the user's scope (revoked ones
    are never printed, whatever the status filter says)."""
    queryset = Certificate.objects.live().select_related("office__seal_image")
    if cohort_id:
        queryset = queryset.filter(cohort_id=cohort_id)
    if region_id:
        region = Region.objects.get(pk=region_id)
        queryset = queryset.filter(region__path__startswith=region.path)
    if filters:
        queryset = _apply_filters(queryset, filters)
    return certificates_in_scope(by, queryset).order_by("learner_name", "pk")


def print_batch_build(*, batch_id: int) -> PrintBatch:
    """Render the batch's certificates into one PDF, recording progress as pages are drawn."""
    batch = PrintBatch.objects.select_related("requested_by").get(pk=batch_id)
    PrintBatch.objects.filter(pk=batch_id).update(state=PrintBatch.State.BUILDING, done=0)
    user = batch.requested_by or get_user_model()(is_active=False)
    certificates = print_batch_certificates(
        by=user, cohort_id=batch.cohort_id, region_id=batch.region_id, filters=batch.filters
    )

    def progress(done: int) -> None:
        if done % 10 == 0 or done == batch.total:
            PrintBatch.objects.filter(pk=batch_id).update(done=done)

    contents = (certificate_content(c) for c in certificates.iterator(chunk_size=200))
    pdf = render.render_many_pdf(contents, on_page=progress)
    batch.pdf.save(f"print-{batch.pk}.pdf", ContentFile(pdf), save=False)
    PrintBatch.objects.filter(pk=batch_id).update(
        pdf=batch.pdf.name,
        state=PrintBatch.State.READY,
        finished_at=timezone.now(),
        done=certificates.count(),
    )
    batch.refresh_from_db()
    return batch


def certificate_opened(*, certificate: Certificate) -> None:
    """Note the first time the certificate's own learner opened its PDF or image (issue 19:
    "certificate ready" reminders stop then). One conditional UPDATE; later opens change nothing."""
    Certificate.objects.filter(pk=certificate.pk, opened_at__isnull=True).update(
        opened_at=timezone.now()
    )
