"""One learner can never read or write another learner's progress, attempts, data or certificates.

The access matrix (test_every_url.py) shows who reaches which URL; these tests look inside the
answers a second learner gets, and at what their writes change.
"""

import json
import uuid

import pytest
from django.core.files.storage import storages
from django.test import Client
from django.utils import timezone

from learners.certificates import services as certificate_services
from learners.models import Enrollment, LessonProgress, ProgressEvent, QuizAttempt
from learners.services import progress_record
from tests.learners.factories import learner, lessons_of, make_course, right_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(django_capture_on_commit_callbacks):
    """Learner A finished a course and holds its certificate; learner B is enrolled too."""
    course = make_course(lessons=1, questions=1, title="网上防骗")
    a = learner(enrolled_in=course)
    b = learner(enrolled_in=course)
    lesson = lessons_of(course)[0]
    a_events = [
        {"id": str(uuid.uuid4()), "lesson": lesson.pk, "kind": "read", "at": _now()},
        {
            "id": str(uuid.uuid4()),
            "lesson": lesson.pk,
            "kind": "quiz",
            "at": _now(),
            "data": {"answers": right_answers(lesson)},
        },
    ]
    with django_capture_on_commit_callbacks(execute=True):
        progress_record(learner=a, events=a_events)
    certificate = a.certificates.get()
    certificate_services.certificate_render(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    return {"a": a, "b": b, "lesson": lesson, "a_events": a_events, "certificate": certificate}


def _now():
    return timezone.now().isoformat()


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _a_state(a):
    return (
        sorted(map(str, ProgressEvent.objects.filter(learner=a).values_list("pk", flat=True))),
        list(LessonProgress.objects.filter(learner=a).values_list("status", "best_score")),
        QuizAttempt.objects.filter(learner=a).count(),
        list(Enrollment.objects.filter(learner=a).values_list("progress_percent", "completed_at")),
    )


def test_replaying_another_learners_event_ids_changes_nothing_of_theirs(two):
    # Event ids are global primary keys: B sending A's ids (copied from a shared phone, or forged)
    # must neither change A's rows nor credit B with A's answers.
    before = _a_state(two["a"])
    forged = [{**event, "at": _now()} for event in two["a_events"]]
    response = _client(two["b"]).post(
        "/api/progress/", json.dumps({"events": forged}), "application/json"
    )
    assert response.status_code in (200, 400)
    assert _a_state(two["a"]) == before
    b_progress = LessonProgress.objects.filter(learner=two["b"]).first()
    assert b_progress is None or b_progress.best_score is None
    assert not two["b"].certificates.exists()


def test_my_learning_of_another_learner_shows_nothing_of_mine(two):
    html = _client(two["b"]).get("/me/").content.decode()
    certificate = two["certificate"]
    assert certificate.code not in html
    assert str(certificate.public_id) not in html
    assert certificate.learner_name not in html


def test_another_learners_data_download_holds_nothing_of_mine(two):
    body = _client(two["b"]).get("/me/data.json").content.decode()
    for event in two["a_events"]:
        assert event["id"] not in body
    assert two["certificate"].code not in body
    assert two["a"].learner_profile.phone not in body


def test_certificate_files_are_reachable_only_by_their_unguessable_code(two, settings):
    certificate = two["certificate"]
    client = _client(two["b"])
    # The files are stored in private storage under a random name that nothing public reveals (not
    # the public id the JSON credential shows: decision 0076), and served only by the random code
    # the owner chooses to share; nothing lists them, and a wrong code is a plain 404.
    assert str(certificate.public_id) not in certificate.pdf.name
    # (The same backend and folder as STORAGES["private"]: a test that overrides STORAGES makes
    # Django build a new instance of it, so identity says nothing.)
    private = storages["private"]
    assert type(certificate.pdf.storage) is type(private)
    assert certificate.pdf.storage.location == private.location
    assert len(certificate.code) >= 8
    wrong = certificate.code[:-1] + ("2" if certificate.code[-1] != "2" else "3")
    for suffix in ("", ".pdf", ".png", ".json"):
        assert client.get(f"/c/{wrong}{suffix}").status_code == 404
    # The public JSON carries neither the name nor the phone in clear.
    public = client.get(f"/c/{certificate.code}.json").content.decode()
    assert certificate.learner_name not in public
    assert two["a"].learner_profile.phone not in public


def test_a_learner_cannot_start_or_record_in_another_learners_enrollment(two):
    # Progress always belongs to the signed-in learner: there is no learner id to forge.
    client = _client(two["b"])
    event = {"id": str(uuid.uuid4()), "lesson": two["lesson"].pk, "kind": "read", "at": _now()}
    body = json.dumps({"events": [event], "learner": two["a"].pk, "user": two["a"].pk})
    before = _a_state(two["a"])
    assert client.post("/api/progress/", body, "application/json").status_code == 200
    assert _a_state(two["a"]) == before
    assert ProgressEvent.objects.get(pk=event["id"]).learner_id == two["b"].pk


def test_signed_out_visitor_cannot_write_progress_or_read_anyones(two):
    client = Client()
    event = {"id": str(uuid.uuid4()), "lesson": two["lesson"].pk, "kind": "read", "at": _now()}
    response = client.post("/api/progress/", json.dumps({"events": [event]}), "application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "not_signed_in"
    assert not ProgressEvent.objects.filter(pk=event["id"]).exists()
    for url in ("/me/", "/me/data.json", "/me/profile/"):
        assert client.get(url).status_code == 302
