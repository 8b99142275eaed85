"""Demo courses for `bootstrap_demo`: three courses in zh-Hans with English translations.

Idempotent: pages, topics and pictures are found by slug or title and only created when
missing, so a second run changes nothing. Every lesson gets its synthesised narration in its
language (courses/demo/narration/, labelled as a machine voice to learners: decision 0081).
"""

import uuid

from django.core.files import File
from django.core.files.images import ImageFile
from wagtail.images import get_image_model
from wagtail.models import Collection, Locale

from cms.demo import ensure_locales, load_site
from courses.checks import lesson_publish_errors
from courses.models import CourseIndexPage, CoursePage, LessonMedia, LessonPage, Topic
from courses.translation import translation_create_from_shadow, translation_shadow
from courses.workflow import course_review_workflow_assign

from .content import CATALOG, COURSES, TOPICS, Block, Course, Lesson, Question
from .images import draw_png
from .narration import narration_path

ZH, EN = 0, 1
# Block ids are derived from the content's place, so they are the same on every machine.
ID_NAMESPACE = uuid.UUID("0f5f6c1e-5d0e-4c55-9a55-2a0c7d0f3b10")
DEMO_IMAGE_PREFIX = "demo: "
DEMO_NARRATION_TITLE = "demo narration: {course}/{lesson} ({lang})"
DEMO_LESSON_WITH_PROBLEMS = "demo lesson {slug} fails the publishing checks: {errors}"


def _id(*parts: str) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, "/".join(parts)))


def demo_image(key: str):
    """The project-drawn picture `key` as a Wagtail image (created once)."""
    Image = get_image_model()
    title = f"{DEMO_IMAGE_PREFIX}{key}"
    image = Image.objects.filter(title=title).first()
    if image is None:
        from io import BytesIO

        image = Image(title=title, collection=Collection.get_first_root_node())
        image.file = ImageFile(BytesIO(draw_png(key)), name=f"demo-{key}.png")
        image.save()
    return image


def demo_narration(course: Course, lesson: Lesson, lang: str) -> LessonMedia:
    """The committed synthesised narration of `lesson` in `lang` as an audio item (created once)."""
    import av

    title = DEMO_NARRATION_TITLE.format(course=course.slug, lesson=lesson.slug, lang=lang)
    media = LessonMedia.objects.filter(title=title).first()
    if media is None:
        path = narration_path(course, lesson, lang)
        with av.open(str(path)) as container:
            duration = round(container.duration / av.time_base, 1)
        media = LessonMedia(
            title=title,
            type="audio",
            collection=Collection.get_first_root_node(),
            duration=duration,
            file_size=path.stat().st_size,
            synthetic_voice=True,
        )
        with path.open("rb") as source:
            media.file = File(source, name=f"demo-{path.name}")
            media.save()
    return media


def _narrate(lesson_page: LessonPage, media: LessonMedia) -> None:
    """Give an existing (possibly older, unnarrated) demo lesson its narration, published."""
    if lesson_page.narration_id == media.pk and not lesson_page.demo_without_audio:
        return
    lesson_page.narration = media
    lesson_page.demo_without_audio = False
    lesson_page.save_revision().publish()


def _items(values: list[dict], *id_parts: str) -> list[dict]:
    """ListBlock items with stable ids, so translations line up item by item."""
    return [
        {"type": "item", "value": value, "id": _id(*id_parts, str(n))}
        for n, value in enumerate(values)
    ]


def _body(course: Course, lesson: Lesson, lang: int) -> list[dict]:
    stream = []
    for n, block in enumerate(lesson.body):
        block_id = _id(course.slug, lesson.slug, "body", str(n))
        value = _body_value(block, lang, block_id)
        stream.append({"type": block.kind, "value": value, "id": block_id})
    return stream


def _body_value(block: Block, lang: int, block_id: str):
    if block.kind == "text":
        return block.text[lang]
    if block.kind == "image":
        return {
            "image": demo_image(block.image).pk,
            "alt_text": block.alt[lang],
            "caption": block.caption[lang],
        }
    if block.kind == "callout":
        return {"kind": block.style, "title": block.title[lang], "text": block.text[lang]}
    if block.kind == "scenario":
        return {
            "sender": block.title[lang],
            "message": block.text[lang],
            "screenshot": None,
            "image_alt": "",
            "choices": _items(
                [
                    {"text": c.text[lang], "is_safe": c.correct, "feedback": c.feedback[lang]}
                    for c in block.choices
                ],
                block_id,
            ),
            "explanation": "",
        }
    raise ValueError(block.kind)


def _quiz(course: Course, lesson: Lesson, lang: int) -> list[dict]:
    stream = []
    for n, question in enumerate(lesson.quiz):
        block_id = _id(course.slug, lesson.slug, "quiz", str(n))
        value = _question_value(question, lang, block_id)
        stream.append({"type": question.kind, "value": value, "id": block_id})
    return stream


