"""Moving learner rows from a translated course or lesson page to its canonical page.

Progress, enrollments and certificates belong to a course's translation key and are stored on
the canonical page (the translation in the default language, decision 0071). Rows written on a
translation before that rule (an English page's "Start the course") are moved here: by the data
migration `learners.0003_rows_on_canonical_pages`, with the migration's historical models, and
by tests with the real ones. Merging never creates duplicates: a learner's two rows for the same
lesson or enrollment become one, keeping the furthest progress.
"""

from dataclasses import dataclass
from datetime import datetime

STATUS_RANK = {"opened": 0, "read": 1, "completed": 2}
STEPLEN = 4  # treebeard's characters per tree level (Page.steplen); historical models lack it


@dataclass
class Models:
    """The models to work on (historical ones in a migration)."""

    Page: type
    LessonPage: type
    CoursePage: type
    Enrollment: type
    LessonProgress: type
    ProgressEvent: type
    Certificate: type | None


def _earliest(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _latest(*values: datetime | None) -> datetime | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _canonical_map(m: Models, model: type, language: str) -> dict[int, int]:
    """Canonical page id by id of every translated page of `model` that has one."""
    canonical = dict(
        m.Page.objects.filter(locale__language_code=language).values_list("translation_key", "pk")
    )
    result = {}
    for pk, key, code in model.objects.values_list(
        "pk", "translation_key", "locale__language_code"
    ):
        if code != language and key in canonical and canonical[key] != pk:
            result[pk] = canonical[key]
    return result


def _merge_lesson_rows(m: Models, lessons: dict[int, int], course_of: dict[int, int]) -> None:
    for row in m.LessonProgress.objects.filter(lesson_id__in=list(lessons)).order_by("pk"):
        target_lesson = lessons[row.lesson_id]
        kept = m.LessonProgress.objects.filter(
            learner_id=row.learner_id, lesson_id=target_lesson
        ).first()
        if kept is None:
            row.lesson_id = target_lesson
            row.course_id = course_of.get(target_lesson, row.course_id)
            row.save(update_fields=["lesson", "course"])
            continue
        if STATUS_RANK.get(row.status, 0) > STATUS_RANK.get(kept.status, 0):
            kept.status = row.status
        kept.opened_at = _earliest(kept.opened_at, row.opened_at)
        kept.read_at = _earliest(kept.read_at, row.read_at)
        kept.quiz_passed_at = _earliest(kept.quiz_passed_at, row.quiz_passed_at)
        scores = [s for s in (kept.best_score, row.best_score) if s is not None]
        kept.best_score = max(scores) if scores else None
        kept.save()
        row.delete()


def _recount(m: Models, enrollment) -> None:
    """Percent and average score of `enrollment` from the learner's canonical lesson rows."""
    course = m.CoursePage.objects.get(pk=enrollment.course_id)
    lessons = list(
        m.LessonPage.objects.filter(
            live=True, depth=course.depth + 1, path__startswith=course.path
        ).values_list("pk", flat=True)
    )
    rows = list(
        m.LessonProgress.objects.filter(learner_id=enrollment.learner_id, lesson_id__in=lessons)
    )
    done = sum(1 for row in rows if row.status == "completed")
    scores = [row.best_score for row in rows if row.best_score is not None]
    enrollment.progress_percent = min(100, done * 100 // len(lessons)) if lessons else 0
    enrollment.average_score = round(sum(scores) / len(scores)) if scores else None
    if lessons and done >= len(lessons) and enrollment.completed_at is None:
        enrollment.completed_at = _latest(*(row.updated_at for row in rows))


def _merge_enrollments(m: Models, courses: dict[int, int]) -> None:
    for row in m.Enrollment.objects.filter(course_id__in=list(courses)).order_by("pk"):
        target = courses[row.course_id]
        kept = m.Enrollment.objects.filter(
            learner_id=row.learner_id, course_id=target, campaign_id=row.campaign_id
        ).first()
        if kept is None:
            row.course_id = target
            _recount(m, row)
            row.save()
            continue
        kept.cohort_id = kept.cohort_id or row.cohort_id
        kept.enrolled_at = _earliest(kept.enrolled_at, row.enrolled_at)
        kept.last_activity_at = _latest(kept.last_activity_at, row.last_activity_at)
        kept.completed_at = _earliest(kept.completed_at, row.completed_at)
        _recount(m, kept)
        kept.save()
        if m.Certificate is not None:
            m.Certificate.objects.filter(enrollment_id=row.pk).update(enrollment_id=kept.pk)
        row.delete()


def _move_certificates(m: Models, courses: dict[int, int]) -> None:
    if m.Certificate is None:
        return
    for certificate in m.Certificate.objects.filter(course_id__in=list(courses)):
        target = courses[certificate.course_id]
        taken = m.Certificate.objects.filter(
            learner_id=certificate.learner_id,
            course_id=target,
            campaign_id=certificate.campaign_id,
            status="issued",
        ).exists()
        if certificate.status != "issued" or not taken:
            certificate.course_id = target
            certificate.save(update_fields=["course"])
        # else: a second live certificate for the same course stays on the translated page (it
        # was printed and handed out; it still verifies).


def rows_to_canonical_pages(m: Models, *, language: str) -> None:
    """Move every learner row on a translated course or lesson to the canonical page."""
    courses = _canonical_map(m, m.CoursePage, language)
    lessons = _canonical_map(m, m.LessonPage, language)
    if not courses and not lessons:
        return
    lesson_course = {}
    for pk, path, depth in m.LessonPage.objects.filter(pk__in=list(lessons.values())).values_list(
        "pk", "path", "depth"
    ):
        parent = m.CoursePage.objects.filter(path=path[:-STEPLEN], depth=depth - 1).first()
        if parent is not None:
            lesson_course[pk] = parent.pk
    for source, target in lessons.items():
        m.ProgressEvent.objects.filter(lesson_id=source).update(lesson_id=target)
    _merge_lesson_rows(m, lessons, lesson_course)
    for source, target in courses.items():
        m.LessonProgress.objects.filter(course_id=source).update(course_id=target)
    _merge_enrollments(m, courses)
    _move_certificates(m, courses)
