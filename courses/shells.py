"""The learner-independent shells of the lesson, course and catalog pages (decision 0175).

Each builder reads what its page shows to every reader and renders it with slot markers where a
learner's state goes. It runs once per published revision, path, language and tier; afterwards
the page costs one cache read and the queries of its learner's fragments.
"""

import re
from dataclasses import asdict

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import json_script
from django.utils.translation import gettext as _

from .page_cache import LessonRef, Shell, fill, learner_fragments, render_shell, shell_for
from .selectors import (
    canonical_id_of,
    catalog_courses,
    catalog_topics,
    course_for_lesson,
    lesson_quiz_feedback,
)

# ?topic= values that can name a topic (slugs); anything else is rendered, never cached.
_TOPIC_SLUG = re.compile(r"^[-a-zA-Z0-9_]{0,60}$")


class CompactJSONEncoder(DjangoJSONEncoder):
    """JSON for a page's script block: Chinese as UTF-8 (3 bytes a character, not 6 as `\\uXXXX`)
    and no spaces. `json_script` still escapes <, > and &."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{**kwargs, "ensure_ascii": False, "separators": (",", ":")})


def _refs(lessons, request) -> tuple[LessonRef, ...]:
    return tuple(
        LessonRef(
            pk=lesson.pk,
            translation_key=str(lesson.translation_key),
            title=lesson.title,
            url=lesson.get_url(request),
        )
        for lesson in lessons
    )


def _live_lessons(course):
    from .models import LessonPage

    return LessonPage.objects.child_of(course).live().order_by("path")


def lesson_shell(request, page) -> Shell:
    """The lesson player as every reader sees it: steps, quiz questions, neighbours, answer key."""
    course = course_for_lesson(page)
    rows = list(_live_lessons(course).defer_streamfields().annotate(canonical_id=canonical_id_of()))
    lessons = _refs(rows, request)
    position = next((i for i, lesson in enumerate(lessons) if lesson.pk == page.pk), 0)
    here = rows[position] if rows and rows[position].pk == page.pk else None
    record_id = (here.canonical_id if here else None) or page.pk
    feedback = lesson_quiz_feedback(page)
    key = {qid: asdict(item) for qid, item in feedback.items()}
    step_count = len(page.body)
    course_url = course.get_url(request)
    context = {
        "request": request,
        "page": page,
        "course": course,
        "course_url": course_url,
        "lessons": lessons,
        "position": position,
        "previous": lessons[position - 1] if position > 0 else None,
        "next": lessons[position + 1] if position + 1 < len(lessons) else None,
        "record_id": record_id,
        "step_count": step_count,
        "first_step_label": _("Step {n} of {total}").format(n=1, total=step_count),
        "key_json": json_script(
            {"pass": course.pass_mark, "questions": key}, "quiz-key", encoder=CompactJSONEncoder
        ),
    }
    return Shell(
        kind="lesson",
        html=render_shell("courses/includes/lesson_shell.html", context),
        lessons=lessons,
        facts={
            "course_id": course.pk,
            "course_key": str(course.translation_key),
            "course_url": course_url,
            "pass_mark": course.pass_mark,
            "position": position,
            "has_quiz": bool(feedback),
            "record_id": record_id,
        },
    )


def course_shell(request, page) -> Shell:
    """The course page as every reader sees it: header, outcomes, its live lessons."""
    from .selectors import course_lessons

    lessons = course_lessons(page)
    context = {
        "request": request,
        "page": page,
        "lessons": lessons,
        "catalog_url": page.get_parent().get_url(request),
    }
    css = ""
    if page.topic:
        css = f".topic--{page.topic.slug}{{background:{page.topic.colour}}}"
    return Shell(
        kind="course",
        html=render_shell("courses/includes/course_shell.html", context),
        css=css,
        lessons=_refs(lessons, request),
        facts={"course_id": page.pk, "course_key": str(page.translation_key)},
    )


def catalog_shell(request, page, topic_slug: str) -> Shell:
    """The catalog as every reader sees it, filtered by topic."""
    topics = list(catalog_topics(locale=page.locale_id))
    courses = list(catalog_courses(index=page, topic_slug=topic_slug))
    context = {
        "request": request,
        "page": page,
        "topics": topics,
        "current_topic": topic_slug,
        "courses": courses,
        "catalog_url": page.get_url(request),
    }
    css = "".join(f".topic--{t.slug}{{background:{t.colour}}}" for t in topics)
    return Shell(
        kind="catalog",
        html=render_shell("courses/includes/catalog_shell.html", context),
        css=css,
        facts={"courses": {course.pk: str(course.translation_key) for course in courses}},
    )


def page_context(request, page, shell: Shell) -> dict:
    """`shell` and the page's HTML with this request's fragments in its slots."""
    return {"shell": shell, "page_html": fill(shell, learner_fragments(request, page, shell))}


def lesson_context(request, page) -> dict:
    """Template context of a lesson page (the shell from the cache when it can be)."""
    return page_context(
        request, page, shell_for(request, page, "lesson", lambda: lesson_shell(request, page))
    )


def course_context(request, page) -> dict:
    """Template context of a course page."""
    return page_context(
        request, page, shell_for(request, page, "course", lambda: course_shell(request, page))
    )


def catalog_context(request, page) -> dict:
    """Template context of the catalog, for the ?topic= asked."""
    topic = request.GET.get("topic", "")
    build = lambda: catalog_shell(request, page, topic)  # noqa: E731
    if not _TOPIC_SLUG.match(topic):
        shell = build()
    else:
        shell = shell_for(request, page, "catalog", build, variant=topic)
    return page_context(request, page, shell)
