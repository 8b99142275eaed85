"""Signed credentials verify offline, and any change to them is caught with a reason."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured

from learners.certificates import credential

ISSUED = datetime(2026, 1, 15, 8, 30, tzinfo=UTC)


def facts(**overrides) -> credential.CredentialFacts:
    values = {
        "credential_id": "urn:uuid:6f1c1b0e-4d7b-4f55-9a7e-0d1f3b1e2a44",
        "verify_url": "https://verify.example.cn/c/4821093755123996",
        "issuer_name": "石泉县农业农村局",
        "course_title": "手机网购与防范电信网络诈骗",
        "course_url": "https://verify.example.cn/courses/safe-shopping/",
        "hours": "1.5",
        "issued_at": ISSUED,
        "recipient_identity": "+8613800138000",
        "recipient_identity_type": "ext:PhoneNumber",
        "salt": "00112233445566778899aabbccddeeff",
    }
    values.update(overrides)
    return credential.CredentialFacts(**values)


@pytest.fixture
def key():
    return Ed25519PrivateKey.generate()


def signed(key, **overrides) -> bytes:
    document = credential.build(facts(**overrides), public_key=key.public_key())
    return credential.to_bytes(credential.sign(document, key=key, created=ISSUED))


def test_signed_credential_verifies(key):
    verdict = credential.verify(signed(key), trusted=key.public_key())

    assert verdict.ok, verdict.problems


def test_credential_has_the_open_badges_3_shape(key):
    document = json.loads(signed(key))

    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert document["issuer"]["id"].startswith("did:key:z6Mk")
    assert document["credentialSubject"]["achievement"]["type"] == ["Achievement"]
    assert document["validFrom"] == "2026-01-15T08:30:00Z"
    assert document["credentialStatus"]["status"] == "valid"
    assert document["proof"]["cryptosuite"] == "eddsa-jcs-2022"


def test_recipient_is_a_salted_hash_never_the_phone_in_clear(key):
    raw = signed(key)
    document = json.loads(raw)
    identity = document["credentialSubject"]["identifier"][0]

    assert b"13800138000" not in raw
    assert identity["hashed"] is True
    salt = facts().salt
    assert credential.recipient_matches(document, identity="+8613800138000", salt=salt)
    assert not credential.recipient_matches(document, identity="+8613800138001", salt=salt)


def test_the_salt_is_never_published_so_the_phone_cannot_be_brute_forced(key):
    """Issue 16, finding 4: with the salt printed, 10^8 guesses recovered the number in 21 s."""
    raw = signed(key)
    document = json.loads(raw)
    salt = facts().salt

    assert salt.encode() not in raw
    assert "salt" not in document["credentialSubject"]["identifier"][0]
    # Knowing the number's first digits and trying the rest with any published value fails.
    published = {str(v) for v in document["credentialSubject"]["identifier"][0].values()}
    for guess_salt in published | {""}:
        assert not credential.recipient_matches(
            document, identity="+8613800138000", salt=guess_salt
        )


def test_an_old_credential_is_re_signed_without_its_salt_and_still_verifies(key):
    document = credential.build(facts(), public_key=key.public_key())
    document["credentialSubject"]["identifier"][0]["salt"] = facts().salt  # the old shape
    old = credential.sign(document, key=key, created=ISSUED)

    new = credential.withhold_salt(old, key=key)

    assert credential.verify(new, trusted=key.public_key()).ok
    assert facts().salt.encode() not in credential.to_bytes(new)
    assert new["proof"]["created"] == old["proof"]["created"]
    assert credential.recipient_matches(new, identity="+8613800138000", salt=facts().salt)
    assert credential.withhold_salt(new, key=key) is new


def test_credential_with_one_byte_changed_fails(key):
    raw = signed(key)
    position = raw.index("手机".encode())
    tampered = raw[:position] + "乎".encode() + raw[position + 3 :]

    verdict = credential.verify(tampered, trusted=key.public_key())

    assert not verdict.ok
    assert "changed after it was signed" in " ".join(verdict.problems)


def test_every_single_byte_change_is_caught(key):
    raw = signed(key)
    for position in range(0, len(raw), 7):
        tampered = raw[:position] + bytes([raw[position] ^ 0x01]) + raw[position + 1 :]
        assert not credential.verify(tampered, trusted=key.public_key()).ok, position


def test_credential_signed_by_another_key_fails(key):
    other = Ed25519PrivateKey.generate()

    verdict = credential.verify(signed(other), trusted=key.public_key())

    assert any("not by this platform's key" in problem for problem in verdict.problems)


def test_revoked_credential_fails_and_says_when(key):
    revoked = signed(key, status="revoked", revoked_at=ISSUED + timedelta(days=3))

    verdict = credential.verify(revoked, trusted=key.public_key())

    assert verdict.problems == ["Revoked on 2026-01-18T08:30:00Z."]


def test_credential_not_yet_valid_fails(key):
    verdict = credential.verify(
        signed(key), trusted=key.public_key(), now=ISSUED - timedelta(days=1)
    )

    assert verdict.problems == ["Not valid before 2026-01-15T08:30:00Z."]


def test_damaged_json_fails_with_a_reason(key):
    verdict = credential.verify(signed(key)[:-1], trusted=key.public_key())

    assert "not valid JSON" in verdict.problems[0]


def test_unsigned_credential_fails(key):
    document = credential.build(facts(), public_key=key.public_key())

    verdict = credential.verify(json.dumps(document), trusted=key.public_key())

    assert verdict.problems == ["The credential has no proof: it was never signed."]


def test_did_key_round_trips(key):
    did = credential.did_key(key.public_key())

    assert credential.did_key(credential.public_key_from_did(did)) == did


def test_signing_key_comes_from_the_setting(settings, key):
    settings.CERTIFICATE_SIGNING_KEY = credential.private_key_text(key)

    assert credential.did_key(credential.signing_key().public_key()) == credential.did_key(
        key.public_key()
    )


def test_malformed_signing_key_setting_is_a_clear_error(settings):
    settings.CERTIFICATE_SIGNING_KEY = "not-a-key"

    with pytest.raises(ImproperlyConfigured, match="base64-encoded 32-byte Ed25519"):
        credential.signing_key()


def test_missing_key_is_an_error_where_the_development_key_is_not_allowed(settings):
    settings.CERTIFICATE_SIGNING_KEY = ""
    settings.CERTIFICATE_DEV_KEY_ALLOWED = False

    with pytest.raises(ImproperlyConfigured, match="CERTIFICATE_SIGNING_KEY is not set"):
        credential.signing_key()


def test_development_key_is_generated_once_into_var(settings, tmp_path):
    settings.CERTIFICATE_SIGNING_KEY = ""
    settings.VAR_DIR = tmp_path

    first = credential.did_key(credential.signing_key().public_key())
    second = credential.did_key(credential.signing_key().public_key())

    assert first == second
    assert (tmp_path / "certificate-signing-key").stat().st_mode & 0o777 == 0o600


def test_production_settings_refuse_to_start_without_a_key(settings):
    from learners.certificates.checks import signing_key_configured

    settings.CERTIFICATE_SIGNING_KEY = ""
    settings.CERTIFICATE_DEV_KEY_ALLOWED = False

    assert [message.id for message in signing_key_configured(None)] == ["certificates.E001"]


def test_our_credentials_canonicalise_as_before_the_jcs_library(key):
    """Credentials signed with the hand-written canonical form (before decision 0145) still verify.

    For what we issue (ASCII keys, no numbers) RFC 8785 and sorted compact JSON agree byte for byte.
    """
    document = json.loads(signed(key))
    before = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    assert credential.canonical(document) == before.encode()
