"""Access matrix by office level (decision 0090): for each level (province, prefecture, county,
township) and every screen, export and PDF an officer reaches about a province-wide campaign, the
status is right and nothing from outside the office's subtree appears: no learner name, no phone
digits, no cohort or other campaign's title, no certificate code.
"""

import io
import zipfile

import pytest
from django.urls import reverse

from campaigns.models import RosterImport
from learners.certificates.models import Certificate, PrintBatch

from .factories import CampaignFactory, CohortFactory, ProgramOfficeFactory
from .test_visibility_down_the_tree import LEARNERS, SEES, world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
LEVELS = ("province", "prefecture", "county", "township")


@pytest.fixture
def matrix(world):  # noqa: F811
    tree, campaign, _offices, officers, cohorts = world
    # A second campaign, run by an office in county B only.
    office_b = ProgramOfficeFactory(region=tree.b, name="乙县办")
    campaign_b = CampaignFactory(office=office_b, region=tree.b, title="乙县电商专项")
    CohortFactory(campaign=campaign_b, village=tree.vb1, name="乙县电商班")
    roster = RosterImport.objects.create(
        campaign=campaign,
        uploaded_by=officers["province"],
        filename="省名单.csv",
        rows=[{"line": 2, "name": "王翠花", "phone": "+8613800000444", "outcome": "new"}],
        valid_count=1,
    )
    return tree, campaign, campaign_b, officers, cohorts, roster


def outside_identifiers(level, cohorts, campaign_b) -> list[str]:
    """Everything that must never reach an officer of `level`."""
    village_of = {"va1": {"township", "county", "prefecture", "province"}}
    village_of["va3"] = {"county", "prefecture", "province"}
    village_of["vb1"] = {"prefecture", "province"}
    hidden = []
    for username, name, phone, _village in LEARNERS:
        if username not in SEES[level]:
            code = Certificate.objects.get(learner__username=username).code
            hidden += [name, phone[-8:], code]
    hidden += [c.name for key, c in cohorts.items() if level not in village_of[key]]
    if level in ("county", "township"):
        hidden += [campaign_b.title, "乙县电商班"]
    return hidden


def body(client, response) -> str:
    """The text of a page, or of the file a redirect leads to (CSV, XLSX)."""
    if response.status_code == 302 and "download" in response["Location"]:
        response = client.get(response["Location"])
    if response.streaming:
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    if content[:2] == b"PK":  # XLSX: the text lives in the shared strings and sheets
        archive = zipfile.ZipFile(io.BytesIO(content))
        return "".join(
            archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml")
        )
    return content.decode("utf-8-sig", errors="replace")


def screens(campaign, cohorts, roster):
    """(url, {level: expected status}) for every screen about the province campaign."""
    every = dict.fromkeys(LEVELS, 200)
    only_province = {"province": 200, "prefecture": 404, "county": 404, "township": 404}
    rows = [
        (reverse("campaigns:index"), every),
        (reverse("campaigns:inspect", args=[campaign.pk]), every),
        (reverse("campaigns:edit", args=[campaign.pk]), only_province),
        (reverse("campaigns:dashboard", args=[campaign.pk]), every),
        (reverse("campaigns:roster", args=[campaign.pk]), every),
        (reverse("campaigns:roster_preview", args=[campaign.pk, roster.pk]), only_province),
        (reverse("campaigns:poster", args=[campaign.pk]), every),
        (reverse("cohorts:index"), every),
        (reverse("certificate_registry:index"), every),
        (reverse("certificate_registry:print") + f"?campaign={campaign.pk}", every),
    ]
    for kind in ("aggregates", "learners"):
        for fmt in ("csv", "xlsx"):
            rows.append(
                (
                    reverse("campaigns:export", args=[campaign.pk, kind, fmt]),
                    dict.fromkeys(LEVELS, 302),
                )
            )
    township = {"province": 200, "prefecture": 200, "county": 200, "township": 200}
    county = {**township, "township": 404}
    prefecture = {**county, "county": 404}
    for key, expected in (("va1", township), ("va3", county), ("vb1", prefecture)):
        rows.append((reverse("cohorts:inspect", args=[cohorts[key].pk]), expected))
        rows.append((reverse("cohorts:edit", args=[cohorts[key].pk]), expected))
    for username, _name, _phone, _village in LEARNERS:
        certificate = Certificate.objects.get(learner__username=username)
        expected = {level: 200 if username in SEES[level] else 404 for level in LEVELS}
        rows.append((reverse("certificate_registry:inspect", args=[certificate.pk]), expected))
        rows.append((reverse("certificate_registry:revoke", args=[certificate.pk]), expected))
    return rows


@pytest.mark.parametrize("level", LEVELS)
def test_every_screen_has_the_right_status_and_nothing_from_outside(client, matrix, level):
    _tree, campaign, campaign_b, officers, cohorts, roster = matrix
    client.force_login(officers[level])
    hidden = outside_identifiers(level, cohorts, campaign_b)
    failures = []
    for url, expected in screens(campaign, cohorts, roster):
        response = client.get(url)
        if response.status_code != expected[level]:
            failures.append(f"{url}: {response.status_code} != {expected[level]}")
            continue
        if response.status_code in (200, 302):
            text = body(client, response)
            failures += [f"{url} shows {word}" for word in hidden if word in text]
    assert failures == []


@pytest.mark.parametrize("level", LEVELS)
def test_printing_the_whole_registry_prints_only_the_office_certificates(
    client, matrix, level, django_capture_on_commit_callbacks
):
    _tree, campaign, _campaign_b, officers, _cohorts, _roster = matrix
    client.force_login(officers[level])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("certificate_registry:print"), {"from_list": "1", "campaign": campaign.pk}
        )
    batch = PrintBatch.objects.get()
    assert batch.total == len(SEES[level])
    from pypdf import PdfReader

    assert len(PdfReader(batch.pdf.open("rb")).pages) == len(SEES[level])
