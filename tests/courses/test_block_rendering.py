"""Every lesson and quiz block renders for a phone: pictures as renditions, media never autoplay."""

import re

import pytest
from wagtail.rich_text import RichText

from core.blocks import AudioClipBlock, CalloutBlock, ImageBlock, LessonRichTextBlock, VideoBlock
from courses.blocks import (
    MultipleChoiceQuestionBlock,
    ScenarioBlock,
    SingleChoiceQuestionBlock,
    StepByStepBlock,
    TrueFalseQuestionBlock,
)

from .factories import ImageFactory, LessonMediaFactory

pytestmark = pytest.mark.django_db


def _render(block, raw: dict, **context) -> str:
    return block.render(block.to_python(raw), context=context)


def _widths(html: str) -> list[int]:
    return [int(w) for w in re.findall(r" (\d+)w", html)]


def test_rich_text_keeps_bold_lists_and_links():
    html = LessonRichTextBlock().render(
        RichText('<p><b>Open</b> <a href="https://example.org">this</a></p><ul><li>one</li></ul>')
    )
    assert "<b>Open</b>" in html and "<li>one</li>" in html and 'href="https://example.org"' in html


def test_rich_text_editor_offers_only_bold_lists_and_links():
    assert LessonRichTextBlock().features == ["bold", "ol", "ul", "link"]


def test_image_renders_a_picture_with_avif_webp_and_jpeg_no_wider_than_720():
    image = ImageFactory()
    html = _render(
        ImageBlock(), {"image": image.pk, "alt_text": "A phone", "caption": "Look"}, block_index=3
    )
    assert html.count("<source") == 2
    assert 'type="image/avif"' in html and 'type="image/webp"' in html
    assert 'alt="A phone"' in html and "<figcaption>Look</figcaption>" in html
    assert 'loading="lazy"' in html
    assert max(_widths(html)) <= 720 and min(_widths(html)) >= 360


def test_images_in_the_first_two_blocks_are_not_lazy():
    image = ImageFactory()
    html = _render(ImageBlock(), {"image": image.pk, "alt_text": "A", "caption": ""}, block_index=1)
    assert 'loading="lazy"' not in html


def test_audio_clip_has_controls_no_preload_and_a_transcript():
    media = LessonMediaFactory()
    html = _render(AudioClipBlock(), {"audio": media.pk, "title": "Hear", "transcript": "Words"})
    assert '<audio controls preload="none"' in html and media.url in html
    assert "Words" in html and "autoplay" not in html


def test_video_shows_its_size_has_a_poster_and_never_autoplays():
    video = LessonMediaFactory(type="video", title="How to pay")
    video.file_size = 3 * 1024 * 1024
    video.save()
    poster = ImageFactory()
    html = _render(VideoBlock(), {"video": video.pk, "poster": poster.pk, "transcript": "Said"})
    assert "autoplay" not in html and 'preload="none"' in html
    assert "3.0\xa0MB" in html
    assert 'poster="' in html and "Said" in html


@pytest.mark.parametrize("kind", ["tip", "warning", "scam"])
def test_callout_renders_each_kind(kind):
    html = _render(CalloutBlock(), {"kind": kind, "title": "", "text": "<p>Careful</p>"})
    assert f"callout--{kind}" in html and "Careful" in html


def test_steps_render_numbered_with_screenshots_and_audio():
    shot = ImageFactory()
    audio = LessonMediaFactory()
    html = _render(
        StepByStepBlock(),
        {
            "title": "Pay",
            "steps": [
                {"screenshot": shot.pk, "image_alt": "Scan", "text": "Tap Scan", "audio": audio.pk},
                {"screenshot": None, "image_alt": "", "text": "Enter amount", "audio": None},
            ],
        },
    )
    assert html.count("<li>") == 2 and "Tap Scan" in html and "Enter amount" in html
    assert 'alt="Scan"' in html and audio.url in html


def test_scenario_shows_the_message_choices_and_explanations():
    html = _render(
        ScenarioBlock(),
        {
            "sender": "10086",
            "message": "Click the link",
            "screenshot": None,
            "image_alt": "",
            "choices": [
                {"text": "Click", "is_safe": False, "feedback": "Phishing"},
                {"text": "Call the bank", "is_safe": True, "feedback": "Good"},
            ],
            "explanation": "<p>Never click</p>",
        },
    )
    assert "Click the link" in html and "Phishing" in html and "Never click" in html
    assert html.count("<details>") == 3


def _question(block, raw, **extra):
    return _render(block, raw, question_id="q-1", question_number=1, **extra)


def test_single_choice_renders_radios_named_by_block_id_without_the_answer():
    raw = {
        "prompt": "Which?",
        "choices": [
            {"text": "A", "is_correct": True, "feedback": "SECRET-FEEDBACK"},
            {"text": "B", "is_correct": False, "feedback": ""},
        ],
        "explanation": "SECRET-EXPLANATION",
    }
    html = _question(SingleChoiceQuestionBlock(), raw)
    assert html.count('type="radio"') == 2 and 'name="q-1"' in html
    assert "SECRET" not in html


def test_multiple_choice_renders_checkboxes():
    raw = {
        "prompt": "Which ones?",
        "choices": [{"text": t, "is_correct": True, "feedback": ""} for t in "ABC"],
    }
    html = _question(MultipleChoiceQuestionBlock(), raw)
    assert html.count('type="checkbox"') == 3


def test_true_false_renders_two_choices_and_an_optional_picture():
    picture = ImageFactory()
    raw = {"prompt": "Safe?", "correct_answer": "false", "image": picture.pk, "image_alt": "SMS"}
    html = _question(TrueFalseQuestionBlock(), raw)
    assert html.count('type="radio"') == 2 and 'value="0"' in html and 'value="1"' in html
    assert 'alt="SMS"' in html
