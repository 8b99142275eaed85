"""Access matrix: role × region × every campaigns admin view and export URL → allowed or denied.

Denied means 403, 404, or Wagtail's redirect to the admin home / sign-in page; never a page
with the object's data and never a file.
"""

import pytest
from django.urls import reverse

from campaigns.models import ExportLog, RosterImport
from core.roles import ADMINISTRATORS, PROGRAM_OFFICERS, TRAINERS
from learners.accounts.models import LearnerProfile

from .factories import CampaignFactory, CohortFactory, ProgramOfficeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree):
    office_a = ProgramOfficeFactory(region=tree.a, name="Office A")
    office_b = ProgramOfficeFactory(region=tree.b, name="Office B")
    office_f = ProgramOfficeFactory(region=tree.f, name="Office F")
    users = {
        "admin": UserFactory(username="boss", role=ADMINISTRATORS),
        "officer_a": UserFactory(username="officer_a", role=PROGRAM_OFFICERS),
        "officer_f": UserFactory(username="officer_f", role=PROGRAM_OFFICERS),
        "officer_none": UserFactory(username="officer_none", role=PROGRAM_OFFICERS),
        "trainer_a": UserFactory(username="trainer_a", role=TRAINERS),
        "trainer_none": UserFactory(username="trainer_none", role=TRAINERS),
        "learner": UserFactory(username="farmer"),
        "anonymous": None,
    }
    office_a.members.add(users["officer_a"])
    office_f.members.add(users["officer_f"])
    camp_a = CampaignFactory(office=office_a, title="Campaign A")
    camp_b = CampaignFactory(office=office_b, title="Campaign B")
    cohort_a = CohortFactory(campaign=camp_a, village=tree.va1, trainer=users["trainer_a"])
    cohort_b = CohortFactory(campaign=camp_b, village=tree.vb1)
    rosters = {
        name: RosterImport.objects.create(
            campaign=camp,
            filename="roster.csv",
            rows=[
                {
                    "line": 2,
                    "name": "张三",
                    "phone": f"+86138123456{n}8",
                    "village_code": village.code,
                    "cohort": "",
                    "cohort_id": None,
                    "outcome": "new",
                    "reasons": [],
                }
            ],
            valid_count=1,
        )
        for n, (name, camp, village) in enumerate(
            (("A", camp_a, tree.va1), ("B", camp_b, tree.vb1))
        )
    }
    foreign_log = ExportLog.objects.create(
        user=users["admin"], campaign=camp_b, kind="aggregates", file_format="csv", status="ready"
    )
    return {
        "users": users,
        "A": {
            "campaign": camp_a,
            "cohort": cohort_a,
            "office": office_a,
            "region": tree.a,
            "roster": rosters["A"],
        },
        "B": {
            "campaign": camp_b,
            "cohort": cohort_b,
            "office": office_b,
            "region": tree.b,
            "roster": rosters["B"],
        },
        "foreign_log": foreign_log,
    }


# Who may reach objects in region A / region B (by role), per kind of screen.
SEES_REGION = {
    "admin": {"A", "B"},
    "officer_a": {"A"},
    "officer_f": {"A", "B"},
    "officer_none": set(),
    "trainer_a": set(),
    "trainer_none": set(),
    "learner": set(),
    "anonymous": set(),
}
TRAINS = {"trainer_a": {"A"}}
OFFICERS = {"officer_a", "officer_f", "officer_none"}


def campaign_screens(area):
    """(url, who may open it) for every screen about one region's campaign."""
    objs = area
    pk = objs["campaign"].pk

    def officers_and_admin(user, region):
        return region in SEES_REGION[user]

    def dashboard(user, region):
        return region in SEES_REGION[user] or region in TRAINS.get(user, set())

    def admin_only(user, region):
        return user == "admin"

    def nobody(user, region):
        return False

    screens = [
        (reverse(f"campaigns:{name}", args=[pk]), officers_and_admin)
        for name in (
            "edit",
            "delete",
            "inspect",
            "history",
            "history_results",
            "usage",
            "roster",
            "poster",
        )
    ]
    screens.append(
        (reverse("campaigns:roster_preview", args=[pk, objs["roster"].pk]), officers_and_admin)
    )
    screens.append((reverse("campaigns:dashboard", args=[pk]), dashboard))
    for kind in ("aggregates", "learners"):
        for fmt in ("csv", "xlsx"):
            screens.append((reverse("campaigns:export", args=[pk, kind, fmt]), officers_and_admin))
    cohort = objs["cohort"].pk
    screens += [
        (reverse(f"cohorts:{name}", args=[cohort]), officers_and_admin)
        for name in ("edit", "delete", "history", "history_results", "usage")
    ]
    screens.append((reverse("cohorts:inspect", args=[cohort]), dashboard))
    office = objs["office"].pk
    screens += [
        (reverse("program_offices:inspect", args=[office]), officers_and_admin),
        (reverse("program_offices:dashboard", args=[office]), officers_and_admin),
    ]
    for kind in ("aggregates", "learners"):
        for fmt in ("csv", "xlsx"):
            screens.append(
                (reverse("program_offices:export", args=[office, kind, fmt]), officers_and_admin)
            )
    # Offices and regions are changed only by Administrators (decision 0040); regions are never
    # deleted from the admin (they enter and stay through import_regions).
    screens += [
        (reverse(f"program_offices:{name}", args=[office]), admin_only)
        for name in ("edit", "delete", "history", "history_results", "usage")
    ]
    region = objs["region"].pk
    screens += [
        (reverse("regions:inspect", args=[region]), officers_and_admin),
        (reverse("regions:delete", args=[region]), nobody),
    ]
    screens += [
        (reverse(f"regions:{name}", args=[region]), admin_only)
        for name in ("edit", "history", "history_results", "usage")
    ]
    return screens


