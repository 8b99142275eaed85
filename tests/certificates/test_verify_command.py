"""`manage.py verify_certificate` checks a credential file offline and says why it fails."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from learners.certificates import credential

from .test_credential import facts


def write(tmp_path, key, **overrides):
    document = credential.build(facts(**overrides), public_key=key.public_key())
    path = tmp_path / "certificate.json"
    path.write_bytes(credential.to_bytes(credential.sign(document, key=key)))
    return path


def test_valid_credential_is_reported_valid(tmp_path, test_signing_key, capsys):
    path = write(tmp_path, test_signing_key)

    call_command("verify_certificate", str(path))

    assert "VALID" in capsys.readouterr().out


def test_tampered_credential_fails_and_says_why(tmp_path, test_signing_key):
    path = write(tmp_path, test_signing_key)
    path.write_bytes(path.read_bytes().replace("石泉县".encode(), "石泉市".encode()))

    with pytest.raises(CommandError, match="changed after it was signed"):
        call_command("verify_certificate", str(path))


def test_revoked_credential_fails_with_the_date(tmp_path, test_signing_key):
    path = write(
        tmp_path,
        test_signing_key,
        status="revoked",
        revoked_at=datetime(2026, 2, 1, tzinfo=UTC),
    )

    with pytest.raises(CommandError, match="Revoked on 2026-02-01"):
        call_command("verify_certificate", str(path))


def test_credential_from_another_issuer_fails_unless_its_key_is_given(tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    other = Ed25519PrivateKey.generate()
    path = write(tmp_path, other, issued_at=datetime.now(UTC) - timedelta(days=1))

    with pytest.raises(CommandError, match="not by this platform's key"):
        call_command("verify_certificate", str(path))
    call_command("verify_certificate", str(path), key=credential.did_key(other.public_key()))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("verify_certificate", str(tmp_path / "nope.json"))
