"""Completing a course issues exactly one certificate, from the right office, once rendered."""

import pytest
from django.db import IntegrityError

from core.outbox import services as outbox
from learners.certificates import services
from learners.certificates.models import Certificate
from learners.models import Enrollment
from tests.learners.factories import make_course

from . import factories

pytestmark = pytest.mark.django_db


def test_completing_the_last_lesson_issues_one_rendered_certificate(
    django_capture_on_commit_callbacks,
):
    course = make_course(lessons=2, questions=1, title="手机网购防诈骗")
    campaign = factories.campaign_in(with_seal=True)
    user = factories.learner()
    from learners.services import enrollment_create

    enrollment_create(learner=user, course=course, campaign=campaign)

    with django_capture_on_commit_callbacks(execute=True):
        factories.finish_course(user, course)

    certificate = Certificate.objects.get(learner=user)
    assert certificate.is_valid and certificate.is_ready
    assert certificate.learner_name == factories.RARE_NAME
    assert certificate.course_title == "手机网购防诈骗"
    assert certificate.issuer_name == campaign.office.name
    assert certificate.signatory_name == "王建国"
    assert certificate.pdf.read().startswith(b"%PDF")
    assert factories.certificate_messages(user).get().state == "done"


def test_replayed_completion_changes_nothing(django_capture_on_commit_callbacks):
    enrollment = factories.completed_enrollment()

    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_request(enrollment_id=enrollment.pk)
    rendered_at = Certificate.objects.get(enrollment=enrollment).rendered_at
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_request(enrollment_id=enrollment.pk)

    assert Certificate.objects.filter(enrollment=enrollment).count() == 1
    assert Certificate.objects.get(enrollment=enrollment).rendered_at == rendered_at  # drawn once
    assert set(factories.certificate_messages(enrollment).values_list("state", flat=True)) == {
        "done"
    }


def test_issuing_twice_returns_the_same_certificate():
    enrollment = factories.completed_enrollment()

    first = services.certificate_issue(enrollment_id=enrollment.pk)
    second = services.certificate_issue(enrollment_id=enrollment.pk)

    assert first.pk == second.pk


def test_database_refuses_a_second_live_certificate_for_the_same_campaign():
    campaign = factories.campaign_in()
    enrollment = factories.completed_enrollment(campaign=campaign)
    first = services.certificate_issue(enrollment_id=enrollment.pk)
    first.pk = None
    first.code = "0000000000000000"
    first.public_id = None

    with pytest.raises(IntegrityError):
        Certificate.objects.create(
            **{
                f.attname: getattr(first, f.attname)
                for f in Certificate._meta.concrete_fields
                if f.attname not in {"id", "public_id"}
            }
        )


def test_database_refuses_a_second_live_self_enrolled_certificate():
    enrollment = factories.completed_enrollment()
    first = services.certificate_issue(enrollment_id=enrollment.pk)
    values = {
        f.attname: getattr(first, f.attname)
        for f in Certificate._meta.concrete_fields
        if f.attname not in {"id", "public_id", "code"}
    }

    assert first.campaign_id is None
    with pytest.raises(IntegrityError):
        Certificate.objects.create(code="1111111111111111", **values)


def test_self_enrolled_learner_gets_the_default_office_as_issuer():
    factories.office(name="数字乡村课堂平台办公室", is_default=True)
    enrollment = factories.completed_enrollment()

    certificate = services.certificate_issue(enrollment_id=enrollment.pk)

    assert certificate.issuer_name == "数字乡村课堂平台办公室"
    assert certificate.campaign is None


def test_without_any_default_office_the_platform_issues():
    enrollment = factories.completed_enrollment()

    certificate = services.certificate_issue(enrollment_id=enrollment.pk)

    assert certificate.issuer_name == services.PLATFORM_ISSUER


def test_course_without_certificates_issues_none(django_capture_on_commit_callbacks):
    course = make_course(lessons=1, questions=1)
    course.certificate_enabled = False
    course.save()
    enrollment = factories.completed_enrollment(course=course)

    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_request(enrollment_id=enrollment.pk)

    assert not Certificate.objects.exists()
    assert factories.certificate_messages(enrollment).get().state == "done"


def test_incomplete_enrollment_issues_nothing():
    enrollment = factories.completed_enrollment()
    Enrollment.objects.filter(pk=enrollment.pk).update(completed_at=None)

    assert services.certificate_issue(enrollment_id=enrollment.pk) is None


def test_certificate_region_is_the_cohort_village():
    campaign = factories.campaign_in()
    cohort = factories.cohort_in(campaign, "610924100201")
    enrollment = factories.completed_enrollment(campaign=campaign, cohort=cohort)

    certificate = services.certificate_issue(enrollment_id=enrollment.pk)

    assert certificate.region.code == "610924100201"


def test_hours_come_from_the_course_estimate():
    course = make_course(lessons=1, questions=1)
    course.estimated_minutes = 90
    course.save()

    certificate = services.certificate_issue(
        enrollment_id=factories.completed_enrollment(course=course).pk
    )

    assert str(certificate.hours) == "1.5"


def test_broker_failure_keeps_the_request_in_the_outbox(
    monkeypatch, django_capture_on_commit_callbacks
):
    from learners.certificates import tasks

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.certificate_make_task, "apply_async", refuse)
    enrollment = factories.completed_enrollment()

    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_request(enrollment_id=enrollment.pk)

    message = factories.certificate_messages(enrollment).get()
    assert message.state == "pending" and message.enqueued_at is None
    assert not Certificate.objects.exists()

    monkeypatch.undo()
    assert outbox.outbox_drain() == 1
    assert Certificate.objects.get().is_ready


def test_the_drain_does_not_resend_a_certificate_message_sent_a_moment_ago():
    from django.utils import timezone

    enrollment = factories.completed_enrollment()
    services.certificate_request(enrollment_id=enrollment.pk)  # not committed: never sent
    factories.certificate_messages(enrollment).update(enqueued_at=timezone.now(), sends=1)

    assert outbox.outbox_drain() == 0
    assert not Certificate.objects.exists()


def test_signed_credential_verifies_with_the_installation_key():
    from learners.certificates import credential

    certificate = services.certificate_issue(enrollment_id=factories.completed_enrollment().pk)

    verdict = credential.verify(
        credential.to_bytes(certificate.credential),
        trusted=credential.signing_key().public_key(),
    )
    assert verdict.ok, verdict.problems
    assert certificate.credential["credentialStatus"]["status"] == "valid"
