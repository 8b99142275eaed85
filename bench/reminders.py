"""Reminder planning: time and peak resident memory of picking a day's reminders for a campaign.

The planner runs in a fresh process (`python -m bench.reminders <campaign id>`), the same function
the beat task runs (`campaigns.reminders.services.reminders_plan`), for a rule that reaches every
unfinished learner of the largest generated campaign (stalled 0 days), so every enrollment of the
campaign is read. Planning is one INSERT … SELECT (decision 0125): it writes the budget's queued
rows and a comparison group of as many held ones; the learners the rule reached are counted
afterwards, outside the measured time. The rule and its rows are deleted afterwards.
"""

import json
import sys
import time

from . import env, line_add, not_measured, result_new, verdict

BUDGET_S, BUDGET_MB = 60, 256
LEARNERS = 1_000_000
# The default daily SMS budget of a campaign, and the largest the rule form accepts.
BUDGETS = (500, 100_000)


def run(datasets: list[dict]) -> dict:
    """Plan a day for the largest dataset's campaign, with the default daily budget and with the
    largest the rule form allows; verdicts at its size."""
    result = result_new("reminders", "Planning a day's reminders for a campaign")
    data = max(datasets, key=lambda d: d["enrollments"])
    result["details"] = {}
    for budget in BUDGETS:
        label = f"daily budget {budget:,}"
        try:
            output = env.child("reminders", str(data["campaign_id"]), str(budget), timeout=3600)
            measured = json.loads(output.splitlines()[-1])
        except (RuntimeError, ValueError) as exc:
            for what in ("time", "peak RSS"):
                not_measured(
                    result,
                    f"reminder planning, {label}: {what}",
                    f"{LEARNERS:,} learners",
                    f"failed: {str(exc)[-300:]}",
                )
            continue
        learners = measured["campaign_learners"]
        scale = "" if learners >= LEARNERS else f"only {learners:,} learners (< {LEARNERS:,}); "
        line_add(
            result,
            f"planning for {learners:,} learners, {label}: time",
            f"≤ {BUDGET_S} s for {LEARNERS:,} learners",
            round(measured["seconds"], 1),
            "s",
            verdict(measured["seconds"], BUDGET_S),
            f"{scale}{measured['enrollments_read']:,} enrollments in the campaign, "
            f"{measured['reached']:,} learners reached by the rule: {measured['queued']:,} "
            f"queued within the budget, {measured['held']:,} held written (comparison group); "
            f"{data['label']} learners' campaign",
        )
        line_add(
            result,
            f"planning for {learners:,} learners, {label}: peak RSS",
            f"≤ {BUDGET_MB} MB",
            round(measured["peak_rss_mb"], 1),
            "MB",
            verdict(measured["peak_rss_mb"], BUDGET_MB),
            f"{scale}process RSS before planning {measured['rss_before_mb']:.0f} MB",
        )
        result["details"][str(budget)] = measured
    return result


def child(campaign_id: int, budget: int) -> dict:
    """Plan in this process with a daily budget of `budget` and measure it; leaves nothing
    behind."""
    env.setup()
    from django.utils import timezone

    from campaigns.reminders.models import ReminderBudget, ReminderRule
    from campaigns.reminders.services import reminders_plan, rule_targets
    from learners.models import Enrollment

    ReminderBudget.objects.update_or_create(campaign_id=campaign_id, defaults={"daily_sms": budget})
    rule = ReminderRule.objects.create(
        campaign_id=campaign_id, name="bench", kind=ReminderRule.Kind.STALLED, days=0, active=True
    )
    try:
        before = env.rss_peak_kib() / 1024
        started = time.perf_counter()
        now = timezone.now()
        planned = reminders_plan(rule=rule, now=now)
        seconds = time.perf_counter() - started
        peak = env.rss_peak_kib() / 1024
        # Counted after the measurement, for the report only.
        reached = rule_targets(rule, now=now).values("learner_id").distinct().count()
        enrollments = Enrollment.objects.filter(campaign_id=campaign_id)
        campaign_learners = enrollments.values("learner_id").distinct().count()
    finally:
        rule.delete()
        ReminderBudget.objects.filter(campaign_id=campaign_id).delete()
    return {
        "campaign_learners": campaign_learners,
        "enrollments_read": enrollments.count(),
        "reached": reached,
        "planned": planned.queued + planned.held,
        "queued": planned.queued,
        "held": planned.held,
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(peak, 1),
        "rss_before_mb": round(before, 1),
    }


if __name__ == "__main__":
    print(json.dumps(child(int(sys.argv[1]), int(sys.argv[2]))))
