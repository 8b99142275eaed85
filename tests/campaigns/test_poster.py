"""The printable poster carries the campaign title and a QR code that opens its join page."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from core.roles import PROGRAM_OFFICERS

from .factories import CampaignFactory, ProgramOfficeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_officer_downloads_a_poster_with_title_and_join_code(client, tree):
    office = ProgramOfficeFactory(region=tree.a, name="安定区农业农村局")
    campaign = CampaignFactory(office=office, title="春季手机课", join_code="QRPT26")
    officer = UserFactory(username="officer_a", role=PROGRAM_OFFICERS)
    office.members.add(officer)
    client.force_login(officer)
    response = client.get(reverse("campaigns:poster", args=[campaign.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert len(response.content) < 400_000
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "春季手机课" in text
    assert "Q R P T 2 6" in text
    assert "/join/QRPT26/" in text
