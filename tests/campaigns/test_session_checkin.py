"""Check-in codes: only in their minute (and the next), only for their own session, and not
guessable faster than the rate limit allows; a learner counts once per session (issue 20)."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Attendance
from campaigns.sessions import codes
from campaigns.sessions.services import (
    CODE_WRONG,
    NO_OPEN_SESSION,
    NOT_IN_COHORT,
    OUTSIDE_WINDOW,
    attendance_check_in,
    attendance_tick,
    attendance_walk_in,
)

from .sessions_fixtures import world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def _code(session, at=None):
    return codes.current_code(secret=session.secret, at=at or timezone.now())


def test_typed_code_checks_the_learner_in_to_their_cohorts_session(world):
    person = world.learners_a[0]
    result = attendance_check_in(learner=person, code=_code(world.session_a))
    assert result.created
    assert result.attendance.session == world.session_a
    assert result.attendance.method == Attendance.Method.CODE


def test_second_check_in_of_the_same_learner_counts_once(world):
    person = world.learners_a[0]
    attendance_check_in(learner=person, code=_code(world.session_a))
    again = attendance_check_in(
        learner=person, code=_code(world.session_a), session=world.session_a
    )
    assert not again.created
    assert Attendance.objects.filter(session=world.session_a).count() == 1


def test_code_is_valid_in_its_minute_and_the_next_only(world):
    session = world.session_a
    shown_at = timezone.now().replace(second=30, microsecond=0)
    code = _code(session, shown_at)
    assert codes.code_is_valid(secret=session.secret, code=code, at=shown_at)
    next_minute = shown_at + datetime.timedelta(seconds=60)
    assert codes.code_is_valid(secret=session.secret, code=code, at=next_minute)
    later = shown_at + datetime.timedelta(seconds=120)
    # Replayed two minutes later it fails (unless the later minute's code happens to be equal).
    if (
        _code(session, later) != code
        and _code(session, later - datetime.timedelta(minutes=1)) != code
    ):
        assert not codes.code_is_valid(secret=session.secret, code=code, at=later)


def test_replayed_code_outside_its_minute_is_refused_and_records_nothing(world):
    session = world.session_a
    old_at = timezone.now() - datetime.timedelta(minutes=3)
    old = _code(session, old_at)
    now = timezone.now()
    if old in {_code(session, now), _code(session, now - datetime.timedelta(minutes=1))}:
        pytest.skip("the old minute's code happens to equal a current one (1 in 5000)")
    with pytest.raises(ValidationError) as error:
        attendance_check_in(learner=world.learners_a[0], code=old, session=session)
    assert error.value.messages == [str(CODE_WRONG)]
    assert not Attendance.objects.exists()


def test_codes_differ_between_sessions_and_minutes():
    secrets_ = [f"secret-{n}" for n in range(50)]
    minute = 29_000_000
    per_session = {codes.code_for_minute(secret=s, minute=minute) for s in secrets_}
    per_minute = {codes.code_for_minute(secret="one", minute=minute + m) for m in range(50)}
    # 50 draws from 10 000 codes: collisions are rare, a constant code would give one value.
    assert len(per_session) > 40 and len(per_minute) > 40


def test_code_of_another_cohorts_session_is_refused(world):
    person = world.learners_a[0]
    code_b = _code(world.session_b)
    if code_b == _code(world.session_a):
        pytest.skip("both sessions show the same code this minute (1 in 10 000)")
    with pytest.raises(ValidationError) as typed:
        attendance_check_in(learner=person, code=code_b)
    assert typed.value.messages == [str(CODE_WRONG)]
    with pytest.raises(ValidationError) as scanned:
        attendance_check_in(learner=person, code=code_b, session=world.session_b)
    assert scanned.value.messages == [str(NOT_IN_COHORT)]
    assert not Attendance.objects.exists()


def test_qr_of_one_session_with_the_code_of_another_is_refused(world):
    person = world.learners_b[0]
    code_a = _code(world.session_a)
    if code_a == _code(world.session_b):
        pytest.skip("both sessions show the same code this minute (1 in 10 000)")
    with pytest.raises(ValidationError) as error:
        attendance_check_in(learner=person, code=code_a, session=world.session_b)
    assert error.value.messages == [str(CODE_WRONG)]
    assert not Attendance.objects.exists()


def test_check_in_outside_the_window_is_refused_with_a_clear_message(world):
    session = world.session_a
    late = session.starts_at + datetime.timedelta(minutes=session.planned_minutes + 1)
    with pytest.raises(ValidationError) as scanned:
        attendance_check_in(
            learner=world.learners_a[0], code=_code(session, late), session=session, at=late
        )
    assert scanned.value.messages == [str(OUTSIDE_WINDOW)]
    with pytest.raises(ValidationError) as typed:
        attendance_check_in(learner=world.learners_a[0], code=_code(session, late), at=late)
    assert typed.value.messages == [str(NO_OPEN_SESSION)]
    assert not Attendance.objects.exists()


def test_guessing_stops_at_the_rate_limit_even_with_the_right_code(client, world):
    person = world.learners_a[0]
    client.force_login(person)
    url = reverse("sessions_check_in")
    right = _code(world.session_a)
    wrong = [f"{(int(right) + n) % 10000:04d}" for n in range(1, 6)]
    for guess in wrong:
        response = client.post(url, {"code": guess})
        assert response.status_code == 400
        assert (
            "This code is not right" in response.content.decode()
            or "不对" in response.content.decode()
        )
    blocked = client.post(url, {"code": right})
    assert blocked.status_code == 429
    assert not Attendance.objects.exists()


def test_a_right_code_does_not_use_up_the_rate_limit(client, world):
    client.force_login(world.learners_a[0])
    url = reverse("sessions_check_in")
    for _ in range(8):
        response = client.post(url, {"code": _code(world.session_a)})
        assert response.status_code == 200
    assert Attendance.objects.count() == 1


def test_trainer_tick_is_idempotent_on_its_client_id(world):
    tick_id = uuid.uuid4()
    person = world.learners_a[1]
    first = attendance_tick(
        recorder=world.trainer_a, session=world.session_a, learner=person, attendance_id=tick_id
    )
    again = attendance_tick(
        recorder=world.trainer_a, session=world.session_a, learner=person, attendance_id=tick_id
    )
    assert first.created and not again.created
    assert Attendance.objects.get().method == Attendance.Method.TICKED


def test_ticking_someone_outside_the_cohort_is_refused(world):
    with pytest.raises(ValidationError):
        attendance_tick(
            recorder=world.trainer_a,
            session=world.session_a,
            learner=world.learners_b[0],
            attendance_id=uuid.uuid4(),
        )
    assert not Attendance.objects.exists()


def test_walk_in_is_registered_added_to_the_cohort_and_counted_once(world):
    for _ in range(2):
        attendance_walk_in(
            recorder=world.trainer_a,
            session=world.session_a,
            name="赵大娘",
            phone="13900009999",
            attendance_id=uuid.uuid4(),
        )
    row = Attendance.objects.get()
    assert row.method == Attendance.Method.WALK_IN
    assert row.learner.learner_profile.display_name == "赵大娘"
    assert row.learner.learner_profile.registered_by == world.trainer_a
    assert row.learner.enrollments.filter(cohort=world.cohort_a).exists()


def test_attendance_never_marks_a_lesson_read(world):
    from learners.models import LessonProgress

    world.session_a.lessons.set(world.course.get_children().specific())
    attendance_check_in(learner=world.learners_a[0], code=_code(world.session_a))
    assert not LessonProgress.objects.filter(learner=world.learners_a[0]).exists()
