"""Learner state on course pages: "Continue", progress bars, the lesson player and its quiz.

Course pages never import learners (imports run learners → courses), so the pages' templates
load this library to show what the signed-in learner has done.
"""

import json
import uuid
from dataclasses import dataclass, field

from django import template
from django.db.models import Exists, QuerySet
from django.utils.html import json_script
from django.utils.translation import gettext as _
from wagtail.models import Page

from courses.models import CoursePage, LessonPage

from ..models import Enrollment, LessonProgress, QuizAttempt
from ..selectors import (
    CourseProgress,
    canonical_id_of,
    canonical_ids,
    course_progress,
    lessons_with_statuses,
)

register = template.Library()


@dataclass
class Question:
    """One quiz question ready for the template."""

    id: str
    kind: str
    prompt: str
    choices: list[str]
    feedback: list[str]
    correct: list[int]
    explanation: str
    value: object
    chosen: list[int] = field(default_factory=list)
    answered_right: bool | None = None

    @property
    def multiple(self) -> bool:
        """True when several choices may be ticked."""
        return self.kind == "multiple"


@dataclass
class LessonPlayer:
    """Everything the lesson template needs beyond the page itself."""

    course: CoursePage
    lessons: list[LessonPage]
    position: int
    previous: LessonPage | None
    next: LessonPage | None
    progress: CourseProgress
    questions: list[Question]
    status: str | None
    attempt: QuizAttempt | None
    # Whether the signed-in learner is enrolled in the course (None for visitors): progress is
    # only recorded, and the quiz only taken, in an enrolled course.
    enrolled: bool | None = None
    # The canonical lesson's id: progress events name it, whatever the page's language.
    record_id: int | None = None

    # How many steps the lesson body has: with more than one, the page is served showing step 1
    # alone (the first paint is the final layout, decision 0135).
    step_count: int = 0

    @property
    def first_step_label(self) -> str:
        """ "Step 1 of N", as the stepper shows it before any script runs."""
        return _("Step {n} of {total}").format(n=1, total=self.step_count)

    @property
    def by_id(self) -> dict[str, Question]:
        """Questions by block id (the template shows an attempt's feedback under each)."""
        return {q.id: q for q in self.questions}

    @property
    def key_json(self):
        """The answer key and feedback for offline, instant feedback in the browser."""
        key = {
            q.id: {"correct": q.correct, "feedback": q.feedback, "explanation": q.explanation}
            for q in self.questions
        }
        return json_script({"pass": self.course.pass_mark, "questions": key}, "quiz-key")


def _questions(lesson: LessonPage) -> list[Question]:
    questions = []
    for child in lesson.quiz:
        block, value = child.block, child.value
        choices = block.choice_texts(value)
        if block.kind == "true_false":
            feedback = [value.get("feedback_true") or "", value.get("feedback_false") or ""]
        else:
            feedback = [choice.get("feedback") or "" for choice in value["choices"]]
        questions.append(
            Question(
                id=child.id,
                kind=block.kind,
                prompt=value["prompt"],
                choices=choices,
                feedback=feedback,
                correct=sorted(block.correct_indexes(value)),
                explanation=value.get("explanation") or "",
                value=value,
            )
        )
    return questions


def _attempt(request, lesson: LessonPage) -> QuizAttempt | None:
    raw = request.GET.get("attempt", "") if request else ""
    if not raw or not request.user.is_authenticated:
        return None
    try:
        attempt_id = uuid.UUID(raw)
    except ValueError:
        return None
    return QuizAttempt.objects.filter(
        pk=attempt_id, learner=request.user, lesson__translation_key=lesson.translation_key
    ).first()


@register.simple_tag(takes_context=True)
def lesson_player(context, page: LessonPage) -> LessonPlayer:
    """Course, neighbours, the learner's progress and the quiz of lesson `page`.

    One query: the course's lessons with the learner's state in each (the course comes from
    routing); one more only when showing a quiz attempt (`?attempt=`).
    """
    request = context.get("request")
    user = request.user if request else None
    course = context.get("course") or CoursePage.objects.get(path=page.path[: -Page.steplen])
    lessons = context.get("lessons")
    if lessons is None:
        lessons = LessonPage.objects.child_of(course).live().order_by("path")
    signed_in = bool(user and user.is_authenticated)
    # Enrolled in the course in any language: state belongs to the translation key.
    in_course = (
        Enrollment.objects.filter(learner=user, course__translation_key=course.translation_key)
        if signed_in
        else None
    )
    enrolled = None
    if isinstance(lessons, QuerySet):
        # The canonical lesson id (progress is recorded against it) in the same query.
        lessons = lessons.annotate(canonical_id=canonical_id_of())
        if signed_in:  # read in the same query as the lessons
            lessons = lessons.annotate(learner_enrolled=Exists(in_course))
        lessons, statuses = lessons_with_statuses(user=user, lessons=lessons)
        if signed_in:
            enrolled = bool(lessons) and lessons[0].learner_enrolled
    else:
        statuses = None
        if signed_in:
            enrolled = in_course.exists()
    position = next((i for i, lesson in enumerate(lessons) if lesson.pk == page.pk), 0)
    here = lessons[position] if lessons else page
    record_id = getattr(here, "canonical_id", None) or canonical_ids([page.pk])[page.pk]
    progress = course_progress(
        user=user, course=course, lessons=lessons, statuses=statuses, with_enrollment=False
    )
    questions = _questions(page)
    attempt = _attempt(request, page)
    if attempt is not None:
        answers = attempt.answers
        for question in questions:
            question.chosen = answers.get(question.id, [])
            question.answered_right = question.chosen == question.correct
    return LessonPlayer(
        course=course,
        lessons=lessons,
        position=position,
        previous=lessons[position - 1] if position > 0 else None,
        next=lessons[position + 1] if position + 1 < len(lessons) else None,
        progress=progress,
        questions=questions,
        status=progress.statuses.get(page.pk),
        attempt=attempt,
        enrolled=enrolled,
        record_id=record_id,
        step_count=len(page.body),
    )


@register.simple_tag(takes_context=True)
def course_learner_state(context, course: CoursePage, lessons) -> CourseProgress:
    """The signed-in learner's place in `course` (its live `lessons` in order): 2 queries."""
    request = context.get("request")
    user = request.user if request else None
    return course_progress(user=user, course=course, lessons=list(lessons))


@register.simple_tag(takes_context=True)
def catalog_percent(context, courses) -> dict[int, int]:
    """Percent done by course id for the signed-in learner (1 query)."""
    from ..models import Enrollment

    request = context.get("request")
    if not request or not request.user.is_authenticated:
        return {}
    id_of = {course.translation_key: course.pk for course in courses}
    rows = Enrollment.objects.filter(
        learner=request.user, course__translation_key__in=list(id_of)
    ).values_list("course__translation_key", "progress_percent")
    return {id_of[key]: percent for key, percent in rows}


@register.filter
def get_item(mapping, key):
    """`mapping[key]` or None, for dicts keyed by id."""
    return mapping.get(key) if mapping else None


@register.filter
def lesson_done(statuses, lesson_id) -> bool:
    """True when the lesson is complete in a status map."""
    return (statuses or {}).get(lesson_id) == LessonProgress.Status.COMPLETED


@register.filter
def as_json(value) -> str:
    """Compact JSON for a data attribute."""
    return json.dumps(value, separators=(",", ":"))
