"""A signed-in learner who opens a lesson of a course they have not started (a shared link, a
poster) is asked to start it, instead of losing what they do there to rejected progress."""

import pytest

from learners.models import Enrollment, ProgressEvent

from .factories import learner, lessons_of, make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return make_course(lessons=3, questions=2)


def test_lesson_of_an_unstarted_course_offers_to_start_it_and_records_nothing(client, course):
    client.force_login(learner())
    second = lessons_of(course)[1]

    html = client.get(second.url).content.decode()

    assert f'action="/learn/courses/{course.pk}/start/"' in html
    assert f'name="lesson" value="{second.pk}"' in html
    assert 'data-records="0"' in html  # the player queues no progress events
    assert 'id="quiz-form"' not in html  # the quiz cannot be submitted yet
    assert "Check what you learned" in html or "检验一下" in html  # but the questions show


def test_starting_from_a_lesson_enrolls_and_returns_to_that_lesson(client, course):
    user = learner()
    client.force_login(user)
    second = lessons_of(course)[1]

    response = client.post(f"/learn/courses/{course.pk}/start/", {"lesson": second.pk})

    assert response.status_code == 302 and response["Location"] == second.url
    assert Enrollment.objects.filter(learner=user, course=course).count() == 1
    html = client.get(second.url).content.decode()
    assert 'data-records="1"' in html and 'id="quiz-form"' in html
    assert 'name="lesson"' not in html


def test_a_lesson_id_from_another_course_falls_back_to_the_next_unfinished_lesson(client, course):
    other = lessons_of(make_course(lessons=1, title="别的课"))[0]
    client.force_login(learner())

    response = client.post(f"/learn/courses/{course.pk}/start/", {"lesson": other.pk})

    assert response["Location"] == lessons_of(course)[0].url
    assert ProgressEvent.objects.count() == 0


def test_visitors_are_offered_sign_in_not_start(client, course):
    html = client.get(lessons_of(course)[0].url).content.decode()
    assert "/start/" not in html and 'data-records="0"' in html
