"""Reads for certificates: the public lookup, the learner's list and the officer's registry."""

from dataclasses import dataclass

from django.db.models import CharField, Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Concat

from core.outbox.models import OutboxMessage
from learners.models import Enrollment

from . import codes
from .models import Certificate
from .services import CERTIFICATE_KEY_PREFIX, CERTIFICATE_TASK, certificates_in_scope


def certificate_by_code(*, code: str) -> Certificate | None:
    """The certificate a typed or scanned code names, or None (also for mistyped codes)."""
    code = codes.normalise(code)
    if not codes.is_valid(code):
        return None
    return Certificate.objects.filter(code=code).first()


@dataclass(frozen=True)
class LearnerCertificate:
    """One row of a learner's list: a certificate, or a course whose certificate is on its way."""

    course_title: str
    certificate: Certificate | None

    @property
    def is_ready(self) -> bool:
        return (
            self.certificate is not None and self.certificate.is_valid and self.certificate.is_ready
        )

    @property
    def is_revoked(self) -> bool:
        return self.certificate is not None and not self.certificate.is_valid


def certificates_for_learner(user) -> list[LearnerCertificate]:
    """The learner's certificates: pending ones (being issued or rendered), valid ones, and the
    latest revoked one of a course with no valid or pending certificate since (a revoked
    certificate never just vanishes from My learning; decision 0150); 2 queries."""
    certificates = list(Certificate.objects.filter(learner=user).order_by("-issued_at"))
    valid_courses = {c.course_id for c in certificates if c.is_valid}
    # Enrollments whose certificate message waits in the outbox (sent or not, not yet done).
    waiting_message = OutboxMessage.objects.filter(
        task=CERTIFICATE_TASK,
        state=OutboxMessage.State.PENDING,
        key=Concat(Value(CERTIFICATE_KEY_PREFIX), Cast(OuterRef("pk"), CharField())),
    )
    pending = (
        Enrollment.objects.filter(Exists(waiting_message), learner=user)
        .select_related("course")
        .order_by("-completed_at", "-pk")
    )
    # One card per certificate being made: a course taken alone and in a campaign, or a message
    # sent again, is still one certificate to wait for; none once it is issued.
    waiting = {}
    for enrollment in pending:
        course = enrollment.course
        if course.pk not in valid_courses:
            waiting.setdefault(
                course.pk, LearnerCertificate(course_title=course.title, certificate=None)
            )
    rows, shown = list(waiting.values()), set(valid_courses) | set(waiting)
    for c in certificates:
        if c.is_valid or c.course_id not in shown:
            shown.add(c.course_id)
            rows.append(LearnerCertificate(course_title=c.course_title, certificate=c))
    return rows


def certificates_visible(*, user) -> QuerySet[Certificate]:
    """The registry rows a staff user may see (their region subtrees)."""
    queryset = Certificate.objects.select_related(
        "course", "campaign", "region", "office", "revoked_by", "cohort"
    )
    return certificates_in_scope(user, queryset)


def mask_name(name: str) -> str:
    """A name as the public page shows it: 张三明 → 张*明, 李四 → 李*."""
    chars = [c for c in name if not c.isspace()]
    if len(chars) <= 1:
        return "*"
    if len(chars) == 2:
        return chars[0] + "*"
    return chars[0] + "*" * (len(chars) - 2) + chars[-1]
