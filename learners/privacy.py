"""The learners room's part of "download my data" and "delete my account"."""

from django.contrib.auth.models import AbstractBaseUser

from .models import Enrollment, LessonProgress, ProgressEvent


def _time(value) -> str | None:
    return value.isoformat() if value else None


def learning_export(user: AbstractBaseUser) -> dict:
    """Every enrollment, lesson state, event and quiz answer stored for `user`."""
    return {
        "enrollments": [
            {
                "course": e.course_id,
                "campaign": e.campaign_id,
                "cohort": e.cohort_id,
                "progress_percent": e.progress_percent,
                "average_score": e.average_score,
                "enrolled_at": _time(e.enrolled_at),
                "last_activity_at": _time(e.last_activity_at),
                "completed_at": _time(e.completed_at),
            }
            for e in Enrollment.objects.filter(learner=user).order_by("enrolled_at")
        ],
        "lessons": [
            {
                "lesson": p.lesson_id,
                "status": p.status,
                "best_score": p.best_score,
                "opened_at": _time(p.opened_at),
                "read_at": _time(p.read_at),
                "quiz_passed_at": _time(p.quiz_passed_at),
            }
            for p in LessonProgress.objects.filter(learner=user).order_by("lesson_id")
        ],
        "events": [
            {
                "id": str(e.id),
                "lesson": e.lesson_id,
                "kind": e.kind,
                "at": _time(e.occurred_at),
                "answers": e.data.get("answers"),
                "score": e.score,
            }
            for e in ProgressEvent.objects.filter(learner=user).order_by("occurred_at")
        ],
    }


def learning_erase(user: AbstractBaseUser) -> None:
    """Delete the learner's event log (times and answers); keep the anonymous summary rows.

    Enrollments and lesson states stay attached to the anonymised user row so that campaign
    figures (started, completed, average score) do not change when someone leaves.
    """
    ProgressEvent.objects.filter(learner=user).delete()
