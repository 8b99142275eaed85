"""Authoring checks: errors block publishing (drafts may still be saved); warnings only advise."""

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import override
from wagtail.models import Page

from core.blocks import IMAGE_NEEDS_ALT_TEXT, VIDEO_WARNING_BYTES
from courses.blocks import (
    QUESTION_NEEDS_CORRECT_ANSWER,
    QUESTION_NEEDS_TWO_CHOICES,
    SINGLE_CHOICE_NEEDS_ONE_CORRECT,
)
from courses.checks import (
    LESSON_NEEDS_AUDIO,
    lesson_publish_errors,
    lesson_warnings,
)
from courses.models import LessonPage

from .factories import (
    ImageFactory,
    LessonMediaFactory,
    add_course,
    add_lesson,
    audio_block,
    block,
    catalog,
    choice,
    image_block,
    single_choice,
    text,
    true_false,
)

pytestmark = pytest.mark.django_db


def _messages(errors: list[ValidationError]) -> str:
    return " ".join(str(message) for error in errors for message in _flatten(error))


def _flatten(error) -> list[str]:
    """Every message inside a (possibly nested) StreamField validation error."""
    found = []
    if hasattr(error, "as_json_data"):
        data = error.as_json_data()
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, str):
                found.append(item)
        return found
    return list(error.messages)


@pytest.fixture
def course():
    return add_course(catalog())


def test_a_clean_lesson_has_no_errors_and_no_warnings(course):
    lesson = add_lesson(course, estimated_minutes=5)
    assert lesson_publish_errors(lesson) == []
    assert lesson_warnings(estimated_minutes=5, body=lesson.body) == []


def test_image_without_alt_text_blocks_publishing(course):
    image = ImageFactory()
    lesson = add_lesson(
        course, publish=False, body=[image_block(image, alt=""), block("audio", _audio())]
    )
    assert str(IMAGE_NEEDS_ALT_TEXT) in _messages(lesson_publish_errors(lesson))


def test_question_without_correct_answer_blocks_publishing(course):
    question = block(
        "single_choice",
        {"prompt": "?", "choices": [choice("a"), choice("b")], "explanation": ""},
    )
    lesson = add_lesson(course, publish=False, quiz=[question])
    assert str(QUESTION_NEEDS_CORRECT_ANSWER) in _messages(lesson_publish_errors(lesson))


def test_true_false_question_without_answer_blocks_publishing(course):
    lesson = add_lesson(course, publish=False, quiz=[true_false(answer="")])
    assert str(QUESTION_NEEDS_CORRECT_ANSWER) in _messages(lesson_publish_errors(lesson))


def test_question_with_one_choice_blocks_publishing(course):
    lesson = add_lesson(course, publish=False, quiz=[single_choice(count=1)])
    assert str(QUESTION_NEEDS_TWO_CHOICES) in _messages(lesson_publish_errors(lesson))


def test_single_choice_with_two_correct_answers_blocks_publishing(course):
    question = block(
        "single_choice",
        {"prompt": "?", "choices": [choice("a", True), choice("b", True)], "explanation": ""},
    )
    lesson = add_lesson(course, publish=False, quiz=[question])
    assert str(SINGLE_CHOICE_NEEDS_ONE_CORRECT) in _messages(lesson_publish_errors(lesson))


def test_lesson_without_any_audio_blocks_publishing(course):
    lesson = add_lesson(course, publish=False, body=[text()])
    errors = lesson_publish_errors(lesson)
    assert [e.code for e in errors] == ["lesson_needs_audio"]
    assert str(LESSON_NEEDS_AUDIO) in _messages(errors)


def test_narration_alone_satisfies_the_audio_check(course):
    lesson = add_lesson(course, body=[text()], narration=LessonMediaFactory())
    assert lesson_publish_errors(lesson) == []


def test_labelled_demo_lesson_is_exempt_from_the_audio_check(course):
    lesson = add_lesson(course, body=[text()], demo_without_audio=True)
    assert lesson_publish_errors(lesson) == []


def test_lesson_over_seven_minutes_is_a_warning_not_an_error(course):
    lesson = add_lesson(course, estimated_minutes=9)
    assert lesson_publish_errors(lesson) == []
    with override("en"):
        warnings = lesson_warnings(estimated_minutes=9, body=lesson.body)
    assert warnings == ["This lesson is estimated at 9 minutes; aim for 7 minutes or less."]


def test_large_video_is_a_warning(course):
    video = LessonMediaFactory(type="video", title="big")
    video.file_size = VIDEO_WARNING_BYTES + 1
    video.save()
    lesson = add_lesson(
        course,
        body=[
            text(),
            audio_block(LessonMediaFactory()),
            block("video", {"video": video.pk, "poster": None, "transcript": ""}),
        ],
    )
    warnings = lesson_warnings(estimated_minutes=5, body=lesson.body)
    assert len(warnings) == 1
    assert "big" in warnings[0]


def _audio() -> dict:
    return {"audio": LessonMediaFactory().pk, "title": "", "transcript": ""}


# --- in the editor ------------------------------------------------------------------------------


def _post_data(lesson: LessonPage, *, action: str, body, quiz, narration="") -> dict:
    from wagtail.test.utils.form_data import nested_form_data, streamfield

    return nested_form_data(
        {
            "title": lesson.title,
            "slug": lesson.slug,
            "summary": "",
            "estimated_minutes": 5,
            "narration": narration,
            "body": streamfield(body),
            "quiz": streamfield(quiz),
            action: "1",
        }
    )


@pytest.fixture
def editor(client, django_user_model):
    from wagtail.users.models import UserProfile

    admin = django_user_model.objects.create_superuser("editor", password="pw-123456")
    profile = UserProfile.get_for_user(admin)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(admin)
    return client


def _edit(editor, lesson, **kwargs):
    return editor.post(f"/admin/pages/{lesson.pk}/edit/", _post_data(lesson, **kwargs))


def test_editor_saves_a_draft_with_a_missing_alt_text_but_refuses_to_publish_it(editor, course):
    lesson = add_lesson(course)
    from wagtail.test.utils.form_data import rich_text

    image = ImageFactory()
    body = [
        ("image", {"image": image.pk, "alt_text": "", "caption": ""}),
        ("text", rich_text("<p>Hello</p>")),
    ]
    quiz = []
    draft = _edit(editor, lesson, action="action-save", body=body, quiz=quiz)
    assert draft.status_code == 302
    published = _edit(editor, lesson, action="action-publish", body=body, quiz=quiz)
    assert published.status_code == 200
    with override("en"):
        expected = str(IMAGE_NEEDS_ALT_TEXT)
    assert expected in published.content.decode()
    assert Page.objects.get(pk=lesson.pk).specific.has_unpublished_changes


def test_saving_a_long_lesson_shows_a_warning_message(course, rf):
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.fallback import FallbackStorage

    from courses.wagtail_hooks import warn_after_edit

    lesson = add_lesson(course, estimated_minutes=12)
    request = rf.post("/admin/")
    request.session = {}
    request._messages = FallbackStorage(request)
    with override("en"):
        warn_after_edit(request, lesson)
        shown = [str(m) for m in get_messages(request)]
    assert shown == ["This lesson is estimated at 12 minutes; aim for 7 minutes or less."]
