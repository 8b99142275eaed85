"""A transactional outbox for Celery tasks that must run (docs/decisions/0036-generic-outbox.md).

Any room enqueues through `core.outbox.services.outbox_enqueue`; the row is written in the
caller's transaction, sent after commit, and re-sent by `outbox.drain` until the task succeeds.
"""
