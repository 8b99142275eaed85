"""Load run (issue 8, point 7): 200 simulated learners for 5 minutes, `python -m bench load`.

The stack is production's shape on this one machine: gunicorn (sync workers) on PostgreSQL, the
Redis cache (sessions, rate limits), a real Celery worker with beat on a Redis broker rendering
the certificates of finished courses, and a second worker that runs only the dashboard's
incremental refresh from its own queue (decision 0132), as docs/deployment.md lays out. The
learners are locust users in a separate process (`bench.loadclient`); each signs in with phone +
SMS code (the real allauth flow; the server's SMS backend also writes to a spool file the client
reads, see `bench.sms`), takes the demo courses lesson by lesson, posts progress in batches,
replays some batches, and finishes the courses.

Passes when there are no 5xx responses and no lost events: for every learner, the server's
ProgressEvent rows equal the events the server told the client it accepted (and every batch the
client sent was confirmed). Needs PostgreSQL (DATABASE_URL), REDIS_URL and CELERY_BROKER_URL;
otherwise the result says "not measured" and why.
"""

import json
import os
import signal
import subprocess
import sys
import time

from . import INFO, MET, MISSED, env, freshness, line_add, not_measured, percentile, result_new

USERS, SECONDS, RAMP_SECONDS = 200, 300, 60
# Sync workers wait on PostgreSQL and Redis for part of each request, so 2 per core keep the CPU
# busy; gunicorn's own guide suggests 2–4 × cores.
WORKERS = int(os.environ.get("BENCH_LOAD_WORKERS", "4"))
PORT = 8183
PREFIX = "benchload-"
PHONE_BASE = 13_700_000_000
READ_SECONDS = (4.0, 12.0)
REPLAY_SHARE = 0.1
GRACE_SECONDS = 150
BUDGET = "0 (issue 8: zero 5xx, zero lost events)"


def purge(prefix: str = PREFIX) -> None:
    """Remove the learners of earlier load runs and everything they made (ORM cascades)."""
    from django.contrib.auth.models import User

    from learners.certificates.models import Certificate

    users = User.objects.filter(username__startswith=prefix)
    Certificate.objects.filter(learner__in=users).delete()
    users.delete()


def learners_create(
    count: int, *, prefix: str = PREFIX, phone_base: int = PHONE_BASE, start: int = 0
) -> list[dict]:
    """Learners `start`…`count - 1` with a verified phone and current consent (so sign-in lands
    in /me/)."""
    from django.contrib.auth.models import User

    from learners.accounts import services

    made = []
    for index in range(start, count):
        user = User.objects.create(username=f"{prefix}{index}")
        user.set_unusable_password()
        user.save(update_fields=["password"])
        phone = f"+86{phone_base + index}"
        services.profile_set_phone(user=user, phone=phone, verified=True)
        services.consent_record(user=user, language="zh-hans")
        # Each simulated phone comes from its own address (documentation range 10.x).
        # (the last byte in 1–250: allauth refuses an address that does not parse, like x.y.z.256)
        address = f"10.{index // 62500 % 100}.{index // 250 % 250}.{index % 250 + 1}"
        made.append({"username": user.username, "phone": phone, "address": address})
    return made


def plan_courses() -> list[dict]:
    """The demo courses: start URL, lessons with URL and the right answers of their quiz."""
    from django.urls import reverse

    from .generate import _answers, courses

    planned = []
    for course, lessons, keys in courses():
        planned.append(
            {
                "id": course.pk,
                "start_url": reverse("learners_course_start", args=[course.pk]),
                "lessons": [
                    {
                        "id": lesson.pk,
                        "url": lesson.get_url(),
                        "answers": _answers(key, True) if key else {},
                    }
                    for lesson, key in zip(lessons, keys, strict=True)
                ],
            }
        )
    return planned


