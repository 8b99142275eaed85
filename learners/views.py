"""Learner pages: My learning, starting a course, the no-JavaScript lesson forms, the PWA files."""

import uuid

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET, require_POST

from courses.models import CoursePage, LessonPage
from courses.selectors import lesson_quiz_key

from . import selectors, services


@never_cache
@login_required
@require_GET
def my_learning(request: HttpRequest) -> HttpResponse:
    """My learning: courses in progress with their percent, completed courses, certificates."""
    enrollments = list(selectors.my_enrollments(user=request.user))
    by_course = {}
    for enrollment in enrollments:
        # A course taken alone and in a campaign shows once (the progress is the same).
        by_course.setdefault(enrollment.course_id, enrollment)
    shown = list(by_course.values())
    # Courses are kept on their canonical page; show each in the reader's language.
    localized = selectors.localized_pages([e.course for e in shown])
    for enrollment in shown:
        enrollment.shown_course = localized[enrollment.course_id]
    from .certificates.selectors import certificates_for_learner

    context = {
        "in_progress": [e for e in shown if e.completed_at is None],
        "completed": [e for e in shown if e.completed_at is not None],
        "certificates": certificates_for_learner(request.user),
    }
    return render(request, "learners/my_learning.html", context)


@login_required
@require_POST
def course_start(request: HttpRequest, course_id: int) -> HttpResponse:
    """Enroll the learner on their own (idempotent) and open the next unfinished lesson."""
    course = get_object_or_404(CoursePage.objects.live().public(), pk=course_id)
    # Enrollments belong to the course in every language: kept on its canonical page.
    services.enrollment_create(learner=request.user, course=selectors.canonical_page(course))
    lessons = list(LessonPage.objects.live().public().child_of(course))
    # Started from a lesson page: go back to that lesson, not the first unfinished one.
    asked = request.POST.get("lesson", "")
    chosen = next((lesson for lesson in lessons if str(lesson.pk) == asked), None)
    if chosen is not None:
        return HttpResponseRedirect(chosen.url)
    progress = selectors.course_progress(user=request.user, course=course, lessons=lessons)
    target = progress.next_lesson or (lessons[0] if lessons else course)
    return HttpResponseRedirect(target.url)


def _record(request: HttpRequest, lesson: LessonPage, events: list[dict]) -> HttpResponse | None:
    try:
        services.progress_record(learner=request.user, events=events)
    except ValidationError as exc:
        return HttpResponse(exc.messages[0], status=400, content_type="text/plain; charset=utf-8")
    return None


def _event(lesson: LessonPage, kind: str, data: dict | None = None) -> dict:
    return {
        "id": str(uuid.uuid4()),
        # Progress is recorded against the canonical lesson, whatever the page's language.
        "lesson": lesson.record_id,
        "kind": kind,
        "at": timezone.now().isoformat(),
        "data": data or {},
    }


@login_required
@require_POST
def lesson_read(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """Without JavaScript: mark a lesson read, then open the next lesson (or the course)."""
    lesson = get_object_or_404(LessonPage.objects.live().public(), pk=lesson_id)
    lesson.record_id = selectors.canonical_ids([lesson.pk])[lesson.pk]
    failed = _record(request, lesson, [_event(lesson, "opened"), _event(lesson, "read")])
    if failed:
        return failed
    following = lesson.get_next_siblings().live().public().type(LessonPage).first()
    return HttpResponseRedirect((following or lesson.get_parent()).url)


@login_required
@require_POST
def lesson_quiz(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """Without JavaScript: submit the quiz as a plain form, then show the lesson with feedback."""
    lesson = get_object_or_404(LessonPage.objects.live().public(), pk=lesson_id)
    lesson.record_id = selectors.canonical_ids([lesson.pk])[lesson.pk]
    # Form fields are named by question block id (the quiz block template's inputs).
    answers = {}
    for question_id in lesson_quiz_key(lesson):
        # ASCII digits only: str.isdigit() is also true for "²" or "①", which int() refuses.
        choices = [c for c in request.POST.getlist(question_id) if c.isascii() and c.isdigit()]
        answers[question_id] = [int(c) for c in choices]
    quiz = _event(lesson, "quiz", {"answers": answers})
    failed = _record(request, lesson, [_event(lesson, "opened"), _event(lesson, "read"), quiz])
    if failed:
        return failed
    return HttpResponseRedirect(f"{lesson.url}?{urlencode({'attempt': quiz['id']})}#quiz")


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """Shown by the service worker for a page that was not saved for offline use."""
    return render(request, "learners/offline.html")


@require_GET
@cache_control(no_cache=True)
@xframe_options_exempt  # a script is never framed: X-Frame-Options on it does nothing
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the site root so its scope covers every learner page.

    A plain response, not a FileResponse: no Content-Disposition header on every first visit.
    """
    with open(finders.find("learners/js/sw.js"), "rb") as script:
        response = HttpResponse(script.read(), content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
@cache_control(max_age=86400)
def web_manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest (name, colours, start URL, icon)."""
    return render(
        request, "learners/manifest.webmanifest", content_type="application/manifest+json"
    )
