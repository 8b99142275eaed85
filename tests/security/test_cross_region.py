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