class Worker:
    """The Celery workers, in the benchmark environment: one with embedded beat for the default
    queue (certificates, outboxes), one (concurrency 1) for the rollups queue alone."""

    def __enter__(self):
        from django.conf import settings

        log = env.path_of("celery-load.log").open("w")
        common = [sys.executable, "-m", "celery", "-A", "cms", "worker", "--loglevel", "WARNING"]
        commands = [
            [
                *common,
                "--beat",
                "--schedule",
                str(env.path_of("celerybeat-schedule")),
                "--concurrency",
                "1",
                "--hostname",
                "bench-default@%h",
            ],
            [
                *common,
                "--queues",
                settings.ROLLUPS_QUEUE,
                "--concurrency",
                "1",
                "--hostname",
                "bench-rollups@%h",
            ],
        ]
        self.processes = [
            subprocess.Popen(
                command,
                cwd=env.REPO,
                env={**os.environ, **env.environment()},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            for command in commands
        ]
        return self

    def __exit__(self, *exc):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        return False


def plan_urls() -> dict[str, str]:
    """The sign-in, My learning and progress API paths the simulated learners use."""
    from django.urls import reverse

    return {
        "login_code_url": reverse("account_request_login_code"),
        "login_confirm_url": reverse("account_confirm_login_code"),
        "me_url": reverse("learners_my_learning"),
        "progress_url": reverse("learners_api_progress"),
    }


def server_environment(spool) -> dict[str, str]:
    """What the servers of a load run need: the SMS spool (emptied here) and the proxy setting."""
    spool.write_text("")
    return {
        # As behind one trusted reverse proxy: each phone's own address counts for rate limits.
        "TRUSTED_PROXY_COUNT": "1",
        "SMS_BACKEND": "bench.sms.SpoolBackend",
        "BENCH_SMS_SPOOL": str(spool),
    }


def services_missing() -> str:
    from django.db import connection

    missing = []
    if connection.vendor != "postgresql":
        missing.append("PostgreSQL (DATABASE_URL)")
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        if not os.environ.get(name, "").startswith("redis"):
            missing.append(name)
    return ", ".join(missing)


def server_counts(prefix: str = PREFIX) -> dict[str, int]:
    """ProgressEvent rows per load learner (by phone) as the database holds them."""
    from django.db.models import Count

    from learners.accounts.models import LearnerProfile
    from learners.models import ProgressEvent

    phones = dict(
        LearnerProfile.objects.filter(user__username__startswith=prefix).values_list(
            "user_id", "phone"
        )
    )
    rows = (
        ProgressEvent.objects.filter(learner_id__in=list(phones))
        .values("learner_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {phones[r["learner_id"]]: r["n"] for r in rows}


def certificates_state(wait_s: float = 120) -> dict:
    """Certificates of the load learners: issued, and rendered within `wait_s` after the run."""
    from learners.certificates.models import Certificate
    from learners.models import Enrollment

    finished = Enrollment.objects.filter(
        learner__username__startswith=PREFIX, completed_at__isnull=False
    ).count()
    ours = Certificate.objects.filter(learner__username__startswith=PREFIX, status="issued")
    deadline = time.monotonic() + wait_s
    while True:
        issued, rendered = ours.count(), ours.exclude(pdf="").count()
        if (issued >= finished and rendered >= issued) or time.monotonic() > deadline:
            break
        time.sleep(3)
    return {"completed_enrollments": finished, "issued": issued, "rendered": rendered}


def run(seconds: float = SECONDS, users: int = USERS) -> dict:
    """Run the load and check it; the result has the 5xx and lost-event lines."""
    from . import site

    result = result_new("load", f"Load run: {users} learners for {seconds / 60:.0f} minutes")
    missing = services_missing()
    if missing:
        for what in ("5xx responses", "lost progress events"):
            not_measured(result, what, BUDGET, f"needs {missing}")
        return result
    purge()
    plan = {
        "base": f"http://127.0.0.1:{PORT}",
        "seconds": seconds,
        "ramp_seconds": min(RAMP_SECONDS, seconds / 2),
        "grace_seconds": GRACE_SECONDS,
        "read_seconds": READ_SECONDS,
        "replay_share": REPLAY_SHARE,
        "sms_spool": str(env.path_of("sms-spool.txt")),
        "learners": learners_create(users),
        "courses": plan_courses(),
    }
    plan.update(plan_urls())
    plan_path = env.path_of("load-plan.json")
    plan_path.write_text(json.dumps(plan))
    os.environ.update(server_environment(env.path_of("sms-spool.txt")))
    # Issue 14: the load learners are also in a campaign, and every campaign is built before
    # the run, so the worker's beat only applies changes (decision 0095) while the load goes.
    learner_ids = _load_learner_ids()
    freshness.load_campaign(learner_ids)
    _build_unbuilt()
    # Apply the marks the set-up made (enrolling the load learners, minutes before the run):
    # the lag measured is that of the events sent under load, not of the preparation.
    from campaigns.services.rollups import rollups_apply_changes

    rollups_apply_changes()
    started = time.time()
    with (
        Worker(),
        site.Server(port=PORT, workers=WORKERS),
        freshness.LagSampler(learner_ids) as lag,
    ):
        client = subprocess.run(
            [sys.executable, "-m", "bench.loadclient", str(plan_path)],
            cwd=env.REPO,
            capture_output=True,
            text=True,
            timeout=seconds + GRACE_SECONDS + 300,
            check=False,
        )
        if client.returncode != 0:
            raise RuntimeError(f"load client failed:\n{client.stderr[-3000:]}")
        outcome = json.loads(client.stdout.strip().splitlines()[-1])
        certificates = certificates_state()
        lag.finish()
    wall = time.time() - started
    server = server_counts()
    _report(result, outcome, server, certificates, users)
    _lag_report(result, lag)
    outcome["latencies_ms"] = {
        name: _spread(values) for name, values in outcome["latencies_ms"].items()
    }
    result["details"] = {
        "client": outcome,
        "server_events": sum(server.values()),
        "certificates": certificates,
        "workers": WORKERS,
        "dashboard_lag": lag.summary(),
        "wall_seconds": round(wall, 1),
        "read_seconds": READ_SECONDS,
        "sign_in": "phone + SMS code through allauth (SMS spool backend), X-Forwarded-For per "
        "learner with TRUSTED_PROXY_COUNT=1",
    }
    return result


def _load_learner_ids() -> list[int]:
    from django.contrib.auth.models import User

    return list(User.objects.filter(username__startswith=PREFIX).values_list("pk", flat=True))


def _build_unbuilt() -> None:
    from campaigns.services.rollups import campaigns_needing_rollup, rollup_rebuild

    for campaign_id in campaigns_needing_rollup():
        print(f"load: building the rollups of campaign {campaign_id} first…", flush=True)
        rollup_rebuild(campaign_id=campaign_id)


def _lag_report(result: dict, lag) -> None:
    """Issue 14: p95 of the lag from a progress event to the dashboard, under this load."""
    summary = lag.summary()
    what = "lag from a progress event to the dashboard: p95 under load"
    if lag.error or not summary["n"]:
        not_measured(result, what, freshness.LAG_BUDGET, lag.error or "no mark was seen applied")
        return
    line_add(
        result,
        what,
        freshness.LAG_BUDGET,
        summary["p95_s"],
        "s",
        MET if summary["p95_s"] <= freshness.LAG_BUDGET_S and not summary["unapplied"] else MISSED,
        f"{summary['n']:,} marks of the load learners seen applied by the beat refresh (every "
        f"30 s, on its own queue and worker); p50 {summary['p50_s']} s, max {summary['max_s']} s; "
        f"still unapplied at the end {summary['unapplied']}; polled every second",
    )


def _spread(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50": round(percentile(values, 50), 1) if values else None,
        "p95": round(percentile(values, 95), 1) if values else None,
        "max": round(max(values), 1) if values else None,
    }


def _report(result: dict, outcome: dict, server: dict, certificates: dict, users: int) -> None:
    statuses: dict[str, int] = {}
    for by_status in outcome["statuses"].values():
        for status, n in by_status.items():
            statuses[status] = statuses.get(status, 0) + n
    fives = sum(n for status, n in statuses.items() if status.startswith("5"))
    other = {s: n for s, n in statuses.items() if not s[:1].isdigit()}
    line_add(
        result,
        "5xx responses",
        BUDGET,
        fives,
        "responses",
        MET if fives == 0 else MISSED,
        f"{outcome['requests']:,} requests in {outcome['seconds']:.0f} s "
        f"({outcome['requests_per_s']} req/s); statuses {dict(sorted(statuses.items()))}"
        + (f"; connection errors {other}" if other else ""),
    )
    accepted = outcome["accepted"]
    phones = set(accepted) | set(server)
    lost = sum(max(0, accepted.get(p, 0) - server.get(p, 0)) for p in phones)
    extra = sum(max(0, server.get(p, 0) - accepted.get(p, 0)) for p in phones)
    sent = sum(outcome["sent"].values())
    unconfirmed = outcome["unconfirmed"]
    line_add(
        result,
        "lost progress events",
        BUDGET,
        lost + extra + unconfirmed,
        "events",
        MET if lost == extra == unconfirmed == 0 and sum(server.values()) == sent else MISSED,
        f"server rows {sum(server.values()):,}; accepted per the client {sum(accepted.values()):,}"
        f"; sent {sent:,}; batches never confirmed {unconfirmed}; retried {outcome['retries']}; "
        f"{outcome['replays']} replayed batches added {outcome['replay_added']} rows; "
        f"{len(phones)} learners compared one by one (missing {lost}, unexpected {extra})",
    )
    line_add(
        result,
        "sign-ins by phone + SMS code",
        f"all {users}",
        outcome["signed_in"],
        "learners",
        MET if outcome["signed_in"] == users else MISSED,
        f"failures {outcome['sign_in_failed'] or 'none'}",
    )
    for name in ("lesson page", "progress POST", "sign-in: enter the code"):
        values = outcome["latencies_ms"].get(name) or []
        if values:
            line_add(
                result,
                f"{name}: p95 under load",
                "(no figure in docs/design.md)",
                round(percentile(values, 95), 1),
                "ms",
                INFO,
                f"p50 {percentile(values, 50):.0f} ms over {len(values):,} answered requests",
            )
    line_add(
        result,
        "courses finished",
        "(each learner finishes a course)",
        outcome["courses_finished"],
        "courses",
        INFO,
        f"{outcome['learners_finished']} learners finished every course; certificates issued "
        f"{certificates['issued']} for {certificates['completed_enrollments']} completed "
        f"enrollments, PDFs rendered by the worker {certificates['rendered']}",
    )


def main() -> int:
    """`python -m bench.load [seconds] [users]` without the rest of the benchmarks."""
    from . import result_write

    env.setup()
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else SECONDS
    users = int(sys.argv[2]) if len(sys.argv) > 2 else USERS
    result_write(run(seconds, users))
    return 0


if __name__ == "__main__":
    sys.exit(main())
