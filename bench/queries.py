"""SQL queries of a signed-in lesson page, for every demo lesson (short and long, in courses of
different lengths): the count must be one constant ≤ 10."""

from . import MET, MISSED, line_add, not_measured, result_new

BUDGET = 10


def run() -> dict:
    """GET every live demo lesson as the demo learner and count its queries."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from .generate import courses

    result = result_new("queries", "SQL queries of the lesson page")
    catalogue = courses()
    if not catalogue:
        not_measured(result, "lesson page queries", f"≤ {BUDGET}, constant", "no live demo course")
        return result
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    client.force_login(User.objects.get(username="learner"))
    counts = []
    for course, lessons, _ in catalogue:
        for lesson in lessons:
            url = lesson.get_url()
            client.get(url)  # warm caches a learner's second visit would have
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            counts.append(
                {
                    "course": course.slug,
                    "lessons_in_course": len(lessons),
                    "lesson": lesson.slug,
                    "blocks": len(lesson.body),
                    "status": response.status_code,
                    "queries": len(captured),
                }
            )
            if len(counts) == 1:
                # The statements of one page, so a missed budget says where the queries go.
                result["details"]["first_lesson_sql"] = [q["sql"][:300] for q in captured]
    worst = max(c["queries"] for c in counts)
    distinct = sorted({c["queries"] for c in counts})
    failed = [c for c in counts if c["status"] != 200]
    line_add(
        result,
        f"lesson page queries ({len(counts)} lessons)",
        f"≤ {BUDGET}, independent of lesson length and count",
        worst,
        "queries",
        MET if worst <= BUDGET and len(distinct) == 1 and not failed else MISSED,
        f"distinct counts {distinct}; blocks per lesson "
        f"{min(c['blocks'] for c in counts)}–{max(c['blocks'] for c in counts)}"
        + (f"; {len(failed)} lessons did not answer 200" if failed else ""),
    )
    result["details"]["lessons"] = counts
    return result
