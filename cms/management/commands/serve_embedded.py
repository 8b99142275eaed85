"""Run the web server and a Celery worker (with beat) together; Ctrl-C stops both."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start the development web server and a real Celery worker side by side (make run)."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--noreload", action="store_true", help="Disable the code reloader.")

    def handle(self, *args, addr: str, port: str, noreload: bool, **options):
        python = sys.executable
        web = [python, "manage.py", "runserver", f"{addr}:{port}"]
        if noreload:
            web.append("--noreload")
        worker = [
            python,
            "-m",
            "celery",
            "-A",
            "cms",
            "worker",
            "--beat",
            "--schedule",
            str(settings.VAR_DIR / "celerybeat-schedule"),
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
        ]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        processes = [subprocess.Popen(worker, env=env), subprocess.Popen(web, env=env)]
        self.stdout.write(
            f"Web server on http://{addr}:{port}/ and a Celery worker. Ctrl-C stops both."
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
