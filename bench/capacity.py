"""Capacity (issue 18): how many learners at a real pace one 2-core box serves.

`python -m bench capacity` (`make bench-capacity`). The stack is the load run's (`bench.load`):
gunicorn sync workers on PostgreSQL, Redis for cache, sessions and rate limits, the Celery workers
with beat on a Redis broker. The learners are `bench.capacityclient`, one asyncio process on the
same box: each opens a page every 30–90 s, posts a progress batch every minute, and a share of
them signs in afresh by SMS code at moments spread over the step. The learner count goes up step
by step; a step passes when the lesson page's p95 ≤ 500 ms, no response is a 5xx, no connection
fails, every sign-in succeeds and no event is lost (per learner, the server's new ProgressEvent rows
equal what the server told the client it accepted, and equal what the client sent). The capacity
figure is the largest passing step. While a step runs, a sampler reads every process's CPU time
from /proc: gunicorn, the PostgreSQL backends of this database, the Celery workers, the load
generator, Redis, and the rest of the machine, which says what bounds the figure.
"""

import json
import os
import random
import subprocess
import sys
import threading
from pathlib import Path

from . import INFO, MET, MISSED, RESULTS, env, line_add, not_measured, result_new
from . import load as load_run

STEPS = (1000, 2000, 3000, 4000, 5000, 6000)
STEP_SECONDS = 180
PAGE_SECONDS = (30, 90)
BATCH_SECONDS = 60
SIGN_IN_SHARE = 0.1
P95_BUDGET_MS = 500
# After the first failing step, one more step halfway back, rounded to this many learners.
REFINE_TO = 250
TARGET = 3000
WORKERS = int(os.environ.get("BENCH_CAPACITY_WORKERS", "4"))
PORT = 8184
PREFIX = "benchcap-"
PHONE_BASE = 13_600_000_000
BUDGET = (
    f"≥ {TARGET:,} learners with lesson p95 ≤ {P95_BUDGET_MS} ms, 0 5xx, 0 lost events (issue 18)"
)
TICK = os.sysconf("SC_CLK_TCK")
OTHER = "rest of the machine (other work)"


def learners_ready(count: int) -> list[dict]:
    """`count` capacity learners (created once, kept between runs), each with a fresh session as
    an earlier sign-in on their phone left it."""
    from django.contrib.auth.models import User

    existing = User.objects.filter(username__startswith=PREFIX).count()
    if existing < count:
        print(f"capacity: creating learners {existing}…{count - 1}", flush=True)
        load_run.learners_create(count, prefix=PREFIX, phone_base=PHONE_BASE, start=existing)
    return _sessions(count)


def _address(index: int) -> str:
    """Each simulated phone's own address, 10.100.0.1 on (apart from the load run's); the last
    byte stays in 1–250, since allauth refuses a request whose address does not parse."""
    block = index // 250
    return f"10.{100 + block // 250}.{block % 250}.{index % 250 + 1}"


def _rate_limits_clear() -> int:
    """Forget earlier runs' sign-in rate-limit history (allauth's keys in the bench's Redis
    database), so a learner who signed in during the last runs is not refused now: the limits
    (one code per number per 30 s, five an hour) still apply within the run."""
    from django.core.cache import cache

    delete_pattern = getattr(cache, "delete_pattern", None)
    return delete_pattern("allauth:rl:*") if delete_pattern else 0


def _sessions(count: int) -> list[dict]:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.utils.module_loading import import_string

    from .site import _csrf_secret

    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    backend = settings.AUTHENTICATION_BACKENDS[0]
    users = {u.username: u for u in User.objects.filter(username__startswith=PREFIX)}
    made = []
    for index in range(count):
        user = users[f"{PREFIX}{index}"]
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        made.append(
            {
                "phone": f"+86{PHONE_BASE + index}",
                "address": _address(index),
                "cookies": {"sessionid": session.session_key, "csrftoken": _csrf_secret()},
            }
        )
    return made


