"""Tasks of the house shell."""

from celery import shared_task
from wagtail.models import Page


@shared_task(bind=True)
def ping(self, token: str) -> dict:
    """Answer with the token, worker name and page count it sees: proves the round trip."""
    return {"token": token, "worker": self.request.hostname, "pages": Page.objects.count()}
