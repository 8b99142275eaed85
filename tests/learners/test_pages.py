"""Learner pages: the catalog, a course's "Continue", the lesson player without JavaScript, /me/."""

import re
import uuid

import pytest

from learners.models import Enrollment, LessonProgress, ProgressEvent
from learners.services import progress_record

from .factories import catalog, learner, lessons_of, make_course, now_iso, right_answers

pytestmark = pytest.mark.django_db


def complete(user, lesson):
    events = [
        {"id": str(uuid.uuid4()), "lesson": lesson.pk, "kind": kind, "at": now_iso(), "data": data}
        for kind, data in (("read", {}), ("quiz", {"answers": right_answers(lesson)}))
    ]
    progress_record(learner=user, events=events)


@pytest.fixture
def course():
    return make_course(lessons=3, questions=2)


def test_catalog_shows_minutes_lesson_count_and_the_learners_percent(client, course):
    user = learner(enrolled_in=course)
    complete(user, lessons_of(course)[0])
    client.force_login(user)
    html = client.get(catalog().url).content.decode()
    assert "3 lessons" in html or "3 节课" in html or "3" in html
    assert 'value="33"' in html


def test_course_page_offers_to_start_before_enrolling(client, course):
    client.force_login(learner())
    html = client.get(course.url).content.decode()
    assert f'action="/learn/courses/{course.pk}/start/"' in html


def test_starting_a_course_enrolls_once_and_opens_the_first_lesson(client, course):
    user = learner()
    client.force_login(user)
    first = lessons_of(course)[0]
    for _ in range(2):
        response = client.post(f"/learn/courses/{course.pk}/start/")
        assert response.status_code == 302
        assert response["Location"] == first.url
    assert Enrollment.objects.filter(learner=user, course=course).count() == 1


def test_continue_points_at_the_next_unfinished_lesson(client, course):
    user = learner(enrolled_in=course)
    first, second, third = lessons_of(course)
    complete(user, first)
    complete(user, second)
    client.force_login(user)
    html = client.get(course.url).content.decode()
    continue_link = re.search(r'<a class="button button--block continue" href="([^"]+)"', html)
    assert continue_link and continue_link.group(1) == third.url


def test_a_completed_course_says_so(client):
    course = make_course(lessons=1, questions=1)
    user = learner(enrolled_in=course)
    complete(user, lessons_of(course)[0])
    client.force_login(user)
    html = client.get(course.url).content.decode()
    assert "continue" not in html
    assert "callout--tip" in html


def test_lesson_page_is_readable_and_its_quiz_submittable_without_javascript(client, course):
    client.force_login(learner(enrolled_in=course))
    first = lessons_of(course)[0]
    html = client.get(first.url).content.decode()
    assert "第1课的第一步" in html and "第1课的第二步" in html
    assert f'action="/learn/lessons/{first.pk}/quiz/"' in html
    for question_id in right_answers(first):
        assert f'name="{question_id}"' in html
    assert 'type="module"' in html


def test_quiz_form_post_scores_on_the_server_and_shows_feedback(client, course):
    user = learner(enrolled_in=course)
    client.force_login(user)
    first = lessons_of(course)[0]
    answers = right_answers(first)
    response = client.post(f"/learn/lessons/{first.pk}/quiz/", answers)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "得分 100%。真棒，本课通过！" in page
    assert page.count('class="feedback is-right"') == len(answers)
    assert LessonProgress.objects.get(learner=user, lesson=first).status == "completed"


def test_a_wrong_quiz_form_post_asks_to_try_again(client, course):
    user = learner(enrolled_in=course)
    client.force_login(user)
    first = lessons_of(course)[0]
    wrong = {qid: [1 - choices[0]] for qid, choices in right_answers(first).items()}
    response = client.post(f"/learn/lessons/{first.pk}/quiz/", wrong)
    page = client.get(response["Location"]).content.decode()
    assert "得分 0%。需要 60% 才能通过" in page
    assert 'class="feedback is-wrong"' in page
    assert LessonProgress.objects.get(learner=user, lesson=first).status == "read"


@pytest.mark.parametrize("choice", ["²", "①", "٣", "abc", "-1"])
def test_a_quiz_form_post_with_a_choice_that_is_not_a_number_counts_it_unanswered(
    client, course, choice
):
    user = learner(enrolled_in=course)
    client.force_login(user)
    first = lessons_of(course)[0]
    form = {qid: [choice] for qid in right_answers(first)}
    response = client.post(f"/learn/lessons/{first.pk}/quiz/", form)
    assert response.status_code == 302
    assert "得分 0%" in client.get(response["Location"]).content.decode()


