"""Throughput of gunicorn (2 sync workers) for a signed-in lesson page, a progress POST (20
events) and the verify page, each beside a bare Wagtail page measured in the same run, as a ratio.

The bare Wagtail page is a plain `Page` served by Wagtail with a template that is a static copy
of the signed-in lesson's HTML (`site.bare_like`): the same bytes, so the ratio says what the
lesson costs beyond routing, middleware and sending a page of its size (issue 18: ≥ 0.9×). For the
lesson it is measured right before and right after the lesson, and the ratio uses their mean.
Every request accepts gzip, as phones do.
"""

import json
import uuid
from datetime import UTC, datetime, timedelta

from . import INFO, line_add, not_measured, result_new, verdict
from .hammer import hammer, request_bytes

CONCURRENCY = 4
LESSON_RATIO = 0.9


def _cookie(cookies: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def _progress_body(lesson_ids: list[int]) -> bytes:
    at = datetime.now(UTC) - timedelta(minutes=5)
    events = [
        {
            "id": str(uuid.uuid4()),
            "lesson": lesson_ids[i % len(lesson_ids)],
            "kind": "opened",
            "at": (at + timedelta(seconds=i)).isoformat(),
        }
        for i in range(20)
    ]
    return json.dumps({"events": events}).encode()


def run(base: str, site, seconds: float) -> dict:
    """Hammer each target for `seconds` and the bare page for as long; req/s, p50/p95, errors."""
    result = result_new(
        "throughput", f"Throughput, gunicorn 2 workers, {CONCURRENCY} clients, {seconds:.0f} s each"
    )
    cookie = _cookie(site.cookies)
    anonymous = {"Accept-Language": "zh-CN", "Accept-Encoding": "gzip"}
    signed_in = {"Cookie": cookie, **anonymous}
    targets = {}
    if site.bare:
        targets["bare Wagtail page (baseline)"] = lambda: request_bytes(
            "GET", base + site.bare, anonymous
        )
    if "lesson" in site.pages:
        targets["lesson page, signed in"] = lambda: request_bytes(
            "GET", base + site.pages["lesson"], signed_in
        )
    else:
        not_measured(result, "lesson page req/s", "", site.missing.get("lesson", "no lesson"))
    if site.lesson_ids and "enrollment" not in site.missing:
        headers = {
            **signed_in,
            "Content-Type": "application/json",
            "X-CSRFToken": site.cookies["csrftoken"],
        }
        targets["progress POST, 20 events"] = lambda: request_bytes(
            "POST", f"{base}/api/progress/", headers, _progress_body(site.lesson_ids)
        )
    else:
        not_measured(result, "progress POST req/s", "", "progress API or lessons missing")
    if "verify" in site.pages:
        verify = base + site.pages["verify"]
        targets["verify page"] = lambda: request_bytes("GET", verify, anonymous)
    else:
        not_measured(result, "verify page req/s", "", site.missing.get("verify", "no certificate"))
    figures, baselines, before = {}, {}, {}
    base_name = "bare Wagtail page (baseline)"
    lesson_name = "lesson page, signed in"

    def measure(make) -> dict:
        return hammer(base + "/", make, concurrency=CONCURRENCY, seconds=seconds).summary()

    for name, make in targets.items():
        hammer(base + "/", make, concurrency=CONCURRENCY, seconds=min(2, seconds))  # warm-up
        if name == lesson_name and base_name in targets:
            before[name] = measure(targets[base_name])
        figures[name] = measure(make)
        if name != base_name and base_name in targets:
            # The machine's load drifts: each target gets its own baseline run right after it.
            baselines[name] = measure(targets[base_name])
    for name, figure in figures.items():
        paired = baselines.get(name, {}).get("requests_per_s")
        ratio = (
            f"; {figure['requests_per_s'] / paired:.2f}× the bare Wagtail page "
            f"({paired} req/s right after)"
            if paired
            else ""
        )
        line_add(
            result,
            name,
            "(no figure in docs/design.md)",
            figure["requests_per_s"],
            "req/s",
            INFO,
            f"p50 {figure['p50_ms']} ms, p95 {figure['p95_ms']} ms, errors {figure['error_count']}"
            f" {figure['errors'] or ''}, {figure['mean_response_bytes']:,} B/response{ratio}",
        )
    lesson = figures.get(lesson_name)
    if lesson and lesson_name in baselines:
        around = [before[lesson_name]["requests_per_s"], baselines[lesson_name]["requests_per_s"]]
        bare = sum(around) / 2
        ratio = round(lesson["requests_per_s"] / bare, 2) if bare else None
        line_add(
            result,
            "signed-in lesson ÷ bare Wagtail page of the same size (req/s)",
            f"≥ {LESSON_RATIO}× (issue 18)",
            ratio,
            "×",
            verdict(ratio, LESSON_RATIO, at_most=False),
            f"lesson {lesson['requests_per_s']} req/s ({lesson['mean_response_bytes']:,} B/response"
            f"); bare page right before {around[0]} and right after {around[1]} req/s "
            f"({baselines[lesson_name]['mean_response_bytes']:,} B/response, a static copy of the "
            f"lesson's {site.bare_bytes:,} B of HTML); gzip accepted; {CONCURRENCY} clients, "
            f"{seconds:.0f} s each",
        )
    elif "lesson" in site.pages:
        not_measured(
            result, "signed-in lesson ÷ bare Wagtail page", f"≥ {LESSON_RATIO}×", "no bare page"
        )
    progress = figures.get("progress POST, 20 events")
    if progress:
        line_add(
            result,
            "progress events/s over HTTP",
            "(see progress scenario)",
            round(progress["requests_per_s"] * 20, 1),
            "events/s",
            INFO,
            "req/s × 20 events, one learner (their rows serialise)",
        )
    result["details"] = {
        "targets": figures,
        "baselines": baselines,
        "baseline_before_lesson": before.get(lesson_name),
        "concurrency": CONCURRENCY,
    }
    return result
