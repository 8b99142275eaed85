"""The course review workflow: a trainer submits, a program officer or administrator publishes."""

from wagtail.models import Page, Workflow, WorkflowPage

REVIEW_WORKFLOW = "Course review"


def course_review_workflow_assign(*, page: Page) -> Workflow:
    """Attach the course review workflow to a catalog page and so its whole tree (idempotent)."""
    workflow = Workflow.objects.get(name=REVIEW_WORKFLOW)
    WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})
    return workflow
