"""The learner's check-in pages fit a phone on a slow link: one round trip, few queries,
Chinese and English (issue 20)."""

import gzip

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .sessions_fixtures import world_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

FIRST_RESPONSE_BUDGET = 14 * 1024
QUERY_BUDGET = {"checkin": 4, "checkin session": 5}


def _measure(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert response.status_code == 200
    assert response.get("Content-Encoding") == "gzip"
    return gzip.decompress(response.content).decode(), len(response.content), len(queries)


@pytest.mark.parametrize("name", ["checkin", "checkin session"])
def test_check_in_pages_fit_one_round_trip_and_a_query_budget(client, world, name):
    call_command("compile_translations", verbosity=0)
    client.force_login(world.learners_a[0])
    url = {
        "checkin": "/checkin/",
        "checkin session": f"/checkin/{world.session_a.public_id}/?code=1234",
    }[name]
    html, size, queries = _measure(client, url)
    assert size <= FIRST_RESPONSE_BUDGET
    assert queries <= QUERY_BUDGET[name], queries
    assert "签到" in html
    english, _, _ = _measure(client, "/en" + url)
    assert "Check in" in english
