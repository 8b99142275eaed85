"""Every lesson block's authoring check, posted the way the page editor's form posts it.

A Program officer (who may publish) tries to publish a lesson with one faulty block: the editor
refuses with the block's Chinese message and the lesson stays as it was; with the field filled
in, the same post publishes.
"""

import pytest
from django.contrib.auth.models import Group
from django.utils.translation import gettext, override
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield
from wagtail.users.models import UserProfile

from core.blocks import IMAGE_NEEDS_ALT_TEXT
from core.roles import PROGRAM_OFFICERS
from courses.blocks import (
    QUESTION_NEEDS_CORRECT_ANSWER,
    QUESTION_NEEDS_TWO_CHOICES,
    SCENARIO_NEEDS_MESSAGE,
    SINGLE_CHOICE_NEEDS_ONE_CORRECT,
)
from courses.checks import LESSON_NEEDS_AUDIO
from courses.models import LessonPage

from .factories import ImageFactory, LessonMediaFactory, add_course, add_lesson, catalog

pytestmark = pytest.mark.django_db

REQUIRED = "This field is required."
# Draftail posts an emptied editor as JSON null.
EMPTY_RICH_TEXT = "null"


def listblock(values: list) -> dict:
    """A ListBlock as the editor posts it (count, then value/deleted/order per item)."""
    data = {
        str(i): {"value": value, "deleted": "", "order": str(i)} for i, value in enumerate(values)
    }
    data["count"] = str(len(values))
    return data


def _choice(text: str, correct: bool = False) -> dict:
    value = {"text": text, "feedback": ""}
    if correct:
        value["is_correct"] = "on"  # an unticked checkbox is simply absent
    return value


def _question(choices: list, **fields) -> dict:
    return {
        "prompt": "哪一个是对的？",
        "image": "",
        "image_alt": "",
        "audio": "",
        "explanation": "",
        "choices": listblock(choices),
        **fields,
    }


def _scenario(**fields) -> dict:
    return {
        "sender": "快递",
        "message": "",
        "screenshot": "",
        "image_alt": "",
        "choices": listblock(
            [
                {"text": "点链接", "feedback": "不安全"},
                {"text": "打官方电话", "is_safe": "on", "feedback": "对"},
            ]
        ),
        "explanation": rich_text("<p>看清发件人。</p>"),
        **fields,
    }


def _step(**fields) -> dict:
    return {"screenshot": "", "image_alt": "", "text": "打开设置", "audio": "", **fields}


def _cases(image: int, audio: int, video: int) -> dict:
    """block kind -> (field, faulty value, fixed value, expected message)."""
    return {
        "text": (
            "body",
            ("text", EMPTY_RICH_TEXT),
            ("text", rich_text("<p>打开微信。</p>")),
            REQUIRED,
        ),
        "image": (
            "body",
            ("image", {"image": image, "alt_text": "", "caption": ""}),
            ("image", {"image": image, "alt_text": "手机设置页面", "caption": ""}),
            IMAGE_NEEDS_ALT_TEXT,
        ),
        "audio": (
            "body",
            ("audio", {"audio": "", "title": "听一听", "transcript": ""}),
            ("audio", {"audio": audio, "title": "听一听", "transcript": ""}),
            REQUIRED,
        ),
        "video": (
            "body",
            ("video", {"video": "", "poster": "", "transcript": ""}),
            ("video", {"video": video, "poster": "", "transcript": ""}),
            REQUIRED,
        ),
        "steps": (
            "body",
            ("steps", {"title": "", "steps": listblock([_step(screenshot=image)])}),
            (
                "steps",
                {"title": "", "steps": listblock([_step(screenshot=image, image_alt="设置")])},
            ),
            IMAGE_NEEDS_ALT_TEXT,
        ),
        "callout": (
            "body",
            ("callout", {"kind": "tip", "title": "", "text": EMPTY_RICH_TEXT}),
            ("callout", {"kind": "tip", "title": "", "text": rich_text("<p>慢慢来。</p>")}),
            REQUIRED,
        ),
        "scenario without message": (
            "body",
            ("scenario", _scenario()),
            ("scenario", _scenario(message="您的包裹地址有误，请点击链接。")),
            SCENARIO_NEEDS_MESSAGE,
        ),
        "scenario screenshot without alt text": (
            "body",
            ("scenario", _scenario(screenshot=image)),
            ("scenario", _scenario(screenshot=image, image_alt="一条自称快递的短信")),
            IMAGE_NEEDS_ALT_TEXT,
        ),
        "single choice with one choice": (
            "quiz",
            ("single_choice", _question([_choice("甲", True)])),
            ("single_choice", _question([_choice("甲", True), _choice("乙")])),
            QUESTION_NEEDS_TWO_CHOICES,
        ),
        "single choice with two right answers": (
            "quiz",
            ("single_choice", _question([_choice("甲", True), _choice("乙", True)])),
            ("single_choice", _question([_choice("甲", True), _choice("乙")])),
            SINGLE_CHOICE_NEEDS_ONE_CORRECT,
        ),
        "multiple choice without a right answer": (
            "quiz",
            ("multiple_choice", _question([_choice("甲"), _choice("乙")])),
            ("multiple_choice", _question([_choice("甲", True), _choice("乙", True)])),
            QUESTION_NEEDS_CORRECT_ANSWER,
        ),
        "question picture without alt text": (
            "quiz",
            ("multiple_choice", _question([_choice("甲", True), _choice("乙")], image=image)),
            (
                "multiple_choice",
                _question([_choice("甲", True), _choice("乙")], image=image, image_alt="二维码"),
            ),
            IMAGE_NEEDS_ALT_TEXT,
        ),
        "true or false without answer": (
            "quiz",
            (
                "true_false",
                {
                    **_question([]),
                    "correct_answer": "",
                    "feedback_true": "",
                    "feedback_false": "",
                },
            ),
            (
                "true_false",
                {
                    **_question([]),
                    "correct_answer": "false",
                    "feedback_true": "",
                    "feedback_false": "",
                },
            ),
            QUESTION_NEEDS_CORRECT_ANSWER,
        ),
    }


