"""Issue 16: nothing about another region's learners reaches an office, by any path.

Two provinces (tests/security/two_provinces.py), each with its office, officer, trainer,
campaign, cohort, learner and certificate, made through the app's services.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from campaigns.models import RosterImport
from campaigns.services.roster import ROW_PHONE_NOT_HERE
from learners.certificates.models import Certificate
from learners.models import Enrollment

from . import two_provinces

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    return two_provinces.build(django_capture_on_commit_callbacks)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _roster(rows: list[tuple[str, str, str]]) -> SimpleUploadedFile:
    lines = ["name,phone,village code,cohort", *(",".join(r) + "," for r in rows)]
    return SimpleUploadedFile("roster.csv", "\n".join(lines).encode(), content_type="text/csv")


# --- Finding 1: the roster is not a registration oracle and enrolls no one from elsewhere -------


def test_another_regions_number_is_a_row_error_that_names_no_one(world):
    a, b = world["A"], world["B"]
    officer_b = _client(b.officer)
    upload = officer_b.post(
        reverse("campaigns:roster", args=[b.campaign.pk]),
        {
            "file": _roster(
                [
                    ("随便写的名字", a.phone[3:], b.village.code),  # region A's learner
                    ("乙地新人", "13700137000", b.village.code),  # nobody's number
                    ("乙地赵敏敏", b.phone[3:], b.village.code),  # B's own learner
                ]
            )
        },
    )
    assert upload.status_code == 302
    page = officer_b.get(upload["Location"]).content.decode()

    roster = RosterImport.objects.get(campaign=b.campaign)
    outcomes = [(row["line"], row["outcome"], row["reasons"]) for row in roster.rows]
    assert outcomes == [
        (2, "invalid", [str(ROW_PHONE_NOT_HERE)]),
        (3, "new", []),
        (4, "existing", []),
    ]
    assert str(ROW_PHONE_NOT_HERE) in page
    typed = {a.phone[3:], a.phone[3:6] + "****" + a.phone[-4:]}  # B's officer typed the number
    for word in set(a.words) - typed:
        assert word not in page

    confirmed = officer_b.post(upload["Location"])
    assert confirmed.status_code == 302
    assert not Enrollment.objects.filter(learner=a.learner, campaign=b.campaign).exists()
    assert Enrollment.objects.filter(learner=b.learner, campaign=b.campaign).exists()
    assert not Certificate.objects.filter(learner=a.learner, campaign=b.campaign).exists()


# --- Finding 8: every URL, as each of region B's people, shows nothing of region A -------------

OBJECT_OF_NAMESPACE = {
    "campaigns": "campaign",
    "cohorts": "cohort",
    "program_offices": "office",
    "regions": "county",
    "certificate_registry": "certificate",
    "wagtailusers_users": "learner",
}
ROLES_B = ("officer", "trainer", "learner")
# Public pages opened with a code: a certificate's verify page and files, a join page.
PUBLIC_BY_CODE = ("certificates:", "campaigns_join")


def _values(route, side) -> dict[str, str]:
    namespace = route.key.rsplit(":", 1)[0] if ":" in route.key else ""
    values = {"code": side.certificate.code, "kind": "learners", "fmt": "csv"}
    target = OBJECT_OF_NAMESPACE.get(namespace)
    if target is not None:
        values["pk"] = getattr(side, target).pk
    if route.key == "campaigns_join":
        values["code"] = side.campaign.join_code
    if "campaign" in route.key or namespace == "campaigns":
        values.setdefault("pk", side.campaign.pk)
    return {key: str(value) for key, value in values.items()}


def _body(response) -> str:
    if response.streaming:
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


def _leaks(world, role: str, own_side: str) -> list[tuple]:
    from tests.security.url_matrix import fill, routes

    other = world["A" if own_side == "B" else "B"]
    me = world[own_side]
    user = getattr(me, role)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    found = []
    for route in routes():
        if route.key.startswith(("account_", "wagtailadmin_api")) or "logout" in route.key:
            continue
        for side in (me, other):
            if side is other and route.key.startswith(PUBLIC_BY_CODE):
                continue  # A's code is a capability: whoever holds it may verify or join
            url, _real = fill(route, _values(route, side))
            response = client.get(url)
            if response.status_code >= 500:
                continue  # server errors are test_every_url.py's business
            body = _body(response)
            shown = [w for w in other.words if w in body and w not in url]
            if shown:
                found.append((route.key, url, response.status_code, shown))
    return found


@pytest.mark.parametrize("role", ROLES_B)
def test_region_b_sees_nothing_of_region_a_on_any_url(world, role):
    leaks = _leaks(world, role, "B")
    assert not leaks, "\n".join(map(str, leaks))
