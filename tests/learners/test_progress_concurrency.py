"""Twenty phones replaying the same offline queue at once still record it exactly once."""

import json
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client

from learners.models import Enrollment, LessonProgress, ProgressEvent

from .factories import learner, lessons_of, make_course, now_iso, right_answers

pytestmark = [pytest.mark.integration]


def test_20_concurrent_posts_of_the_same_batch_store_one_set_of_rows(
    postgres, transactional_db, settings
):
    settings.LEARNERS_ON_COURSE_COMPLETED = []
    course = make_course(lessons=2, questions=2)
    user = learner(enrolled_in=course)
    events = []
    for lesson in lessons_of(course):
        for kind in ("opened", "read", "quiz"):
            data = {"answers": right_answers(lesson)} if kind == "quiz" else {}
            events.append(
                {
                    "id": str(uuid.uuid4()),
                    "lesson": lesson.pk,
                    "kind": kind,
                    "at": now_iso(),
                    "data": data,
                }
            )
    body = json.dumps({"events": events})
    start = threading.Barrier(20)
    results = []

    def post():
        try:
            client = Client()
            client.force_login(user)
            start.wait()
            response = client.post("/api/progress/", body, content_type="application/json")
            results.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [status for status, _ in results] == [200] * 20
    assert sum(body["accepted"] for _, body in results) == len(events)
    assert sum(body["duplicates"] for _, body in results) == len(events) * 19
    # Every response reports the same final state.
    assert {json.dumps(body["courses"]) for _, body in results} == {
        json.dumps({str(course.pk): {"percent": 100, "completed": True}})
    }
    assert ProgressEvent.objects.count() == len(events)
    assert LessonProgress.objects.filter(status="completed").count() == 2
    enrollment = Enrollment.objects.get(learner=user)
    assert (enrollment.progress_percent, enrollment.average_score) == (100, 100)
    assert enrollment.completed_at is not None
