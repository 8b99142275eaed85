"""Findings 2 and 6 (issue 16): certificate files and print batches are never public.

Before: bulk-print PDFs sat at /media/certificates/print/<yyyy>/<mm>/print-<n>.pdf and a revoked
certificate's PDF at /media/certificates/pdf/…/<public uuid>.pdf, both answering 200 to anyone.
Now they live in the private storage under random names and are read only through views that
check permission each time.
"""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from learners.certificates import services as certificate_services
from learners.certificates.models import Certificate, PrintBatch
from learners.certificates.storage import private_storage
from tests.certificates import factories

pytestmark = pytest.mark.django_db

NAME = "欧阳娜娜"
RANDOM_NAME = re.compile(r"^certificates/(pdf|png|print)/[A-Za-z0-9_-]{32}\.(pdf|png)$")


@pytest.fixture
def certified(django_capture_on_commit_callbacks):
    campaign = factories.campaign_in("610924000000")
    cohort = factories.cohort_in(campaign, "610924100201")
    enrollment = factories.completed_enrollment(campaign=campaign, cohort=cohort, name=NAME)
    with django_capture_on_commit_callbacks(execute=True):
        certificate_services.certificate_request(enrollment_id=enrollment.pk)
    certificate = enrollment.certificates.get()
    certificate_services.certificate_render(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    return certificate


def _public_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_certificate_files_are_private_under_random_names(certified):
    names = [certified.pdf.name, certified.png.name]
    assert all(RANDOM_NAME.match(name) for name in names), names
    assert str(certified.public_id) not in "".join(names)  # the JSON's uuid does not find them
    assert all(private_storage().exists(name) for name in names)
    assert not any(default_storage.exists(name) for name in names)
    assert not [p for p in _public_files() if p.suffix in (".pdf", ".png")]


def test_a_valid_certificates_files_are_served_by_its_code(certified):
    client = Client()
    pdf = client.get(f"/c/{certified.code}.pdf")
    png = client.get(f"/c/{certified.code}.png")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert png.status_code == 200 and b"".join(png.streaming_content).startswith(b"\x89PNG")


def test_revoked_certificates_files_answer_410_and_have_no_public_address(certified):
    admin = factories.administrator()
    certificate_services.certificate_revoke(certificate=certified, by=admin, reason="写错了名字")
    client = Client()
    assert client.get(f"/c/{certified.code}.pdf").status_code == 410
    assert client.get(f"/c/{certified.code}.png").status_code == 410
    for name in (certified.pdf.name, certified.png.name):
        assert client.get(settings.MEDIA_URL + name).status_code == 404
        assert (
            client.get(
                f"{settings.MEDIA_URL}certificates/pdf/{certified.public_id}.pdf"
            ).status_code
            == 404
        )


def test_print_batch_is_private_and_only_its_requester_downloads_it(certified):
    the_office = factories.office()
    officer = factories.officer(the_office)
    other_officer = factories.officer(factories.office(county_code="610925000000"))
    batch = certificate_services.print_batch_create(by=officer, cohort_id=certified.cohort_id)
    certificate_services.print_batch_build(batch_id=batch.pk)
    batch.refresh_from_db()
    assert RANDOM_NAME.match(batch.pdf.name), batch.pdf.name
    assert f"print-{batch.pk}" not in batch.pdf.name
    assert not default_storage.exists(batch.pdf.name)
    url = f"/admin/certificate_registry/print/{batch.pk}/pdf/"

    anonymous = Client().get(url)
    intruder = Client()
    intruder.force_login(other_officer)
    owner = Client()
    owner.force_login(officer)

    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    assert intruder.get(url).status_code == 404
    response = owner.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert (
        Client().get(f"{settings.MEDIA_URL}certificates/print/print-{batch.pk}.pdf").status_code
        == 404
    )


def test_files_written_before_the_change_move_to_private_storage(certified):
    """The data migration: public files under guessable names get a random private name."""
    migration = __import__(
        "learners.certificates.migrations.0003_private_storage_random_names",
        fromlist=["move_files_to_private_storage"],
    )
    old_pdf = f"certificates/pdf/2026/11/{certified.public_id}.pdf"
    default_storage.save(old_pdf, ContentFile(b"%PDF-1.4 old"))
    batch = PrintBatch.objects.create(title="old batch", state=PrintBatch.State.READY)
    old_print = f"certificates/print/2026/11/print-{batch.pk}.pdf"
    default_storage.save(old_print, ContentFile(b"%PDF-1.4 batch"))
    Certificate.objects.filter(pk=certified.pk).update(pdf=old_pdf)
    PrintBatch.objects.filter(pk=batch.pk).update(pdf=old_print)

    migration.move_files_to_private_storage(apps, None)

    certified.refresh_from_db()
    batch.refresh_from_db()
    assert not default_storage.exists(old_pdf) and not default_storage.exists(old_print)
    assert RANDOM_NAME.match(certified.pdf.name) and RANDOM_NAME.match(batch.pdf.name)
    with private_storage().open(certified.pdf.name) as handle:
        assert handle.read() == b"%PDF-1.4 old"
    with private_storage().open(batch.pdf.name) as handle:
        assert handle.read() == b"%PDF-1.4 batch"
