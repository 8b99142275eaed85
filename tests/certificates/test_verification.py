"""Anyone can check a certificate by its code; nothing personal leaks beyond a masked name."""

import json

import pytest
from django.urls import reverse

from learners.certificates import credential, services
from learners.certificates.selectors import mask_name

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(django_capture_on_commit_callbacks):
    campaign = factories.campaign_in()
    enrollment = factories.completed_enrollment(campaign=campaign, name="张三明")
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_request(enrollment_id=enrollment.pk)
    return enrollment.certificates.get()


def test_verify_page_shows_valid_masked_name_course_issuer_and_date(client, certificate):
    response = client.get(f"/c/{certificate.code}")

    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-status="valid"' in body
    assert "张*明" in body and "张三明" not in body
    assert certificate.course_title in body
    assert certificate.issuer_name in body
    assert certificate.completed_on.strftime("%Y-%m-%d") in body
    profile = certificate.learner.learner_profile
    assert profile.phone not in body


def test_code_typed_with_spaces_finds_the_certificate(client, certificate):
    spaced = " ".join(certificate.code[i : i + 4] for i in range(0, 16, 4))

    assert client.get(reverse("certificates:verify", args=[spaced])).status_code == 200


def test_unknown_code_is_404(client, certificate):
    wrong = certificate.code[:-1] + str((int(certificate.code[-1]) + 1) % 10)

    assert client.get(f"/c/{wrong}").status_code == 404
    assert client.get("/c/0000000000000000").status_code == 404
    assert client.get("/c/0000000000000000.json").status_code == 404
    assert client.get("/c/not-a-code.pdf").status_code == 404


def test_pdf_png_and_json_are_served_to_anyone_with_the_code(client, certificate):
    pdf = client.get(f"/c/{certificate.code}.pdf")
    png = client.get(f"/c/{certificate.code}.png")
    document = client.get(f"/c/{certificate.code}.json")

    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert png["Content-Type"] == "image/png"
    assert json.loads(document.content)["type"] == ["VerifiableCredential", "OpenBadgeCredential"]


def test_page_valid_then_revoked_shows_revoked_with_date_and_json_says_revoked(client, certificate):
    assert 'data-status="valid"' in client.get(f"/c/{certificate.code}").content.decode()
    office = certificate.office
    officer = factories.officer(office)

    services.certificate_revoke(certificate=certificate, by=officer, reason="重复发放")

    certificate.refresh_from_db()
    body = client.get(f"/c/{certificate.code}").content.decode()
    assert 'data-status="revoked"' in body
    assert certificate.revoked_at.astimezone().strftime("%Y-%m-%d") in body
    document = client.get(f"/c/{certificate.code}.json").content
    assert json.loads(document)["credentialStatus"]["status"] == "revoked"
    verdict = credential.verify(document, trusted=credential.signing_key().public_key())
    assert verdict.problems[0].startswith("Revoked on")
    assert client.get(f"/c/{certificate.code}.pdf").status_code == 410


def test_json_with_one_byte_changed_fails_verification(client, certificate):
    document = client.get(f"/c/{certificate.code}.json").content
    position = document.index(certificate.issuer_name.encode())
    tampered = bytearray(document)
    tampered[position + 2] ^= 0x01

    verdict = credential.verify(bytes(tampered), trusted=credential.signing_key().public_key())

    assert not verdict.ok


def test_json_never_carries_the_phone_or_name_in_clear(client, certificate):
    document = client.get(f"/c/{certificate.code}.json").content.decode()

    assert certificate.learner.learner_profile.phone not in document
    assert "张三明" not in document


def test_verify_page_query_count_is_constant(client, certificate, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        client.get(f"/c/{certificate.code}")


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三明", "张*明"),
        ("李四", "李*"),
        ("欧阳娜娜", "欧**娜"),
        ("𠮷野 家明", "𠮷**明"),
        ("王", "*"),
    ],
)
def test_names_are_masked_keeping_first_and_last_character(name, masked):
    assert mask_name(name) == masked
