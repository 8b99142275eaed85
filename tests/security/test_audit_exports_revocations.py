"""Exports and certificate revocations from the other rooms land in the audit log."""

import pytest

from campaigns.models import ExportLog
from core.audit import CERTIFICATE_REVOKED, EXPORT_REQUESTED
from core.models import AuditLog
from learners.certificates import services
from tests.certificates import factories as certificate_factories
from tests.certificates.conftest import _signing_key, test_signing_key  # noqa: F401

from .factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_starting_an_export_is_recorded_with_its_scope():
    officer = StaffFactory(groups=["Program officers"])
    log = ExportLog.objects.create(
        user=officer,
        kind=ExportLog.Kind.LEARNERS,
        file_format="csv",
        region_code="610924000000",
        status=ExportLog.Status.PENDING,
    )
    entry = AuditLog.objects.get(action=EXPORT_REQUESTED)
    assert entry.actor == officer
    assert entry.object_id == str(log.pk)
    assert entry.details["region_code"] == "610924000000"
    assert entry.details["kind"] == ExportLog.Kind.LEARNERS


def test_finishing_an_export_adds_no_second_entry():
    log = ExportLog.objects.create(
        kind=ExportLog.Kind.LEARNERS, file_format="xlsx", status=ExportLog.Status.PENDING
    )
    log.status = ExportLog.Status.READY
    log.save()
    assert AuditLog.objects.filter(action=EXPORT_REQUESTED).count() == 1


@pytest.fixture
def certificate(django_capture_on_commit_callbacks):
    campaign = certificate_factories.campaign_in("610924000000")
    cohort = certificate_factories.cohort_in(campaign, "610924100201")
    enrollment = certificate_factories.completed_enrollment(campaign=campaign, cohort=cohort)
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_request(enrollment_id=enrollment.pk)
    return enrollment.certificates.get()


def test_revoking_a_certificate_is_recorded_once_with_the_reason(certificate):
    officer = certificate_factories.administrator()
    revoked = services.certificate_revoke(certificate=certificate, by=officer, reason="信息有误")
    revoked.save()  # a later save of the revoked certificate is not a second revocation
    entry = AuditLog.objects.get(action=CERTIFICATE_REVOKED)
    assert entry.actor == officer
    assert entry.object_id == str(certificate.pk)
    assert entry.details == {"reason": "信息有误"}


def test_issuing_a_certificate_is_not_a_revocation(certificate):
    assert not AuditLog.objects.filter(action=CERTIFICATE_REVOKED).exists()
