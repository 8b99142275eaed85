"""The demo site as the browser and load scenarios see it: URLs, a signed-in learner, a server."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field

from . import env

BARE_SLUG = "bench-bare-wagtail-page"


@dataclass
class Site:
    """Pages to measure (name → path), the learner's cookies, and what is missing."""

    pages: dict[str, str] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    lesson_ids: list[int] = field(default_factory=list)
    bare: str = ""
    bare_bytes: int = 0
    static: str = ""


def _csrf_secret() -> str:
    from django.middleware.csrf import _get_new_csrf_string

    return _get_new_csrf_string()


def prepare(certificate_code: str | None) -> Site:
    """Enrol the demo learner in the first course, sign them in, collect the page URLs."""
    from django.contrib.auth.models import User
    from django.test import Client
    from wagtail.models import Locale, Page

    site = Site()
    home = Page.objects.filter(depth=2, locale=Locale.get_default()).first()
    site.pages["home"] = home.get_url() if home else "/"
    bare = Page.objects.filter(slug=BARE_SLUG).first()
    if bare is None and home is not None:
        bare = home.add_child(instance=Page(title="Bench bare Wagtail page", slug=BARE_SLUG))
        bare.save_revision().publish()
    site.bare = bare.get_url() if bare else ""
    learner = User.objects.filter(username="learner").first()
    try:
        from courses.models import CourseIndexPage

        from .generate import courses

        catalog = CourseIndexPage.objects.live().filter(locale=Locale.get_default()).first()
        catalogue = courses()
    except ImportError as exc:
        catalog, catalogue = None, []
        site.missing["courses"] = f"courses missing ({exc})"
    if catalog:
        site.pages["catalog"] = catalog.get_url()
    else:
        site.missing["catalog"] = "course catalog missing"
    if catalogue:
        course, lessons, _ = catalogue[0]
        site.pages["course"] = course.get_url()
        # The lesson with the most body blocks: the heaviest page a learner opens.
        longest = max(lessons, key=lambda lesson: len(lesson.body))
        site.pages["lesson"] = longest.get_url()
        site.lesson_ids = [lesson.pk for lesson in lessons]
        try:
            from learners.services import enrollment_create

            enrollment_create(learner=learner, course=course)
        except ImportError as exc:
            site.missing["enrollment"] = f"learners missing ({exc})"
    else:
        for name in ("course", "lesson"):
            site.missing[name] = "no live demo course"
    try:
        from django.urls import reverse

        site.pages["me"] = reverse("learners_my_learning")
    except Exception as exc:
        site.missing["me"] = f"/me/ missing ({exc})"
    if certificate_code:
        site.pages["verify"] = f"/c/{certificate_code}"
    else:
        site.missing["verify"] = "no certificate to verify"
    client = Client()
    client.force_login(learner)
    site.cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": _csrf_secret()}
    # Both written before the server starts: WhiteNoise lists static files at start-up.
    from django.conf import settings

    from .pages import static_page

    site.static = static_page(settings.BENCH_STATIC)
    if "lesson" in site.pages:
        site.bare_bytes = bare_like(client.get(site.pages["lesson"], HTTP_ACCEPT_LANGUAGE="zh-CN"))
    return site


def bare_like(response) -> int:
    """Make the bare Wagtail page answer a static copy of `response`'s HTML (the signed-in
    lesson), so it has the lesson's size: the template of a plain `Page` (bench.settings)."""
    from django.conf import settings

    if response.status_code != 200:
        raise RuntimeError(f"the signed-in lesson answered HTTP {response.status_code}")
    html = response.content.decode()
    template = settings.BENCH_TEMPLATES / "wagtailcore" / "page.html"
    template.parent.mkdir(parents=True, exist_ok=True)
    template.write_text("{% verbatim %}" + html + "{% endverbatim %}")
    return len(response.content)


class Server:
    """gunicorn with two sync workers on a benchmark port, in the benchmark environment."""

    def __init__(self, port: int = 8181, workers: int = 2):
        self.port, self.workers, self.process = port, workers, None
        self.base = f"http://127.0.0.1:{port}"

    def __enter__(self):
        log = env.path_of(f"gunicorn-{self.port}.log").open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "cms.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--worker-class",
                "sync",
                "--access-logfile",
                "-" if os.environ.get("BENCH_ACCESS_LOG") else "/dev/null",
            ],
            cwd=env.REPO,
            env={**os.environ, **env.environment()},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {env.path_of(f'gunicorn-{self.port}.log')}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=5) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.5)
        self.__exit__()
        raise RuntimeError("gunicorn did not answer /healthz within 90 s")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        return False
