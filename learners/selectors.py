"""Reads of learner state: where a learner is in a course, My learning, offline manifests."""

import os
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.utils.translation import get_language
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Page

from courses.models import CoursePage, LessonPage
from courses.selectors import canonical_id_of, canonical_language

from .models import Enrollment, LessonProgress

OFFLINE_MANIFEST_TTL = 60 * 60


# --- one course across languages (decision 0071) -----------------------------------------------
# Progress, enrollments, completion and certificates belong to a course's or lesson's translation
# key. They are stored against the *canonical* page: the translation in the default language
# (zh-hans), or the page itself when it has none. Pages of any language read the state by
# translation key.


def canonical_ids(page_ids) -> dict[int, int]:
    """Canonical page id by page id (itself if canonical or without a canonical translation)."""
    ids = list(page_ids)
    if not ids:
        return {}
    rows = Page.objects.filter(pk__in=ids).annotate(canonical=canonical_id_of())
    found = {pk: canonical or pk for pk, canonical in rows.values_list("pk", "canonical")}
    return {pk: found.get(pk, pk) for pk in ids}


def canonical_page(page: Page) -> Page:
    """`page`'s canonical translation, of the same specific type (one query unless canonical)."""
    if page.locale_id and page.locale.language_code == canonical_language():
        return page
    model = type(page)
    return (
        model.objects.filter(
            translation_key=page.translation_key, locale__language_code=canonical_language()
        ).first()
        or page
    )


def localized_pages(pages: list[Page]) -> dict[int, Page]:
    """Each page's translation in the active language (itself when there is none): one query."""
    if not pages:
        return {}
    language = get_supported_content_language_variant(get_language())
    translations = {
        page.translation_key: page
        for page in Page.objects.filter(
            translation_key__in=[p.translation_key for p in pages],
            locale__language_code=language,
        ).specific()
    }
    return {p.pk: translations.get(p.translation_key, p) for p in pages}


@dataclass(frozen=True)
class CourseProgress:
    """A learner's place in one course: enrollment (if any), lesson states, where to continue."""

    enrollment: Enrollment | None
    statuses: dict[int, str]
    next_lesson: LessonPage | None
    percent: int
    completed: bool

    @property
    def started(self) -> bool:
        """True once the learner has done anything in the course."""
        return bool(self.statuses)


def enrollments_for(*, user: AbstractBaseUser, course: CoursePage) -> list[Enrollment]:
    """The user's enrollments in `course`, in any language (self-study and campaigns)."""
    if not user.is_authenticated:
        return []
    return list(
        Enrollment.objects.filter(learner=user, course__translation_key=course.translation_key)
    )


def lesson_statuses(*, user: AbstractBaseUser, lessons) -> dict[int, str]:
    """LessonProgress status by lesson id for the given lessons (state kept in any language)."""
    if not user.is_authenticated:
        return {}
    id_of = {lesson.translation_key: lesson.pk for lesson in lessons}
    rows = LessonProgress.objects.filter(
        learner=user, lesson__translation_key__in=list(id_of)
    ).values_list("lesson__translation_key", "status")
    return {id_of[key]: status for key, status in rows}


def lessons_with_statuses(
    *, user: AbstractBaseUser, lessons: QuerySet[LessonPage]
) -> tuple[list[LessonPage], dict[int, str]]:
    """The `lessons` and the user's status in each, read together in one query."""
    if not user or not user.is_authenticated:
        return list(lessons), {}
    status = LessonProgress.objects.filter(
        learner=user, lesson__translation_key=OuterRef("translation_key")
    ).values("status")
    rows = list(lessons.annotate(learner_status=Subquery(status[:1])))
    return rows, {row.pk: row.learner_status for row in rows if row.learner_status}


def course_progress(
    *,
    user: AbstractBaseUser,
    course: CoursePage,
    lessons: list[LessonPage],
    statuses: dict[int, str] | None = None,
    with_enrollment: bool = True,
) -> CourseProgress:
    """Where `user` stands in `course` whose live lessons, in order, are `lessons`.

    Two queries (enrollments, lesson states); none for what the caller passes in (`statuses`)
    or does not need (`with_enrollment=False`: the lesson player shows no enrollment).
    """
    enrollments = enrollments_for(user=user, course=course) if with_enrollment else []
    if statuses is None:
        statuses = lesson_statuses(user=user, lessons=lessons)
    done = LessonProgress.Status.COMPLETED
    next_lesson = next((lesson for lesson in lessons if statuses.get(lesson.pk) != done), None)
    completed_count = sum(1 for lesson in lessons if statuses.get(lesson.pk) == done)
    percent = completed_count * 100 // len(lessons) if lessons else 0
    enrollment = min(enrollments, key=lambda e: e.campaign_id is None, default=None)
    return CourseProgress(
        enrollment=enrollment,
        statuses=statuses,
        next_lesson=next_lesson,
        percent=percent,
        completed=bool(lessons) and completed_count == len(lessons),
    )


