"""The benchmark's own Django environment: its own database, cache, media and ports.

Without DATABASE_URL the benchmarks use a SQLite file in `var/bench/` (never the developer's
database); with it, that database (use a dedicated one: the generator adds and purges rows).
"""

import os
import subprocess
import sys
from pathlib import Path

from . import REPO

VAR = REPO / "var" / "bench"
PORTS = range(8180, 8190)


def environment() -> dict[str, str]:
    """Environment variables every benchmark process (and its servers) runs with."""
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        # Production-like request handling: no debug toolbar, no query log, templates cached.
        "DEBUG": "false",
        "VAR_DIR": str(VAR),
        "MEDIA_ROOT": str(VAR / "media"),
        "LOG_LEVEL": "WARNING",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
    }
    for key in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        if os.environ.get(key):
            env[key] = os.environ[key]
    return env


def setup() -> str:
    """Point this process at the benchmark environment and start Django; returns the DB vendor."""
    VAR.mkdir(parents=True, exist_ok=True)
    os.environ.update(environment())
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.db import connection

    os.environ["BENCH_DB_VENDOR"] = connection.vendor
    return connection.vendor


def manage(*args: str, timeout: int = 900) -> str:
    """Run `manage.py <args>` in the benchmark environment; returns its output."""
    done = subprocess.run(
        [sys.executable, str(REPO / "manage.py"), *args],
        cwd=REPO,
        env={**os.environ, **environment()},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def prepare() -> None:
    """Migrate the benchmark database and load the demo site (both idempotent)."""
    manage("migrate", "--noinput", "-v0")
    manage("bootstrap_demo", "--force")
    analyze()


def analyze() -> None:
    """Give the query planner statistics of every table, as autovacuum would in time.

    A fresh PostgreSQL database has none for its small tables; the planner then guesses
    millions of rows, its cost estimate passes `jit_above_cost`, and every Wagtail page query
    spends ~1.5 s compiling JIT code (measured at 1 M learners). Production databases have
    statistics; the benchmark must too, or it measures the guess.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def rss_peak_kib() -> int:
    """Peak resident memory of this process so far (KiB, Linux).

    VmHWM rather than getrusage's ru_maxrss: after fork + exec, ru_maxrss still counts the
    parent's peak, so a child started by a big benchmark process would inherit its figure.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(module: str, *args: str, timeout: int = 1200) -> str:
    """Run `python -m bench.<module> <args>` in the benchmark environment; returns stdout."""
    done = subprocess.run(
        [sys.executable, "-m", f"bench.{module}", *args],
        cwd=REPO,
        env={**os.environ, **environment()},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.{module} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done.stdout


def path_of(name: str) -> Path:
    """A scratch file under var/bench."""
    VAR.mkdir(parents=True, exist_ok=True)
    return VAR / name
