"""The demo courses: three course packs in two languages, clean content, stable across reloads."""

import pytest
from django.core.management import call_command
from wagtail.images import get_image_model
from wagtail.models import Locale, Revision

from cms.demo import load_site
from core.demo import ensure_locales
from courses.checks import lesson_publish_errors
from courses.demo import (
    COURSE_SLUGS,
    load,
    load_catalog,
    load_course,
    load_topics,
    pack_archive,
    pack_file,
    pack_manifest,
)
from courses.models import CoursePage, LessonPage, Topic
from courses.packs import course_pack_check, course_pack_export
from courses.selectors import lesson_quiz_key

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(db):
    """The site shell (home page) the catalog hangs under, as bootstrap_demo makes it first."""
    load_site()


def _locale(code: str) -> Locale:
    return Locale.objects.get(language_code=code)


def load_one_course(slug="online-safety") -> CoursePage:
    """Topics, catalog and one demo course (a third of the full load, for faster tests)."""
    load_site()  # the home page the catalog hangs under (other test files call this helper too)
    zh, en = ensure_locales()
    load_topics(zh, en)
    index = load_catalog(zh, en)
    return load_course(slug, index)


def test_demo_has_three_clean_courses_of_four_or_more_lessons_in_both_languages(client):
    load()
    for code in ("zh-hans", "en"):
        courses = CoursePage.objects.live().filter(locale=_locale(code))
        assert courses.count() == 3
        for course in courses:
            assert course.topic is not None and course.topic.locale.language_code == code
            lessons = LessonPage.objects.child_of(course).live()
            assert lessons.count() >= 4
            for lesson in lessons:
                assert lesson_publish_errors(lesson) == [], lesson.title
                assert len(lesson.body) >= 2
                images = [b for b in lesson.body if b.block_type == "image"]
                assert images and all(b.value["alt_text"].strip() for b in images)
                key = lesson_quiz_key(lesson)
                assert len(key) >= 3
                assert all(question.correct for question in key.values())
    assert Topic.objects.filter(locale=_locale("en")).count() == 3
    assert client.get("/courses/").status_code == 200
    english = client.get("/en/courses/")
    assert english.status_code == 200
    assert "Smartphone basics" in english.content.decode()


def test_english_translation_of_a_demo_lesson_keeps_the_quiz_block_ids():
    load_one_course()
    source = LessonPage.objects.get(locale=_locale("zh-hans"), slug="codes-and-id-numbers")
    english = source.get_translation(_locale("en")).specific
    assert english.live
    assert english.title == "Verification codes and ID numbers"
    assert [b.id for b in english.quiz] == [b.id for b in source.quiz]
    assert lesson_quiz_key(english) == lesson_quiz_key(source)
    assert english.quiz[0].value["prompt"] != source.quiz[0].value["prompt"]


def test_bootstrap_demo_twice_changes_no_counts():
    call_command("bootstrap_demo", force=True)
    counts = (
        CoursePage.objects.count(),
        LessonPage.objects.count(),
        Topic.objects.count(),
        get_image_model().objects.count(),
        Revision.objects.count(),
    )
    call_command("bootstrap_demo", force=True)
    assert (
        CoursePage.objects.count(),
        LessonPage.objects.count(),
        Topic.objects.count(),
        get_image_model().objects.count(),
        Revision.objects.count(),
    ) == counts
    assert counts[:3] == (6, 30, 6)


def test_every_demo_lesson_has_synthesised_narration_in_its_own_language(client):
    from .audio_files import describe

    load_one_course()
    lessons = LessonPage.objects.live().select_related("narration", "locale")
    assert lessons.count() == 2 * len(pack_manifest("online-safety")["lessons"])
    for lesson in lessons:
        narration = lesson.narration
        assert narration is not None and narration.synthetic_voice, lesson.title
        assert not lesson.demo_without_audio
        assert f"({lesson.locale.language_code[:2]})" in narration.title
        with narration.file.open("rb") as stored:
            played = describe(stored.read())
        assert (played["codec"], played["channels"]) == ("aac", 1)
        assert played["seconds"] > 5
    page = client.get("/courses/online-safety/safe-payments/").content.decode()
    assert "合成语音" in page
    assert 'id="narration"' in page and ".m4a" in page


@pytest.mark.parametrize("slug", COURSE_SLUGS)
def test_every_demo_pack_is_a_valid_course_pack_with_all_its_files(slug):
    manifest = pack_manifest(slug)
    for kind in ("images", "media"):
        for entry in manifest[kind].values():
            assert pack_file(slug, entry["file"]).is_file(), entry["file"]
    checked = course_pack_check(pack_archive(slug))
    assert checked.manifest == manifest
    assert set(manifest["translations"]) == {"en"}
    assert len(manifest["translations"]["en"]["lessons"]) == len(manifest["lessons"]) >= 4


def test_a_demo_course_exports_as_the_pack_it_was_loaded_from(tmp_path):
    """The demo proves the pack format: load a pack, export it again, and the content is the same
    (files are renamed by the export; block ids, texts, answers and settings are not)."""
    load_one_course()
    source = pack_manifest("online-safety")
    exported = course_pack_export(slug="online-safety", path=tmp_path / "again.zip")

    def text_only(page: dict) -> dict:
        return {
            k: v for k, v in page.items() if k not in {"cover_image", "narration", "body", "quiz"}
        }

    assert text_only(exported["course"]) == text_only(source["course"])
    assert exported["course"]["credit_hours"] == "1.5"
    for again, lesson in zip(exported["lessons"], source["lessons"], strict=True):
        assert text_only(again) == text_only(lesson)
        for stream in ("body", "quiz"):
            assert [b["id"] for b in again[stream]] == [b["id"] for b in lesson[stream]]
        assert [q["value"]["prompt"] for q in again["quiz"]] == [
            q["value"]["prompt"] for q in lesson["quiz"]
        ]
    english = exported["translations"]["en"]
    assert english["course"]["title"] == source["translations"]["en"]["course"]["title"]
    assert all(entry["synthetic_voice"] for entry in exported["media"].values())
    assert len(exported["media"]) == len(source["media"])
