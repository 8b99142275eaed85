"""Reminders against the real services: a worker killed with SIGKILL in the middle of a batch,
and a broker outage, delay reminders and never double them — each learner gets exactly one SMS.

PostgreSQL, Redis and real Celery worker processes (issue 19). The SMS gateway is the file
backend, which sends a keyed message at most once (decision 0126); the workers run the
project's tasks with the settings `tests.integration.reminder_worker` (their clock in allowed
hours, their gateway slow enough to be killed mid-batch).
"""

import os
import signal
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from campaigns.reminders import services
from campaigns.reminders.models import ReminderRule, ReminderSend
from core.outbox import services as outbox
from core.outbox.models import OutboxMessage
from learners.accounts.sms import file_messages
from learners.models import Enrollment
from tests.accounts.factories import LearnerProfileFactory
from tests.certificates import factories as certificate_factories
from tests.certificates.test_integration import UNREACHABLE_BROKER, use_broker, wait_for
from tests.conftest import _worker_env, redis_broker_options, start_worker, stop_worker
from tests.learners.factories import make_course

pytestmark = pytest.mark.integration

S = ReminderSend.Status
# The day the test lives in, 10:00 in Beijing: inside every window, outside quiet hours.
CLOCK = datetime(2026, 12, 9, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
LEARNERS = 24


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(child) for child in handle.read().split()]
    except FileNotFoundError:
        return []


def _now() -> datetime:
    """The workers' clock (reminder_worker.clocked_now), read in this process."""
    return CLOCK + timedelta(seconds=time.time() - float(os.environ["REMINDER_CLOCK_ANCHOR"]))


@pytest.fixture
def reminder_env(postgres, redis_url, transactional_db, tmp_path, settings, monkeypatch):
    """Our Celery producer on Redis, the file gateway, and the workers' environment."""
    from cms.celery import app

    sms_file = tmp_path / "sms.jsonl"
    queue = f"reminders-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("REMINDER_QUEUE", queue)
    default_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    monkeypatch.setenv("SMS_FILE_PATH", str(sms_file))
    monkeypatch.setenv("REMINDER_CLOCK", CLOCK.isoformat())
    monkeypatch.setenv("REMINDER_CLOCK_ANCHOR", str(time.time()))
    # This process plans and dispatches; the workers send through the slow file gateway. Both
    # deduplicate on the reminder's key.
    settings.SMS_BACKEND = "learners.accounts.sms.FileBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.result_backend = redis_url
    transport_options = app.conf.broker_transport_options
    # This pytest-xdist worker's key prefix, the same the worker processes take from the settings.
    app.conf.broker_transport_options = redis_broker_options()
    use_broker(redis_url)
    env = _worker_env(
        {
            "CELERY_BROKER_URL": redis_url,
            "CELERY_RESULT_BACKEND": redis_url,
            "REDIS_URL": redis_url,
            "DJANGO_SETTINGS_MODULE": "tests.integration.reminder_worker",
        }
    )
    yield env, sms_file
    app.conf.task_default_queue = default_queue
    app.conf.broker_transport_options = transport_options
    use_broker(redis_url)
    app.conf.task_always_eager = True


@pytest.fixture
def stalled_campaign():
    """A campaign whose LEARNERS learners all stalled ten days ago, and an active rule."""
    campaign = certificate_factories.campaign_in()
    course = make_course(lessons=1, questions=1, title="手机支付安全")
    phones = []
    for number in range(LEARNERS):
        profile = LearnerProfileFactory(display_name=f"学员{number}")
        Enrollment.objects.create(
            learner=profile.user,
            course=course,
            campaign=campaign,
            last_activity_at=CLOCK - timedelta(days=10),
        )
        phones.append(profile.phone)
    ReminderRule.objects.create(campaign=campaign, name="停了一周", days=7, active=True)
    return phones


def _sent_to(sms_file: Path) -> list[str]:
    return [message["phone"] for message in file_messages(sms_file)]


def _all_sent() -> bool:
    return ReminderSend.objects.filter(status=S.SENT).count() == LEARNERS


def test_a_worker_killed_mid_batch_delays_reminders_and_each_learner_gets_exactly_one(
    reminder_env, stalled_campaign, tmp_path
):
    env, sms_file = reminder_env
    worker = start_worker(env, tmp_path / "w1.log")
    try:
        assert services.reminders_dispatch(now=_now()) == LEARNERS
        # Some texts are out, most are not: kill the worker and its pool, no goodbye.
        wait_for(lambda: len(_sent_to(sms_file)) >= 4, "the first texts to go out")
        doomed = [worker.pid, *_children(worker.pid)]
        for pid in doomed:
            os.kill(pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            stop_worker(worker)
    before = len(_sent_to(sms_file))
    assert 4 <= before < LEARNERS, "the kill landed in the middle of the batch"
    statuses = set(ReminderSend.objects.values_list("status", flat=True))
    assert S.SENT in statuses and statuses & {S.QUEUED, S.SENDING}

    replacement = start_worker(env, tmp_path / "w2.log")
    try:
        # Ten minutes on: the dispatcher queues again what the dead worker left *sending*, the
        # outbox re-sends what it never finished (its messages sit unacknowledged in Redis).
        services.reminders_dispatch(now=_now() + timedelta(minutes=11))
        outbox.outbox_drain(now=timezone.now() + timedelta(minutes=11))  # the outbox's real clock
        wait_for(_all_sent, "every reminder to be sent")
    finally:
        stop_worker(replacement)
    sent = _sent_to(sms_file)
    assert sorted(sent) == sorted(stalled_campaign), "each learner exactly one SMS"
    keys = [message["key"] for message in file_messages(sms_file)]
    assert len(set(keys)) == LEARNERS


def test_a_broker_outage_delays_reminders_and_each_learner_gets_exactly_one(
    reminder_env, stalled_campaign, tmp_path
):
    env, sms_file = reminder_env
    worker = start_worker(env, tmp_path / "w1.log")
    try:
        use_broker(UNREACHABLE_BROKER)
        assert services.reminders_dispatch(now=_now()) == LEARNERS  # handed to the outbox
        assert OutboxMessage.objects.filter(enqueued_at__isnull=True).count() == LEARNERS
        assert _sent_to(sms_file) == []
        # The broker is back: the beat's drain publishes what waited, once.
        use_broker(env["CELERY_BROKER_URL"])
        assert outbox.outbox_drain() == LEARNERS
        assert outbox.outbox_drain() == 0
        services.reminders_dispatch(now=_now())  # hands over nothing more
        wait_for(_all_sent, "every reminder to be sent")
    finally:
        stop_worker(worker)
    assert sorted(_sent_to(sms_file)) == sorted(stalled_campaign)
