"""Certificates go through the project's one outbox and its one drain (issue 17, decision 0160).

No services needed: the broker outage is a broker URL nothing listens on, and "the broker is
back" is Celery's eager mode; tests/integration/test_durability.py does the same against
PostgreSQL, Redis and a real worker.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from core.outbox import services as outbox
from core.outbox.models import OutboxMessage
from learners.certificates import services, tasks
from learners.certificates.models import Certificate

from . import factories

DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


@pytest.fixture
def broker_down():
    """Celery really publishes (not eager) to a broker that refuses connections."""
    from cms.celery import app

    saved = (app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_write_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = app.conf.broker_write_url = DEAD_BROKER
    app._after_fork()  # forget pooled connections to the old URL
    yield app
    app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_write_url = saved
    app._after_fork()


@pytest.mark.django_db
def test_a_certificate_requested_while_the_broker_is_down_is_made_by_the_one_drain(
    client, broker_down, django_capture_on_commit_callbacks
):
    enrollment = factories.completed_enrollment(name="赵玥")

    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_request(enrollment_id=enrollment.pk)

    message = factories.certificate_messages(enrollment).get()
    assert (message.state, message.sends, message.enqueued_at) == ("pending", 0, None)
    assert outbox.outbox_drain() == 0  # still down: nothing sent, nothing lost
    client.force_login(enrollment.learner)
    assert "证书正在生成" in client.get("/me/").content.decode()

    broker_down.conf.task_always_eager = True  # the broker is back (eager stands in for it)
    assert outbox.outbox_drain() == 1

    certificate = Certificate.objects.get(enrollment=enrollment)
    assert certificate.is_valid and certificate.is_ready
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DONE
    page = client.get("/me/").content.decode()
    assert "证书正在生成" not in page and f"/c/{certificate.code}.pdf" in page


@pytest.mark.django_db
def test_a_reissued_certificate_is_drawn_through_the_one_outbox(
    broker_down, django_capture_on_commit_callbacks
):
    enrollment = factories.completed_enrollment(name="李昇")
    old = services.certificate_issue(enrollment_id=enrollment.pk)

    with django_capture_on_commit_callbacks(execute=True):
        new = services.certificate_reissue(
            certificate=old, by=factories.administrator(), learner_name="李昇明", reason="名字写错"
        )
    assert not Certificate.objects.get(pk=new.pk).is_ready  # the broker is down

    broker_down.conf.task_always_eager = True
    assert outbox.outbox_drain() == 1

    new.refresh_from_db()
    assert new.is_valid and new.is_ready and new.learner_name == "李昇明"
    assert Certificate.objects.filter(enrollment=enrollment).count() == 2  # old one revoked


@pytest.mark.django_db
def test_a_revoked_certificate_is_not_issued_again_by_a_later_request(
    django_capture_on_commit_callbacks,
):
    enrollment = factories.completed_enrollment()
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_request(enrollment_id=enrollment.pk)
    certificate = Certificate.objects.get(enrollment=enrollment)
    services.certificate_revoke(
        certificate=certificate, by=factories.administrator(), reason="培训记录有误"
    )

    # The course is completed again (a lesson was added and done): the hook asks again.
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_request(enrollment_id=enrollment.pk)

    assert list(Certificate.objects.filter(enrollment=enrollment)) == [certificate]
    assert not Certificate.objects.live().filter(enrollment=enrollment).exists()


@pytest.mark.django_db
def test_a_failing_certificate_runs_ten_times_then_its_message_is_marked_failed(monkeypatch):
    runs = []

    def broken_render(**kwargs):
        runs.append(kwargs)
        raise OSError("disk full")

    monkeypatch.setattr(services, "certificate_render", broken_render)
    enrollment = factories.completed_enrollment()
    services.certificate_request(enrollment_id=enrollment.pk)
    message = factories.certificate_messages(enrollment).get()

    # What a worker does with the message; eagerly, each retry runs at once instead of waiting.
    from cms.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)
    result = tasks.certificate_make_task.apply(args=[enrollment.pk], task_id=message.task_id)

    assert result.state == "FAILURE"
    assert len(runs) == tasks.MAX_RETRIES + 1 == 10  # as many runs as a CertificateJob had
    message = factories.certificate_messages(enrollment).get()
    assert message.state == OutboxMessage.State.FAILED
    assert "disk full" in message.last_error
    assert outbox.outbox_drain() == 0  # given up: not sent again


def test_retries_wait_longer_each_time_but_never_as_long_as_the_drains_resend_delay():
    waits = [tasks.retry_countdown(n) for n in range(tasks.MAX_RETRIES)]

    assert waits == sorted(waits) and waits[0] < waits[-1]
    # The drain leaves a message alone RESEND_AFTER from its last retry: no overlapping copy.
    assert max(waits) < outbox.RESEND_AFTER.total_seconds()


@pytest.mark.django_db
def test_a_retry_the_broker_could_not_take_leaves_the_message_for_the_drain():
    from celery import states
    from kombu.exceptions import OperationalError

    enrollment = factories.completed_enrollment()
    services.certificate_request(enrollment_id=enrollment.pk)
    message = factories.certificate_messages(enrollment).get()

    outbox.on_task_postrun(
        task_id=message.task_id, state=states.FAILURE, retval=OperationalError("refused")
    )

    message.refresh_from_db()
    assert message.state == OutboxMessage.State.PENDING
    later = timezone.now() + outbox.RESEND_AFTER + timedelta(seconds=1)
    assert outbox.outbox_drain(now=later) == 1  # eager: the broker is back
    assert Certificate.objects.get(enrollment=enrollment).is_ready


def test_the_beat_schedule_has_exactly_one_drain():
    from cms.celery import app

    app.loader.import_default_modules()  # every room's tasks module, as a worker loads them
    drains = [e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values() if "drain" in e["task"]]
    assert drains == ["outbox.drain"]
    assert sorted(name for name in app.tasks if "drain" in name) == ["outbox.drain"]
    assert services.CERTIFICATE_TASK in app.tasks


# --- the migration that retired CertificateJob ------------------------------------------------

BEFORE = [("certificates", "0007_models_moved_to_core")]
AFTER = [("certificates", "0008_certificate_jobs_into_the_one_outbox")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def before_the_one_outbox(transactional_db):
    """The database as it was with CertificateJob; brought back to the latest state after."""
    yield _migrate(BEFORE)
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_the_migration_turns_waiting_certificate_jobs_into_outbox_messages(
    before_the_one_outbox,
):
    job_model = before_the_one_outbox.get_model("certificates", "CertificateJob")
    waiting = factories.completed_enrollment(name="赵玥")
    failed = factories.completed_enrollment(name="王堃")
    done = factories.completed_enrollment(name="李昇")
    sent_long_ago = timezone.now() - timedelta(hours=2)
    job_model.objects.create(enrollment_id=waiting.pk, enqueued_at=sent_long_ago, attempts=3)
    job_model.objects.create(enrollment_id=failed.pk, state="failed", last_error="OSError()")
    job_model.objects.create(enrollment_id=done.pk, state="done")

    _migrate(AFTER)

    message = factories.certificate_messages(waiting).get()
    assert (message.state, message.enqueued_at, message.args) == ("pending", None, [waiting.pk])
    gave_up = factories.certificate_messages(failed).get()
    assert (gave_up.state, gave_up.last_error) == ("failed", "OSError()")
    assert not factories.certificate_messages(done).exists()
    # The one drain now makes the waiting learner's certificate (eager: the broker is up).
    assert outbox.outbox_drain() == 1
    assert Certificate.objects.get(enrollment=waiting).is_ready
    assert not Certificate.objects.filter(enrollment__in=[failed, done]).exists()


def test_the_migration_back_turns_waiting_messages_into_certificate_jobs(before_the_one_outbox):
    job_model = before_the_one_outbox.get_model("certificates", "CertificateJob")
    waiting = factories.completed_enrollment()
    job_model.objects.create(enrollment_id=waiting.pk)
    _migrate(AFTER)

    old_apps = _migrate(BEFORE)

    job = old_apps.get_model("certificates", "CertificateJob").objects.get()
    assert (job.enrollment_id, job.state, job.enqueued_at) == (waiting.pk, "pending", None)
    assert not factories.certificate_messages(waiting).exists()
