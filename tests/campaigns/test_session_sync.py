"""The trainer's offline tick list syncs through an idempotent JSON endpoint, like progress
events: each tick's id is the attendance row's key, so a batch sent twice changes nothing."""

import datetime
import json
import uuid

import pytest
from django.utils import timezone

from campaigns.models import Attendance

from .sessions_fixtures import world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def _post(client, session, ticks):
    return client.post(
        f"/admin/training-sessions/{session.pk}/attendance.json",
        data=json.dumps({"ticks": ticks}),
        content_type="application/json",
    )


def test_a_replayed_batch_changes_nothing(client, world):
    client.force_login(world.trainer_a)
    at = (timezone.now() - datetime.timedelta(minutes=3)).isoformat()
    ticks = [{"id": str(uuid.uuid4()), "learner": p.pk, "at": at} for p in world.learners_a]
    first = _post(client, world.session_a, ticks)
    again = _post(client, world.session_a, ticks)
    assert first.json()["accepted"] == again.json()["accepted"] == [t["id"] for t in ticks]
    assert Attendance.objects.filter(session=world.session_a).count() == 3
    assert {a.recorded_by_id for a in Attendance.objects.all()} == {world.trainer_a.pk}


def test_ticks_for_people_outside_the_cohort_or_malformed_are_refused_alone(client, world):
    client.force_login(world.trainer_a)
    good = {"id": str(uuid.uuid4()), "learner": world.learners_a[0].pk}
    outsider = {"id": str(uuid.uuid4()), "learner": world.learners_b[0].pk}
    broken = {"id": "not-a-uuid", "learner": world.learners_a[1].pk}
    answer = _post(client, world.session_a, [good, outsider, broken]).json()
    assert answer["accepted"] == [good["id"]]
    assert answer["refused"] == {outsider["id"]: "not_in_cohort", "not-a-uuid": "malformed"}
    assert list(Attendance.objects.values_list("learner_id", flat=True)) == [world.learners_a[0].pk]


def test_an_id_reused_for_another_learner_is_refused(client, world):
    client.force_login(world.trainer_a)
    tick_id = str(uuid.uuid4())
    _post(client, world.session_a, [{"id": tick_id, "learner": world.learners_a[0].pk}])
    answer = _post(client, world.session_a, [{"id": tick_id, "learner": world.learners_a[1].pk}])
    assert answer.json()["refused"] == {tick_id: "id_reused"}
    assert Attendance.objects.count() == 1


def test_another_cohorts_trainer_cannot_sync_into_the_session(client, world):
    client.force_login(world.trainer_b)
    response = _post(client, world.session_a, [{"id": str(uuid.uuid4()), "learner": 1}])
    assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_a_body_that_is_not_a_batch_is_a_bad_request(client, world):
    client.force_login(world.trainer_a)
    response = client.post(
        f"/admin/training-sessions/{world.session_a.pk}/attendance.json",
        data="nonsense",
        content_type="application/json",
    )
    assert response.status_code == 400


def test_a_walk_in_with_a_bad_number_is_explained_and_nothing_is_added(client, world):
    client.force_login(world.trainer_a)
    response = client.post(
        f"/admin/training-sessions/{world.session_a.pk}/walk-in/",
        {"id": str(uuid.uuid4()), "name": "赵大娘", "phone": "12345"},
    )
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not Attendance.objects.exists()


def test_a_walk_in_through_the_tick_list_is_registered_and_counted(client, world):
    client.force_login(world.trainer_a)
    response = client.post(
        f"/admin/training-sessions/{world.session_a.pk}/walk-in/",
        {"id": str(uuid.uuid4()), "name": "赵大娘", "phone": "13900009999"},
    )
    assert response.status_code == 302
    page = client.get(f"/admin/training-sessions/{world.session_a.pk}/").content.decode()
    assert "赵大娘" in page
    assert Attendance.objects.get().method == Attendance.Method.WALK_IN
