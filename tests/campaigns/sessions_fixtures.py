"""A world for the training-session tests: two cohorts in two counties, their trainers, an
officer of county B, learners in each cohort."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.utils import timezone

from campaigns.services import campaign_enroll
from campaigns.sessions.services import session_schedule
from tests.learners.factories import learner, make_course

from .factories import CampaignFactory, CohortFactory, ProgramOfficeFactory, UserFactory


@pytest.fixture(name="world")
def world_fixture(tree):
    cache.clear()  # rate-limit counters live in the (in-memory) default cache
    course = make_course(lessons=2, questions=1)
    prefecture_office = ProgramOfficeFactory(region=tree.f)
    office_b = ProgramOfficeFactory(region=tree.b)
    campaign = CampaignFactory(office=prefecture_office, region=tree.f)
    campaign.courses.add(course)
    trainer_a = UserFactory(role="Trainers")
    trainer_b = UserFactory(role="Trainers")
    officer_b = UserFactory(role="Program officers")
    office_b.members.add(officer_b)
    officer_f = UserFactory(role="Program officers")
    prefecture_office.members.add(officer_f)
    cohort_a = CohortFactory(campaign=campaign, trainer=trainer_a, village=tree.va1)
    cohort_b = CohortFactory(campaign=campaign, trainer=trainer_b, village=tree.vb1)
    learners_a = [learner() for _ in range(3)]
    learners_b = [learner() for _ in range(2)]
    for person in learners_a:
        campaign_enroll(learner=person, campaign=campaign, cohort=cohort_a)
    for person in learners_b:
        campaign_enroll(learner=person, campaign=campaign, cohort=cohort_b)
    now = timezone.now()
    session_a = session_schedule(
        user=trainer_a,
        cohort=cohort_a,
        starts_at=now - datetime.timedelta(minutes=10),
        planned_minutes=90,
        place="村委会活动室",
    )
    session_b = session_schedule(
        user=trainer_b,
        cohort=cohort_b,
        starts_at=now - datetime.timedelta(minutes=5),
        planned_minutes=90,
    )
    return SimpleNamespace(
        tree=tree,
        course=course,
        campaign=campaign,
        office_b=office_b,
        prefecture_office=prefecture_office,
        trainer_a=trainer_a,
        trainer_b=trainer_b,
        officer_b=officer_b,
        officer_f=officer_f,
        cohort_a=cohort_a,
        cohort_b=cohort_b,
        learners_a=learners_a,
        learners_b=learners_b,
        session_a=session_a,
        session_b=session_b,
    )