class CpuSampler(threading.Thread):
    """CPU seconds by role while a step runs, from /proc (Linux): every `every` seconds."""

    def __init__(self, groups: dict[str, int], database: str, every: float = 2.0):
        super().__init__(daemon=True)
        self.groups, self.database, self.every = groups, database, every
        self.seconds: dict[str, float] = {}
        self.last: dict[int, tuple[str, int]] = {}
        self.stop_event = threading.Event()
        self.total_busy = self.total_all = 0

    @staticmethod
    def _stat(pid: int) -> tuple[int, int, str] | None:
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        return int(fields[2]), int(fields[11]) + int(fields[12]), name  # pgrp, utime+stime

    def _backends(self) -> set[int]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.database],
            )
            return {row[0] for row in cursor.fetchall()}

    @staticmethod
    def _machine() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = values[3] + values[4]
        return sum(values) - idle, sum(values)

    def sample(self) -> None:
        backends = self._backends()
        by_group = {pgrp: role for role, pgrp in self.groups.items()}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            stat = self._stat(pid)
            if stat is None:
                continue
            pgrp, ticks, name = stat
            role = (
                by_group.get(pgrp)
                or ("postgres (this database)" if pid in backends else None)
                or ("redis-server (shared)" if name == "redis-server" else None)
            )
            if role is None:
                continue
            previous = self.last.get(pid)
            if previous is not None:
                self.seconds[role] = self.seconds.get(role, 0) + (ticks - previous[1]) / TICK
            self.last[pid] = (role, ticks)

    def run(self) -> None:
        busy0, all0 = self._machine()
        self.sample_all_new()
        while not self.stop_event.wait(self.every):
            self.sample()
        self.sample()
        busy1, all1 = self._machine()
        self.total_busy, self.total_all = busy1 - busy0, all1 - all0

    def sample_all_new(self) -> None:
        """First pass: remember every process's CPU time so far (not counted)."""
        self.sample()
        self.seconds.clear()

    def finish(self) -> dict:
        self.stop_event.set()
        self.join()
        cores = os.cpu_count() or 1
        wall = self.total_all / TICK / cores
        shares = {
            role: round(100 * seconds / (wall * cores), 1)
            for role, seconds in sorted(self.seconds.items(), key=lambda kv: -kv[1])
        }
        machine = 100 * self.total_busy / self.total_all if self.total_all else 0
        shares[OTHER] = round(machine - sum(shares.values()), 1)
        return {
            "wall_seconds": round(wall, 1),
            "machine_busy_percent": round(machine, 1),
            "percent_of_all_cores": shares,
        }


