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


def regions_by_share() -> list[tuple[str, str, float]]:
    """(name, region code, share of a dataset's learners) for the generated province, a
    prefecture, a county and a township (learners are spread evenly over the villages)."""
    from .generate import ROOT_CODE, Shape, _code

    shape = Shape()
    return [
        ("province", ROOT_CODE, 1.0),
        ("prefecture", _code(0, 1, 0, 0, 0), 1 / shape.prefectures),
        ("county", _code(0, 1, 1, 0, 0), 1 / (shape.prefectures * shape.counties)),
        (
            "township",
            _code(0, 1, 1, 1, 0),
            1 / (shape.prefectures * shape.counties * shape.townships),
        ),
    ]


def choose(datasets: list[dict]) -> tuple[dict, str, str]:
    """The dataset and region whose learner list is the smallest with ≥ ROWS rows (an officer
    exporting their own area), else the largest dataset's whole province."""
    fits = [
        (data["enrollments"] * share, data, name, code)
        for data in datasets
        for name, code, share in regions_by_share()
        if data["enrollments"] * share >= ROWS
    ]
    if fits:
        _rows, data, name, code = min(fits, key=lambda f: f[0])
        return data, name, code
    name, code, _share = regions_by_share()[0]
    return max(datasets, key=lambda d: d["enrollments"]), name, code


def run(datasets: list[dict]) -> dict:
    """Export a learner list of about 100 k rows; verdicts only if it has ≥ 100 k rows."""
    result = result_new("export", "Export of a campaign's learner list (CSV)")
    data, level, code = choose(datasets)
    try:
        measured = json.loads(
            env.child("export", str(data["campaign_id"]), code, timeout=3600).splitlines()[-1]
        )
    except (RuntimeError, ValueError) as exc:
        for what in ("export time", "export peak RSS"):
            not_measured(result, what, f"{ROWS:,} rows", f"export failed: {str(exc)[-300:]}")
        return result
    measured["dataset"], measured["region"] = data["label"], f"{level} {code}"
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
        f"{scale}{measured['rows_per_s']:,} rows/s, {measured['bytes']:,} bytes; one {level} "
        f"of the {data['label']} learners' campaign",
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


def child(campaign_id: int, region_code: str) -> dict:
    """Build the export in this process and measure it."""
    env.setup()
    from campaigns.dashboard import campaign_scope
    from campaigns.models import ExportLog
    from campaigns.services.exports import export_build
    from core.models import Campaign, Region

    from .generate import officer

    user = officer()
    campaign = Campaign.objects.get(pk=campaign_id)
    scope = campaign_scope(user=user, campaign=campaign)
    region = Region.objects.get(code=region_code)
    log = ExportLog.objects.create(
        user=user,
        campaign=campaign,
        kind=ExportLog.Kind.LEARNERS,
        file_format="csv",
        region_code=region.code,
        status=ExportLog.Status.PENDING,
    )
    before = env.rss_peak_kib() / 1024
    started = time.perf_counter()
    log = export_build(export_id=log.pk, scope=scope, region=region)
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
    print(json.dumps(child(int(sys.argv[1]), sys.argv[2])))
