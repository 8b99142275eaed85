"""Campaign dashboard latency (p50/p95 of the whole admin page) at a generated scale."""

from functools import partial

from . import INFO, Stopwatch, freshness, line_add, not_measured, percentile, result_new, verdict

BUDGET_MS = 500
BUDGET = "p95 ≤ 500 ms at 1 M enrollments / 20 M events"
REQUESTS = 30


def run(datasets: list[dict]) -> dict:
    """Rebuild each dataset's rollups, then time GETs of its dashboard as a program officer."""
    from django.test import Client
    from django.urls import reverse

    from bench.generate import officer

    result = result_new("dashboard", "Campaign dashboard latency")
    try:
        from campaigns.services.rollups import rollup_rebuild
    except ImportError as exc:
        not_measured(result, "dashboard p95", BUDGET, f"dashboard missing ({exc})")
        return result
    client = Client()
    client.force_login(officer())
    for data in datasets:
        label, campaign_id = data["label"], data["campaign_id"]
        with Stopwatch() as rebuild:
            rollup_rebuild(campaign_id=campaign_id)
        url = reverse("campaigns:dashboard", args=[campaign_id])
        what, size = f"dashboard p95 at {label} learners", None
        try:
            first = client.get(url)
            failure = None if first.status_code == 200 else f"HTTP {first.status_code}"
            size = len(first.content)
        except Exception as exc:
            failure = f"{type(exc).__name__}: {exc}"
        if failure is None:
            request = partial(client.get, url)
        else:
            # The page fails: time the figures it reads (every selector it calls) instead.
            what = f"dashboard selectors p95 at {label} learners (page failed: {failure})"
            request = _selectors(campaign_id)
            request()
        times = []
        for _ in range(REQUESTS):
            with Stopwatch() as sw:
                request()
            times.append(sw.seconds * 1000)
        p50, p95 = percentile(times, 50), percentile(times, 95)
        full_scale = data["enrollments"] >= 1_000_000
        note = (
            f"{data['learners']:,} learners, {data['enrollments']:,} enrollments, "
            f"{data['events']:,} events; p50 {p50:.0f} ms; rollup rebuild {rebuild.seconds:.1f} s"
        )
        if not full_scale:
            note += "; below the budget's scale (1 M), verdict is for this scale only"
        line_add(
            result,
            what,
            BUDGET,
            round(p95, 1),
            "ms",
            verdict(p95, BUDGET_MS),
            note,
        )
        line_add(
            result, f"rollup rebuild at {label}", "(none)", round(rebuild.seconds, 2), "s", INFO
        )
        # Issue 14: the incremental refresh after 1,000 changed learners, against a full rebuild.
        try:
            fresh = freshness.incremental(campaign_id)
            freshness.lines(result, label, fresh, full_scale)
        except Exception as exc:
            fresh = {"error": f"{type(exc).__name__}: {exc}"[:400]}
            not_measured(
                result,
                f"incremental refresh after 1,000 changed learners at {label}",
                freshness.INCREMENTAL_BUDGET,
                fresh["error"],
            )
        result["details"][label] = {
            "p50_ms": round(p50, 1),
            "p95_ms": round(p95, 1),
            "requests": REQUESTS,
            "rollup_rebuild_s": round(rebuild.seconds, 2),
            "response_bytes": size,
            "incremental": fresh,
            **data,
        }
    return result


def _selectors(campaign_id: int):
    """A callable that computes every figure the dashboard page shows, at the root region."""
    from bench.generate import officer
    from campaigns import dashboard
    from core.models import Campaign

    user, campaign = officer(), Campaign.objects.get(pk=campaign_id)

    def figures():
        scope = dashboard.campaign_scope(user=user, campaign=campaign)
        region = dashboard.region_in_scope(scope, "")
        dashboard.drill_path(scope, region)
        dashboard.kpis(scope)
        dashboard.region_breakdown(scope, region)
        dashboard.course_breakdown(scope)
        dashboard.cohort_breakdown(scope)
        dashboard.weekly_trend(scope)
        dashboard.lesson_funnel(scope)
        dashboard.missed_questions(scope)

    return figures
