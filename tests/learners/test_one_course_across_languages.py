"""One course in any language: progress, enrollments and completion belong to the translation key.

A learner who starts in Chinese and switches to English (or back) mid-course keeps every lesson's
state and their campaign enrollment; the course is counted once (decision 0071).
"""

import json
import uuid

import pytest
from wagtail.models import Locale, Page

from courses.models import CoursePage, LessonPage
from learners.certificates.models import Certificate
from learners.models import Enrollment, LessonProgress, ProgressEvent
from learners.services.translations import Models, rows_to_canonical_pages

from .factories import learner, lessons_of, make_course, now_iso, right_answers

pytestmark = pytest.mark.django_db


def english(page):
    """`page`'s published English translation (made with its parents if needed)."""
    en = Locale.objects.get(language_code="en")
    existing = page.get_translations().filter(locale=en).first()
    if existing is not None:
        return existing.specific
    translation = page.copy_for_translation(en, copy_parents=True)
    translation.title = f"EN {page.title}"
    translation.save_revision().publish()
    return type(page).objects.get(pk=translation.pk)


@pytest.fixture
def course():
    return make_course(lessons=2, questions=1, title="农产品网上销售")


@pytest.fixture
def english_course(course):
    translated = english(course)
    for lesson in lessons_of(course):
        english(lesson)
    return translated


def events_for(lesson_id, lesson):
    return [
        {"id": str(uuid.uuid4()), "lesson": lesson_id, "kind": kind, "at": now_iso(), "data": data}
        for kind, data in (
            ("opened", {}),
            ("read", {}),
            ("quiz", {"answers": right_answers(lesson)}),
        )
    ]


def post(client, events):
    return client.post(
        "/api/progress/", json.dumps({"events": events}), content_type="application/json"
    )


def test_the_english_lesson_page_records_against_the_chinese_lesson(client, course, english_course):
    user = learner(enrolled_in=course)
    client.force_login(user)
    first_en = lessons_of(english_course)[0]
    page = client.get(first_en.url).content.decode()
    assert f'data-lesson="{lessons_of(course)[0].pk}"' in page
    assert 'data-records="1"' in page  # enrolled in the course, whatever the language


def test_finishing_a_lesson_in_chinese_shows_on_the_english_course_page(
    client, course, english_course
):
    user = learner(enrolled_in=course)
    client.force_login(user)
    first = lessons_of(course)[0]
    assert post(client, events_for(first.pk, first)).status_code == 200
    page = client.get(english_course.url).content.decode()
    assert "50% done" in page
    assert "Start the course" not in page


def test_an_event_naming_the_english_lesson_lands_on_the_chinese_one(
    client, course, english_course
):
    # A queue filled by an older English page, replayed now: stored against the canonical lesson.
    user = learner(enrolled_in=course)
    client.force_login(user)
    first, first_en = lessons_of(course)[0], lessons_of(english_course)[0]
    response = post(client, events_for(first_en.pk, first))
    assert response.status_code == 200, response.content
    assert response.json()["courses"] == {str(course.pk): {"percent": 50, "completed": False}}
    assert set(ProgressEvent.objects.values_list("lesson_id", flat=True)) == {first.pk}
    assert LessonProgress.objects.get(learner=user).lesson_id == first.pk


def test_starting_the_english_course_keeps_one_enrollment(client, course, english_course):
    user = learner()
    client.force_login(user)
    response = client.post(f"/learn/courses/{english_course.pk}/start/")
    assert response.status_code == 302
    assert response.url == lessons_of(english_course)[0].url  # stays in English
    assert list(Enrollment.objects.filter(learner=user).values_list("course_id", flat=True)) == [
        course.pk
    ]


def test_switching_language_mid_course_and_back_finishes_it_once(client, course, english_course):
    user = learner(enrolled_in=course)
    client.force_login(user)
    first, second = lessons_of(course)
    second_en = lessons_of(english_course)[1]
    assert post(client, events_for(first.pk, first)).status_code == 200
    # The English lesson page (what the browser sends from it), then back to Chinese.
    client.post(f"/learn/lessons/{second_en.pk}/read/")
    page = client.get(second_en.url + "?x").content.decode()
    record_id = page.split('data-lesson="')[1].split('"')[0]
    assert post(client, events_for(int(record_id), second)).status_code == 200
    [enrollment] = Enrollment.objects.filter(learner=user)
    assert enrollment.course_id == course.pk and enrollment.completed_at is not None
    # My learning lists the course once, in the reader's language (the certificate below it
    # keeps the title it was issued with).
    me_en = client.get("/en/me/").content.decode().split("my-certificates")[0]
    assert me_en.count("<h3>EN 农产品网上销售</h3>") == 1
    assert me_en.count("农产品网上销售") == 1
    me_zh = client.get("/me/").content.decode().split("my-certificates")[0]
    assert me_zh.count("<h3>农产品网上销售</h3>") == 1 and "EN " not in me_zh


def test_old_rows_on_english_pages_are_merged_into_the_chinese_ones(course, english_course):
    user = learner(enrolled_in=course)
    first, second = lessons_of(course)
    first_en, second_en = lessons_of(english_course)
    LessonProgress.objects.create(
        learner=user, lesson=first, course=course, status="read", best_score=40
    )
    # Written by the English pages before the rule: a second enrollment and lesson rows.
    Enrollment.objects.create(learner=user, course=english_course, progress_percent=50)
    LessonProgress.objects.create(
        learner=user, lesson=first_en, course=english_course, status="completed", best_score=100
    )
    LessonProgress.objects.create(
        learner=user, lesson=second_en, course=english_course, status="opened"
    )
    models = Models(
        Page=Page,
        LessonPage=LessonPage,
        CoursePage=CoursePage,
        Enrollment=Enrollment,
        LessonProgress=LessonProgress,
        ProgressEvent=ProgressEvent,
        Certificate=Certificate,
    )
    rows_to_canonical_pages(models, language="zh-hans")
    [enrollment] = Enrollment.objects.filter(learner=user)
    assert enrollment.course_id == course.pk
    assert enrollment.progress_percent == 50
    states = dict(LessonProgress.objects.filter(learner=user).values_list("lesson_id", "status"))
    assert states == {first.pk: "completed", second.pk: "opened"}
    assert LessonProgress.objects.get(learner=user, lesson=first).best_score == 100
    assert set(LessonProgress.objects.values_list("course_id", flat=True)) == {course.pk}
    # Running it again changes nothing.
    rows_to_canonical_pages(models, language="zh-hans")
    assert Enrollment.objects.filter(learner=user).count() == 1
