"""Enrolling a learner in a course, on their own or through a campaign's join code."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from ..models import Enrollment
from .progress import course_state, run_completion_hooks


def enrollment_create(
    *, learner: AbstractBaseUser, course, campaign=None, cohort=None
) -> Enrollment:
    """Enroll `learner` in `course` (inside `campaign`/`cohort` when given); idempotent.

    A second call returns the existing enrollment (a cohort given later is filled in). A new
    enrollment starts from the progress the learner already made in the course, so joining a
    campaign after studying alone keeps their lessons.
    """
    lookup = {"learner": learner, "course": course, "campaign": campaign}
    existing = Enrollment.objects.filter(**lookup).first()
    if existing is not None:
        if cohort is not None and existing.cohort_id is None:
            existing.cohort = cohort
            existing.save(update_fields=["cohort"])
        return existing
    state = course_state(learner=learner, course=course)
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                **lookup,
                cohort=cohort,
                progress_percent=state.percent,
                average_score=state.average_score,
                last_activity_at=state.last_activity_at,
                completed_at=state.completed_at,
            )
            if enrollment.completed_at is not None:
                run_completion_hooks(enrollment_id=enrollment.pk)
    except IntegrityError:
        # A concurrent request created it first.
        return Enrollment.objects.get(**lookup)
    return enrollment