def listing_screens():
    staff_admin_or_officer = OFFICERS | {"admin"}
    cohort_readers = staff_admin_or_officer | {"trainer_a", "trainer_none"}
    return [
        (reverse("campaigns:index"), staff_admin_or_officer),
        (reverse("campaigns:index_results"), staff_admin_or_officer),
        (reverse("campaigns:add"), staff_admin_or_officer),
        (reverse("cohorts:index"), cohort_readers),
        (reverse("cohorts:index_results"), cohort_readers),
        (reverse("cohorts:add"), staff_admin_or_officer),
        (reverse("program_offices:index"), staff_admin_or_officer),
        (reverse("program_offices:index_results"), staff_admin_or_officer),
        (reverse("program_offices:add"), {"admin"}),
        (reverse("regions:index"), staff_admin_or_officer),
        (reverse("regions:index_results"), staff_admin_or_officer),
        (reverse("regions:add"), set()),
        (reverse("campaigns:exports"), staff_admin_or_officer),
    ]


def is_denied(response) -> bool:
    if response.status_code in (403, 404):
        return True
    if response.status_code == 302:
        location = response["Location"]
        return location == reverse("wagtailadmin_home") or "login" in location
    return False


def is_allowed(response) -> bool:
    if response.status_code == 200:
        return True
    # An export is built and then handed over through the download URL.
    return (
        response.status_code == 302
        and "/exports/" in response["Location"]
        and ("download" in response["Location"])
    )


def open_as(client, user, url):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url)


@pytest.mark.parametrize("role", list(SEES_REGION))
def test_every_object_screen_in_each_region(client, world, role):
    user = world["users"][role]
    failures = []
    for region in ("A", "B"):
        for url, rule in campaign_screens(world[region]):
            response = open_as(client, user, url)
            expected = rule(role, region)
            ok = is_allowed(response) if expected else is_denied(response)
            if not ok:
                failures.append((region, url, expected, response.status_code))
    assert not failures, failures


@pytest.mark.parametrize("role", list(SEES_REGION))
def test_every_listing_screen(client, world, role):
    user = world["users"][role]
    failures = []
    for url, allowed in listing_screens():
        response = open_as(client, user, url)
        ok = is_allowed(response) if role in allowed else is_denied(response)
        if not ok:
            failures.append((url, role in allowed, response.status_code))
    assert not failures, failures


@pytest.mark.parametrize("role", [r for r in SEES_REGION if r != "admin"])  # admin made it
def test_nobody_downloads_another_users_export(client, world, role):
    url = reverse("campaigns:export_download", args=[world["foreign_log"].pk])
    assert is_denied(open_as(client, world["users"][role], url))


def test_listings_never_show_other_regions(client, world):
    client.force_login(world["users"]["officer_a"])
    for name, hidden in (
        ("campaigns:index", "Campaign B"),
        ("program_offices:index", "Office B"),
        ("regions:index", "County B"),
    ):
        assert hidden not in client.get(reverse(name)).content.decode(), name


def test_dashboard_cannot_be_drilled_outside_the_campaign(client, world, tree):
    client.force_login(world["users"]["officer_f"])
    url = reverse("campaigns:dashboard", args=[world["A"]["campaign"].pk])
    assert client.get(url, {"region": tree.vb1.code}).status_code == 404
    assert client.get(url, {"region": tree.p.code}).status_code == 404
    assert client.get(url, {"region": tree.va1.code}).status_code == 200


@pytest.mark.parametrize("role", [r for r in SEES_REGION if "B" not in SEES_REGION[r]])
def test_nobody_outside_region_b_changes_its_campaign(client, world, role):
    """Posting to another region's screens imports, deletes and edits nothing."""
    area = world["B"]
    campaign, roster = area["campaign"], area["roster"]
    client.logout()
    if world["users"][role] is not None:
        client.force_login(world["users"][role])
    posts = [
        (reverse("campaigns:roster_preview", args=[campaign.pk, roster.pk]), {}),
        (reverse("campaigns:delete", args=[campaign.pk]), {}),
        (reverse("cohorts:delete", args=[area["cohort"].pk]), {}),
        (reverse("campaigns:edit", args=[campaign.pk]), {"title": "taken over"}),
    ]
    for url, data in posts:
        assert is_denied(client.post(url, data)), url
    roster.refresh_from_db()
    assert roster.status == RosterImport.Status.PREVIEW
    assert not LearnerProfile.objects.exists()
    campaign.refresh_from_db()
    assert campaign.title == "Campaign B"
    assert campaign.cohorts.filter(pk=area["cohort"].pk).exists()
