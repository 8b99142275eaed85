"""Factories for the courses room: topics, media, and a catalog > course > lesson tree."""

import io
import uuid

import factory
import wagtail_factories
from django.core.files.base import ContentFile
from PIL import Image as PILImage
from wagtail.models import Locale

from cms.demo import load_site
from courses.models import CourseIndexPage, CoursePage, LessonMedia, LessonPage, Topic


def png_bytes(width: int = 1200, height: int = 800, colour: str = "#2e7d32") -> bytes:
    """A real PNG of the given size."""
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


class ImageFactory(wagtail_factories.ImageFactory):
    title = factory.Sequence(lambda n: f"picture {n}")
    file = factory.LazyFunction(lambda: ContentFile(png_bytes(), name="picture.png"))


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")
    icon = "phone"
    colour = "#1b5e20"
    locale = factory.LazyFunction(lambda: Locale.objects.get(language_code="zh-hans"))


class LessonMediaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LessonMedia

    title = factory.Sequence(lambda n: f"recording {n}")
    type = "audio"
    duration = 12.0
    file = factory.LazyFunction(lambda: ContentFile(b"ID3" + b"\0" * 2048, name="clip.mp3"))


QUESTION_DEFAULTS = {"image": None, "image_alt": "", "audio": None, "explanation": ""}


def block(block_type: str, value) -> dict:
    """A raw StreamField block with a fresh stable id."""
    return {"type": block_type, "value": value, "id": str(uuid.uuid4())}


def choice(text: str, correct: bool = False, feedback: str = "") -> dict:
    """A choice as a ListBlock item with its own id (stable across loads and translations)."""
    value = {"text": text, "is_correct": correct, "feedback": feedback}
    return {"type": "item", "value": value, "id": str(uuid.uuid4())}


def single_choice(prompt: str = "Which one?", correct_index: int = 0, count: int = 3) -> dict:
    choices = [choice(f"choice {i}", i == correct_index, f"feedback {i}") for i in range(count)]
    return block(
        "single_choice",
        {**QUESTION_DEFAULTS, "prompt": prompt, "choices": choices, "explanation": "Because."},
    )


def multiple_choice(prompt: str = "Which ones?", correct=(0, 2), count: int = 4) -> dict:
    choices = [choice(f"option {i}", i in correct) for i in range(count)]
    return block("multiple_choice", {**QUESTION_DEFAULTS, "prompt": prompt, "choices": choices})


def true_false(prompt: str = "Is it true?", answer: str = "false") -> dict:
    return block(
        "true_false",
        {
            **QUESTION_DEFAULTS,
            "prompt": prompt,
            "correct_answer": answer,
            "feedback_true": "",
            "feedback_false": "",
        },
    )


def text(html: str = "<p>Open <b>Settings</b>.</p>") -> dict:
    return block("text", html)


def image_block(image, alt: str = "A phone screen", caption: str = "") -> dict:
    return block("image", {"image": image.pk, "alt_text": alt, "caption": caption})


def audio_block(media, title: str = "Listen") -> dict:
    return block("audio", {"audio": media.pk, "title": title, "transcript": "Words."})


def callout(kind: str = "tip", body: str = "<p>Take your time.</p>") -> dict:
    return block("callout", {"kind": kind, "title": "", "text": body})


def catalog() -> CourseIndexPage:
    """The course catalog under the zh-Hans home page (created once)."""
    home = load_site()
    existing = CourseIndexPage.objects.filter(locale=home.locale).first()
    if existing:
        return existing
    index = CourseIndexPage(title="课程", slug="courses", intro="")
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


def add_course(index: CourseIndexPage | None = None, **fields) -> CoursePage:
    """A published course in the catalog."""
    index = index or catalog()
    fields.setdefault("title", f"Course {uuid.uuid4().hex[:6]}")
    fields.setdefault("summary", "Learn a useful thing.")
    course = CoursePage(**fields)
    index.add_child(instance=course)
    course.save_revision().publish()
    return course


def add_lesson(course: CoursePage, *, publish: bool = True, **fields) -> LessonPage:
    """A lesson under a course; by default clean (text, audio clip, two questions) and live."""
    if "body" not in fields:
        fields["body"] = [text(), audio_block(LessonMediaFactory())]
    fields.setdefault("quiz", [single_choice(), true_false()])
    fields.setdefault("title", f"Lesson {uuid.uuid4().hex[:6]}")
    lesson = LessonPage(live=publish, **fields)
    course.add_child(instance=lesson)
    revision = lesson.save_revision()
    if publish:
        revision.publish()
    return lesson
