"""The campaigns room's part of "delete my account" (PIPL).

Two things here can still name a learner after their account is gone:
- roster imports keep every uploaded row (name, phone, village) for the preview and the audit of
  what was imported: the learner's rows are blanked, the counts stay;
- finished learner-list exports (CSV/XLSX files) of the campaigns and offices the learner belonged
  to: the files are deleted once the deletion commits; the export log (who exported what, when,
  how many rows) stays, as accountability requires. Officers can export again.
Aggregate exports hold no personal data and are kept.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q

from .models import ExportLog, RosterImport
from .services.roster import normalise_mobile

ERASED = "—"


def campaigns_erase(user: AbstractBaseUser) -> None:
    """Blank the learner's roster rows and delete the learner-list export files naming them."""
    from learners.accounts.models import LearnerProfile
    from learners.models import Enrollment

    phone = LearnerProfile.objects.filter(user=user).values_list("phone", flat=True).first()
    if phone:
        _roster_rows_erase(phone)
    campaign_ids = set(
        Enrollment.objects.filter(learner=user, campaign__isnull=False).values_list(
            "campaign_id", flat=True
        )
    )
    if not campaign_ids:
        return
    exports = ExportLog.objects.filter(
        Q(campaign_id__in=campaign_ids)
        | Q(campaign__isnull=True, office__campaigns__id__in=campaign_ids),
        kind=ExportLog.Kind.LEARNERS,
    ).exclude(file="")
    files = []
    for export in exports.distinct():
        files.append(export.file.name)
        export.file = ""
        export.save(update_fields=["file"])
    if files:
        storage = ExportLog._meta.get_field("file").storage
        transaction.on_commit(lambda: [storage.delete(name) for name in files])


def _roster_rows_erase(phone: str) -> None:
    """Every uploaded roster row with this phone number loses its name and number."""
    national = phone.removeprefix("+86")
    candidates = RosterImport.objects.filter(Q(rows__icontains=national) if national else Q())
    for roster in candidates.only("id", "rows").iterator(chunk_size=20):
        changed = False
        for row in roster.rows:
            if row.get("phone") and normalise_mobile(str(row["phone"])) == phone:
                row.update(name=ERASED, phone=ERASED)
                changed = True
        if changed:
            roster.save(update_fields=["rows"])
