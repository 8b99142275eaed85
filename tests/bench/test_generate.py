"""The synthetic-data generator makes consistent data at a tiny scale, and purges it all."""

import pytest
from django.utils import timezone

from bench import generate
from bench.progress import BATCH, batch_for, queries_per_batch
from courses.selectors import lesson_quiz_key, score_quiz
from tests.courses.factories import add_course, add_lesson, catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_courses():
    index = catalog()
    first = add_course(index, title="手机基本技能")
    for n in range(3):
        add_lesson(first, title=f"第{n}课")
    second = add_course(index, title="网上安全")
    add_lesson(second, title="第一课")
    return [first, second]


def _made(summary):
    from learners.certificates.models import Certificate
    from learners.models import Enrollment, LessonProgress, ProgressEvent

    learners = {"learner__username__startswith": generate.USER_PREFIX}
    return {
        "enrollments": Enrollment.objects.filter(campaign_id=summary.campaign_id),
        "events": ProgressEvent.objects.filter(**learners),
        "progress": LessonProgress.objects.filter(**learners),
        "certificates": Certificate.objects.filter(campaign_id=summary.campaign_id),
    }


def test_every_learner_is_enrolled_in_every_course_of_the_campaign(two_courses):
    summary = generate.generate(learners=40, label="t", shape=generate.Shape(1, 1, 2, 2))
    made = _made(summary)
    assert summary.learners == 40 and summary.villages == 4
    assert made["enrollments"].count() == summary.enrollments == 80
    assert made["events"].count() == summary.events > 0
    assert made["progress"].count() == summary.lesson_progress > 0
    assert made["certificates"].count() == summary.certificates


def test_completed_enrollments_have_every_lesson_completed_and_a_certificate(two_courses):
    summary = generate.generate(learners=60, label="t", shape=generate.Shape(1, 1, 1, 3))
    made = _made(summary)
    done = made["enrollments"].exclude(completed_at=None)
    assert done.exists() and done.count() == summary.certificates
    for enrollment in done:
        lessons = enrollment.course.get_children().live().count()
        assert enrollment.progress_percent == 100
        completed = made["progress"].filter(
            learner_id=enrollment.learner_id, course_id=enrollment.course_id, status="completed"
        )
        assert completed.count() == lessons
        assert made["certificates"].filter(enrollment=enrollment, status="issued").count() == 1


def test_stored_values_read_back_as_the_orm_would_store_them(two_courses):
    before = timezone.now()
    summary = generate.generate(learners=20, label="t", weeks=4, shape=generate.Shape(1, 1, 1, 2))
    made = _made(summary)
    for event in made["events"].filter(kind="quiz")[:20]:
        assert timezone.is_aware(event.occurred_at)
        assert before - timezone.timedelta(weeks=4, days=1) <= event.occurred_at <= timezone.now()
        key = lesson_quiz_key(event.lesson.specific)
        assert score_quiz(key, event.data["answers"]) == event.score
        assert event.passed is (event.score == 100)
    enrollment = made["enrollments"].first()
    assert enrollment.enrolled_at <= timezone.now()


def test_purge_removes_everything_generated_and_keeps_the_rest(two_courses, django_user_model):
    from core.models import Campaign, Region

    kept = django_user_model.objects.create(username="someone")
    summary = generate.generate(learners=10, label="t", shape=generate.Shape(1, 1, 1, 1))
    generate.purge()
    assert not any(qs.exists() for qs in _made(summary).values())
    assert not Campaign.objects.filter(pk=summary.campaign_id).exists()
    assert not django_user_model.objects.filter(username__startswith="bench-l").exists()
    assert django_user_model.objects.filter(pk=kept.pk).exists()
    # The region tree stays for the next run; generating again works.
    assert Region.objects.filter(code=generate.ROOT_CODE).exists()
    assert generate.generate(learners=5, label="u").learners == 5


def test_progress_batches_hold_twenty_events_over_the_lessons_they_name(two_courses):
    course, lessons, keys = generate.courses()[0]
    events, touched = batch_for(1, (course, lessons, keys), timezone.now(), 0)
    assert len(events) == BATCH
    assert touched == len({e["lesson"] for e in events}) == len(lessons)
    assert {e["kind"] for e in events} == {"opened", "read", "quiz"}
    assert all("answers" in e["data"] for e in events if e["kind"] == "quiz")
    assert len({e["id"] for e in events}) == BATCH


def test_a_batch_spread_over_one_lesson_repeats_that_lesson(two_courses):
    course, lessons, keys = generate.courses()[0]
    events, touched = batch_for(1, (course, lessons, keys), timezone.now(), 3, spread=1)
    assert len(events) == BATCH
    assert touched == 1
    assert {e["lesson"] for e in events} == {lessons[0].pk}


def test_the_bench_counts_every_statement_of_a_batch_and_nothing_else(two_courses):
    # The bench's "queries per batch" line: batches on one lesson and on several, each within
    # 3 + 1 per lesson; transaction control (SQLite logs BEGIN/COMMIT) is not counted.
    summary = generate.generate(learners=40, label="q", shape=generate.Shape(1, 1, 2, 2))
    seen = queries_per_batch(summary.campaign_id)
    assert {s["lessons"] for s in seen} >= {1}
    assert any(s["lessons"] > 1 for s in seen)
    assert all(2 <= s["queries"] <= 3 + s["lessons"] for s in seen), seen
