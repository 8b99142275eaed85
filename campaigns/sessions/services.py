"""Writes of training sessions: schedule, check in by code, tick by the trainer, walk-ins.

Attendance rows are keyed by a client-made UUID and unique per (session, learner), so a replayed
tick from the trainer's offline phone and a second check-in of the same learner change nothing.
Attendance never marks a lesson as read: it is its own figure.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Cohort, Region

from ..selectors import cohorts_visible
from . import codes
from .models import Attendance, TrainingSession

# How long before the start learners may check in; the window closes at the planned end.
OPENS_BEFORE = datetime.timedelta(minutes=30)

COHORT_NOT_YOURS = _("You cannot schedule sessions for this group.")
VILLAGE_OUTSIDE_CAMPAIGN = _("The place must be a village inside the campaign's region.")
LENGTH_INVALID = _("A session lasts between 15 and 480 minutes.")
CODE_WRONG = _("This code is not right. Check the 4 digits on the trainer's phone and try again.")
NO_OPEN_SESSION = _(
    "None of your groups has a session open for check-in now. Check-in opens 30 minutes "
    "before the start and closes at the planned end."
)
OUTSIDE_WINDOW = _(
    "Check-in for this session is closed. It opens 30 minutes before the start and closes "
    "at the planned end."
)
NOT_IN_COHORT = _(
    "This session is for another group. Ask the trainer to add you, or join the group with its "
    "code first."
)
LEARNER_NOT_IN_COHORT = _("This person is not in the session's group.")
ATTENDANCE_ID_REUSED = _("This check-in id was already used for another learner or session.")


def session_window(session: TrainingSession) -> tuple[datetime.datetime, datetime.datetime]:
    """When learners may check in: from 30 minutes before the start to the planned end."""
    end = session.starts_at + datetime.timedelta(minutes=session.planned_minutes)
    return session.starts_at - OPENS_BEFORE, end


def session_is_open(session: TrainingSession, *, at: datetime.datetime) -> bool:
    """Whether check-in is open at `at`."""
    opens, closes = session_window(session)
    return opens <= at <= closes


def session_schedule(
    *,
    user,
    cohort: Cohort,
    starts_at: datetime.datetime,
    planned_minutes: int,
    village: Region | None = None,
    place: str = "",
    lessons=(),
) -> TrainingSession:
    """Schedule a session for a cohort the user trains or oversees (in their scope)."""
    if not cohorts_visible(user=user).filter(pk=cohort.pk).exists():
        raise ValidationError({"cohort": COHORT_NOT_YOURS})
    village = village or cohort.village
    if village.level != Region.Level.VILLAGE or not cohort.campaign.region.contains(village):
        raise ValidationError({"village": VILLAGE_OUTSIDE_CAMPAIGN})
    if not 15 <= planned_minutes <= 480:
        raise ValidationError({"planned_minutes": LENGTH_INVALID})
    with transaction.atomic():
        session = TrainingSession.objects.create(
            cohort=cohort,
            trainer=cohort.trainer or user,
            village=village,
            place=place.strip(),
            starts_at=starts_at,
            planned_minutes=planned_minutes,
        )
        if lessons:
            session.lessons.set(lessons)
    return session


def _is_member(*, learner, cohort_id: int) -> bool:
    from learners.models import Enrollment

    return Enrollment.objects.filter(learner=learner, cohort_id=cohort_id).exists()


@dataclass(frozen=True)
class CheckIn:
    """The outcome of a check-in: the attendance row and whether it was already there."""

    attendance: Attendance
    created: bool


def _attend(
    *,
    session: TrainingSession,
    learner,
    method: str,
    at: datetime.datetime,
    attendance_id: uuid.UUID | None = None,
    recorded_by=None,
) -> CheckIn:
    """Record attendance once per (session, learner); idempotent on the id and on the pair."""
    attendance_id = attendance_id or uuid.uuid4()
    existing = Attendance.objects.filter(pk=attendance_id).first()
    if existing is not None:
        if existing.session_id != session.pk or existing.learner_id != learner.pk:
            raise ValidationError(ATTENDANCE_ID_REUSED)
        return CheckIn(existing, created=False)
    existing = Attendance.objects.filter(session=session, learner=learner).first()
    if existing is not None:
        return CheckIn(existing, created=False)
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                id=attendance_id,
                session=session,
                learner=learner,
                method=method,
                recorded_by=recorded_by,
                checked_in_at=at,
            )
    except IntegrityError:
        # The same learner checked in at the same moment on another request: theirs stands.
        return CheckIn(Attendance.objects.get(session=session, learner=learner), created=False)
    return CheckIn(attendance, created=True)


def attendance_check_in(
    *,
    learner,
    code: str,
    session: TrainingSession | None = None,
    at: datetime.datetime | None = None,
) -> CheckIn:
    """A learner checks in with the code on the trainer's phone (idempotent per session).

    With `session` (the learner scanned its QR code) the code must be that session's; without
    it (the learner typed the code) it must be the code of an open session of one of the
    learner's own cohorts. A code is valid only in its minute and the next, and only for its
    own session.
    """
    at = at or timezone.now()
    if session is not None:
        if not _is_member(learner=learner, cohort_id=session.cohort_id):
            raise ValidationError(NOT_IN_COHORT, code="not_in_cohort")
        if not session_is_open(session, at=at):
            raise ValidationError(OUTSIDE_WINDOW, code="closed")
        if not codes.code_is_valid(secret=session.secret, code=code, at=at):
            raise ValidationError(CODE_WRONG, code="wrong_code")
        return _attend(session=session, learner=learner, method=Attendance.Method.QR, at=at)
    from learners.models import Enrollment

    cohort_ids = Enrollment.objects.filter(learner=learner, cohort__isnull=False).values(
        "cohort_id"
    )
    candidates = TrainingSession.objects.filter(
        cohort_id__in=cohort_ids,
        starts_at__lte=at + OPENS_BEFORE,
        starts_at__gte=at - datetime.timedelta(minutes=480),
    )
    open_sessions = [s for s in candidates if session_is_open(s, at=at)]
    if not open_sessions:
        raise ValidationError(NO_OPEN_SESSION, code="closed")
    for candidate in open_sessions:
        if codes.code_is_valid(secret=candidate.secret, code=code, at=at):
            return _attend(session=candidate, learner=learner, method=Attendance.Method.CODE, at=at)
    raise ValidationError(CODE_WRONG, code="wrong_code")


def attendance_tick(
    *,
    recorder,
    session: TrainingSession,
    learner,
    attendance_id: uuid.UUID,
    at: datetime.datetime | None = None,
    method: str = Attendance.Method.TICKED,
) -> CheckIn:
    """The trainer ticks a cohort member as present (idempotent on the client's id).

    Ticks may arrive late (the trainer's phone syncs when it is back online), so the window is
    not checked; the learner must belong to the session's cohort.
    """
    if not _is_member(learner=learner, cohort_id=session.cohort_id):
        raise ValidationError(LEARNER_NOT_IN_COHORT, code="not_in_cohort")
    return _attend(
        session=session,
        learner=learner,
        method=method,
        at=at or timezone.now(),
        attendance_id=attendance_id,
        recorded_by=recorder,
    )


def attendance_walk_in(
    *, recorder, session: TrainingSession, name: str, phone: str, attendance_id: uuid.UUID
) -> CheckIn:
    """Register a walk-in the way a trainer registers a learner, add them to the cohort, tick."""
    from learners.accounts.services import learner_register

    from ..services import campaign_enroll

    with transaction.atomic():
        learner = learner_register(
            name=name, phone=phone, registered_by=recorder, village_code=session.village.code
        )
        campaign_enroll(learner=learner, campaign=session.cohort.campaign, cohort=session.cohort)
        return attendance_tick(
            recorder=recorder,
            session=session,
            learner=learner,
            attendance_id=attendance_id,
            method=Attendance.Method.WALK_IN,
        )
