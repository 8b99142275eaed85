"""enrollments_create_many: many learners enrolled in a campaign's courses at once, idempotently."""

import pytest

from learners.models import Enrollment
from learners.services import enrollment_create, enrollments_create_many, progress_record
from tests.campaigns.factories import (
    CampaignFactory,
    CohortFactory,
    ProgramOfficeFactory,
    add_region,
)

from .factories import learner, lessons_of, make_course, right_answers
from .test_progress_api import calls, event

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    county = add_region("621102000000", "County")
    village = add_region("621102100201", "Village", add_region("621102100000", "Town", county))
    campaign = CampaignFactory(office=ProgramOfficeFactory(region=county))
    campaign.cohort = CohortFactory(campaign=campaign, village=village)
    return campaign


def completed_alone(course):
    """A learner who finished `course` on their own before any campaign."""
    user = learner(enrolled_in=course)
    events = []
    for lesson in lessons_of(course):
        events += [
            event(lesson, "read"),
            event(lesson, "quiz", data={"answers": right_answers(lesson)}),
        ]
    progress_record(learner=user, events=events)
    return user


def test_every_learner_is_enrolled_in_every_course_once_even_when_called_twice(
    campaign, django_assert_max_num_queries
):
    courses = [make_course(lessons=1, title="甲"), make_course(lessons=1, title="乙")]
    users = [learner() for _ in range(30)]
    cohort_of = {u.pk: (campaign.cohort.pk if n % 2 else None) for n, u in enumerate(users)}
    with django_assert_max_num_queries(12):  # per course: read, progress check, one insert
        created = enrollments_create_many(campaign=campaign, courses=courses, cohort_of=cohort_of)
    assert created == 60
    assert enrollments_create_many(campaign=campaign, courses=courses, cohort_of=cohort_of) == 0
    rows = Enrollment.objects.filter(campaign=campaign)
    assert rows.count() == 60
    assert rows.filter(cohort=campaign.cohort).count() == 30


def test_a_cohort_given_later_fills_an_enrollment_without_one(campaign):
    course = make_course(lessons=1)
    user = learner()
    enrollment_create(learner=user, course=course, campaign=campaign)
    enrollments_create_many(
        campaign=campaign, courses=[course], cohort_of={user.pk: campaign.cohort.pk}
    )
    assert Enrollment.objects.get(campaign=campaign, learner=user).cohort == campaign.cohort


def test_a_learner_who_already_studied_keeps_their_progress(campaign):
    course = make_course(lessons=2)
    user = completed_alone(course)
    newcomer = learner()
    enrollments_create_many(
        campaign=campaign, courses=[course], cohort_of={user.pk: None, newcomer.pk: None}
    )
    studied = Enrollment.objects.get(campaign=campaign, learner=user)
    assert (studied.progress_percent, studied.completed_at is not None) == (100, True)
    fresh = Enrollment.objects.get(campaign=campaign, learner=newcomer)
    assert (fresh.progress_percent, fresh.completed_at) == (0, None)


def test_progress_moves_every_enrollment_of_the_course_and_completes_each_once(campaign, settings):
    # Enrolled on their own and through the campaign: both rows show the same progress, and
    # each completion is followed up (certificates) exactly once.
    settings.LEARNERS_ON_COURSE_COMPLETED = ["tests.learners.test_progress_api.remember"]
    calls.clear()
    course = make_course(lessons=2)
    user = learner(enrolled_in=course)
    enrollment_create(learner=user, course=course, campaign=campaign)
    first, second = lessons_of(course)
    progress_record(
        learner=user,
        events=[event(first, "read"), event(first, "quiz", data={"answers": right_answers(first)})],
    )
    rows = Enrollment.objects.filter(learner=user, course=course)
    assert sorted(rows.values_list("progress_percent", flat=True)) == [50, 50]
    finish = [event(second, "read"), event(second, "quiz", data={"answers": right_answers(second)})]
    result = progress_record(learner=user, events=finish)
    progress_record(learner=user, events=[event(second, "read")])
    assert result.courses == {course.pk: {"percent": 100, "completed": True}}
    assert all(row.completed_at is not None for row in rows)
    assert sorted(pk for pk, _ in calls) == sorted(rows.values_list("pk", flat=True))
