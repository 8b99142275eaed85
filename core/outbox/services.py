"""Enqueue, send, drain and complete outbox messages.

1. `outbox_enqueue` writes a row in the caller's transaction and registers a send on commit.
2. The send publishes once on a fail-fast connection (one attempt, 0.5 s connect timeout): a dead
   broker costs the caller half a second at most, and the row simply stays pending.
3. `outbox_drain` (Celery beat, every 60 s) sends rows never sent, and rows sent long ago but not
   done (a message lost with a broker or a whole worker), at most MAX_SENDS times.
4. The worker's `task_postrun` signal marks the row done when the task succeeded (a retry is not
   success) or failed when it gave up; its `task_retry` signal stamps the row as just sent, so the
   drain leaves alone a message whose task waits for its own retry. Tasks behind the outbox must be
   idempotent: acks_late and a re-send can both deliver a message twice.
5. A caller may withdraw messages still waiting (`outbox_withdraw`, e.g. a deleted account's);
   a task sent before that asks `outbox_message_live` first and does nothing.
"""

import logging
from datetime import timedelta
from functools import partial
from typing import Any

from celery import Task, current_app, states
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from .models import TASK_ID_PREFIX, OutboxMessage

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 0.5  # seconds; the drain covers whatever this gives up on
RESEND_AFTER = timedelta(minutes=10)
MAX_SENDS = 10


def broker_connection():
    """A broker connection that fails fast: one attempt, a short connect timeout.

    kombu otherwise retries a refused connection for `broker_connection_timeout` seconds, which
    the person whose request queued the task would wait through while the broker is down.
    """
    return current_app.connection_for_write(
        connect_timeout=CONNECT_TIMEOUT,
        transport_options={"max_retries": 0, "socket_connect_timeout": CONNECT_TIMEOUT},
    )


def outbox_enqueue(
    *,
    task: Task | str,
    args: list[Any] | tuple[Any, ...] = (),
    kwargs: dict[str, Any] | None = None,
    key: str = "",
) -> OutboxMessage:
    """Run `task(*args, **kwargs)` after the current transaction commits, surviving broker outages.

    Idempotent per `key`: while a message with the same key waits unsent, another call returns
    that message instead of adding one. Arguments must be JSON-serialisable ids, never objects.
    """
    row = _message(task, args, kwargs, key)
    if not key:
        row.save()
    else:
        unsent = OutboxMessage.objects.filter(
            key=key, state=OutboxMessage.State.PENDING, enqueued_at__isnull=True
        )
        for _attempt in range(2):
            # INSERT … ON CONFLICT DO NOTHING: one statement, no savepoint, safe under concurrency.
            OutboxMessage.objects.bulk_create([row], ignore_conflicts=True)
            existing = unsent.order_by("pk").first()
            if existing is not None:  # ours, or the unsent one ours coalesced into
                row = existing
                break
            row.pk = None  # the other one was sent meanwhile: ours must go too
        else:
            raise RuntimeError(f"could not write an outbox message for {key}")
    transaction.on_commit(partial(outbox_send, row.pk))
    return row


def outbox_request(*, task: Task | str, args: list[Any] | tuple[Any, ...] = (), key: str) -> None:
    """`outbox_enqueue` for a hot path: one INSERT in the caller's transaction, nothing returned.

    Idempotent per `key` like `outbox_enqueue`, but the message to send is looked up after the
    commit instead of inside the caller's transaction (a learner's completion pays one statement).
    """
    # INSERT … ON CONFLICT DO NOTHING: coalesces into a message with this key still unsent.
    OutboxMessage.objects.bulk_create([_message(task, args, None, key)], ignore_conflicts=True)
    transaction.on_commit(partial(_send_unsent, key))


def _message(task: Task | str, args, kwargs, key: str) -> OutboxMessage:
    name = task if isinstance(task, str) else task.name
    return OutboxMessage(task=name, args=list(args), kwargs=kwargs or {}, key=key)


def _send_unsent(key: str) -> None:
    unsent = OutboxMessage.objects.filter(
        key=key, state=OutboxMessage.State.PENDING, enqueued_at__isnull=True
    )
    message_id = unsent.values_list("pk", flat=True).first()
    if message_id is not None:  # else a concurrent caller's commit sent it already
        outbox_send(message_id)


