"""A demo lesson on a 360×740 phone: small AVIF/WebP pictures, and nothing from other origins."""

import mimetypes
import re
from urllib.parse import urlsplit

import pytest
from wagtail.models import Locale

from courses.models import LessonPage
from tests.courses.test_demo import load_one_course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def serve_media(page):
    """The test server has no media route (DEBUG is off): answer /media/ from storage."""
    from django.core.files.storage import default_storage

    def fulfil(route):
        name = urlsplit(route.request.url).path.split("/media/", 1)[1]
        with default_storage.open(name) as handle:
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            route.fulfill(status=200, body=handle.read(), content_type=kind)

    page.route(re.compile(r".*/media/.*"), fulfil)


def test_demo_lesson_uses_small_modern_renditions_and_stays_on_our_origin(phone, live_server):
    load_one_course()
    lesson = LessonPage.objects.get(
        locale=Locale.objects.get(language_code="zh-hans"), slug="codes-and-id-numbers"
    )
    serve_media(phone)
    phone.goto(f"{live_server.url}{lesson.url}")
    # Step through the lesson so lazy pictures load too: a step is hidden, and its lazy pictures
    # not fetched, until it is shown (from the first paint: decision 0135).
    forward = phone.locator('.stepper [data-step="1"]')
    while forward.is_visible():
        forward.click()
        phone.mouse.wheel(0, 700)
        phone.wait_for_timeout(100)
    phone.wait_for_load_state("networkidle")

    pictures = phone.eval_on_selector_all(
        ".lesson-figure img",
        "imgs => imgs.map(i => [i.currentSrc, i.naturalWidth, i.getAttribute('loading')])",
    )
    assert len(pictures) == 2
    for src, width, _ in pictures:
        assert re.search(r"\.(avif|webp)$", src), src
        assert 0 < width <= 720
    # The first picture is near the top (second block) and loads at once; later ones are lazy.
    assert pictures[0][2] is None and pictures[1][2] == "lazy"

    origin = urlsplit(live_server.url).netloc
    foreign = [u for u in phone.requested_urls if not u.startswith(("data:", "blob:"))]
    foreign = [u for u in foreign if urlsplit(u).netloc != origin]
    assert foreign == []
    assert not any(re.search(r"\.(woff2?|ttf|otf)(\?|$)", u) for u in phone.requested_urls)
