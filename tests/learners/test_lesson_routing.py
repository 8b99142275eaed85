"""Lesson URLs resolve in one query and still obey Wagtail's rules (drafts, privacy, languages)."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Locale, PageViewRestriction

from courses.models import LessonPage

from .factories import learner, lessons_of, make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return make_course(lessons=2, questions=1, title="防骗课")


def test_a_live_lesson_is_served_as_a_lesson(client, course):
    lesson = lessons_of(course)[1]
    response = client.get(lesson.url)
    assert response.status_code == 200
    assert lesson.title in response.content.decode()
    assert response.context["page"].__class__ is LessonPage
    assert response.context["course"].pk == course.pk


def test_a_draft_lesson_is_not_found(client, course):
    lesson = lessons_of(course)[1]
    url = lesson.url
    lesson.unpublish()
    assert client.get(url).status_code == 404


def test_an_unknown_or_misplaced_slug_is_not_found(client, course):
    other = make_course(lessons=1, questions=1, title="别的课")
    assert client.get(course.url + "no-such-lesson/").status_code == 404
    assert client.get(course.url + "lesson-1/extra/").status_code == 404
    # lesson-2 exists under the first course only.
    assert client.get(other.url + "lesson-2/").status_code == 404


def test_a_course_visible_only_to_signed_in_users_keeps_its_lessons_private(client, course):
    PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.LOGIN)
    lesson = lessons_of(course)[0]
    response = client.get(lesson.url)
    assert response.status_code == 302
    assert "login/?next=" in response["Location"]
    client.force_login(learner(enrolled_in=course))
    assert client.get(lesson.url).status_code == 200


def test_a_password_on_the_catalog_covers_every_lesson_below_it(client, course):
    PageViewRestriction.objects.create(
        page=course.get_parent(), restriction_type=PageViewRestriction.PASSWORD, password="x1"
    )
    client.force_login(learner(enrolled_in=course))
    response = client.get(lessons_of(course)[0].url)
    assert response.status_code == 200
    assert 'name="password"' in response.content.decode()
    assert "第1课的第一步" not in response.content.decode()


def test_a_group_restriction_refuses_learners_outside_the_group(client, course):
    restriction = PageViewRestriction.objects.create(
        page=course, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.create(name="试点村"))
    client.force_login(learner(enrolled_in=course))
    response = client.get(lessons_of(course)[0].url)
    assert response.status_code in (302, 403)
    assert "第1课的第一步" not in response.content.decode()


def test_an_alias_of_a_private_course_is_private_too(client, course):
    PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.LOGIN)
    alias = course.create_alias(update_slug="alias-course", recursive=True)
    # Wagtail copies the restriction onto the alias; an alias's own restrictions do not count,
    # so remove the copy: the source course's restriction must still apply.
    PageViewRestriction.objects.filter(page=alias).delete()
    alias_lesson = LessonPage.objects.child_of(alias).live().first()
    assert alias_lesson is not None and alias_lesson.alias_of_id is not None
    response = client.get(alias_lesson.url)
    assert response.status_code == 302
    assert "login/?next=" in response["Location"]


def test_a_translated_lesson_resolves_under_its_language(client, course):
    english = Locale.objects.get(language_code="en")
    lesson = lessons_of(course)[0]
    translated = lesson.copy_for_translation(english, copy_parents=True, alias=False)
    translated.title = "Lesson one"
    translated.save_revision().publish()
    for page in translated.get_ancestors().specific():
        if page.depth > 2 and not page.live:
            page.save_revision().publish()
    url = LessonPage.objects.get(pk=translated.pk).url
    assert url.startswith("/en/")
    response = client.get(url)
    assert response.status_code == 200
    assert "Lesson one" in response.content.decode()
    assert response.context["page"].locale == english
