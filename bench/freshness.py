"""Dashboard freshness (issue 14, decision 0095): the incremental refresh after 1,000 changed
learners, and the lag from a progress event to the dashboard under the load run.

- `incremental(campaign_id)`: 1,000 of the campaign's learners each send an offline batch dated
  two days back through `progress_record` (the real write path, which marks them); then one
  `rollups_apply_changes()` is timed. A full rebuild follows, timed too, and every dashboard
  figure of both is compared.
- `LagSampler`: while the load run goes, polls the marks (`learners.LearnerChange`) of the load
  learners every second; a mark is deleted only once the refresh has applied it to every
  campaign's rollups, which the dashboard reads directly. Lag = when it was seen gone − when the
  event's batch wrote it. A mark made and applied between two polls is never seen, so short lags
  are under-counted: the percentiles lean high, not low.
"""

import datetime
import threading
import time
import uuid

from . import percentile

CHANGED = 1000
INCREMENTAL_BUDGET_S = 5.0
INCREMENTAL_BUDGET = "≤ 5 s after 1,000 changed learners (at 1 M learners / 20 M events)"
LAG_BUDGET_S = 90.0
LAG_BUDGET = "p95 ≤ 90 s from event to dashboard under the load run"


def _snapshot(campaign_id: int) -> dict:
    from bench.generate import officer
    from campaigns import dashboard
    from core.models import Campaign

    scope = dashboard.campaign_scope(user=officer(), campaign=Campaign.objects.get(pk=campaign_id))
    figures = dashboard.kpis(scope)
    figures.pop("as_of")
    regions = {}
    pending = [scope.root]
    while pending:
        parent = pending.pop()
        rows = dashboard.region_breakdown(scope, parent)
        regions[parent.code] = [(r.label, r.enrolled, r.active_7d, r.completed) for r in rows]
        pending += [r.region for r in rows if r.region and r.region.pk != parent.pk and r.enrolled]
        if len(regions) > 200:  # the drill levels a person would open, not every village
            break
    return {
        "kpis": figures,
        "regions": regions,
        "courses": [(f.label, f.enrolled, f.completed) for f in dashboard.course_breakdown(scope)],
        "weeks": dashboard.weekly_trend(scope),
        "lessons": dashboard.lesson_funnel(scope),
        "questions": dashboard.missed_questions(scope, limit=50),
    }


