"""Reminder planning: time and peak resident memory of picking a day's reminders for a campaign.

The planner runs in a fresh process (`python -m bench.reminders <campaign id>`), the same function
the beat task runs (`campaigns.reminders.services.reminders_plan`), for a rule that reaches every
unfinished learner of the largest generated campaign (stalled 0 days), so every enrollment is read
and one row per learner written (queued up to the budget, held after it). The rule and its rows
are deleted afterwards.
"""

import json
import sys
import time

from . import env, line_add, not_measured, result_new, verdict

BUDGET_S, BUDGET_MB = 60, 256
LEARNERS = 1_000_000


def run(datasets: list[dict]) -> dict:
    """Plan a day for the largest dataset's campaign; verdicts at its size."""
    result = result_new("reminders", "Planning a day's reminders for a campaign")
    data = max(datasets, key=lambda d: d["enrollments"])
    try:
        measured = json.loads(
            env.child("reminders", str(data["campaign_id"]), timeout=3600).splitlines()[-1]
        )
    except (RuntimeError, ValueError) as exc:
        for what in ("reminder planning time", "reminder planning peak RSS"):
            not_measured(result, what, f"{LEARNERS:,} learners", f"failed: {str(exc)[-300:]}")
        return result
    learners = measured["planned"]
    scale = "" if learners >= LEARNERS else f"only {learners:,} learners (< {LEARNERS:,}); "
    line_add(
        result,
        f"planning for {learners:,} learners: time",
        f"≤ {BUDGET_S} s for {LEARNERS:,} learners",
        round(measured["seconds"], 1),
        "s",
        verdict(measured["seconds"], BUDGET_S),
        f"{scale}{measured['queued']:,} queued within the budget, {measured['held']:,} held; "
        f"{data['label']} learners' campaign",
    )
    line_add(
        result,
        f"planning for {learners:,} learners: peak RSS",
        f"≤ {BUDGET_MB} MB",
        round(measured["peak_rss_mb"], 1),
        "MB",
        verdict(measured["peak_rss_mb"], BUDGET_MB),
        f"{scale}process RSS before planning {measured['rss_before_mb']:.0f} MB",
    )
    result["details"] = measured
    return result


def child(campaign_id: int) -> dict:
    """Plan in this process and measure it; leaves nothing behind."""
    env.setup()
    from django.utils import timezone

    from campaigns.reminders.models import ReminderRule
    from campaigns.reminders.services import reminders_plan

    rule = ReminderRule.objects.create(
        campaign_id=campaign_id, name="bench", kind=ReminderRule.Kind.STALLED, days=0, active=True
    )
    try:
        before = env.rss_peak_kib() / 1024
        started = time.perf_counter()
        planned = reminders_plan(rule=rule, now=timezone.now())
        seconds = time.perf_counter() - started
    finally:
        rule.delete()
    return {
        "planned": planned.queued + planned.held,
        "queued": planned.queued,
        "held": planned.held,
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(env.rss_peak_kib() / 1024, 1),
        "rss_before_mb": round(before, 1),
    }


if __name__ == "__main__":
    print(json.dumps(child(int(sys.argv[1]))))
