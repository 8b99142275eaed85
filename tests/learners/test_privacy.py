"""A learner's progress is in their data download and leaves with their account."""

import uuid

import pytest

from learners.accounts.selectors import personal_data_collect
from learners.accounts.services import account_erase
from learners.models import Enrollment, LessonProgress, ProgressEvent
from learners.services import progress_record

from .factories import learner, lessons_of, make_course, now_iso, right_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def studied():
    course = make_course(lessons=2, questions=1)
    user = learner(enrolled_in=course)
    lesson = lessons_of(course)[0]
    quiz = {"answers": right_answers(lesson)}
    progress_record(
        learner=user,
        events=[
            {"id": str(uuid.uuid4()), "lesson": lesson.pk, "kind": "read", "at": now_iso()},
            {
                "id": str(uuid.uuid4()),
                "lesson": lesson.pk,
                "kind": "quiz",
                "at": now_iso(),
                "data": quiz,
            },
        ],
    )
    return user, course, lesson


def test_data_download_holds_enrollments_lesson_states_and_answers(studied):
    user, course, lesson = studied
    data = personal_data_collect(user=user)["learning_progress"]
    assert data["enrollments"][0]["course"] == course.pk
    assert data["enrollments"][0]["progress_percent"] == 50
    assert data["lessons"][0]["status"] == "completed"
    assert [e["kind"] for e in data["events"]] == ["read", "quiz"]
    assert data["events"][1]["answers"] == right_answers(lesson)


def test_deleting_the_account_removes_the_event_log_and_keeps_anonymous_totals(studied):
    user, _course, _lesson = studied
    account_erase(user=user)
    assert ProgressEvent.objects.filter(learner=user).count() == 0
    assert Enrollment.objects.get(learner=user).progress_percent == 50
    assert LessonProgress.objects.filter(learner=user).count() == 1
    user.refresh_from_db()
    assert not user.is_active