def incremental(campaign_id: int, changed: int = CHANGED) -> dict:
    """Time the refresh after `changed` learners of the campaign send a back-dated batch."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from campaigns.services.rollups import rollup_rebuild, rollups_apply_changes
    from core.models import Campaign
    from courses.models import LessonPage
    from learners.models import Enrollment, LearnerChange
    from learners.services import progress_record

    from . import Stopwatch

    campaign = Campaign.objects.get(pk=campaign_id)
    lessons = {}
    for course in campaign.courses.specific():
        lessons[course.pk] = list(
            LessonPage.objects.child_of(course).live().values_list("pk", flat=True)
        )
    everyone = list(
        Enrollment.objects.filter(campaign=campaign)
        .values_list("learner_id", flat=True)
        .order_by("learner_id")
        .distinct()
    )
    chosen = everyone[:: max(1, len(everyone) // changed)][:changed]
    course_of = {}
    for learner_id, course_id in Enrollment.objects.filter(
        campaign=campaign, learner_id__in=chosen
    ).values_list("learner_id", "course_id"):
        course_of.setdefault(learner_id, course_id)
    picked = sorted(course_of.items())
    LearnerChange.objects.all().delete()  # start from an applied state
    users = get_user_model().objects.in_bulk([learner_id for learner_id, _ in picked])
    at = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=2)).isoformat()
    with Stopwatch() as writes:
        for index, (learner_id, course_id) in enumerate(picked):
            lesson_ids = lessons.get(course_id)
            if not lesson_ids:
                continue
            event = {
                "id": str(uuid.uuid4()),
                "lesson": lesson_ids[index % len(lesson_ids)],
                "kind": "opened",
                "at": at,
                "data": {},
            }
            progress_record(learner=users[learner_id], events=[event])
    marked = LearnerChange.objects.values("learner_id").distinct().count()
    cpu = time.process_time()
    # One moment for both: "active in 7 days" slides, and at 1 M learners a full rebuild takes
    # long enough for some learners' window to run out between the two (decision 0130).
    as_of = timezone.now()
    with Stopwatch() as refresh:
        applied = rollups_apply_changes(now=as_of)
    cpu = time.process_time() - cpu
    after_incremental = _snapshot(campaign_id)
    with Stopwatch() as rebuild:
        rollup_rebuild(campaign_id=campaign_id, as_of=as_of)
    equal = _snapshot(campaign_id) == after_incremental
    return {
        "changed_learners": len(picked),
        "marked_learners": marked,
        "applied_learners": applied.learners,
        "writes_s": round(writes.seconds, 2),
        "refresh_s": round(refresh.seconds, 2),
        "refresh_cpu_s": round(cpu, 2),
        "full_rebuild_s": round(rebuild.seconds, 2),
        "equal_to_full_rebuild": equal,
    }


def lines(result: dict, label: str, figures: dict, full_scale: bool) -> None:
    from . import INFO, MISSED, line_add, verdict

    note = (
        f"{figures['changed_learners']:,} learners each sent a batch dated 2 days back through "
        f"progress_record ({figures['writes_s']} s), {figures['marked_learners']:,} marked, "
        f"{figures['applied_learners']:,} applied; the refresh process's own CPU time "
        f"{figures.get('refresh_cpu_s', '?')} s (the rest is waiting for the shared CPUs and for "
        "PostgreSQL); every dashboard figure equal to a full "
        f"rebuild right after: {'yes' if figures['equal_to_full_rebuild'] else 'NO'}"
    )
    if not full_scale:
        note += "; below the budget's scale (1 M), verdict is for this scale only"
    line_add(
        result,
        f"incremental refresh after {figures['changed_learners']:,} changed learners at {label}",
        INCREMENTAL_BUDGET,
        figures["refresh_s"],
        "s",
        verdict(figures["refresh_s"], INCREMENTAL_BUDGET_S)
        if figures["equal_to_full_rebuild"]
        else MISSED,
        note,
    )
    line_add(
        result,
        f"full rollup rebuild after the changes at {label}",
        "(none)",
        figures["full_rebuild_s"],
        "s",
        INFO,
        "one SQL pass over the raw tables on PostgreSQL (decision 0130), stored shares included; "
        "only for a new campaign or on demand",
    )


def load_campaign(learner_ids: list[int]):
    """A campaign holding the load run's learners in the demo courses, built, so their progress
    moves its dashboard (they still start each course on their own, as the client does)."""
    from bench.generate import officer
    from campaigns.services.rollups import rollup_rebuild
    from core.models import Campaign, ProgramOffice
    from learners.services import enrollments_create_many

    from .generate import courses

    office = ProgramOffice.objects.filter(members=officer()).first()
    if office is None:
        return None
    today = datetime.datetime.now(datetime.UTC).date()
    campaign, _ = Campaign.objects.get_or_create(
        title="压测活动",
        office=office,
        defaults={
            "region": office.region,
            "starts_on": today,
            "ends_on": today + datetime.timedelta(days=60),
            "target_learners": len(learner_ids),
            "join_code": f"YC{uuid.uuid4().hex[:6].upper()}",
        },
    )
    course_pages = [course for course, _lessons, _keys in courses()]
    campaign.courses.set(course_pages)
    enrollments_create_many(
        campaign=campaign, courses=course_pages, cohort_of=dict.fromkeys(learner_ids)
    )
    rollup_rebuild(campaign_id=campaign.pk)
    return campaign


class LagSampler:
    """Polls the load learners' marks each second in a thread; `lags` are seconds."""

    def __init__(self, learner_ids: list[int], every_s: float = 1.0):
        self.learner_ids = learner_ids
        self.every_s = every_s
        self.lags: list[float] = []
        self.pending: dict[int, datetime.datetime] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.error = None

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=30)
        return False

    def finish(self, wait_s: float = 150) -> None:
        """After the load: keep polling until every seen mark is applied (or `wait_s`)."""
        deadline = time.monotonic() + wait_s
        while self.pending and time.monotonic() < deadline:
            time.sleep(self.every_s)

    def _run(self) -> None:
        from django.db import connection

        from learners.models import LearnerChange

        try:
            while not self._stop.is_set():
                now = datetime.datetime.now(datetime.UTC)
                current = dict(
                    LearnerChange.objects.filter(learner_id__in=self.learner_ids).values_list(
                        "pk", "marked_at"
                    )
                )
                for pk in [pk for pk in self.pending if pk not in current]:
                    self.lags.append((now - self.pending.pop(pk)).total_seconds())
                self.pending.update(current)
                self._stop.wait(self.every_s)
        except Exception as exc:  # reported as "not measured"
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()

    def summary(self) -> dict:
        if not self.lags:
            return {"n": 0, "unapplied": len(self.pending)}
        return {
            "n": len(self.lags),
            "p50_s": round(percentile(self.lags, 50), 1),
            "p95_s": round(percentile(self.lags, 95), 1),
            "max_s": round(max(self.lags), 1),
            "unapplied": len(self.pending),
        }