def learner_course_state(
    *, user: AbstractBaseUser, course_key, lesson_ids: list[int]
) -> tuple[bool, dict[int, str]]:
    """Whether `user` is enrolled in the course (any language) and their status by lesson id.

    One query: the lessons' rows carry the learner's status and the enrollment, read by
    translation key (state kept in any language counts); none for a visitor.
    """
    if not user.is_authenticated:
        return False, {}
    in_course = Enrollment.objects.filter(learner=user, course__translation_key=course_key)
    if not lesson_ids:
        return in_course.exists(), {}
    status = LessonProgress.objects.filter(
        learner=user, lesson__translation_key=OuterRef("translation_key")
    ).values("status")[:1]
    rows = Page.objects.filter(pk__in=lesson_ids).annotate(
        learner_status=Subquery(status), learner_enrolled=Exists(in_course)
    )
    enrolled, statuses = False, {}
    for pk, learner_status, learner_enrolled in rows.values_list(
        "pk", "learner_status", "learner_enrolled"
    ):
        enrolled = enrolled or learner_enrolled
        if learner_status:
            statuses[pk] = learner_status
    return enrolled, statuses


def my_enrollments(*, user: AbstractBaseUser) -> QuerySet[Enrollment]:
    """The user's enrollments with their courses, most recently active first."""
    return (
        Enrollment.objects.filter(learner=user, course__live=True)
        .select_related("course", "campaign")
        .order_by("completed_at", "-last_activity_at", "-enrolled_at")
    )


def data_saver_for(request: HttpRequest) -> bool:
    """True when the signed-in learner asked to save data (small images, no video)."""
    from .accounts.selectors import profile_for_request

    profile = profile_for_request(request)
    return bool(profile and profile.data_saver)


# --- offline manifest -----------------------------------------------------------------------------

_SRC = re.compile(r'\s(?:src|poster|data-src)="([^"]+)"')
_SRCSET = re.compile(r'\ssrcset="([^"]+)"')
_VIDEO = re.compile(r"<video\b.*?</video>", re.S)


_PICTURE = re.compile(r"<picture\b.*?</picture>", re.S)


def _candidates(srcset: str, *, small: bool) -> list[str]:
    urls = [part.strip().split(" ")[0] for part in srcset.split(",") if part.strip()]
    return urls[:1] if small else urls


def _media_urls(html: str, *, small: bool) -> list[str]:
    """Our media and static files a rendered page uses; `small`: smallest images, no video."""
    if small:
        html = _VIDEO.sub("", html)
    urls = []
    # A <picture> lists each size in several formats; the browser takes the first format it
    # supports, so only that one (and the fallback <img src>) is downloaded for offline use.
    for picture in _PICTURE.findall(html):
        first = _SRCSET.search(picture)
        if first:
            urls.extend(_candidates(first.group(1), small=small))
        urls.extend(_SRC.findall(picture))
    rest = _PICTURE.sub("", html)
    for srcset in _SRCSET.findall(rest):
        urls.extend(_candidates(srcset, small=small))
    urls.extend(_SRC.findall(rest))
    return list(dict.fromkeys(u for u in urls if _is_static(u) or _media_name(u) is not None))


def _media_base() -> str:
    """The URL prefix of public media: the bucket's or CDN's when media live in object storage
    (the storage makes the URLs, so ask it), else MEDIA_URL."""
    if getattr(default_storage, "bucket_name", None):
        probe = "offline-probe"
        return default_storage.url(probe).split("?", 1)[0][: -len(probe)]
    return settings.MEDIA_URL


def _media_name(url: str) -> str | None:
    """The storage name of a public media URL (wherever it is stored), or None."""
    base = _media_base()
    if urlsplit(base).netloc:
        address = url.split("?", 1)[0]
        return unquote(address[len(base) :]) if address.startswith(base) else None
    path = urlsplit(url).path
    return unquote(path[len(base) :]) if path.startswith(base) else None


def _is_static(url: str) -> bool:
    return urlsplit(url).path.startswith(settings.STATIC_URL)


def _file_bytes(url: str) -> int:
    if _is_static(url):
        name = urlsplit(url).path[len(settings.STATIC_URL) :]
        try:
            return staticfiles_storage.size(name)
        except (OSError, NotImplementedError, ValueError):
            found = finders.find(name)
            return os.path.getsize(found) if found else 0
    try:
        return default_storage.size(_media_name(url) or "")
    except Exception:  # a missing file or object (boto raises ClientError): counted as 0 bytes
        return 0


def offline_manifest(*, request: HttpRequest, course: CoursePage, small: bool) -> dict:
    """The course page, its lessons and their media, each with bytes, and the total.

    Pages are rendered once and measured; the result is cached per course revision, language and
    image size, so asking twice costs one cache read.
    """
    lessons = list(LessonPage.objects.live().public().child_of(course).specific())
    stamp = max(p.last_published_at.timestamp() for p in [course, *lessons] if p.last_published_at)
    key = f"learners:offline:{course.pk}:{stamp}:{request.LANGUAGE_CODE}:{int(small)}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    pages, media = [], {}
    for page in [course, *lessons]:
        response = page.serve(request)
        if hasattr(response, "render"):
            response.render()
        html = response.content.decode()
        pages.append({"url": page.url, "bytes": len(response.content)})
        for url in _media_urls(html, small=small):
            media.setdefault(url, _file_bytes(url))
    manifest = {
        "course": course.pk,
        "title": course.title,
        "url": course.url,
        "pages": pages,
        "media": [{"url": url, "bytes": size} for url, size in media.items()],
        "bytes": sum(p["bytes"] for p in pages) + sum(media.values()),
    }
    cache.set(key, manifest, OFFLINE_MANIFEST_TTL)
    return manifest
