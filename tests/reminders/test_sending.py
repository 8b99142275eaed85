"""Reminders are respectful by construction: the sender enforces quiet hours, caps, the budget,
the off switch and erasure, and sends each reminder at most once (clock passed as `now`)."""

import datetime

import pytest

from campaigns.reminders import services
from campaigns.reminders.models import ReminderBudget, ReminderRule, ReminderSend
from core.outbox.models import OutboxMessage
from learners.accounts import sms
from learners.accounts.links import reminders_turn_off
from learners.accounts.services import account_erase

from .conftest import CLOCK, at, enrol, tick

pytestmark = pytest.mark.django_db

S = ReminderSend.Status


def run_outbox_at(moment):
    """Run every handed-over reminder as the worker would, with the clock at `moment`."""
    CLOCK.set(moment)
    for send in ReminderSend.objects.filter(status=S.QUEUED, enqueued_at__isnull=False):
        services.reminder_send(send_id=send.pk, now=moment)


def test_a_stalled_learner_gets_one_sms_with_name_course_and_a_link(
    world, rule, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://dvc.example.cn"
    enrollment = enrol(world, stalled_since=at(1, 10), name="王芳")
    tick(at(9, 10), django_capture_on_commit_callbacks)
    assert len(sms.outbox) == 1
    message = sms.outbox[0]
    assert message.phone == enrollment.learner.learner_profile.phone
    assert "王芳" in message.message and "《手机支付安全》" in message.message
    assert "https://dvc.example.cn/r/" in message.message
    send = ReminderSend.objects.get()
    assert send.status == S.SENT and send.gateway_result == "ok"
    assert send.phone_masked.startswith("138****")


def test_learners_active_recently_or_finished_are_not_reminded(
    world, rule, django_capture_on_commit_callbacks
):
    enrol(world, stalled_since=at(5, 10))  # 4 days ago: not stalled 7 days yet
    finished = enrol(world, stalled_since=at(1, 10))
    finished.completed_at = at(1, 10)
    finished.save()
    tick(at(9, 10), django_capture_on_commit_callbacks)
    assert sms.outbox == []


def test_not_started_rule_reaches_only_those_who_never_opened_a_lesson(
    world, django_capture_on_commit_callbacks
):
    ReminderRule.objects.create(
        campaign=world.campaign,
        name="还没开始",
        kind=ReminderRule.Kind.NOT_STARTED,
        days=3,
        active=True,
    )
    never = enrol(world, stalled_since=None, enrolled_at=at(1, 9))
    enrol(world, stalled_since=at(1, 10), enrolled_at=at(1, 9))  # started
    enrol(world, stalled_since=None, enrolled_at=at(8, 9))  # enrolled yesterday
    tick(at(9, 11), django_capture_on_commit_callbacks)
    assert [m.phone for m in sms.outbox] == [never.learner.learner_profile.phone]


@pytest.mark.parametrize("hour,minute", [(21, 0), (23, 30), (3, 0), (7, 59)])
def test_nothing_is_sent_in_quiet_hours_even_if_the_rule_allows_it(
    world, rule, django_capture_on_commit_callbacks, hour, minute
):
    enrol(world, stalled_since=at(1, 10))
    day = 9 if hour >= 8 else 10
    assert tick(at(day, hour, minute), django_capture_on_commit_callbacks) == 0
    assert sms.outbox == []
    assert not ReminderSend.objects.exists()  # not even planned at night


def test_a_reminder_queued_before_quiet_hours_waits_for_the_next_allowed_time(
    world, rule, django_capture_on_commit_callbacks
):
    enrol(world, stalled_since=at(1, 10))
    with django_capture_on_commit_callbacks(execute=False):
        services.reminders_dispatch(now=at(9, 20, 59))  # handed over, the worker is slow
    send = ReminderSend.objects.get()
    assert services.reminder_send(send_id=send.pk, now=at(9, 21, 1)) == S.QUEUED
    assert sms.outbox == []
    send.refresh_from_db()
    assert send.enqueued_at is None  # back with the dispatcher
    tick(at(9, 22), django_capture_on_commit_callbacks)
    assert sms.outbox == []
    tick(at(9, 23, 59), django_capture_on_commit_callbacks)
    assert sms.outbox == []
    # The next morning is another day: yesterday's reminder is closed, a new one planned.
    tick(at(10, 8), django_capture_on_commit_callbacks)
    assert len(sms.outbox) == 1
    send.refresh_from_db()
    assert (send.status, send.reason) == (S.SKIPPED, "late")
    assert ReminderSend.objects.get(day=datetime.date(2026, 12, 10)).status == S.SENT


def test_one_reminder_per_learner_per_three_days_whatever_the_rule(
    world, rule, django_capture_on_commit_callbacks
):
    enrol(world, stalled_since=at(1, 10))
    other = ReminderRule.objects.create(
        campaign=world.campaign,
        name="另一条",
        kind="stalled",
        days=5,
        active=True,
        window_start=datetime.time(8),
        window_end=datetime.time(20),
    )
    tick(at(9, 10), django_capture_on_commit_callbacks)
    assert len(sms.outbox) == 1
    held = ReminderSend.objects.get(rule=other)
    assert (held.status, held.reason) == (S.HELD, "recent")
    for day in (10, 11):  # 1 and 2 days later: nothing
        tick(at(day, 10), django_capture_on_commit_callbacks)
    assert len(sms.outbox) == 1
    tick(at(12, 10), django_capture_on_commit_callbacks)  # 3 days later
    assert len(sms.outbox) == 2


def test_at_most_three_reminders_per_course(world, rule, django_capture_on_commit_callbacks):
    enrollment = enrol(world, stalled_since=at(1, 10))
    for day in (8, 11, 14, 17, 20):
        tick(at(day, 10), django_capture_on_commit_callbacks)
    assert len(sms.outbox) == 3
    last = ReminderSend.objects.filter(enrollment=enrollment).order_by("day").last()
    assert (last.status, last.reason) == (S.HELD, "course_cap")


def test_the_daily_budget_of_the_campaign_holds_back_the_rest(
    world, rule, django_capture_on_commit_callbacks
):
    ReminderBudget.objects.create(campaign=world.campaign, daily_sms=2)
    for _ in range(3):
        enrol(world, stalled_since=at(1, 10))
    tick(at(9, 10), django_capture_on_commit_callbacks)
    assert len(sms.outbox) == 2
    held = ReminderSend.objects.get(status=S.HELD)
    assert held.reason == "budget"
    tick(at(9, 15), django_capture_on_commit_callbacks)  # later the same day: still 2
    assert len(sms.outbox) == 2


def test_over_the_budget_only_a_days_worth_of_learners_is_kept_as_the_comparison_group(world, rule):
    ReminderBudget.objects.create(campaign=world.campaign, daily_sms=2)
    learners = sorted(enrol(world, stalled_since=at(1, 10)).learner_id for _ in range(7))
    assert services.reminders_plan(rule=rule, now=at(9, 10)) == services.PlanResult(2, 2)
    rows = ReminderSend.objects.order_by("learner_id").values_list("learner_id", "status")
    # In learner order: the budget's 2 queued, the next 2 held (budget); the other 3 not logged.
    assert list(rows) == [
        (learners[0], S.QUEUED),
        (learners[1], S.QUEUED),
        (learners[2], S.HELD),
        (learners[3], S.HELD),
    ]


def test_the_budget_is_checked_again_at_send_time(world, rule, django_capture_on_commit_callbacks):
    budget = ReminderBudget.objects.create(campaign=world.campaign, daily_sms=3)
    for _ in range(3):
        enrol(world, stalled_since=at(1, 10))
    with django_capture_on_commit_callbacks(execute=False):
        services.reminders_dispatch(now=at(9, 10))
    budget.daily_sms = 1  # the office lowers it while the reminders wait
    budget.save()
    run_outbox_at(at(9, 10, 1))
    assert len(sms.outbox) == 1
    assert ReminderSend.objects.filter(status=S.HELD, reason="budget").count() == 2


def test_the_off_switch_is_honoured_at_send_time(world, rule, django_capture_on_commit_callbacks):
    enrollment = enrol(world, stalled_since=at(1, 10))
    with django_capture_on_commit_callbacks(execute=False):
        services.reminders_dispatch(now=at(9, 10))
    reminders_turn_off(user=enrollment.learner)  # after planning, before the worker runs
    run_outbox_at(at(9, 10, 1))
    assert sms.outbox == []
    assert ReminderSend.objects.get().reason == "off"
    tick(at(20, 10), django_capture_on_commit_callbacks)  # and never planned again
    assert sms.outbox == []
    assert ReminderSend.objects.count() == 1


def test_an_erased_account_gets_nothing(world, rule, django_capture_on_commit_callbacks):
    enrollment = enrol(world, stalled_since=at(1, 10))
    with django_capture_on_commit_callbacks(execute=False):
        services.reminders_dispatch(now=at(9, 10))
    account_erase(user=enrollment.learner)
    run_outbox_at(at(9, 10, 1))
    assert sms.outbox == []
    assert ReminderSend.objects.get().reason == "erased"
    tick(at(20, 10), django_capture_on_commit_callbacks)
    assert sms.outbox == []


def test_an_inactive_rule_sends_nothing(world, rule, django_capture_on_commit_callbacks):
    enrol(world, stalled_since=at(1, 10))
    rule.active = False
    rule.save()
    tick(at(9, 10), django_capture_on_commit_callbacks)
    assert sms.outbox == [] and not ReminderSend.objects.exists()


def test_a_cohort_rule_reaches_only_its_cohort(world, rule, django_capture_on_commit_callbacks):
    rule.cohort = world.cohort
    rule.save()
    inside = enrol(world, stalled_since=at(1, 10))
    enrol(world, stalled_since=at(1, 10), cohort=False)
    tick(at(9, 10), django_capture_on_commit_callbacks)
    assert [m.phone for m in sms.outbox] == [inside.learner.learner_profile.phone]


# --- exactly once ---------------------------------------------------------------------------------


def test_delivering_the_task_twice_sends_one_sms(world, rule, django_capture_on_commit_callbacks):
    enrol(world, stalled_since=at(1, 10))
    tick(at(9, 10), django_capture_on_commit_callbacks)
    send = ReminderSend.objects.get()
    assert services.reminder_send(send_id=send.pk, now=at(9, 10, 1)) == S.SENT
    assert len(sms.outbox) == 1


def test_planning_twice_the_same_day_adds_nothing(world, rule):
    enrol(world, stalled_since=at(1, 10))
    assert services.reminders_plan(rule=rule, now=at(9, 10)).queued == 1
    assert services.reminders_plan(rule=rule, now=at(9, 11)) == services.PlanResult(0, 0)
    assert ReminderSend.objects.count() == 1


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: nothing after it runs, no except clause catches it."""


def test_a_worker_killed_before_the_gateway_call_delays_the_reminder(
    world, rule, django_capture_on_commit_callbacks, monkeypatch
):
    enrol(world, stalled_since=at(1, 10))
    with django_capture_on_commit_callbacks(execute=False):
        services.reminders_dispatch(now=at(9, 10))
    send = ReminderSend.objects.get()

    def killed(**kwargs):
        raise WorkerKilled

    monkeypatch.setattr(services, "sign_in_link_create", killed)
    with pytest.raises(WorkerKilled):
        services.reminder_send(send_id=send.pk, now=at(9, 10, 1))
    monkeypatch.undo()
    send.refresh_from_db()
    assert send.status == S.QUEUED  # the transaction rolled back
    services.reminder_send(send_id=send.pk, now=at(9, 10, 5))  # redelivered (acks_late)
    assert len(sms.outbox) == 1


def test_a_worker_killed_during_the_gateway_call_never_sends_twice(
    world, rule, django_capture_on_commit_callbacks, monkeypatch
):
    enrol(world, stalled_since=at(1, 10))
    with django_capture_on_commit_callbacks(execute=False):
        services.reminders_dispatch(now=at(9, 10))
    send = ReminderSend.objects.get()

    def gateway_then_killed(phone, message, key=""):
        sms.outbox.append(sms.Sms(phone=phone, message=message))  # it may have gone out
        raise WorkerKilled

    monkeypatch.setattr(services, "send_sms", gateway_then_killed)
    with pytest.raises(WorkerKilled):
        services.reminder_send(send_id=send.pk, now=at(9, 10, 1))
    monkeypatch.undo()
    assert services.reminder_send(send_id=send.pk, now=at(9, 10, 2)) == S.SENDING  # redelivered
    tick(at(9, 10, 30), django_capture_on_commit_callbacks)  # the outbox drain re-sends it
    assert len(sms.outbox) == 1
    send.refresh_from_db()
    assert send.status == S.UNCERTAIN  # counted against the caps, shown to the office


@pytest.mark.parametrize("delivered", [True, False], ids=["gateway-got-it", "gateway-did-not"])
def test_through_a_deduplicating_gateway_a_killed_send_is_completed_exactly_once(
    world, rule, django_capture_on_commit_callbacks, monkeypatch, settings, tmp_path, delivered
):
    settings.SMS_BACKEND = "learners.accounts.sms.FileBackend"
    monkeypatch.setenv("SMS_FILE_PATH", str(tmp_path / "sms.jsonl"))
    enrollment = enrol(world, stalled_since=at(1, 10))
    with django_capture_on_commit_callbacks(execute=False):
        services.reminders_dispatch(now=at(9, 10))
    send = ReminderSend.objects.get()
    real_send = sms.send_sms

    def gateway_then_killed(phone, message, key=""):
        if delivered:
            real_send(phone, message, key=key)
        raise WorkerKilled

    monkeypatch.setattr(services, "send_sms", gateway_then_killed)
    with pytest.raises(WorkerKilled):
        services.reminder_send(send_id=send.pk, now=at(9, 10, 1))
    monkeypatch.setattr(services, "send_sms", real_send)
    tick(at(9, 10, 5), django_capture_on_commit_callbacks)  # too soon: still *sending*
    assert ReminderSend.objects.get().status == S.SENDING
    tick(at(9, 10, 12), django_capture_on_commit_callbacks)  # stale: queued again and re-sent
    sent = sms.file_messages(tmp_path / "sms.jsonl")
    assert [m["phone"] for m in sent] == [enrollment.learner.learner_profile.phone]
    assert sent[0]["key"] == f"reminder:{send.pk}"
    assert ReminderSend.objects.get().status == S.SENT


def test_a_gateway_refusal_is_logged_and_not_retried(
    world, rule, django_capture_on_commit_callbacks, monkeypatch
):
    enrol(world, stalled_since=at(1, 10))

    def refused(phone, message, key=""):
        raise sms.SmsError("402 balance exhausted")

    monkeypatch.setattr(services, "send_sms", refused)
    tick(at(9, 10), django_capture_on_commit_callbacks)
    send = ReminderSend.objects.get()
    assert (send.status, send.gateway_result) == (S.FAILED, "402 balance exhausted")


DEAD_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker_down():
    """Celery really publishes (not eager) to a broker that refuses connections."""
    from cms.celery import app

    saved = (app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_write_url)
    app.conf.task_always_eager = False
    app.conf.broker_url = app.conf.broker_write_url = DEAD_BROKER
    app._after_fork()
    yield app
    app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_write_url = saved
    app._after_fork()


def test_a_broker_outage_delays_the_reminder_and_never_doubles_it(
    world, rule, django_capture_on_commit_callbacks, broker_down
):
    from core.outbox.services import outbox_drain

    enrol(world, stalled_since=at(1, 10))
    tick(at(9, 10), django_capture_on_commit_callbacks)
    assert sms.outbox == []
    message = OutboxMessage.objects.get()
    assert (message.state, message.enqueued_at) == ("pending", None)
    tick(at(9, 10, 1), django_capture_on_commit_callbacks)  # the dispatcher adds nothing more
    assert OutboxMessage.objects.count() == 1

    broker_down.conf.task_always_eager = True  # the broker is back (eager stands in for it)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_drain() == 1
    assert len(sms.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        outbox_drain(now=at(9, 12))
    assert len(sms.outbox) == 1
