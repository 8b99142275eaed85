"""Run the web server and the Celery workers (one with beat) together; Ctrl-C stops them all.

`make run`: gunicorn with DEBUG off and compressed, far-future cached static files
(`cms.settings.embedded`), as the site will run on a village office's one machine.
`make dev` (`--dev`): Django's runserver with the code reloader and debug pages.
Two workers: one with beat for the default queue (certificates, exports, outboxes, rebuilds) and
one, concurrency 1, for the dashboard's incremental refresh alone (decision 0132), so a batch of
certificates never holds the figures back.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

EMBEDDED_SETTINGS = "cms.settings.embedded"


class Command(BaseCommand):
    help = "Start the web server and a real Celery worker side by side (make run, make dev)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument(
            "--dev", action="store_true", help="runserver with the reloader and debug pages."
        )
        parser.add_argument("--noreload", action="store_true", help="Disable the code reloader.")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))

    def _env(self, *, addr: str, port: str, dev: bool) -> dict[str, str]:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        # Links that leave the site (QR codes, SMS texts) point where it really listens.
        env.setdefault("SITE_URL", f"http://{addr}:{port}")
        if not dev and env.get("DJANGO_SETTINGS_MODULE") in (None, "cms.settings.dev"):
            env["DJANGO_SETTINGS_MODULE"] = EMBEDDED_SETTINGS
        return env

    def handle(self, *args, addr: str, port: str, dev: bool, noreload: bool, workers: int, **o):
        python = sys.executable
        env = self._env(addr=addr, port=port, dev=dev)
        if dev:
            web = [python, "manage.py", "runserver", f"{addr}:{port}"]
            if noreload:
                web.append("--noreload")
        else:
            # Hashed, compressed (gzip, and br when brotli is installed) copies for WhiteNoise.
            subprocess.run(
                [python, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
                env=env,
                check=True,
            )
            web = [
                python,
                "-m",
                "gunicorn",
                "cms.wsgi:application",
                "--bind",
                f"{addr}:{port}",
                "--workers",
                str(workers),
                "--threads",
                "4",
                "--graceful-timeout",
                "10",
                "--access-logfile",
                "-",
            ]
        celery = [python, "-m", "celery", "-A", "cms", "worker", "--loglevel", "INFO"]
        schedule = str(settings.VAR_DIR / "celerybeat-schedule")
        worker = [*celery, "--beat", "--schedule", schedule, "--concurrency", "2"]
        worker += ["--hostname", "default@%h"]
        rollups = [*celery, "--queues", settings.ROLLUPS_QUEUE, "--concurrency", "1"]
        rollups += ["--hostname", "rollups@%h"]
        processes = [
            subprocess.Popen(worker, env=env),
            subprocess.Popen(rollups, env=env),
            subprocess.Popen(web, env=env),
        ]
        kind = "Development server" if dev else "Web server (gunicorn, DEBUG off)"
        self.stdout.write(
            f"{kind} on {env['SITE_URL']}/ and two Celery workers (the dashboard refresh has its "
            "own). Ctrl-C stops them all."
        )
        try:
            while all(process.poll() is None for process in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 15
            for process in processes:
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
        codes = [process.returncode for process in processes]
        if any(code not in (0, -signal.SIGTERM, -signal.SIGINT, 1) for code in codes):
            raise SystemExit(1)
