"""Enrolling a learner in a course, on their own or through a campaign's join code."""

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from ..changes import learners_changed
from ..models import Enrollment, LessonProgress
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
            with transaction.atomic():
                existing.save(update_fields=["cohort"])
                learners_changed([learner.pk])
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
            learners_changed([learner.pk])
            if enrollment.completed_at is not None:
                run_completion_hooks(enrollment_id=enrollment.pk)
    except IntegrityError:
        # A concurrent request created it first.
        return Enrollment.objects.get(**lookup)
    return enrollment


def enrollments_create_many(*, campaign, courses: list, cohort_of: dict[int, int | None]) -> int:
    """`enrollment_create` for many learners of one campaign at once; idempotent.

    `cohort_of` maps learner ids to their cohort id (or None). Every learner is enrolled in every
    course; an existing enrollment is kept, and gets the cohort if it had none. Learners who
    already made progress in a course go through `enrollment_create` so that their enrollment
    starts from it; everyone else is inserted with one statement per course. Returns how many
    enrollments did not exist before. Callers pass chunks of at most a few thousand learners.
    """
    learner_ids = sorted(cohort_of)  # one insertion order for concurrent callers: no deadlock
    created = 0
    with transaction.atomic():
        learners_changed(learner_ids)
        for course in courses:
            existing = dict(
                Enrollment.objects.filter(
                    campaign=campaign, course=course, learner_id__in=learner_ids
                ).values_list("learner_id", "cohort_id")
            )
            to_fill = defaultdict(list)
            for learner_id, cohort_id in existing.items():
                if cohort_id is None and cohort_of[learner_id] is not None:
                    to_fill[cohort_of[learner_id]].append(learner_id)
            for cohort_id, ids in to_fill.items():
                Enrollment.objects.filter(
                    campaign=campaign, course=course, learner_id__in=ids, cohort_id__isnull=True
                ).update(cohort_id=cohort_id)
            missing = [i for i in learner_ids if i not in existing]
            progressed = set(
                LessonProgress.objects.filter(course=course, learner_id__in=missing)
                .values_list("learner_id", flat=True)
                .distinct()
            )
            Enrollment.objects.bulk_create(
                [
                    Enrollment(
                        learner_id=i, course=course, campaign=campaign, cohort_id=cohort_of[i]
                    )
                    for i in missing
                    if i not in progressed
                ],
                ignore_conflicts=True,
            )
            if progressed:
                cohorts = Enrollment.cohort.field.related_model.objects.in_bulk(
                    {cohort_of[i] for i in progressed} - {None}
                )
                for learner in get_user_model().objects.filter(pk__in=progressed):
                    enrollment_create(
                        learner=learner,
                        course=course,
                        campaign=campaign,
                        cohort=cohorts.get(cohort_of[learner.pk]),
                    )
            created += len(missing)
    return created
