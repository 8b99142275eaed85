"""The certificates room's part of "download my data" and "delete my account" (PIPL).

Deleting an account revokes the learner's certificates and anonymises them: the name snapshot
is replaced, the signed credential (a salted hash of the phone number) is withdrawn and the PDF
and PNG files are deleted once the deletion commits. The rows stay, revoked, so that a printed
copy shown later verifies as revoked and campaign certificate counts keep their history.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from core.outbox.services import outbox_withdraw
from learners.models import Enrollment

from . import credential
from .models import Certificate, PrintBatch
from .storage import private_storage

ERASED_NAME = "—"
ERASED_REASON = gettext_noop("The learner deleted their account.")  # stored translated


def certificates_export(user: AbstractBaseUser) -> dict:
    """Every certificate issued to `user`, with its status."""
    from .services import verify_url

    return {
        "certificates": [
            {
                "code": c.code,
                "verify_url": verify_url(c.code),
                "name_on_certificate": c.learner_name,
                "course": c.course_title,
                "issuer": c.issuer_name,
                "completed_on": c.completed_on.isoformat(),
                "issued_at": c.issued_at.isoformat(),
                "status": c.status,
                "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None,
            }
            for c in Certificate.objects.filter(learner=user).order_by("issued_at")
        ]
    }


def certificates_erase(user: AbstractBaseUser) -> None:
    """Revoke and anonymise the learner's certificates; delete their files after commit."""
    from .services import certificate_key

    # A certificate message still waiting (broker down, or already queued) would otherwise print
    # the name after the deletion; the task does nothing for a message that no longer exists.
    enrollment_ids = Enrollment.objects.filter(learner=user).values_list("pk", flat=True)
    outbox_withdraw(keys=[certificate_key(pk) for pk in enrollment_ids])
    now = timezone.now()
    files = _print_batch_files_erase(user)
    for certificate in Certificate.objects.select_for_update().filter(learner=user):
        files += [name for name in (certificate.pdf.name, certificate.png.name) if name]
        if certificate.is_valid:
            certificate.status = Certificate.Status.REVOKED
            certificate.revoked_at = now
            certificate.revoked_by = None
            certificate.revoke_reason = gettext(ERASED_REASON)
        certificate.learner_name = ERASED_NAME
        certificate.credential = {}
        certificate.recipient_salt = credential.new_salt()
        certificate.pdf = ""
        certificate.png = ""
        certificate.rendered_at = None
        certificate.save()
    # Files cannot be rolled back: delete them only once the whole erasure has committed.
    transaction.on_commit(lambda: _delete_files(files))


def _print_batch_files_erase(user: AbstractBaseUser) -> list[str]:
    """Bulk-print PDFs that may hold one of the learner's certificates lose their file.

    A batch printed a cohort's or a region's certificates: every batch for one of the learner's
    cohorts, or for a region containing one of their certificates, is dropped (the batch row
    stays; an officer can print it again, without the deleted learner).
    """
    certificates = Certificate.objects.filter(learner=user).select_related("region")
    cohort_ids = {c.cohort_id for c in certificates if c.cohort_id}
    region_paths = set()
    for certificate in certificates:
        if certificate.region is not None:
            path, step = certificate.region.path, certificate.region.steplen
            region_paths.update(path[:end] for end in range(step, len(path) + 1, step))
    if not cohort_ids and not region_paths:
        return []
    batches = PrintBatch.objects.filter(
        Q(cohort_id__in=cohort_ids) | Q(region__path__in=region_paths)
    ).exclude(pdf="")
    names = list(batches.values_list("pdf", flat=True))
    batches.update(pdf="")
    return names


def _delete_files(names: list[str]) -> None:
    for name in names:
        private_storage().delete(name)
