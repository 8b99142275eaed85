"""What one learner's minute costs the app server, request by request (issue 18).

In this process, through Django's test client with a capacity learner's session (the whole
middleware stack, PostgreSQL and Redis as gunicorn has them): CPU milliseconds (process time,
which other work on a shared machine inflates far less than wall time) and SQL statements of each
request the capacity run's learners make, then one cProfile pass over the lesson page and the
progress batch: the functions that take the most CPU. A learner-minute at the capacity run's pace
is one page (a lesson) and one batch; cores × 60 s ÷ its cost is how many learners the app server
alone could serve if nothing else ran — the ceiling the capacity steps approach.
"""

import cProfile
import io
import json
import os
import pstats
import time
import uuid
from datetime import UTC, datetime

from . import INFO, REPO, line_add, result_new

REPEAT = 60


def _client(username: str):
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN", HTTP_ACCEPT_ENCODING="gzip")
    client.force_login(User.objects.get(username=username))
    return client


def _requests(client, courses: list[dict], urls: dict) -> dict:
    course = courses[0]
    lesson = course["lessons"][len(course["lessons"]) // 2]
    client.post(course["start_url"])  # enrolled, as the capacity run's learners are

    def batch():
        at = datetime.now(UTC).isoformat()
        events = [
            {"id": str(uuid.uuid4()), "lesson": lesson["id"], "kind": kind, "at": at}
            for kind in ("opened", "read")
        ]
        return client.post(
            urls["progress_url"],
            data=json.dumps({"events": events}),
            content_type="application/json",
        )

    return {
        "lesson page": lambda: client.get(lesson["url"]),
        "progress POST (a page's events)": batch,
        "start course (enrols, redirects)": lambda: client.post(course["start_url"]),
        "my learning": lambda: client.get(urls["me_url"]),
    }


def _cpu_ms(action) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):
        action()
    with CaptureQueriesContext(connection) as queries:
        response = action()
    # Read now: the next request's `request_started` empties the connection's query log.
    statements = len(queries.captured_queries)
    if response.status_code >= 400:
        raise RuntimeError(f"HTTP {response.status_code}")
    started = time.process_time()
    for _ in range(REPEAT):
        action()
    return (time.process_time() - started) * 1000 / REPEAT, statements


AREAS = [
    ("psycopg (PostgreSQL driver)", "/psycopg/"),
    ("Django ORM (building SQL, making objects)", "/django/db/"),
    ("Django templates", "/django/template/"),
    ("Wagtail", "/wagtail/"),
    ("allauth", "/allauth/"),
    ("Redis client", "/redis/"),
    ("the project's code", "/work/"),
    ("Django, the rest (middleware, requests, i18n, utils)", "/django/"),
]


def _area(filename: str) -> str:
    if "/work/" in filename and "site-packages" not in filename:
        return "the project's code"
    for name, part in AREAS:
        if part in filename and part != "/work/":
            return name
    return "Python and the rest" if filename != "~" else "built-ins (C: zlib, json, sockets…)"


def _profile(action, count: int = 10) -> dict:
    """Own CPU time by area (percent) and the functions with the most own CPU time."""
    profile = cProfile.Profile(time.process_time)  # CPU, not the wait for PostgreSQL
    profile.enable()
    for _ in range(REPEAT // 2):
        action()
    profile.disable()
    stats = pstats.Stats(profile, stream=io.StringIO())
    own: dict[str, float] = {}
    functions, ours = [], []
    for (filename, line, name), (_cc, _nc, tottime, cumtime, _callers) in stats.stats.items():
        area = _area(filename)
        own[area] = own.get(area, 0) + tottime
        where = f"{filename.split('site-packages/')[-1]}:{line}({name})"
        functions.append((tottime, where))
        if area == "the project's code" and name != "__call__":
            ours.append((cumtime, where.replace(str(REPO) + "/", "")))
    total = sum(own.values()) or 1
    top = sorted(functions, reverse=True)[:count]
    return {
        "own_cpu_percent_by_area": {
            k: round(100 * v / total, 1) for k, v in sorted(own.items(), key=lambda kv: -kv[1])
        },
        "top_functions_own_cpu_percent": [f"{100 * t / total:.1f}% {where}" for t, where in top],
        # The project's functions by CPU including what they call (middleware left out).
        "project_functions_cumulative_cpu_percent": [
            f"{100 * t / total:.1f}% {where}" for t, where in sorted(ours, reverse=True)[:count]
        ],
    }


def run(username: str, courses: list[dict], urls: dict) -> dict:
    """CPU ms and statements per request kind, the CPU of a learner-minute, and top functions."""
    result = result_new("costs", "App-server CPU per request and per learner-minute")
    client = _client(username)
    requests = _requests(client, courses, urls)
    figures = {}
    for name, action in requests.items():
        ms, statements = _cpu_ms(action)
        figures[name] = {"cpu_ms": round(ms, 1), "statements": statements}
        line_add(
            result,
            f"{name}: CPU per request (app server)",
            "(no figure)",
            round(ms, 1),
            "ms",
            INFO,
            f"{statements} SQL statements; process time over {REPEAT} requests in one process "
            "(test client, every middleware)",
        )
    minute_batch = "progress POST (a page's events)"
    minute = figures["lesson page"]["cpu_ms"] + figures[minute_batch]["cpu_ms"]
    cores = os.cpu_count() or 1
    line_add(
        result,
        "CPU of a learner-minute (one lesson, one batch), app server only",
        "(no figure)",
        round(minute, 1),
        "ms",
        INFO,
        f"{cores} cores × 60 s ÷ {minute:.1f} ms = {int(cores * 60_000 / minute):,} learners if "
        "the app server had both cores to itself (PostgreSQL, Redis, the workers and the load "
        "generator share them in the capacity run)",
    )
    profiles = {name: _profile(requests[name]) for name in ("lesson page", minute_batch)}
    for name, found in profiles.items():
        areas = found["own_cpu_percent_by_area"]
        line_add(
            result,
            f"{name}: where its CPU goes",
            "(no figure)",
            None,
            "",
            INFO,
            "; ".join(f"{area} {share}%" for area, share in areas.items()),
        )
    result["details"] = {"requests": figures, "profiles": profiles}
    return result
