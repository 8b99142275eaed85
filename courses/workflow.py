"""The course review workflow: a trainer submits, a program officer or administrator publishes."""

from django.apps import apps
from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.models import GroupApprovalTask, Page, Workflow, WorkflowPage, WorkflowTask

from cms.roles import ADMINISTRATORS, PROGRAM_OFFICERS, ROLES, create_roles

REVIEW_WORKFLOW = "Course review"
REVIEW_TASK = "Reviewer approval (program officers or administrators)"


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
