"""Certificates tests sign with a throw-away key, never the development key in var/."""

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from learners.certificates.credential import private_key_text


@pytest.fixture(scope="session")
def test_signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(autouse=True)
def _signing_key(settings, test_signing_key):
    settings.CERTIFICATE_SIGNING_KEY = private_key_text(test_signing_key)
    settings.CERTIFICATE_VERIFY_BASE_URL = "https://verify.example.cn"