def _question_value(question: Question, lang: int, block_id: str) -> dict:
    value = {
        "prompt": question.prompt[lang],
        "image": None,
        "image_alt": "",
        "audio": None,
        "explanation": question.explanation[lang],
    }
    if question.kind == "true_false":
        return value | {
            "correct_answer": question.answer,
            "feedback_true": "",
            "feedback_false": "",
        }
    choices = [
        {"text": c.text[lang], "is_correct": c.correct, "feedback": c.feedback[lang]}
        for c in question.choices
    ]
    return value | {"choices": _items(choices, block_id)}


def _lesson_fields(course: Course, lesson: Lesson, lang: int) -> dict:
    return {
        "title": lesson.title[lang],
        "slug": lesson.slug,
        "summary": lesson.summary[lang],
        "estimated_minutes": lesson.minutes,
        "narration": demo_narration(course, lesson, ("zh", "en")[lang]),
        "body": _body(course, lesson, lang),
        "quiz": _quiz(course, lesson, lang),
    }


def _course_fields(course: Course, lang: int) -> dict:
    cover = demo_image(course.cover)
    return {
        "title": course.title[lang],
        "slug": course.slug,
        "summary": course.summary[lang],
        "cover_image": cover,
        "cover_alt": course.title[lang],
        "level": course.level,
        "estimated_minutes": sum(lesson.minutes for lesson in course.lessons),
        "learning_outcomes": [
            {"type": "outcome", "value": text[lang], "id": _id(course.slug, "outcome", str(n))}
            for n, text in enumerate(course.outcomes)
        ],
        "pass_mark": course.pass_mark,
        "credit_hours": course.credit_hours,
        "certificate_enabled": True,
        "certificate_title": course.certificate_title[lang],
    }


def _publish_child(parent, instance):
    parent.add_child(instance=instance)
    instance.save_revision().publish()
    return instance


def load_topics(zh: Locale, en: Locale) -> dict[str, Topic]:
    """The three demo topics in both languages."""
    topics = {}
    for spec in TOPICS:
        topic = Topic.objects.filter(locale=zh, slug=spec.slug).first()
        if topic is None:
            topic = Topic.objects.create(
                locale=zh, slug=spec.slug, name=spec.name[ZH], icon=spec.icon, colour=spec.colour
            )
        shadow = Topic(name=spec.name[EN], slug=spec.slug, icon=spec.icon, colour=spec.colour)
        translation_create_from_shadow(source=topic, shadow=shadow, locale=en)
        topics[spec.slug] = topic
    return topics


def load_catalog(zh: Locale, en: Locale) -> CourseIndexPage:
    """The course catalog at /courses/ and /en/courses/, under the review workflow."""
    home = load_site()
    index = CourseIndexPage.objects.child_of(home).filter(slug="courses").first()
    if index is None:
        index = _publish_child(
            home,
            CourseIndexPage(title=CATALOG["title"][ZH], slug="courses", intro=CATALOG["intro"][ZH]),
        )
    course_review_workflow_assign(page=index)
    shadow = translation_shadow(
        CourseIndexPage,
        index,
        {"title": CATALOG["title"][EN], "slug": "courses", "intro": CATALOG["intro"][EN]},
    )
    translation_create_from_shadow(source=index, shadow=shadow, locale=en)
    return index


def load_course(course: Course, index: CourseIndexPage, topics: dict, en: Locale) -> CoursePage:
    """One demo course with its lessons, in zh-Hans and English."""
    page = CoursePage.objects.child_of(index).filter(slug=course.slug).first()
    if page is None:
        page = _publish_child(
            index, CoursePage(topic=topics[course.topic], **_course_fields(course, ZH))
        )
    shadow = translation_shadow(
        CoursePage, page, {"topic": topics[course.topic], **_course_fields(course, EN)}
    )
    translation_create_from_shadow(source=page, shadow=shadow, locale=en)
    for lesson in course.lessons:
        lesson_page = LessonPage.objects.child_of(page).filter(slug=lesson.slug).first()
        if lesson_page is None:
            lesson_page = LessonPage(**_lesson_fields(course, lesson, ZH))
            errors = lesson_publish_errors(lesson_page)
            if errors:
                raise ValueError(DEMO_LESSON_WITH_PROBLEMS.format(slug=lesson.slug, errors=errors))
            _publish_child(page, lesson_page)
        _narrate(lesson_page, demo_narration(course, lesson, "zh"))
        shadow = translation_shadow(LessonPage, lesson_page, _lesson_fields(course, lesson, EN))
        translated = translation_create_from_shadow(source=lesson_page, shadow=shadow, locale=en)
        _narrate(translated, demo_narration(course, lesson, "en"))
    return page


def load(stdout=None) -> list[CoursePage]:
    """Load the demo topics, catalog and three courses (idempotent)."""
    zh, en = ensure_locales()
    topics = load_topics(zh, en)
    index = load_catalog(zh, en)
    courses = [load_course(course, index, topics, en) for course in COURSES]
    if stdout is not None:
        stdout.write(f"Demo courses: {', '.join(c.title for c in courses)}")
    return courses
