"""The course review workflow: a trainer submits, a program officer or administrator publishes.

One review for a course (docs/decisions/0085-one-review-for-a-course.md): a trainer sends a course
with every lesson that has unpublished changes in one action; the course alone enters Wagtail's
workflow, the lessons' revisions are recorded with it, and approving the course publishes exactly
those revisions. Rejecting it publishes nothing. A lesson can still go through review on its own.
"""

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail.models import (
    GroupApprovalTask,
    Page,
    Revision,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)

from core.roles import ADMINISTRATORS, PROGRAM_OFFICERS, ROLES, create_roles

from .checks import lesson_problems
from .models import CoursePage, CourseReviewLesson, LessonPage

REVIEW_WORKFLOW = "课程审核"
REVIEW_TASK = "审核人批准（项目官员或系统管理员）"


@transaction.atomic
def course_review_workflow_ensure() -> Workflow:
    """The review workflow and its approval task (made by a migration; re-made if lost)."""
    if Group.objects.filter(name__in=ROLES).count() < len(ROLES):
        create_roles(apps, None)  # a flushed test database has lost the migrations' rows
    task = GroupApprovalTask.objects.filter(name=REVIEW_TASK).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=REVIEW_TASK)
    if not task.groups.exists():
        task.groups.set(Group.objects.filter(name__in=(PROGRAM_OFFICERS, ADMINISTRATORS)))
    workflow, _ = Workflow.objects.get_or_create(name=REVIEW_WORKFLOW, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    return workflow


def course_review_workflow_assign(*, page: Page) -> Workflow:
    """Attach the course review workflow to a catalog page and so its whole tree (idempotent)."""
    workflow = course_review_workflow_ensure()
    WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})
    return workflow


# --- one review for a course --------------------------------------------------------------------

CANNOT_SUBMIT = _("You cannot submit this course for review.")
ALREADY_IN_REVIEW = _("This course is already awaiting review.")
NO_WORKFLOW = _("This course has no review workflow.")
LESSON_WHERE = _("Lesson %(number)s “%(title)s”")


def course_review_lessons(course: CoursePage) -> list[tuple[LessonPage, Revision]]:
    """The course's lessons with unpublished changes, each with the revision that would be sent."""
    lessons = LessonPage.objects.child_of(course).filter(has_unpublished_changes=True)
    pairs = []
    for lesson in lessons.select_related("latest_revision").order_by("path"):
        if lesson.latest_revision_id:
            pairs.append((lesson, lesson.latest_revision))
    return pairs


def course_review_problems(course: CoursePage) -> list[str]:
    """Every authoring-check failure of the lessons to be sent, named by lesson and block."""
    numbers = {
        pk: n
        for n, pk in enumerate(
            LessonPage.objects.child_of(course).order_by("path").values_list("pk", flat=True), 1
        )
    }
    problems: list[str] = []
    for lesson, revision in course_review_lessons(course):
        draft = revision.as_object()
        where = LESSON_WHERE % {"number": numbers[lesson.pk], "title": draft.title}
        problems += lesson_problems(draft, where=str(where))
    return problems


@transaction.atomic
def course_review_submit(*, course: CoursePage, user) -> WorkflowState:
    """Send `course` and its changed lessons to review in one workflow; refuse failing content."""
    course = CoursePage.objects.select_for_update().get(pk=course.pk)
    permissions = course.permissions_for_user(user)
    if not permissions.can_edit():
        raise PermissionDenied(CANNOT_SUBMIT)
    workflow = course.get_workflow()
    if workflow is None:
        raise ValidationError(NO_WORKFLOW, code="no_workflow")
    state = course.current_workflow_state
    if state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS:
        raise ValidationError(ALREADY_IN_REVIEW, code="already_in_review")
    if course.locked:
        raise PermissionDenied(CANNOT_SUBMIT)
    problems = course_review_problems(course)
    if problems:
        raise ValidationError(problems, code="lesson_checks")
    if state is not None:  # sent back for changes: this submission replaces that one
        state.cancel(user=user)
    if course.latest_revision_id is None:
        course.save_revision(user=user)
    pairs = course_review_lessons(course)
    state = workflow.start(course, user)
    CourseReviewLesson.objects.bulk_create(
        CourseReviewLesson(workflow_state=state, lesson=lesson, revision=revision)
        for lesson, revision in pairs
    )
    return state


def course_review_lessons_of(state: WorkflowState) -> list[CourseReviewLesson]:
    """The lesson revisions recorded with a course's workflow, in course order."""
    return list(state.course_lessons.select_related("lesson", "revision").order_by("lesson__path"))


@transaction.atomic
def course_review_publish_lessons(*, state: WorkflowState, user) -> int:
    """Publish the lesson revisions sent with an approved course; return how many."""
    rows = course_review_lessons_of(state)
    for row in rows:
        # Approving the course is the permission (Wagtail publishes the course the same way).
        row.revision.publish(user=user, skip_permission_checks=True)
    return len(rows)


def _on_workflow_approved(sender, instance: WorkflowState, user=None, **kwargs) -> None:
    """Wagtail's workflow_approved signal: publish the lessons sent with a course."""
    if instance.course_lessons.exists():
        course_review_publish_lessons(state=instance, user=user)
