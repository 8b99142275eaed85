"""Two boxes that share nothing but PostgreSQL, Redis and object storage (issue 21).

Box A and box B each run gunicorn (production settings, two workers) and a Celery worker, each in
its own empty working directory with its own temporary folder and home; box A also runs the one
beat. Object storage is moto's S3 server on this machine: a media bucket that anyone may read (a
bucket policy, as docs/deployment.md sets up) and a private bucket that nobody may read unsigned.
The client plays the proxy: the same Host and X-Forwarded-Proto on both boxes.

The journey: a learner signs in on A, studies on B, completes on A; whichever worker takes the
certificate renders it into the private bucket; the learner gets it through the view on B (a
signed URL made for that request) while its plain bucket URL answers 403; an officer's export is
built on B and downloaded on A; a lesson picture from the bucket shows in Chromium under the CSP;
the offline manifest lists it. Afterwards no box has written a file into its working directory.
"""

import http.client
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.urls import reverse
from django.utils import translation
from PIL import Image
from wagtail.images.models import Image as WagtailImage
from wagtail.rich_text import RichText

from campaigns.models import ExportLog
from cms.site_setup import role_permissions_grant
from core.roles import PROGRAM_OFFICERS
from courses.models import LessonPage
from learners.certificates import credential
from learners.certificates.models import Certificate
from learners.services import enrollment_create
from tests.campaigns.factories import UserFactory
from tests.certificates import factories as certificate_factories
from tests.certificates.test_integration import wait_for
from tests.conftest import _worker_env, need
from tests.integration.test_durability import _event
from tests.integration.test_embedded_run import _free_port, _get
from tests.learners.factories import lessons_of, make_course, question, right_answers

pytestmark = [pytest.mark.integration, pytest.mark.browser]

HOST = "learn.example.test"  # what the proxy sends to every box
SITE_URL = f"https://{HOST}"
MEDIA_BUCKET, PRIVATE_BUCKET = "dvc-media", "dvc-private"
S3_KEYS = {"AWS_ACCESS_KEY_ID": "boxes-test", "AWS_SECRET_ACCESS_KEY": "boxes-test-secret"}
LEARNER_PASSWORD = "study-hard-2026"
START_SECONDS = 180
WAIT_SECONDS = 180


def _wait(condition, what: str, seconds: float = WAIT_SECONDS):
    return wait_for(condition, what, seconds)


