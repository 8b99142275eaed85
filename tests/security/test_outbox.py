"""The generic outbox: tasks that must run are written with the change and survive a dead broker.

These run without services (eager Celery, a broker URL nothing listens on); the same promises
against PostgreSQL, Redis and a real worker are in tests/integration/test_durability.py.
"""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from campaigns.models import RollupState
from campaigns.tasks import rollup_rebuild_task
from core.outbox import services
from core.outbox.models import OutboxMessage
from tests.campaigns.conftest import tree  # noqa: F401  (fixture)
from tests.campaigns.factories import CampaignFactory, ProgramOfficeFactory

pytestmark = pytest.mark.django_db

DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


@pytest.fixture
def campaign(tree):  # noqa: F811
    return CampaignFactory(office=ProgramOfficeFactory(region=tree.a), region=tree.a)


@pytest.fixture
def broker_down(settings):
    """Celery really publishes (not eager) to a broker that refuses connections."""
    from cms.celery import app

    saved = (app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_write_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = app.conf.broker_write_url = DEAD_BROKER
    app._after_fork()
    yield app
    app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_write_url = saved
    app._after_fork()


def enqueue_rebuild(campaign, key=""):
    return services.outbox_enqueue(task=rollup_rebuild_task, args=[campaign.pk], key=key)


def test_task_runs_after_commit_and_its_message_is_marked_done(
    campaign, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = enqueue_rebuild(campaign)
        assert not RollupState.objects.filter(campaign=campaign).exists()  # not before commit
    assert RollupState.objects.filter(campaign=campaign).exists()
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DONE
    assert message.sends == 1 and message.done_at is not None


def test_a_rolled_back_change_sends_nothing(campaign, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue_rebuild(campaign)
        transaction.set_rollback(True)
    assert not OutboxMessage.objects.exists()
    assert not RollupState.objects.filter(campaign=campaign).exists()


def test_dead_broker_keeps_the_message_and_the_drain_sends_it_later(
    campaign, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = enqueue_rebuild(campaign)
    message.refresh_from_db()
    assert (message.state, message.sends, message.enqueued_at) == ("pending", 0, None)
    assert "refused" in message.last_error.lower() or "connect" in message.last_error.lower()
    assert services.outbox_drain() == 0  # still down: nothing sent, nothing lost

    broker_down.conf.task_always_eager = True  # the broker is back (eager stands in for it)
    assert services.outbox_drain() == 1
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.DONE
    assert RollupState.objects.filter(campaign=campaign).exists()


def test_calls_with_one_key_coalesce_while_the_first_waits_unsent(campaign, broker_down):
    first = enqueue_rebuild(campaign, key=f"rollup:{campaign.pk}")
    second = enqueue_rebuild(campaign, key=f"rollup:{campaign.pk}")
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1


def test_a_sent_message_frees_its_key_for_the_next_change(
    campaign, django_capture_on_commit_callbacks
):
    key = f"rollup:{campaign.pk}"
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_rebuild(campaign, key=key)
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_rebuild(campaign, key=key)
    assert list(OutboxMessage.objects.values_list("state", flat=True)) == ["done", "done"]


def test_a_message_sent_long_ago_and_never_done_is_sent_again(campaign, broker_down):
    # The broker took it, then lost it (or the whole worker died with it).
    message = enqueue_rebuild(campaign)
    sent_at = timezone.now() - services.RESEND_AFTER - datetime.timedelta(seconds=1)
    OutboxMessage.objects.filter(pk=message.pk).update(enqueued_at=sent_at, sends=1)
    broker_down.conf.task_always_eager = True
    assert services.outbox_drain() == 1
    message.refresh_from_db()
    assert (message.state, message.sends) == ("done", 2)


def test_a_recently_sent_message_is_not_sent_twice(campaign, broker_down):
    message = enqueue_rebuild(campaign)
    OutboxMessage.objects.filter(pk=message.pk).update(enqueued_at=timezone.now(), sends=1)
    broker_down.conf.task_always_eager = True
    assert services.outbox_drain() == 0
    assert not RollupState.objects.filter(campaign=campaign).exists()


def test_a_message_sent_too_often_without_finishing_is_marked_failed(campaign, broker_down):
    message = enqueue_rebuild(campaign)
    long_ago = timezone.now() - services.RESEND_AFTER * 2
    OutboxMessage.objects.filter(pk=message.pk).update(
        enqueued_at=long_ago, sends=services.MAX_SENDS
    )
    assert services.outbox_drain() == 0
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.FAILED


def test_an_unknown_task_name_waits_instead_of_failing_the_caller(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.outbox_enqueue(task="campaigns.no_such_task", args=[1])
    message.refresh_from_db()
    assert message.state == OutboxMessage.State.PENDING
    assert "no_such_task" in message.last_error


def test_a_message_whose_task_waits_for_its_retry_is_not_sent_again(campaign, broker_down):
    from types import SimpleNamespace

    from celery.signals import task_retry

    message = enqueue_rebuild(campaign)
    long_ago = timezone.now() - services.RESEND_AFTER * 2
    OutboxMessage.objects.filter(pk=message.pk).update(enqueued_at=long_ago, sends=1)

    # What a worker signals when the task published its own retry (the message is with the broker).
    task_retry.send(sender=None, request=SimpleNamespace(id=message.task_id), reason=None)

    broker_down.conf.task_always_eager = True
    assert services.outbox_drain() == 0
    assert not RollupState.objects.filter(campaign=campaign).exists()
