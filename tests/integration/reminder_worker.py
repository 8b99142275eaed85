"""Settings of the reminder integration test's workers: the test settings, with two changes.

A worker started with `DJANGO_SETTINGS_MODULE=tests.integration.reminder_worker` runs the
project's tasks unchanged, but its clock reads `REMINDER_CLOCK` (an ISO moment in allowed
hours) plus the real seconds elapsed since `REMINDER_CLOCK_ANCHOR` — the same in every worker
process the test starts, so a killed worker and its replacement agree on the day — and its SMS
gateway (`SlowFileBackend`) takes a moment per message, so a `kill -9` lands in the middle of a
batch. Its queue is the test's own (`REMINDER_QUEUE`).
"""

import os
import time
from datetime import datetime, timedelta

from django.utils import timezone

from cms.settings.test import *  # noqa: F403  (the test settings, unchanged)
from learners.accounts.sms import FileBackend

GATEWAY_SECONDS = 0.4


def clocked_now() -> datetime:
    base = datetime.fromisoformat(os.environ["REMINDER_CLOCK"])
    return base + timedelta(seconds=time.time() - float(os.environ["REMINDER_CLOCK_ANCHOR"]))


class SlowFileBackend(FileBackend):
    """The file backend behind a gateway that takes GATEWAY_SECONDS to answer."""

    def send(self, phone: str, message: str, key: str = "") -> None:
        time.sleep(GATEWAY_SECONDS)
        super().send(phone, message, key=key)


SMS_BACKEND = "tests.integration.reminder_worker.SlowFileBackend"
# A queue of the test's own: no other worker on a shared Redis takes its messages.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("REMINDER_QUEUE", "celery")
if os.environ.get("REMINDER_CLOCK"):
    timezone.now = clocked_now
