"""Deleting an account removes personal data from the database, the search index and the files.

Certificates are revoked and anonymised (name replaced, credential withdrawn, PDF and PNG
deleted); the anonymous rows that campaign figures count stay (issue 8, point 6).
"""

import pytest
from django.test import Client
from wagtail.search.models import IndexEntry

from core.models import AuditLog
from core.outbox.services import outbox_drain
from learners.accounts.services import account_erase
from learners.certificates import services as certificate_services
from learners.certificates import tasks as certificate_tasks
from learners.certificates.models import Certificate
from learners.certificates.storage import private_storage
from learners.models import Enrollment
from tests.certificates import factories
from tests.security.factories import StaffFactory

pytestmark = pytest.mark.django_db

NAME = "欧阳娜娜"


@pytest.fixture
def certified(django_capture_on_commit_callbacks):
    """A learner with a rendered certificate from a campaign."""
    campaign = factories.campaign_in("610924000000")
    cohort = factories.cohort_in(campaign, "610924100201")
    enrollment = factories.completed_enrollment(campaign=campaign, cohort=cohort, name=NAME)
    with django_capture_on_commit_callbacks(execute=True):
        certificate_services.certificate_request(enrollment_id=enrollment.pk)
    certificate = enrollment.certificates.get()
    certificate_services.certificate_render(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    return enrollment.learner, certificate


def erase(user, capture):
    with capture(execute=True):
        account_erase(user=user)


def test_deleted_learners_certificates_are_revoked_and_anonymised(
    certified, django_capture_on_commit_callbacks
):
    user, certificate = certified
    phone = user.learner_profile.phone
    erase(user, django_capture_on_commit_callbacks)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert certificate.revoked_at is not None
    assert NAME not in certificate.learner_name
    assert certificate.credential == {}
    stored = repr(Certificate.objects.filter(pk=certificate.pk).values().get())
    assert NAME not in stored and phone not in stored


def test_deleted_learners_certificate_files_are_gone(certified, django_capture_on_commit_callbacks):
    user, certificate = certified
    files = [certificate.pdf.name, certificate.png.name]
    assert all(private_storage().exists(name) for name in files)
    erase(user, django_capture_on_commit_callbacks)
    assert not any(private_storage().exists(name) for name in files)
    certificate.refresh_from_db()
    assert not certificate.pdf and not certificate.png


def test_the_public_check_of_a_deleted_learners_certificate_says_revoked_and_names_no_one(
    certified, django_capture_on_commit_callbacks
):
    user, certificate = certified
    erase(user, django_capture_on_commit_callbacks)
    client = Client()
    page = client.get(f"/c/{certificate.code}").content.decode()
    assert NAME[0] not in page  # not even the masked first character
    assert client.get(f"/c/{certificate.code}.pdf").status_code == 410
    assert client.get(f"/c/{certificate.code}.png").status_code == 410
    assert NAME not in client.get(f"/c/{certificate.code}.json").content.decode()


def test_a_failed_erasure_keeps_the_files(certified, django_capture_on_commit_callbacks):
    from core import privacy

    def broken(user):
        raise RuntimeError("a room failed")

    user, certificate = certified
    privacy.register_eraser(broken)
    try:
        with pytest.raises(RuntimeError):
            erase(user, django_capture_on_commit_callbacks)
    finally:
        privacy.unregister(broken)
    certificate.refresh_from_db()
    assert certificate.is_valid and certificate.learner_name == NAME
    assert private_storage().exists(certificate.pdf.name)


def test_a_certificate_job_still_waiting_is_not_issued_after_deletion(
    django_capture_on_commit_callbacks,
):
    enrollment = factories.completed_enrollment(name=NAME)
    certificate_services.certificate_request(enrollment_id=enrollment.pk)  # broker "down"
    message = factories.certificate_messages(enrollment).get()
    erase(enrollment.learner, django_capture_on_commit_callbacks)
    assert outbox_drain() == 0  # the drain, after the outage: the message was withdrawn
    # A copy the broker already had reaches a worker: it finds its message gone.
    certificate_tasks.certificate_make_task.apply(args=[enrollment.pk], task_id=message.task_id)
    assert not Certificate.objects.filter(learner=enrollment.learner, status="issued").exists()
    assert not Certificate.objects.filter(learner_name=NAME).exists()


def test_deleted_learner_is_in_no_search_result(certified, django_capture_on_commit_callbacks):
    user, certificate = certified
    admin = StaffFactory(is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    registry = "/admin/certificate_registry/"
    users = "/admin/users/"
    assert certificate.code in client.get(registry, {"q": NAME}).content.decode()

    erase(user, django_capture_on_commit_callbacks)

    assert certificate.code not in client.get(registry, {"q": NAME}).content.decode()
    # The search box echoes the query; nothing else on the page may carry the name.
    assert client.get(users, {"q": NAME}).content.decode().count(NAME) == 1
    # Wagtail's search index (pages, images, documents, snippets) holds no trace either.
    assert not IndexEntry.objects.filter(title__contains=NAME).exists()
    assert not IndexEntry.objects.filter(body__contains=NAME).exists()
    assert not IndexEntry.objects.filter(autocomplete__contains=NAME).exists()


def test_anonymous_aggregates_survive_the_deletion(certified, django_capture_on_commit_callbacks):
    user, certificate = certified
    campaign_id = certificate.campaign_id
    before = (
        Enrollment.objects.filter(campaign_id=campaign_id, completed_at__isnull=False).count(),
        Certificate.objects.filter(campaign_id=campaign_id).count(),
    )
    erase(user, django_capture_on_commit_callbacks)
    after = (
        Enrollment.objects.filter(campaign_id=campaign_id, completed_at__isnull=False).count(),
        Certificate.objects.filter(campaign_id=campaign_id).count(),
    )
    assert after == before


def test_the_revocation_by_deletion_is_in_the_audit_log(
    certified, django_capture_on_commit_callbacks
):
    user, certificate = certified
    erase(user, django_capture_on_commit_callbacks)
    entry = AuditLog.objects.get(action="certificate.revoked", object_id=str(certificate.pk))
    certificate.refresh_from_db()
    assert certificate.revoke_reason
    assert entry.details["reason"] == certificate.revoke_reason
    assert NAME not in entry.object_repr


def test_the_data_download_lists_the_certificates(certified):
    user, certificate = certified
    client = Client()
    client.force_login(user)
    data = client.get("/me/data.json").json()
    [entry] = data["certificates"]["certificates"]
    assert entry["code"] == certificate.code
    assert entry["name_on_certificate"] == NAME


def test_bulk_print_pdfs_that_held_the_learner_lose_their_file(
    certified, django_capture_on_commit_callbacks
):
    user, certificate = certified
    admin = factories.administrator()
    # Another county's cohort, with a certificate of its own: its print-out stays.
    campaign = factories.campaign_in("610925000000")
    cohort = factories.cohort_in(campaign, "610925100201")
    other = factories.completed_enrollment(campaign=campaign, cohort=cohort, name="王五")
    with django_capture_on_commit_callbacks(execute=True):
        certificate_services.certificate_request(enrollment_id=other.pk)
    county = certificate.region.get_parent()
    batches = [
        certificate_services.print_batch_create(by=admin, cohort_id=certificate.cohort_id),
        certificate_services.print_batch_create(by=admin, region_id=county.pk),
        certificate_services.print_batch_create(by=admin, cohort_id=cohort.pk),
    ]
    for batch in batches:
        certificate_services.print_batch_build(batch_id=batch.pk)
        batch.refresh_from_db()
        assert private_storage().exists(batch.pdf.name)
    files = [batch.pdf.name for batch in batches]

    erase(user, django_capture_on_commit_callbacks)

    assert [private_storage().exists(name) for name in files] == [False, False, True]