def test_someone_elses_attempt_is_not_shown(client, course):
    first = lessons_of(course)[0]
    owner = learner(enrolled_in=course)
    client.force_login(owner)
    response = client.post(f"/learn/lessons/{first.pk}/quiz/", right_answers(first))
    other = learner(enrolled_in=course)
    client.force_login(other)
    page = client.get(response["Location"]).content.decode()
    assert "得分 100%" not in page
    assert 'class="feedback is-right"' not in page


def test_a_lesson_without_quiz_is_finished_by_a_form_post(client):
    course = make_course(lessons=2, questions=0)
    user = learner(enrolled_in=course)
    client.force_login(user)
    first, second = lessons_of(course)
    response = client.post(f"/learn/lessons/{first.pk}/read/")
    assert response["Location"] == second.url
    assert LessonProgress.objects.get(lesson=first).status == "completed"


def test_quiz_form_post_for_a_course_not_started_is_refused(client, course):
    client.force_login(learner())
    first = lessons_of(course)[0]
    response = client.post(f"/learn/lessons/{first.pk}/quiz/", right_answers(first))
    assert response.status_code == 400
    assert ProgressEvent.objects.count() == 0


def test_my_learning_lists_courses_in_progress_and_completed(client):
    going = make_course(lessons=2, questions=1, title="网上卖货")
    done = make_course(lessons=1, questions=1, title="防骗")
    user = learner(enrolled_in=going)
    Enrollment.objects.create(learner=user, course=done)
    complete(user, lessons_of(going)[0])
    complete(user, lessons_of(done)[0])
    client.force_login(user)
    html = client.get("/me/").content.decode()
    in_progress, completed = (
        html.split('id="completed-title"') if 'id="completed-title"' in html else (html, "")
    )
    assert "网上卖货" in in_progress and 'value="50"' in in_progress
    assert "防骗" in completed


def test_my_learning_needs_sign_in(client):
    response = client.get("/me/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_my_learning_hides_the_certificates_area_without_certificates(client, course):
    client.force_login(learner(enrolled_in=course))
    assert "my-certificates" not in client.get("/me/").content.decode()


def test_offline_manifest_lists_pages_and_media_with_sizes(client, course):
    client.force_login(learner(enrolled_in=course))
    manifest = client.get(f"/api/courses/{course.pk}/offline.json").json()
    urls = [page["url"] for page in manifest["pages"]]
    assert urls == [course.url] + [lesson.url for lesson in lessons_of(course)]
    assert all(page["bytes"] > 1000 for page in manifest["pages"])
    assert manifest["bytes"] == sum(p["bytes"] for p in manifest["pages"]) + sum(
        m["bytes"] for m in manifest["media"]
    )


def test_service_worker_is_served_for_the_whole_site(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Content-Type"].startswith("text/javascript")


def test_web_manifest_and_offline_page(client):
    assert client.get("/manifest.webmanifest").json()["scope"] == "/"
    assert client.get("/offline/").status_code == 200
    assert client.get("/en/offline/").status_code == 200


def test_with_data_saver_the_offline_manifest_has_small_pictures_and_no_video(client):
    import wagtail_factories
    from django.core.files.base import ContentFile

    from courses.models import LessonMedia

    course = make_course(lessons=1, questions=1, title="省流量课")
    lesson = lessons_of(course)[0]
    picture = wagtail_factories.ImageFactory(width=1200, height=800)
    video = LessonMedia(title="演示视频", type="video", duration=5)
    video.file.save("demo.mp4", ContentFile(b"\0" * 4096), save=False)
    video.save()
    lesson.body.append(("image", {"image": picture, "alt_text": "手机屏幕", "caption": ""}))
    lesson.body.append(("video", {"video": video, "poster": None, "transcript": ""}))
    lesson.save_revision().publish()
    user = learner(enrolled_in=course)
    client.force_login(user)
    url = f"/api/courses/{course.pk}/offline.json"

    full = [m["url"] for m in client.get(url).json()["media"]]
    user.learner_profile.data_saver = True
    user.learner_profile.save()
    small = [m["url"] for m in client.get(url).json()["media"]]

    assert any(u.endswith(".mp4") for u in full)
    assert not any(u.endswith(".mp4") for u in small)
    pictures = [u for u in full if "/images/" in u]
    small_pictures = [u for u in small if "/images/" in u]
    assert len(pictures) > len(small_pictures) >= 1
    assert set(small_pictures) <= set(pictures)
