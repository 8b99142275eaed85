"""The Celery application, configured from Django settings (CELERY_* names)."""

import logging.config
import os
from pathlib import Path

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")

app = Celery("cms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def use_django_logging(**kwargs) -> None:
    """Workers and beat log like the web processes: Django's LOGGING (UTC, request or task id)."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


def ensure_broker_folders() -> None:
    """Create the folders of the embedded filesystem broker; other brokers need nothing."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
    backend = app.conf.result_backend or ""
    if backend.startswith("file://"):
        Path(backend.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
