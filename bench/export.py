"""Learner-list export: time and peak resident memory of building a CSV of a campaign.

The build runs in a fresh process (`python -m bench.export <campaign id>`), the same function the
Celery worker runs (`campaigns.services.exports.export_build`), so its peak RSS is the export's.
"""

import json
import sys
import time

from . import env, line_add, not_measured, result_new, verdict

BUDGET_S, BUDGET_MB = 60, 256
ROWS = 100_000


def run(datasets: list[dict]) -> dict:
    """Export the largest dataset's learner list; verdicts only if it has ≥ 100 k rows."""
    result = result_new("export", "Export of a campaign's learner list (CSV)")
    data = max(datasets, key=lambda d: d["enrollments"])
    try:
        measured = json.loads(env.child("export", str(data["campaign_id"])).splitlines()[-1])
    except (RuntimeError, ValueError) as exc:
        for what in ("export time", "export peak RSS"):
            not_measured(result, what, f"{ROWS:,} rows", f"export failed: {str(exc)[-300:]}")
        return result
    rows, seconds, peak = measured["rows"], measured["seconds"], measured["peak_rss_mb"]
    enough = rows >= ROWS
    scale = "" if enough else f"only {rows:,} rows (< {ROWS:,}): verdict for this size only; "
    line_add(
        result,
        f"export of {rows:,} rows: time",
        f"≤ {BUDGET_S} s for {ROWS:,} rows",
        round(seconds, 1),
        "s",
        verdict(seconds, BUDGET_S),
        f"{scale}{measured['rows_per_s']:,} rows/s, {measured['bytes']:,} bytes",
    )
    line_add(
        result,
        f"export of {rows:,} rows: peak RSS",
        f"≤ {BUDGET_MB} MB",
        round(peak, 1),
        "MB",
        verdict(peak, BUDGET_MB),
        f"{scale}process RSS before the export {measured['rss_before_mb']:.0f} MB",
    )
    result["details"] = measured
    return result


def child(campaign_id: int) -> dict:
    """Build the export in this process and measure it."""
    env.setup()
    from campaigns.dashboard import campaign_scope
    from campaigns.models import Campaign, ExportLog
    from campaigns.services.exports import export_build

    from .generate import officer

    user = officer()
    campaign = Campaign.objects.get(pk=campaign_id)
    scope = campaign_scope(user=user, campaign=campaign)
    log = ExportLog.objects.create(
        user=user,
        campaign=campaign,
        kind=ExportLog.Kind.LEARNERS,
        file_format="csv",
        region_code=scope.root.code,
        status=ExportLog.Status.PENDING,
    )
    before = env.rss_peak_kib() / 1024
    started = time.perf_counter()
    log = export_build(export_id=log.pk, scope=scope, region=scope.root)
    seconds = time.perf_counter() - started
    size = log.file.size
    log.file.delete(save=False)
    return {
        "rows": log.row_count,
        "seconds": round(seconds, 2),
        "rows_per_s": round(log.row_count / seconds) if seconds else 0,
        "bytes": size,
        "peak_rss_mb": round(env.rss_peak_kib() / 1024, 1),
        "rss_before_mb": round(before, 1),
    }


if __name__ == "__main__":
    print(json.dumps(child(int(sys.argv[1]))))
