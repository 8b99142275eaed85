"""Certificates print the course's declared training hours (学时), not a guess from its minutes."""

import io
import json
from decimal import Decimal

import pytest
from pypdf import PdfReader
from wagtail.models import Locale
from wagtail_localize.models import Translation, TranslationSource

from courses.models import CoursePage
from learners.certificates import credential, services
from tests.learners.factories import make_course

from . import factories

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def issued_for(course, django_capture_on_commit_callbacks):
    enrollment = factories.completed_enrollment(course=course, campaign=factories.campaign_in())
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_request(enrollment_id=enrollment.pk)
    return enrollment.certificates.get()


def test_pdf_and_signed_credential_show_the_declared_hours(
    client, django_capture_on_commit_callbacks
):
    course = make_course(lessons=1, questions=1, title="手机网购防诈骗")
    course.estimated_minutes = 25  # would print 0.4 hours
    course.credit_hours = Decimal("2.0")
    course.save_revision().publish()

    certificate = issued_for(course, django_capture_on_commit_callbacks)

    assert certificate.hours == Decimal("2.0")
    pdf = b"".join(client.get(f"/c/{certificate.code}.pdf").streaming_content)
    text = pdf_text(pdf)
    assert "学时 2 小时" in text and "0.4" not in text
    document = client.get(f"/c/{certificate.code}.json").content
    assert (
        "手机网购防诈骗（2 学时）"
        in json.loads(document)["credentialSubject"]["achievement"]["description"]
    )
    assert credential.verify(document, trusted=credential.signing_key().public_key()).ok


def test_without_declared_hours_the_estimated_minutes_are_used(
    client, django_capture_on_commit_callbacks
):
    course = make_course(lessons=1, questions=1)
    course.estimated_minutes = 90
    course.save_revision().publish()
    assert course.credit_hours is None

    certificate = issued_for(course, django_capture_on_commit_callbacks)

    assert certificate.hours == Decimal("1.5")
    pdf = b"".join(client.get(f"/c/{certificate.code}.pdf").streaming_content)
    assert "学时 1.5 小时" in pdf_text(pdf)


def test_declared_hours_follow_the_chinese_course_into_its_english_translation():
    course = make_course(lessons=1, questions=1)
    course.credit_hours = Decimal("1.5")
    course.save_revision().publish()
    source, _created = TranslationSource.get_or_create_from_instance(course)
    translation = Translation.objects.create(
        source=source, target_locale=Locale.objects.get(language_code="en")
    )
    translation.save_target(publish=True)

    course.credit_hours = Decimal("3")
    course.save_revision().publish()
    source.update_from_db()
    translation.save_target(publish=True)

    english = CoursePage.objects.get(
        translation_key=course.translation_key, locale__language_code="en"
    )
    assert english.credit_hours == Decimal("3.0")
