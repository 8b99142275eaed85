"""The signed-in learner's state in the course pages' slots (courses/page_cache.py, decision 0175).

The lesson, course and catalog pages are rendered once for every reader; these functions render
what differs per learner — progress, "Start"/"Continue", quiz feedback, the forms with their CSRF
token — from one learner template each, in one query (two when showing a quiz attempt).
"""

import uuid

from django.http import HttpRequest
from django.template.loader import render_to_string

from courses.page_cache import Shell
from courses.selectors import lesson_quiz_feedback

from .models import Enrollment, LessonProgress, QuizAttempt
from .selectors import learner_course_state


def _render(template: str, request: HttpRequest, context: dict) -> dict[str, str]:
    fragments: dict[str, str] = {}
    render_to_string(template, {**context, "fragments": fragments}, request=request)
    return fragments


def _attempt(request: HttpRequest, lesson) -> QuizAttempt | None:
    """The learner's own quiz attempt named by `?attempt=` (feedback after a no-JS submit)."""
    raw = request.GET.get("attempt", "")
    if not raw or not request.user.is_authenticated:
        return None
    try:
        attempt_id = uuid.UUID(raw)
    except ValueError:
        return None
    return QuizAttempt.objects.filter(
        pk=attempt_id, learner=request.user, lesson__translation_key=lesson.translation_key
    ).first()


def _percent(statuses: dict[int, str], lesson_count: int) -> int:
    done = sum(1 for s in statuses.values() if s == LessonProgress.Status.COMPLETED)
    return done * 100 // lesson_count if lesson_count else 0


def lesson_fragments(request: HttpRequest, page, shell: Shell) -> dict[str, str]:
    """Progress bar, start form, completed mark, quiz form and feedback of one lesson."""
    facts = shell.facts
    enrolled, statuses = learner_course_state(
        user=request.user,
        course_key=facts["course_key"],
        lesson_ids=[lesson.pk for lesson in shell.lessons],
    )
    answered = []
    attempt = _attempt(request, page) if facts["has_quiz"] else None
    if attempt is not None:
        answers = attempt.answers
        for question_id, item in lesson_quiz_feedback(page).items():
            answered.append(
                {
                    "id": question_id,
                    "right": answers.get(question_id, []) == item.correct,
                    "explanation": item.explanation,
                }
            )
    return _render(
        "learners/includes/lesson_player.html",
        request,
        {
            "page": page,
            "course_id": facts["course_id"],
            "pass_mark": facts["pass_mark"],
            "has_quiz": facts["has_quiz"],
            "enrolled": enrolled,
            "status": statuses.get(page.pk),
            "percent": _percent(statuses, len(shell.lessons)),
            "attempt": attempt,
            "answered": answered,
        },
    )


def course_fragments(request: HttpRequest, page, shell: Shell) -> dict[str, str]:
    """Progress, "Start"/"Continue" and the completed marks of a course page."""
    lessons = shell.lessons
    enrolled, statuses = learner_course_state(
        user=request.user, course_key=shell.facts["course_key"], lesson_ids=[x.pk for x in lessons]
    )
    done = [x.pk for x in lessons if statuses.get(x.pk) == LessonProgress.Status.COMPLETED]
    return _render(
        "learners/includes/course_state.html",
        request,
        {
            "course_id": shell.facts["course_id"],
            "lessons": lessons,
            "enrolled": enrolled,
            "started": bool(statuses),
            "percent": _percent(statuses, len(lessons)),
            "completed": bool(lessons) and len(done) == len(lessons),
            "next_lesson": next((x for x in lessons if x.pk not in done), None),
            "done": done,
        },
    )


def catalog_fragments(request: HttpRequest, page, shell: Shell) -> dict[str, str]:
    """The learner's percent done on each course card of the catalog (one query)."""
    if not request.user.is_authenticated:
        return {}
    by_key = {key: pk for pk, key in shell.facts["courses"].items()}
    if not by_key:
        return {}
    rows = Enrollment.objects.filter(
        learner=request.user, course__translation_key__in=list(by_key)
    ).values_list("course__translation_key", "progress_percent")
    percents = {by_key[str(key)]: percent for key, percent in rows}
    return _render("learners/includes/catalog_state.html", request, {"percents": percents})


_BY_KIND = {"lesson": lesson_fragments, "course": course_fragments, "catalog": catalog_fragments}


def page_fragments(request: HttpRequest, page, shell: Shell) -> dict[str, str]:
    """The fragments of any course page (the `courses_learner_fragment` hook)."""
    return _BY_KIND[shell.kind](request, page, shell)
