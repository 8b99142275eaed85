"""Project package and Wagtail shell of the Digital Village Classroom."""

from .celery import app as celery_app

__all__ = ["celery_app"]