def _step(n: int, index: int, learners: list[dict], base_plan: dict, groups: dict) -> dict:
    from django.conf import settings

    rng = random.Random(1000 + index)
    chosen = [dict(me) for me in learners[:n]]
    # A different tenth of the learners signs in at each step (5 SMS an hour per number).
    for position, me in enumerate(chosen):
        if position % round(1 / SIGN_IN_SHARE) == index % round(1 / SIGN_IN_SHARE):
            me["sign_in_at"] = round(rng.uniform(0, STEP_SECONDS * 0.9), 1)
    plan = {**base_plan, "learners": chosen, "seed": index}
    plan_path = env.path_of("capacity-plan.json")
    plan_path.write_text(json.dumps(plan))
    before = load_run.server_counts(PREFIX)
    load_before = [round(x, 2) for x in os.getloadavg()]
    client = subprocess.Popen(
        [sys.executable, "-m", "bench.capacityclient", str(plan_path)],
        cwd=env.REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    sampler = CpuSampler(
        {**groups, "load generator": client.pid}, settings.DATABASES["default"]["NAME"]
    )
    sampler.start()
    out, err = client.communicate(timeout=STEP_SECONDS + 600)
    cpu = sampler.finish()
    if client.returncode != 0:
        raise RuntimeError(f"capacity client failed:\n{err[-3000:]}")
    outcome = json.loads(out.strip().splitlines()[-1])
    step = judge(n, outcome, before, load_run.server_counts(PREFIX))
    step["cpu"] = cpu
    step["load_average_before"] = load_before
    step["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    return step


def judge(n: int, outcome: dict, before: dict[str, int], after: dict[str, int]) -> dict:
    """One step's verdict from the client's outcome and the server's event rows per learner
    (by phone) before and after: passed when the lesson p95 is within budget, no 5xx, no failed
    connection, every planned sign-in succeeded and no event was lost, unexpected or unsent."""
    phones = set(outcome["sent"]) | set(outcome["accepted"]) | set(after)
    added = {p: after.get(p, 0) - before.get(p, 0) for p in phones}
    sent_by, accepted_by = outcome["sent"], outcome["accepted"]
    # Lost: sent (or confirmed) by the phone, not held by the server. A batch whose answer was
    # lost and whose retry found it already stored is held, not lost (it shows as unconfirmed
    # or a failed connection, which fail the step on their own).
    missing = sum(max(0, max(sent_by.get(p, 0), accepted_by.get(p, 0)) - added[p]) for p in phones)
    unexpected = sum(max(0, added[p] - sent_by.get(p, 0)) for p in phones)
    sent, accepted = sum(sent_by.values()), sum(accepted_by.values())
    statuses: dict[str, int] = {}
    for by_status in outcome["statuses"].values():
        for status, count in by_status.items():
            statuses[status] = statuses.get(status, 0) + count
    fives = sum(c for s, c in statuses.items() if s.startswith("5"))
    failed_connections = sum(c for s, c in statuses.items() if not s[:1].isdigit())
    lesson = outcome["latencies_ms"].get("lesson page", {"n": 0})
    lost = missing + unexpected
    passed = (
        lesson.get("n", 0) > 0
        and lesson["p95"] <= P95_BUDGET_MS
        and fives == 0
        and failed_connections == 0
        and lost == 0
        and outcome["unconfirmed"] == 0
        and outcome["signed_in"] == outcome["sign_ins_planned"]
    )
    client = {k: v for k, v in outcome.items() if k not in ("sent", "accepted")}
    return {
        "learners": n,
        "passed": passed,
        "lesson_p95_ms": lesson.get("p95"),
        "lesson_p50_ms": lesson.get("p50"),
        "fives": fives,
        "failed_connections": failed_connections,
        "lost_events": lost,
        "events": {
            "sent": sent,
            "accepted": accepted,
            "server_rows_added": sum(added.values()),
            "missing": missing,
            "unexpected": unexpected,
            "unconfirmed_batches": outcome["unconfirmed"],
        },
        "statuses": statuses,
        "client": client,
    }


def _step_text(step: dict) -> str:
    client, cpu, events = step["client"], step["cpu"], step["events"]
    shares = ", ".join(f"{k} {v}%" for k, v in cpu["percent_of_all_cores"].items())
    return (
        f"{step['learners']:,} learners: lesson p50 {step['lesson_p50_ms']} ms, p95 "
        f"{step['lesson_p95_ms']} ms; {client['requests']:,} requests, {client['requests_per_s']}"
        f" req/s; 5xx {step['fives']}, failed connections {step['failed_connections']}; events "
        f"sent {events['sent']:,}, server rows added {events['server_rows_added']:,}"
        f", lost {step['lost_events']}, batches never confirmed {events['unconfirmed_batches']}"
        f"; sign-ins {client['signed_in']}/{client['sign_ins_planned']}"
        f"; CPU (share of both cores) {shares}; machine busy {cpu['machine_busy_percent']}%; load "
        f"average {step['load_average_before']} → {step['load_average_after']}"
    )


def _warm_up(base: str, me: dict, plan: dict) -> None:
    """Every lesson, the course start and My learning a few times per worker, before step one:
    the workers' first requests load templates and code, which no learner would wait for twice."""
    import urllib.request

    cookie = "; ".join(f"{k}={v}" for k, v in me["cookies"].items())
    paths = [lesson["url"] for course in plan["courses"] for lesson in course["lessons"]]
    for _ in range(2 * WORKERS):
        for path in [*paths, plan["me_url"]]:
            request = urllib.request.Request(
                base + path, headers={"Cookie": cookie, "Accept-Language": "zh-CN"}
            )
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()


def run(steps=STEPS, seconds: float = STEP_SECONDS, refine: bool = True) -> dict:
    """Step the learner count up until a step fails; the largest passing step is the figure."""
    from . import site

    global STEP_SECONDS
    STEP_SECONDS = seconds
    result = result_new(
        "capacity",
        f"Capacity: learners at a real pace, {seconds / 60:.0f}-minute steps, gunicorn "
        f"{WORKERS} workers",
    )
    missing = load_run.services_missing()
    if missing:
        not_measured(result, "concurrent learners served", BUDGET, f"needs {missing}")
        return result
    learners = learners_ready(max(steps))
    base_plan = {
        "base": f"http://127.0.0.1:{PORT}",
        "seconds": seconds,
        "page_seconds": PAGE_SECONDS,
        "batch_seconds": BATCH_SECONDS,
        "batch_attempts": 6,
        "timeout_seconds": 60,
        "sms_spool": str(env.path_of("sms-spool.txt")),
        "courses": load_run.plan_courses(),
        **load_run.plan_urls(),
    }
    os.environ.update(load_run.server_environment(env.path_of("sms-spool.txt")))
    print(f"capacity: cleared {_rate_limits_clear()} rate-limit records of earlier runs")
    done = []
    with load_run.Worker() as worker, site.Server(port=PORT, workers=WORKERS) as server:
        groups = {"gunicorn": server.process.pid}
        groups |= {
            f"celery worker {i + 1}": process.pid for i, process in enumerate(worker.processes)
        }
        _warm_up(server.base, learners[0], base_plan)
        queue = list(steps)
        while queue:
            n = queue.pop(0)
            print(f"capacity: {n:,} learners for {seconds:.0f} s…", flush=True)
            step = _step(n, len(done), learners, base_plan, groups)
            print(f"  {'passed' if step['passed'] else 'FAILED'}: {_step_text(step)}", flush=True)
            done.append(step)
            if step["passed"]:
                continue
            # Once: the count halfway between the last passing step and this one.
            passed = [s["learners"] for s in done if s["passed"] and s["learners"] < n]
            middle = (max(passed or [0]) + n) // 2 // REFINE_TO * REFINE_TO
            fresh = middle not in {s["learners"] for s in done} and middle > max(passed or [0])
            queue = [middle] if refine and fresh else []
            refine = False
    _report(result, done)
    (RESULTS / "capacity").mkdir(parents=True, exist_ok=True)
    (RESULTS / "capacity" / "capacity.md").write_text(steps_markdown(result))
    return result


def steps_markdown(result: dict) -> str:
    """bench/results/capacity/capacity.md: one row per step, with each role's CPU share."""
    roles = ["gunicorn", "postgres (this database)", "load generator", "redis-server (shared)"]
    out = [
        f"# {result['title']}",
        "",
        f"Started {result['started_at']}, commit {result['commit']}, machine "
        f"{result['machine']['cores']} cores {result['machine']['cpu']}. A step passes with lesson "
        f"p95 ≤ {P95_BUDGET_MS} ms, no 5xx, no failed connection, every sign-in done, every batch "
        "confirmed and no event lost. CPU: percent of both cores over the step (/proc).",
        "",
        "| learners | verdict | req/s | lesson p50 / p95 ms | batch p95 ms | 5xx | failed conn. | "
        "events sent / held / lost | sign-ins | "
        + " | ".join(f"CPU {r}" for r in roles)
        + " | CPU celery | CPU other work | load average before → after |",
        "|" + "---|" * (13 + len(roles)),
    ]
    for step in result["details"].get("steps", []):
        shares = step["cpu"]["percent_of_all_cores"]
        celery = sum(v for k, v in shares.items() if k.startswith("celery"))
        client, events = step["client"], step["events"]
        batch = client["latencies_ms"].get("progress POST", {}).get("p95")
        out.append(
            f"| {step['learners']:,} | {'passed' if step['passed'] else 'failed'} | "
            f"{client['requests_per_s']} | {step['lesson_p50_ms']} / {step['lesson_p95_ms']} | "
            f"{batch} | {step['fives']} | {step['failed_connections']} | {events['sent']:,} / "
            f"{events['server_rows_added']:,} / {step['lost_events']} | "
            f"{client['signed_in']}/{client['sign_ins_planned']} | "
            + " | ".join(str(shares.get(r, 0.0)) for r in roles)
            + f" | {round(celery, 1)} | {shares.get(OTHER, 0.0)} | "
            f"{step['load_average_before']} → {step['load_average_after']} |"
        )
    return "\n".join(out) + "\n"


def costs_run() -> dict:
    """`bench.costs` for a capacity learner (made if needed), with the run's courses and URLs."""
    from . import costs

    learners_ready(1)
    return costs.run(f"{PREFIX}0", load_run.plan_courses(), load_run.plan_urls())


def _bound(step: dict) -> str:
    """The role of the stack that used the most CPU, and how busy the whole machine was."""
    shares = dict(step["cpu"]["percent_of_all_cores"])
    other = shares.pop(OTHER, 0)
    busy = step["cpu"]["machine_busy_percent"]
    top = max(shares, key=shares.get)
    return (
        f"CPU of {top} ({shares[top]}% of both cores; machine busy {busy}%, of which other work "
        f"on the shared machine {other}%)"
    )


def _report(result: dict, done: list[dict]) -> None:
    passing = [s for s in done if s["passed"]]
    best = max(passing, key=lambda s: s["learners"]) if passing else None
    above = [
        s for s in done if not s["passed"] and s["learners"] > (best or {"learners": 0})["learners"]
    ]
    failed = min(above, key=lambda s: s["learners"]) if above else None
    figure = best["learners"] if best else 0
    counts = ", ".join(f"{s['learners']:,}" for s in done)
    note = f"steps {counts}; "
    if failed:
        why = []
        if failed["lesson_p95_ms"] is None or failed["lesson_p95_ms"] > P95_BUDGET_MS:
            why.append(f"lesson p95 {failed['lesson_p95_ms']} ms")
        if failed["fives"]:
            why.append(f"{failed['fives']} 5xx")
        if failed["failed_connections"]:
            why.append(f"{failed['failed_connections']} failed connections")
        if failed["lost_events"]:
            why.append(f"{failed['lost_events']} lost events")
        if failed["events"]["unconfirmed_batches"]:
            why.append(f"{failed['events']['unconfirmed_batches']} batches never confirmed")
        client = failed["client"]
        if client["signed_in"] != client["sign_ins_planned"]:
            why.append(f"sign-ins {client['signed_in']}/{client['sign_ins_planned']}")
        note += f"{failed['learners']:,} failed ({', '.join(why)}), bound by {_bound(failed)}; "
    else:
        note += "every step passed (the box serves more: add steps); "
    if best:
        note += f"at {best['learners']:,}: bound by {_bound(best)}"
    line_add(
        result,
        "concurrent learners served (page every 30–90 s, batch every minute, SMS sign-ins)",
        BUDGET,
        figure,
        "learners",
        MET if figure >= TARGET else MISSED,
        note,
    )
    busiest = max(done, key=lambda s: s["learners"]) if done else None
    if busiest:
        share = busiest["cpu"]["percent_of_all_cores"].get("load generator", 0.0)
        client = busiest["client"]
        line_add(
            result,
            "load generator's own CPU (same box)",
            "(reported, issue 18)",
            share,
            "% of both cores",
            INFO,
            f"at {busiest['learners']:,} learners: {client['requests_per_s']} req/s, "
            f"{client['generator_cpu_seconds']} CPU-s in {client['seconds']} s "
            f"({client['generator_cpu_share_of_one_core'] * 100:.1f}% of one core by its own "
            "count); one asyncio process, raw HTTP/1.1",
        )
    for step in done:
        line_add(
            result,
            f"step {step['learners']:,} learners",
            f"lesson p95 ≤ {P95_BUDGET_MS} ms, 0 5xx, 0 lost",
            step["lesson_p95_ms"],
            "ms p95",
            INFO if step["passed"] else MISSED,
            _step_text(step),
        )
    result["details"] = {
        "steps": done,
        "workers": WORKERS,
        "step_seconds": STEP_SECONDS,
        "page_seconds": PAGE_SECONDS,
        "batch_seconds": BATCH_SECONDS,
        "sign_in_share_per_step": SIGN_IN_SHARE,
    }


def main() -> int:
    """`python -m bench.capacity [steps] [seconds]`, e.g. `2000,3000 120`."""
    from . import RESULTS, result_write

    env.setup()
    steps = [int(s) for s in sys.argv[1].split(",")] if len(sys.argv) > 1 else STEPS
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else STEP_SECONDS
    result_write(run(steps, seconds), RESULTS / "capacity")
    return 0


if __name__ == "__main__":
    sys.exit(main())
