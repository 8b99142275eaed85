"""What each learner did: enrollments, the append-only event log, per-lesson state, quiz attempts.

Progress is kept twice, as Kolibri does: a per-visit log (`ProgressEvent`, one row per client
event, primary key = the client's UUID so a replay is a no-op) and a per-learner summary
(`LessonProgress`, `Enrollment`). Only `learners.services.progress_record` writes them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Enrollment(models.Model):
    """One learner taking one course, on their own or inside a campaign (and maybe a cohort)."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.CASCADE,
        related_name="enrollments",
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    # Campaign rows are kept while learners are enrolled in them: deleting a campaign must not
    # silently merge its enrollments into the learner's self-enrollment (uniqueness below).
    campaign = models.ForeignKey(
        "core.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    cohort = models.ForeignKey(
        "core.Cohort",
        verbose_name=_("cohort"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enrollments",
    )
    progress_percent = models.PositiveSmallIntegerField(_("progress %"), default=0)
    average_score = models.PositiveSmallIntegerField(_("average quiz score %"), null=True)
    enrolled_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)
    last_activity_at = models.DateTimeField(_("last activity"), null=True)
    completed_at = models.DateTimeField(_("completed at"), null=True)

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            # Two conditional constraints rather than nulls_distinct=False: SQLite (the embedded
            # default) treats NULLs as distinct and ignores nulls_distinct.
            models.UniqueConstraint(
                fields=["learner", "course", "campaign"],
                condition=models.Q(campaign__isnull=False),
                name="learners_enrollment_once_per_campaign",
            ),
            models.UniqueConstraint(
                fields=["learner", "course"],
                condition=models.Q(campaign__isnull=True),
                name="learners_enrollment_once_self",
            ),
        ]
        indexes = [models.Index(fields=["course", "completed_at"], name="learners_enr_course_done")]

    def __str__(self) -> str:
        return f"{self.learner_id} → {self.course_id}"

    @property
    def is_completed(self) -> bool:
        """True once every lesson of the course is complete."""
        return self.completed_at is not None


class LessonProgress(models.Model):
    """The current state of one learner in one lesson (summary of their events)."""

    class Status(models.TextChoices):
        OPENED = "opened", _("started")
        READ = "read", _("read")
        COMPLETED = "completed", _("completed")

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(
        "courses.LessonPage", on_delete=models.CASCADE, related_name="learner_progress"
    )
    # Denormalised parent course: a course's percent is one indexed count, not a tree walk.
    course = models.ForeignKey("courses.CoursePage", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPENED
    )
    opened_at = models.DateTimeField(null=True)
    read_at = models.DateTimeField(null=True)
    quiz_passed_at = models.DateTimeField(null=True)
    best_score = models.PositiveSmallIntegerField(_("best quiz score %"), null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["learner", "lesson"], name="learners_lesson_once")
        ]
        indexes = [models.Index(fields=["learner", "course"], name="learners_lp_learner_course")]

    def __str__(self) -> str:
        return f"{self.learner_id} · {self.lesson_id}: {self.status}"


class ProgressEvent(models.Model):
    """One thing a learner did, exactly as the client reported it; append-only."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("opened")
        READ = "read", _("read")
        QUIZ = "quiz", _("quiz answered")

    # The client makes the UUID, so the same event replayed from an offline queue is a no-op.
    id = models.UUIDField(primary_key=True, editable=False)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="progress_events"
    )
    lesson = models.ForeignKey("courses.LessonPage", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("happened at"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    # Quiz events: {"answers": {<question block id>: [<choice index>, ...]}}.
    data = models.JSONField(default=dict, blank=True)
    # Quiz events only: the server's score (0–100) from the answer key published at that time.
    score = models.PositiveSmallIntegerField(null=True)
    passed = models.BooleanField(null=True)

    class Meta:
        verbose_name = _("progress event")
        verbose_name_plural = _("progress events")
        indexes = [
            models.Index(fields=["learner", "lesson", "kind"], name="learners_event_lesson_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.lesson_id} @ {self.occurred_at:%Y-%m-%d %H:%M}"


class QuizAttemptManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=ProgressEvent.Kind.QUIZ)


class QuizAttempt(ProgressEvent):
    """A quiz submission: the `quiz` progress event with its answers and server-computed score."""

    objects = QuizAttemptManager()

    class Meta:
        proxy = True
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")

    @property
    def answers(self) -> dict[str, list[int]]:
        """Chosen choice indexes by question block id."""
        return self.data.get("answers", {})


class LearnerChange(models.Model):
    """A learner whose campaign figures may have moved (progress, enrollment, certificate,
    village, account deletion); written in the transaction of the change.

    The campaigns room's rollup refresh reads these, recomputes just those learners' share of
    each dashboard figure and deletes the rows it applied
    (docs/decisions/0095-incremental-rollups.md).
    A plain id, not a foreign key: the row must outlive the learner it names.
    """

    learner_id = models.BigIntegerField()
    marked_at = models.DateTimeField()

    class Meta:
        verbose_name = _("changed learner")
        verbose_name_plural = _("changed learners")

    def __str__(self) -> str:
        return f"{self.learner_id} @ {self.marked_at:%Y-%m-%d %H:%M:%S}"