CASES = list(_cases(0, 0, 0))


@pytest.fixture
def officer(client, django_user_model):
    user = django_user_model.objects.create_user("officer", password="pw-123456")
    user.groups.add(Group.objects.get(name=PROGRAM_OFFICERS))
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "zh-hans"
    profile.save()
    client.force_login(user)
    return client


def _shown_errors(response) -> str:
    """Every error message the editor shows, including those nested inside StreamField blocks."""
    found, stack = [], []
    for errors in response.context["form"].errors.as_data().values():
        for error in errors:
            stack.append(error.as_json_data() if hasattr(error, "as_json_data") else error.messages)
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        else:
            found.append(str(item))
    return " ".join(found)


def _post(client, lesson, *, body: list, quiz: list, narration=""):
    data = nested_form_data(
        {
            "title": lesson.title,
            "slug": lesson.slug,
            "summary": "",
            "estimated_minutes": 5,
            "narration": narration,
            "body": streamfield(body),
            "quiz": streamfield(quiz),
            "action-publish": "1",
        }
    )
    return client.post(f"/admin/pages/{lesson.pk}/edit/", data)


@pytest.mark.parametrize("kind", CASES)
def test_each_block_check_refuses_in_chinese_then_passes_once_filled(officer, kind):
    course = add_course(catalog())
    lesson = add_lesson(course, title="第一课")
    before = lesson.get_latest_revision().pk
    audio, video = LessonMediaFactory(), LessonMediaFactory(type="video")
    field, faulty, fixed, message = _cases(ImageFactory().pk, audio.pk, video.pk)[kind]
    intro = ("text", rich_text("<p>这一课讲安全。</p>"))
    quiz_ok = ("true_false", _cases(0, 0, 0)["true or false without answer"][2][1])

    def post(item):
        body = [intro, item] if field == "body" else [intro]
        quiz = [item] if field == "quiz" else [quiz_ok]
        return _post(officer, lesson, body=body, quiz=quiz, narration=audio.pk)

    refused = post(faulty)
    assert refused.status_code == 200
    with override("zh-hans"):
        expected = gettext(message) if isinstance(message, str) else str(message)
    assert expected in _shown_errors(refused)
    assert lesson.get_latest_revision().pk == before

    published = post(fixed)
    assert published.status_code == 302, published.content.decode()[:2000]
    lesson.refresh_from_db()
    assert lesson.live
    assert not lesson.has_unpublished_changes
    assert lesson.get_latest_revision().pk != before


def test_lesson_without_any_sound_is_refused_in_chinese_until_narration_is_chosen(officer):
    course = add_course(catalog())
    lesson = add_lesson(course, title="第一课")
    body = [("text", rich_text("<p>这一课讲安全。</p>"))]

    refused = _post(officer, lesson, body=body, quiz=[])
    with override("zh-hans"):
        expected = str(LESSON_NEEDS_AUDIO)
    assert expected in _shown_errors(refused)

    narration = LessonMediaFactory()
    assert _post(officer, lesson, body=body, quiz=[], narration=narration.pk).status_code == 302
    assert LessonPage.objects.get(pk=lesson.pk).narration_id == narration.pk
