"""Every page a learner sees fits one round trip and a fixed number of SQL queries.

docs/design.md sets the lesson page's first response at ≤ 14 KB compressed and its queries at a
constant ≤ 10; the other learner pages are held to the same first-response size and to their own
measured query counts, so a change that makes any of them heavier fails here.
"""

import gzip

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learners.certificates import services as certificate_services
from tests.certificates import factories as certificate_factories
from tests.learners.factories import learner, lessons_of, make_course

pytestmark = pytest.mark.django_db

FIRST_RESPONSE_BUDGET = 14 * 1024  # bytes, gzip: one TCP round trip on a slow link

# Page → the most SQL queries it may take for a signed-in learner (anonymous where marked),
# measured with Wagtail's site cache warm. Lowering a figure is welcome; raising one needs a reason.
# The lesson page's docs/design.md budget (≤ 10) is asserted in tests/learners/test_budgets.py.
QUERY_BUDGETS = {
    "home": 9,
    # The catalog, course and lesson shells are shared by every learner (decision 0175): each page
    # costs the request's own reads and one query of the learner's state.
    "catalog": 8,
    "course": 8,
    "lesson": 8,
    # + the pages in the reader's language, by translation key, in one batch (decision 0071), and
    # the waiting-certificate cards (issue 15): constant, whatever the number of courses.
    "my learning": 8,
    "profile": 2,
    "consent": 2,
    "delete account": 2,
    "join form": 2,
    # + "have you joined already?" (the page says 你已加入 with a link onwards, issue 15).
    "join confirm": 9,
    "certificate verify": 3,
    "offline": 2,
    "not found": 7,
    "sign in (anonymous)": 0,
    "sign up (anonymous)": 0,
    "sign in by code (anonymous)": 0,
}


@pytest.fixture
def site(django_capture_on_commit_callbacks):
    from django.core.management import call_command

    course = make_course(lessons=3, questions=2)
    lessons = lessons_of(course)
    user = learner(enrolled_in=course)
    campaign = certificate_factories.campaign_in()
    campaign.courses.add(course)
    enrollment = certificate_factories.completed_enrollment(campaign=campaign, name="张三明")
    with django_capture_on_commit_callbacks(execute=True):
        certificate_services.certificate_request(enrollment_id=enrollment.pk)
    call_command("compile_translations", verbosity=0)
    return {
        "user": user,
        "course": course,
        "lessons": lessons,
        "join_code": campaign.join_code,
        "certificate": enrollment.certificates.get(),
    }


def learner_pages(site) -> dict[str, str]:
    course, lesson = site["course"], site["lessons"][1]
    return {
        "home": "/",
        "catalog": "/courses/",
        "course": course.url,
        "lesson": lesson.url,
        "my learning": "/me/",
        "profile": "/me/profile/",
        "consent": "/me/consent/",
        "delete account": "/me/delete/",
        "join form": "/join/",
        "join confirm": f"/join/{site['join_code']}/",
        "certificate verify": f"/c/{site['certificate'].code}",
        "offline": "/offline/",
        "not found": "/courses/no-such-course/",
    }


ANONYMOUS_PAGES = {
    "sign in (anonymous)": "/accounts/login/",
    "sign up (anonymous)": "/accounts/signup/",
    "sign in by code (anonymous)": "/accounts/login/code/",
}


def measure(client, url: str) -> tuple[int, int, int]:
    client.get(url)  # warm Wagtail's site and locale caches, as on a running server
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
    # The server compresses what a phone downloads; the size is what goes over the wire.
    assert response.get("Content-Encoding") == "gzip", f"{url} is not compressed"
    assert gzip.decompress(response.content).lstrip().startswith(b"<!DOCTYPE html>")
    return response.status_code, len(response.content), len(queries)


@pytest.fixture
def figures(client, site):
    client.force_login(site["user"])
    result = {name: measure(client, url) for name, url in learner_pages(site).items()}
    client.logout()
    result.update({name: measure(client, url) for name, url in ANONYMOUS_PAGES.items()})
    return result


def test_every_learner_page_answers(figures):
    statuses = {name: status for name, (status, _, _) in figures.items()}
    expected = dict.fromkeys(statuses, 200) | {"not found": 404}
    assert statuses == expected


def test_every_learner_page_fits_one_round_trip(figures):
    too_big = {name: size for name, (_, size, _) in figures.items() if size > FIRST_RESPONSE_BUDGET}
    assert too_big == {}


def test_every_learner_page_stays_within_its_query_budget(figures):
    assert set(figures) == set(QUERY_BUDGETS), "a learner page without a budget"
    over = {
        name: f"{queries} > {QUERY_BUDGETS[name]}"
        for name, (_, _, queries) in figures.items()
        if queries > QUERY_BUDGETS[name]
    }
    assert over == {}