def outbox_withdraw(*, keys: list[str]) -> int:
    """Drop the pending messages with these keys (their task must no longer run); returns how
    many. A copy already with the broker finds its message gone (`outbox_message_live`)."""
    if not keys:
        return 0
    pending = OutboxMessage.objects.filter(key__in=keys, state=OutboxMessage.State.PENDING)
    return pending.delete()[0]


def outbox_message_live(task_id: str | None) -> bool:
    """Worker side: False when the message behind this task id was withdrawn or has finished
    (a duplicate delivery); True while it waits, and for a task not sent through the outbox."""
    message_id = message_id_of(task_id)
    if message_id is None:
        return True
    return OutboxMessage.objects.filter(pk=message_id, state=OutboxMessage.State.PENDING).exists()


def outbox_send(message_id: int) -> bool:
    """Publish message `message_id` once, without retrying; False when the broker is down."""
    row = OutboxMessage.objects.filter(pk=message_id, state=OutboxMessage.State.PENDING).first()
    if row is None:
        return True  # done meanwhile, or never committed
    try:
        # apply_async through the registered task (send_task would ignore task_always_eager).
        task = current_app.tasks[row.task]
        with broker_connection() as connection:
            task.apply_async(
                args=row.args,
                kwargs=row.kwargs,
                task_id=row.task_id,
                retry=False,
                connection=connection,
            )
    except Exception as exc:
        logger.warning("Broker unavailable, %s waits in the outbox: %s", row, exc)
        OutboxMessage.objects.filter(pk=row.pk).update(last_error=repr(exc)[:2000])
        return False
    # Not filtered on state: an eager or very fast worker may have marked it done already.
    OutboxMessage.objects.filter(pk=row.pk).update(enqueued_at=timezone.now(), sends=F("sends") + 1)
    return True


def outbox_drain(*, limit: int = 500, now=None) -> int:
    """Send every pending message never sent or sent long ago; returns how many were sent."""
    now = now or timezone.now()
    pending = OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING)
    pending.filter(sends__gte=MAX_SENDS, enqueued_at__lt=now - RESEND_AFTER).update(
        state=OutboxMessage.State.FAILED, last_error="sent too many times without finishing"
    )
    ids = list(
        pending.filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=now - RESEND_AFTER))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for message_id in ids:
        if not outbox_send(message_id):
            break  # still down; the next drain tries again
        sent += 1
    return sent


def message_id_of(task_id: str | None) -> int | None:
    """The outbox row behind a Celery task id, or None for tasks sent some other way."""
    if not task_id or not task_id.startswith(TASK_ID_PREFIX):
        return None
    number = task_id.removeprefix(TASK_ID_PREFIX)
    return int(number) if number.isdigit() else None


def on_task_postrun(sender=None, task_id=None, state=None, retval=None, **kwargs) -> None:
    """Worker side: a message is done once its task succeeded, failed once it gave up."""
    message_id = message_id_of(task_id)
    if message_id is None:
        return
    pending = OutboxMessage.objects.filter(pk=message_id, state=OutboxMessage.State.PENDING)
    if state == states.SUCCESS:
        pending.update(state=OutboxMessage.State.DONE, done_at=timezone.now(), last_error="")
    elif state == states.FAILURE and isinstance(retval, OperationalError):
        # The broker went away under the task (its retry could not be published, say): not a
        # give-up; the drain sends the message again RESEND_AFTER from now.
        pending.update(enqueued_at=timezone.now(), last_error=repr(retval)[:2000])
    elif state == states.FAILURE:
        pending.update(state=OutboxMessage.State.FAILED, last_error=repr(retval)[:2000])


def on_task_retry(sender=None, request=None, **kwargs) -> None:
    """Worker side: a task that will retry still has its message with the broker (the retry was
    published), so the drain waits RESEND_AFTER from now before it sends it again."""
    message_id = message_id_of(getattr(request, "id", None))
    if message_id is not None:
        OutboxMessage.objects.filter(pk=message_id, state=OutboxMessage.State.PENDING).update(
            enqueued_at=timezone.now()
        )
