"""Scheduling a session: only for one's own (or overseen) cohort, in a village of the campaign;
a bad entry gets a clear message and schedules nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from campaigns.models import TrainingSession
from campaigns.sessions.services import (
    COHORT_NOT_YOURS,
    LENGTH_INVALID,
    VILLAGE_OUTSIDE_CAMPAIGN,
    session_schedule,
)

from .factories import add_region
from .sessions_fixtures import world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_trainer_cannot_schedule_for_another_trainers_cohort(world):
    before = TrainingSession.objects.count()
    with pytest.raises(ValidationError) as error:
        session_schedule(
            user=world.trainer_b,
            cohort=world.cohort_a,
            starts_at=timezone.now(),
            planned_minutes=60,
        )
    assert error.value.message_dict == {"cohort": [str(COHORT_NOT_YOURS)]}
    assert TrainingSession.objects.count() == before


def test_the_place_must_be_a_village_inside_the_campaign(world):
    elsewhere = add_region("630000000000", "Other province")
    with pytest.raises(ValidationError) as error:
        session_schedule(
            user=world.trainer_a,
            cohort=world.cohort_a,
            starts_at=timezone.now(),
            planned_minutes=60,
            village=elsewhere,
        )
    assert error.value.message_dict == {"village": [str(VILLAGE_OUTSIDE_CAMPAIGN)]}


def test_the_length_must_be_sensible(world):
    with pytest.raises(ValidationError) as error:
        session_schedule(
            user=world.trainer_a, cohort=world.cohort_a, starts_at=timezone.now(), planned_minutes=5
        )
    assert error.value.message_dict == {"planned_minutes": [str(LENGTH_INVALID)]}


def test_the_form_lists_only_the_trainers_cohorts_and_explains_a_bad_village(client, world):
    client.force_login(world.trainer_a)
    page = client.get("/admin/training-sessions/new/").content.decode()
    assert world.cohort_a.name in page and world.cohort_b.name not in page
    before = TrainingSession.objects.count()
    with translation.override("zh-hans"):
        response = client.post(
            "/admin/training-sessions/new/",
            {
                "cohort": world.cohort_a.pk,
                "day": "2026-12-08",
                "time": "19:00",
                "planned_minutes": 90,
                "village_code": "999999999999",
            },
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert response.status_code == 200
    assert "没有这个代码的村" in response.content.decode()
    assert TrainingSession.objects.count() == before
