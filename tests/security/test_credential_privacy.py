"""Finding 4 (issue 16): the public credential names its recipient without exposing the phone."""

import importlib
import json

import pytest
from django.apps import apps
from django.test import Client

from learners.certificates import credential
from learners.certificates import services as certificate_services
from learners.certificates.models import Certificate
from tests.certificates import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(django_capture_on_commit_callbacks):
    enrollment = factories.completed_enrollment(name="欧阳娜娜")
    with django_capture_on_commit_callbacks(execute=True):
        certificate_services.certificate_request(enrollment_id=enrollment.pk)
    return enrollment.certificates.get()


def test_public_json_carries_neither_the_phone_nor_the_salt(certificate):
    raw = Client().get(f"/c/{certificate.code}.json").content
    phone = certificate.learner.learner_profile.phone

    assert phone.encode() not in raw and phone[3:].encode() not in raw
    assert certificate.recipient_salt.encode() not in raw
    document = json.loads(raw)
    assert "salt" not in document["credentialSubject"]["identifier"][0]
    # The issuer, holding the salt, can still confirm the recipient; the public cannot.
    assert credential.recipient_matches(document, identity=phone, salt=certificate.recipient_salt)


def test_credentials_signed_with_a_published_salt_are_re_signed_by_the_migration(certificate):
    old = dict(certificate.credential)
    old.pop("proof")
    old["credentialSubject"]["identifier"][0]["salt"] = certificate.recipient_salt
    Certificate.objects.filter(pk=certificate.pk).update(
        credential=credential.sign(old, key=credential.signing_key())
    )
    migration = importlib.import_module(
        "learners.certificates.migrations.0004_withhold_recipient_salt"
    )

    migration.withhold_published_salts(apps, None)

    raw = Client().get(f"/c/{certificate.code}.json").content
    assert certificate.recipient_salt.encode() not in raw
    assert credential.verify(raw, trusted=credential.signing_key().public_key()).ok
