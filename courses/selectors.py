"""Typed reads of course content: catalog, lessons in order, and the server-side quiz key."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page

from .models import CourseIndexPage, CoursePage, LessonPage, Topic

UNKNOWN_QUESTION = "unknown question id: {}"
CHOICE_OUT_OF_RANGE = "choice {} is out of range for question {}"


@dataclass(frozen=True)
class QuizKey:
    """The answer key of one question: its kind, the correct choice indexes, how many choices."""

    kind: str
    correct: frozenset[int]
    choice_count: int


# --- one course across languages (decision 0071) -----------------------------------------------
# Learner state is kept against the *canonical* page: the translation in the default language.
# The canonical id is content, not learner state: the course pages show it (progress events name
# it) and the learners room records against it.


def canonical_language() -> str:
    """The language code of canonical pages (the site's default content language)."""
    return get_supported_content_language_variant(settings.LANGUAGE_CODE)


def canonical_id_of() -> Subquery:
    """For a page row: the id of its canonical translation (NULL when it has none)."""
    return Subquery(
        Page.objects.filter(
            translation_key=OuterRef("translation_key"),
            locale__language_code=canonical_language(),
        ).values("pk")[:1]
    )


@dataclass(frozen=True)
class QuizFeedback:
    """What the quiz shows after an answer: the right choices, each choice's note, the why."""

    correct: list[int]
    feedback: list[str]
    explanation: str


def lesson_quiz_feedback(lesson: LessonPage) -> dict[str, QuizFeedback]:
    """Right answers, per-choice feedback and explanation of a lesson's quiz, by question id."""
    result = {}
    for child in lesson.quiz:
        block, value = child.block, child.value
        if block.kind == "true_false":
            feedback = [value.get("feedback_true") or "", value.get("feedback_false") or ""]
        else:
            feedback = [choice.get("feedback") or "" for choice in value["choices"]]
        result[child.id] = QuizFeedback(
            correct=sorted(block.correct_indexes(value)),
            feedback=feedback,
            explanation=value.get("explanation") or "",
        )
    return result


def catalog_topics(*, locale: Locale) -> QuerySet[Topic]:
    """Topics in the given locale, for the catalog filter."""
    return Topic.objects.filter(locale=locale).order_by("name")


def catalog_courses(*, index: CourseIndexPage, topic_slug: str = "") -> QuerySet[CoursePage]:
    """Live courses of a catalog in tree order, with topic, cover and live lesson count."""
    live_lessons = (
        LessonPage.objects.filter(
            live=True, depth=OuterRef("depth") + 1, path__startswith=OuterRef("path")
        )
        .order_by()
        .annotate(group=F("depth"))
        .values("group")
        .annotate(total=Count("pk"))
        .values("total")
    )
    courses = (
        CoursePage.objects.child_of(index)
        .live()
        .select_related("topic", "cover_image")
        .annotate(
            live_lesson_count=Coalesce(Subquery(live_lessons, output_field=IntegerField()), 0)
        )
        .order_by("path")
    )
    if topic_slug:
        courses = courses.filter(topic__slug=topic_slug)
    return courses


def course_lessons(course: CoursePage) -> list[LessonPage]:
    """Live lessons of a course in tree order (one query)."""
    return list(LessonPage.objects.child_of(course).live().order_by("path"))


def lesson_count(course: CoursePage) -> int:
    """Number of live lessons in a course."""
    return LessonPage.objects.child_of(course).live().count()


def course_for_lesson(lesson: LessonPage) -> CoursePage:
    """The course a lesson belongs to (no query when routing already read it)."""
    parent = getattr(lesson, "_cached_parent_obj", None)
    if isinstance(parent, CoursePage):
        return parent
    return CoursePage.objects.get(path=lesson.path[: -lesson.steplen])


def lesson_quiz_key(lesson: LessonPage) -> dict[str, QuizKey]:
    """The answer key of a lesson's quiz, by question block id."""
    key = {}
    for child in lesson.quiz:
        block = child.block
        key[child.id] = QuizKey(
            kind=block.kind,
            correct=block.correct_indexes(child.value),
            choice_count=len(block.choice_texts(child.value)),
        )
    return key


def score_quiz(key: Mapping[str, QuizKey], answers: Mapping[str, Sequence[int]]) -> int:
    """Percentage of questions answered exactly right (0–100); unanswered counts as wrong."""
    for question_id, chosen in answers.items():
        if question_id not in key:
            raise ValueError(UNKNOWN_QUESTION.format(question_id))
        count = key[question_id].choice_count
        for index in chosen:
            if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < count:
                raise ValueError(CHOICE_OUT_OF_RANGE.format(index, question_id))
    if not key:
        return 100
    right = sum(
        1
        for question_id, question in key.items()
        if question.correct and frozenset(answers.get(question_id, ())) == question.correct
    )
    return round(100 * right / len(key))
