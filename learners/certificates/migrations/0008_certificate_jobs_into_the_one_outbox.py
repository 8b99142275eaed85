"""Certificates share the project's one outbox (issue 17, decision 0160): CertificateJob goes.

First every job not done becomes an outbox message of the task that now makes certificates,
keyed by its enrollment exactly as `certificate_request` keys new ones:
- a *pending* job (never sent, or sent and not finished) becomes a pending message never sent,
  so the one drain sends it within a minute. A copy of the old task still with the broker names
  a task the new workers no longer have and is dropped by them; the message replaces it.
- a *failed* job (it gave up after 10 runs) becomes a failed message with its error, so the
  record of the give-up stays; failed messages are never sent.
Jobs done are dropped: their certificate has its files and its own `rendered_at`.

Reversible: going back turns the pending certificate messages into pending jobs again (one per
enrollment, as the job table allowed) and removes those messages; failed and done messages stay
in the outbox as records.

The task name and key below are written out, not imported: a migration must keep meaning what
it meant when it was written (learners/certificates/services.py has the live ones).
"""

from django.db import migrations

TASK = "certificates.issue"
KEY_PREFIX = "certificate:"


def jobs_to_messages(apps, schema_editor):
    job_model = apps.get_model("certificates", "CertificateJob")
    message_model = apps.get_model("outbox", "OutboxMessage")
    jobs = (
        job_model.objects.exclude(state="done")
        .select_related("certificate")
        .order_by("created_at", "pk")
    )
    pending_keys = set()
    for job in jobs.iterator(chunk_size=500):
        # Re-render jobs (a re-issued copy) name the certificate; issue jobs the enrollment.
        enrollment_id = job.enrollment_id or job.certificate.enrollment_id
        key = f"{KEY_PREFIX}{enrollment_id}"
        if job.state == "pending":
            if key in pending_keys:
                continue  # one waiting message per enrollment, as certificate_request keeps it
            pending_keys.add(key)
        message = message_model(
            task=TASK,
            args=[enrollment_id],
            key=key,
            state="pending" if job.state == "pending" else "failed",
            last_error=job.last_error,
        )
        message.save()
        # created_at is auto_now_add: keep the job's own date (the drain sends oldest first).
        message_model.objects.filter(pk=message.pk).update(created_at=job.created_at)


def messages_to_jobs(apps, schema_editor):
    job_model = apps.get_model("certificates", "CertificateJob")
    message_model = apps.get_model("outbox", "OutboxMessage")
    waiting = message_model.objects.filter(task=TASK, state="pending").order_by("created_at")
    enrollment_ids = []
    for message in waiting:
        if message.args and message.args[0] not in enrollment_ids:
            enrollment_ids.append(message.args[0])
    job_model.objects.bulk_create(
        [job_model(enrollment_id=pk) for pk in enrollment_ids], ignore_conflicts=True
    )
    waiting.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0007_models_moved_to_core"),
        ("outbox", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(jobs_to_messages, messages_to_jobs),
        migrations.DeleteModel(name="CertificateJob"),
    ]