class Processes:
    """Every process the test starts, each in its own process group, stopped at the end."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, command: list[str], *, cwd: Path, env: dict) -> Path:
        log = self.logs / f"{name}.log"
        self.running[name] = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return log

    def check(self, name: str) -> None:
        process = self.running[name]
        if process.poll() is not None:
            log = (self.logs / f"{name}.log").read_text()[-4000:]
            raise AssertionError(f"{name} exited with {process.returncode}:\n{log}")

    def stop_all(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


class Visitor:
    """A phone behind the proxy: one cookie jar, any box (the proxy may pick either)."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def call(self, port: int, method: str, path: str, body: bytes = b"", headers=None):
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "Accept-Language": "zh-CN",
            **(headers or {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers.setdefault("Origin", SITE_URL)
            headers.setdefault("Referer", f"{SITE_URL}{path}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value in ("", '""'):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response.status, response.headers, content

    def get(self, port: int, path: str):
        return self.call(port, "GET", path)

    def sign_in(self, port: int, username: str, password: str) -> None:
        path = reverse("account_login")
        status, _, page = self.get(port, path)
        assert status == 200, page[:300]
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        form = urlencode({"login": username, "password": password, "csrfmiddlewaretoken": token})
        status, _, page = self.call(
            port,
            "POST",
            path,
            form.encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>(.*?)<', page.decode())
        assert status == 302, (errors, re.findall(r'<input[^>]+name="[^"]+"', page.decode()))
        assert "sessionid" in self.cookies

    def progress(self, port: int, events: list[dict]) -> dict:
        status, _, body = self.call(
            port,
            "POST",
            "/api/progress/",
            json.dumps({"events": events}).encode(),
            {"Content-Type": "application/json", "X-CSRFToken": self.cookies["csrftoken"]},
        )
        assert status == 200, body[:500]
        return json.loads(body)


def _events(lesson) -> list[dict]:
    return [
        _event(lesson, "opened"),
        _event(lesson, "read"),
        _event(lesson, "quiz", {"answers": right_answers(lesson)}),
    ]


# --- object storage -------------------------------------------------------------------------------


def _start_s3(processes: Processes, tmp: Path) -> str:
    """moto's S3 server, the two buckets, and a picture in the media bucket."""
    try:
        import boto3
        import moto  # noqa: F401
    except ImportError:
        need(False, "needs moto[s3] and flask (pip install -e '.[dev]')")

    port = _free_port()
    folder = tmp / "s3"
    folder.mkdir()
    processes.start(
        "s3",
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        cwd=folder,
        env={**os.environ, **S3_KEYS},
    )
    endpoint = f"http://127.0.0.1:{port}"

    def up():
        processes.check("s3")
        try:
            return _get(endpoint, timeout=2)[0] < 500
        except OSError:
            return False

    _wait(up, "the S3 server", 60)
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **_boto_keys())
    s3.create_bucket(Bucket=MEDIA_BUCKET)
    s3.create_bucket(Bucket=PRIVATE_BUCKET)
    # docs/deployment.md: page media readable by anyone (a bucket policy), fetched by the
    # page's "Save for offline" (CORS); the private bucket gets neither.
    s3.put_bucket_policy(Bucket=MEDIA_BUCKET, Policy=json.dumps(_public_read_policy()))
    return endpoint


def _start_redis(processes: Processes, tmp: Path) -> str:
    """A Redis server of the test's own: nothing else flushes its databases meanwhile."""
    binary = shutil.which("redis-server")
    need(binary is not None, "needs redis-server (apt-get install redis-server)")
    port = _free_port()
    folder = tmp / "redis"
    folder.mkdir()
    processes.start(
        "redis",
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=folder,
        env=dict(os.environ),
    )
    import redis

    def up():
        processes.check("redis")
        try:
            return redis.Redis(port=port, socket_connect_timeout=1).ping()
        except redis.RedisError:
            return False

    _wait(up, "the Redis server", 30)
    return f"redis://127.0.0.1:{port}"


def _boto_keys() -> dict:
    return {
        "aws_access_key_id": S3_KEYS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": S3_KEYS["AWS_SECRET_ACCESS_KEY"],
    }


def _public_read_policy() -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{MEDIA_BUCKET}/*",
            }
        ],
    }


def _bucket_picture(endpoint: str) -> WagtailImage:
    """A picture uploaded to the media bucket, known to Wagtail (as an editor's upload is)."""
    import boto3

    picture = Image.new("RGB", (640, 480), (40, 140, 60))
    out = io.BytesIO()
    picture.save(out, "PNG")
    name = "original_images/field-work.png"
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **_boto_keys())
    s3.put_object(Bucket=MEDIA_BUCKET, Key=name, Body=out.getvalue(), ContentType="image/png")
    image = WagtailImage(title="田间", width=640, height=480, file_size=len(out.getvalue()))
    image.file.name = name
    image.save()
    return image


# --- the boxes ------------------------------------------------------------------------------------


def _box_env(base: dict, *, box: Path, port: int) -> dict:
    home, tmp = box.parent / f"{box.name}-home", box.parent / f"{box.name}-tmp"
    home.mkdir()
    tmp.mkdir()
    return {
        **base,
        "HOME": str(home),
        "TMPDIR": str(tmp),
        # Anything the embedded default would keep in var/ would show up in the working folder.
        "VAR_DIR": str(box / "var"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
    }


def _common_env(endpoint: str, redis_server: str, static_root: Path) -> dict:
    env = _worker_env({})
    for key in ("TEST_MEDIA_ROOT", "CELERY_TASK_ALWAYS_EAGER", "PYTEST_XDIST_WORKER"):
        env.pop(key, None)
    redis_url, broker = f"{redis_server}/0", f"{redis_server}/1"  # as the guide sets them up
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "cms.settings.production",
            "PYTHONUNBUFFERED": "1",
            "SECRET_KEY": uuid.uuid4().hex * 2,
            "ALLOWED_HOSTS": f"{HOST},127.0.0.1",
            "SITE_URL": SITE_URL,
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": broker,
            "CELERY_RESULT_BACKEND": broker,
            "CERTIFICATE_SIGNING_KEY": credential.private_key_text(Ed25519PrivateKey.generate()),
            "AWS_STORAGE_BUCKET_NAME": MEDIA_BUCKET,
            "AWS_PRIVATE_BUCKET_NAME": PRIVATE_BUCKET,
            "AWS_S3_ENDPOINT_URL": endpoint,
            "AWS_S3_REGION_NAME": "us-east-1",
            **S3_KEYS,
            "STATIC_ROOT": str(static_root),
            # The test speaks HTTP to the boxes and says https through X-Forwarded-Proto, as the
            # proxy does; the proxy (not Django) redirects plain HTTP.
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "INFO",
        }
    )
    return env


def _release(env: dict, static_root: Path, cwd: Path) -> None:
    """The guide's release step that matters here: collectstatic (migrate ran for the tests)."""
    subprocess.run(
        [sys.executable, "-m", "django", "collectstatic", "--noinput", "-v0"],
        cwd=cwd,
        env={**env, "TMPDIR": str(cwd)},
        check=True,
        timeout=600,
    )
    assert (static_root / "staticfiles.json").exists()


@pytest.fixture
def boxes(postgres, transactional_db, tmp_path):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    need(gunicorn.exists(), f"needs gunicorn beside {sys.executable}")
    logs = tmp_path / "logs"
    logs.mkdir()
    processes = Processes(logs)
    try:
        endpoint = _start_s3(processes, tmp_path)
        redis_server = _start_redis(processes, tmp_path)
        static_root = tmp_path / "release" / "static"
        (tmp_path / "release").mkdir()
        common = _common_env(endpoint, redis_server, static_root)
        _release(common, static_root, tmp_path / "release")
        celery = [sys.executable, "-m", "celery", "-A", "cms"]
        ports, dirs, envs = {}, {}, {}
        for name in ("a", "b"):
            box = tmp_path / f"box-{name}"
            box.mkdir()
            ports[name], dirs[name] = _free_port(), box
            env = envs[name] = _box_env(common, box=box, port=ports[name])
            processes.start(
                f"web-{name}",
                [str(gunicorn), "-c", "python:cms.gunicorn_conf", "cms.wsgi"],
                cwd=box,
                env=env,
            )
            processes.start(
                f"worker-{name}",
                [*celery, "worker", "--concurrency", "1", "-n", f"box-{name}@%h"],
                cwd=box,
                env=env,
            )
            if name == "a":
                processes.start("beat", [*celery, "beat"], cwd=box, env=env)
        for name, port in ports.items():

            def up(name=name, port=port):
                processes.check(f"web-{name}")
                processes.check(f"worker-{name}")
                try:
                    healthy = _get(f"http://127.0.0.1:{port}/healthz", timeout=5)[0] == 200
                except OSError:
                    return False
                return healthy and " ready." in (logs / f"worker-{name}.log").read_text()

            _wait(up, f"box {name}", START_SECONDS)
        yield {
            "ports": ports,
            "dirs": dirs,
            "logs": logs,
            "endpoint": endpoint,
            "redis": redis_server,
            "processes": processes,
            "envs": envs,
        }
    finally:
        processes.stop_all()


# --- the journey ----------------------------------------------------------------------------------


def _course_with_bucket_picture(endpoint: str):
    course = make_course(lessons=2, questions=1, title="手机拍农产品")
    picture = _bucket_picture(endpoint)
    first = lessons_of(course)[0]
    first.body = [
        ("image", {"image": picture, "alt_text": "绿色的田", "caption": ""}),
        ("text", RichText("<p>对着阳光拍。</p>")),
    ]
    first.quiz = [question("哪个是对的？")]
    first.save_revision().publish()
    return course, picture


def _officer_of(campaign):
    role_permissions_grant()  # a transactional test before this one may have flushed the roles
    officer = UserFactory(username="county-officer", role=PROGRAM_OFFICERS)
    _set_password(officer)
    campaign.office.members.add(officer)
    return officer


def _set_password(user) -> None:
    """The boxes check passwords with production's hasher (the test settings use MD5)."""
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(LEARNER_PASSWORD, hasher.salt())
    user.save(update_fields=["password"])


def _files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@translation.override("zh-hans")
def test_a_learner_and_an_officer_use_two_boxes_that_share_only_the_engines(boxes, chromium):
    a, b = boxes["ports"]["a"], boxes["ports"]["b"]
    logs, endpoint = boxes["logs"], boxes["endpoint"]
    course, picture = _course_with_bucket_picture(endpoint)
    campaign = certificate_factories.campaign_in()
    campaign.office.seal_image = picture  # the worker reads the seal from the bucket
    campaign.office.save()
    campaign.courses.set([course])
    user = certificate_factories.learner("李秀英")
    _set_password(user)
    enrollment_create(learner=user, course=course, campaign=campaign)
    first, last = lessons_of(course)

    # A learner signs in on box A, studies on box B, completes on box A.
    learner = Visitor()
    learner.sign_in(a, user.username, LEARNER_PASSWORD)
    status, _, page = learner.get(b, LessonPage.objects.get(pk=first.pk).url)
    assert status == 200
    assert f"{endpoint}/{MEDIA_BUCKET}/images/".encode() in page  # the rendition, in the bucket
    assert learner.progress(b, _events(first))
    learner.progress(a, _events(last))

    # Whichever worker takes the job renders the certificate into the private bucket.
    certificate = _wait(
        lambda: Certificate.objects.filter(learner=user, rendered_at__isnull=False).first(),
        "a worker to render the certificate",
    )
    rendered_by = [
        name
        for name in ("a", "b")
        if "certificates.issue" in (logs / f"worker-{name}.log").read_text()
    ]
    assert len(rendered_by) >= 1, "no worker log shows the certificate job"
    pdf_name = certificate.pdf.name
    assert pdf_name.startswith("certificates/pdf/")

    # The learner's PDF through the view on box B: a signed URL made for this request, not cached.
    status, headers, _ = learner.get(b, reverse("certificates:pdf", args=[certificate.code]))
    assert status == 302
    assert headers["Cache-Control"] == "private, no-store"
    signed = headers["Location"]
    assert signed.startswith(f"{endpoint}/{PRIVATE_BUCKET}/{pdf_name}?")
    status, body = _get(signed)
    assert (status, body[:5]) == (200, b"%PDF-")
    # The same object without a signature: 403 for anyone.
    assert _get(f"{endpoint}/{PRIVATE_BUCKET}/{pdf_name}")[0] == 403

    # "Save for offline" lists the bucket picture (its rendition), with its size.
    status, _, body = learner.get(b, f"/api/courses/{course.pk}/offline.json")
    assert status == 200, body[:300]
    media = {m["url"]: m["bytes"] for m in json.loads(body)["media"]}
    bucket_media = [url for url in media if url.startswith(f"{endpoint}/{MEDIA_BUCKET}/images/")]
    assert bucket_media, media
    assert all(media[url] > 0 for url in bucket_media)

    # An officer's export is built on box B and downloaded on box A.
    officer = _officer_of(campaign)
    office = Visitor()
    office.sign_in(b, officer.username, LEARNER_PASSWORD)
    status, headers, body = office.get(
        b, reverse("campaigns:export", args=[campaign.pk, "learners", "csv"])
    )
    assert status == 302, body[:500]
    export = _wait(
        lambda: ExportLog.objects.filter(user=officer, status=ExportLog.Status.READY).first(),
        "the export to be built",
    )
    download = reverse("campaigns:export_download", args=[export.pk])
    assert Visitor().get(a, download)[0] in (302, 403)  # anonymous: the admin's sign-in, no file
    status, headers, _ = office.get(a, download)
    assert status == 302
    assert {"private", "no-store"} <= set(headers["Cache-Control"].replace(" ", "").split(","))
    assert headers["Location"].startswith(f"{endpoint}/{PRIVATE_BUCKET}/exports/")
    status, body = _get(headers["Location"])
    assert status == 200 and "李".encode() in body
    assert _get(headers["Location"].split("?", 1)[0])[0] == 403

    # The bucket picture shows in Chromium on box A under the learner CSP.
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    try:
        phone = context.new_page()
        refused = []
        phone.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else 0)
        response = phone.goto(f"http://127.0.0.1:{a}{LessonPage.objects.get(pk=first.pk).url}")
        assert response.status == 200
        policy = response.headers["content-security-policy"]
        img_src = next(d for d in policy.split(";") if d.strip().startswith("img-src"))
        assert endpoint in img_src.split()
        shown = phone.locator('img[alt="绿色的田"]')
        # The first step of the lesson; a lazy picture outside the viewport is fetched all the same.
        shown.evaluate("i => { i.loading = 'eager'; }")
        phone.wait_for_function(
            "() => { const i = document.querySelector('img[alt=\"绿色的田\"]');"
            " return i && i.complete && i.naturalWidth > 0; }",
            timeout=30_000,
        )
        assert shown.evaluate("i => i.currentSrc").startswith(f"{endpoint}/{MEDIA_BUCKET}/")
        assert refused == []
    finally:
        context.close()

    # Logs: UTC with the request id, from gunicorn, Django and Celery alike.
    web_log = (logs / "web-a.log").read_text()
    assert re.search(r"rid=[0-9a-f]{32} ", web_log), web_log[-2000:]
    worker_log = (logs / f"worker-{rendered_by[0]}.log").read_text()
    assert re.search(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO \[task-", worker_log, re.M)
    # One beat, its schedule and lock in Redis (not a file in the working directory); a second
    # beat started by mistake on box B waits for the lock instead of sending every task twice.
    assert "beat: Acquired lock" in (logs / "beat.log").read_text()
    second = boxes["processes"].start(
        "beat-b",
        [sys.executable, "-m", "celery", "-A", "cms", "beat"],
        cwd=boxes["dirs"]["b"],
        env=boxes["envs"]["b"],
    )
    _wait(lambda: "Configuration ->" in second.read_text(), "the second beat to start", 60)
    time.sleep(5)
    boxes["processes"].check("beat-b")  # still waiting, not crashed
    assert "Acquired lock" not in second.read_text()

    # Nothing another box would need was written into a box's working directory.
    for name, folder in boxes["dirs"].items():
        assert _files_under(folder) == [], f"box {name} wrote {_files_under(folder)}"
