"""A worker keeps the routes of course pages until the published site changes (decision 0190).

Issue 18 ("signed-in pages as cheap as anonymous ones"): once a lesson has been served, the next
reader of its path gets it without a query for its site, locale, tree or translations. Whatever a
reader could notice — an unpublished or moved lesson, a new privacy rule, a new title, a new
translation, a change made by another server process — is seen on the very next request.
"""

from unittest import mock

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Locale, Page, PageViewRestriction

from core import generation
from tests.learners.factories import catalog, learner, lessons_of, make_course

pytestmark = pytest.mark.django_db

SITE_TABLES = ("wagtailcore_page", "wagtailcore_site", "wagtailcore_locale")


@pytest.fixture
def course():
    return make_course(lessons=3, questions=1, title="防骗课")


def get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    tables = [t for q in queries.captured_queries for t in SITE_TABLES if f'"{t}"' in q["sql"]]
    return response, tables


def test_a_lesson_read_again_costs_no_query_for_its_route_and_shows_the_readers_state(
    client, course
):
    lesson = lessons_of(course)[1]
    first_learner = learner(enrolled_in=course)
    client.force_login(first_learner)
    response, tables = get(client, lesson.url)
    assert response.status_code == 200 and tables  # routed by Wagtail the first time
    client.force_login(learner())  # another learner, not enrolled
    with CaptureQueriesContext(connection) as queries:
        again = client.get(lesson.url)
    assert again.status_code == 200
    html = again.content.decode()
    assert lesson.title in html and "第2课的第一步" in html
    sql = [q["sql"] for q in queries.captured_queries]
    # Session user, profile and the learner's course state (which names the lessons' rows).
    assert len(sql) == 3
    assert not [q for q in sql if "wagtailcore_site" in q or "wagtailcore_locale" in q]
    assert [q for q in sql if "wagtailcore_page" in q] == [
        q for q in sql if "learners_lessonprogress" in q
    ]
    # Their own state, not the first learner's: asked to start the course.
    assert "start-course" in html


def test_a_lesson_unpublished_after_it_was_read_is_not_found_next_time(client, course):
    lesson = lessons_of(course)[1]
    url = lesson.url
    assert client.get(url).status_code == 200
    lesson.unpublish()
    assert client.get(url).status_code == 404


def test_a_new_title_is_shown_right_after_publishing(client, course):
    lesson = lessons_of(course)[0]
    assert "第1课" in client.get(lesson.url).content.decode()
    lesson.title = "看清骗子的新把戏"
    lesson.save_revision().publish()
    assert "看清骗子的新把戏" in client.get(lesson.url).content.decode()


def test_a_moved_course_is_served_at_its_new_path_and_the_old_one_redirects(client, course):
    lesson = lessons_of(course)[0]
    old_url = lesson.url
    assert client.get(old_url).status_code == 200
    other = make_course(lessons=1, questions=1, title="别的课")
    course.move(other, pos="last-child")
    moved = Page.objects.get(pk=lesson.pk)
    assert moved.url != old_url
    response = client.get(old_url)
    assert response.status_code == 301 and response["Location"] == moved.url
    assert "第1课的第一步" in client.get(moved.url).content.decode()


def test_privacy_added_after_a_lesson_was_read_applies_at_once(client, course):
    lesson = lessons_of(course)[0]
    assert client.get(lesson.url).status_code == 200
    PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(lesson.url)
    assert response.status_code == 302 and "login/?next=" in response["Location"]
    # And removing it opens the lesson again.
    PageViewRestriction.objects.filter(page=course).delete()
    assert client.get(lesson.url).status_code == 200


def test_a_private_lesson_is_routed_afresh_for_every_request(client, course):
    PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.LOGIN)
    client.force_login(learner(enrolled_in=course))
    lesson = lessons_of(course)[0]
    assert client.get(lesson.url).status_code == 200
    response, tables = get(client, lesson.url)
    assert response.status_code == 200 and "wagtailcore_page" in tables


def test_a_change_made_by_another_server_process_is_seen_on_the_next_request(client, course):
    lesson = lessons_of(course)[0]
    url = lesson.url
    assert client.get(url).status_code == 200
    # Another process unpublished it: no signal here, only the shared token tells this one.
    Page.objects.filter(pk=lesson.pk).update(live=False)
    assert client.get(url).status_code == 200  # this process has not been told yet
    caches[generation.GENERATION_CACHE].set(generation.GENERATION_KEY, "another-process")
    assert client.get(url).status_code == 404


def test_a_kept_route_is_forgotten_after_its_age_limit(client, course):
    lesson = lessons_of(course)[0]
    assert client.get(lesson.url).status_code == 200
    _, tables = get(client, lesson.url)
    assert not tables
    later = generation.time.monotonic() + generation.MEMO_MAX_AGE + 1
    with mock.patch.object(generation.time, "monotonic", return_value=later):
        _, tables = get(client, lesson.url)
    assert "wagtailcore_page" in tables


def test_a_translation_published_after_the_page_was_read_is_offered_in_the_switch(client, course):
    lesson = lessons_of(course)[0]
    before = client.get(lesson.url).content.decode()
    english = Locale.objects.get(language_code="en")
    translated = lesson.copy_for_translation(english, copy_parents=True, alias=False)
    translated.title = "Spot the scam"
    translated.slug = "spot-the-scam"  # its own path, unlike the switch's fallback link
    translated.save_revision().publish()
    for page in translated.get_ancestors().specific():
        if page.depth > 2 and not page.live:
            page.save_revision().publish()
    en_url = Page.objects.get(pk=translated.pk).url
    assert en_url.endswith("/spot-the-scam/")
    assert f'href="{en_url}"' not in before
    after = client.get(lesson.url).content.decode()
    assert f'href="{en_url}"' in after
    english_page = client.get(en_url)
    assert english_page.status_code == 200
    assert "Spot the scam" in english_page.content.decode()
    # The Chinese path still serves the Chinese lesson (routes are kept per language).
    assert "第1课的第一步" in client.get(lesson.url).content.decode()


def test_a_plain_wagtail_page_is_routed_by_wagtail_every_time(client, course):
    home = catalog().get_parent()
    plain = home.add_child(instance=Page(title="说明", slug="plain-page"))
    plain.save_revision().publish()
    url = Page.objects.get(pk=plain.pk).url
    client.get(url)
    _, tables = get(client, url)
    assert "wagtailcore_page" in tables
    assert generation.memo_get(None, ("route", "testserver", "zh-hans", "plain-page/")) is None


def test_the_memory_a_worker_keeps_is_bounded(client, course, monkeypatch):
    monkeypatch.setattr(generation._memo, "size", 2)
    for lesson in lessons_of(course):
        assert client.get(lesson.url).status_code == 200
    assert len(generation._memo.entries) == 2
