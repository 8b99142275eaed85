"""Signed certificates in the Open Badges 3.0 shape, checkable offline.

The credential is a W3C Verifiable Credential (types VerifiableCredential + OpenBadgeCredential)
with a Data Integrity proof, cryptosuite `eddsa-jcs-2022`: Ed25519 over the JSON Canonicalization
Scheme (RFC 8785) form, so any change to a signed member breaks the signature. The signing key
is the setting CERTIFICATE_SIGNING_KEY; its public half is published as a `did:key`
(docs/decisions/0033-signed-credentials.md).
"""

import base64
import hashlib
import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import base58
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
CREDENTIAL_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
CRYPTOSUITE = "eddsa-jcs-2022"
STATUS_TYPE = "DVCCertificateStatus"
STATUS_VALID = "valid"
STATUS_REVOKED = "revoked"
_ED25519_MULTICODEC = b"\xed\x01"

KEY_MISSING = (
    "CERTIFICATE_SIGNING_KEY is not set. Generate one with `manage.py certificate_key` and set "
    "it in the environment; certificates signed with a throw-away development key cannot be "
    "verified anywhere else."
)
KEY_INVALID = "CERTIFICATE_SIGNING_KEY must be a base64-encoded 32-byte Ed25519 private key."


# --- keys -----------------------------------------------------------------------------------------


def private_key_text(key: Ed25519PrivateKey) -> str:
    """The base64 form of `key` that CERTIFICATE_SIGNING_KEY takes."""
    raw = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return base64.b64encode(raw).decode("ascii")


def _load_private_key(text: str) -> Ed25519PrivateKey:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return Ed25519PrivateKey.from_private_bytes(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(KEY_INVALID) from exc


def _dev_key_path() -> Path:
    return Path(settings.VAR_DIR) / "certificate-signing-key"


def _dev_key() -> Ed25519PrivateKey:
    path = _dev_key_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        text = private_key_text(Ed25519PrivateKey.generate())
        # O_EXCL: when two processes start together, one key wins and both use it.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(text)
            logger.warning("Generated a development certificate signing key in %s", path)
    return _load_private_key(path.read_text())


def signing_key() -> Ed25519PrivateKey:
    """The installation's key: the setting, or a development key kept in var/ when allowed."""
    configured = getattr(settings, "CERTIFICATE_SIGNING_KEY", "")
    if configured:
        return _load_private_key(configured)
    if not getattr(settings, "CERTIFICATE_DEV_KEY_ALLOWED", True):
        raise ImproperlyConfigured(KEY_MISSING)
    return _dev_key()


def did_key(public_key: Ed25519PublicKey) -> str:
    """The `did:key` identifier of an Ed25519 public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "did:key:z" + base58.b58encode(_ED25519_MULTICODEC + raw).decode("ascii")


def public_key_from_did(did: str) -> Ed25519PublicKey:
    """The Ed25519 public key inside a `did:key` (with or without a #fragment)."""
    did = did.split("#", 1)[0]
    if not did.startswith("did:key:z"):
        raise ValueError(f"not an Ed25519 did:key: {did}")
    data = base58.b58decode(did.removeprefix("did:key:z"))
    if not data.startswith(_ED25519_MULTICODEC) or len(data) != 34:
        raise ValueError(f"not an Ed25519 did:key: {did}")
    return Ed25519PublicKey.from_public_bytes(data[2:])


def verification_method(public_key: Ed25519PublicKey) -> str:
    did = did_key(public_key)
    return f"{did}#{did.removeprefix('did:key:')}"


# --- canonical form ------------------------------------------------------------------------------


def canonical(value: Any) -> bytes:
    """The RFC 8785 (JSON Canonicalization Scheme) bytes of `value`, as eddsa-jcs-2022 hashes them.

    Raises ValueError (rfc8785.CanonicalizationError) for what JSON cannot carry exactly, such as
    integers beyond 2**53 or NaN.
    """
    return rfc8785.dumps(value)


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- building and signing -------------------------------------------------------------------------


def recipient_hash(identity: str, salt: str) -> str:
    """The salted identity hash Open Badges uses: `sha256$` + hex(sha256(identity + salt)).

    The salt is 128 random bits kept by the issuer (``Certificate.recipient_salt``) and never
    published (decision 0077): with it printed next to the hash, a mainland mobile number fell to
    a brute force in seconds (issue 16, finding 4). Only the issuer, or whoever it gives the salt
    to, can confirm that a number is the recipient's.
    """
    return "sha256$" + hashlib.sha256((identity + salt).encode()).hexdigest()


def recipient_matches(document: dict, *, identity: str, salt: str) -> bool:
    """Whether `identity` (a phone number) is `document`'s recipient, given the issuer's salt."""
    identifiers = (document.get("credentialSubject") or {}).get("identifier") or []
    expected = recipient_hash(identity, salt)
    return any(
        isinstance(item, dict) and secrets.compare_digest(item.get("identityHash", ""), expected)
        for item in identifiers
    )


def withhold_salt(document: dict, *, key: Ed25519PrivateKey) -> dict:
    """A credential signed before decision 0077, with its published salt removed and re-signed.

    The proof keeps its original creation time; nothing else in the document changes.
    """
    identifiers = (document.get("credentialSubject") or {}).get("identifier") or []
    if not any(isinstance(item, dict) and "salt" in item for item in identifiers):
        return document
    subject = {
        **document["credentialSubject"],
        "identifier": [
            {k: v for k, v in item.items() if k != "salt"} if isinstance(item, dict) else item
            for item in identifiers
        ],
    }
    created = _parse_time((document.get("proof") or {}).get("created"))
    return sign({**document, "credentialSubject": subject}, key=key, created=created)


def new_salt() -> str:
    return secrets.token_hex(16)


@dataclass(frozen=True)
class CredentialFacts:
    """What a credential asserts; names are snapshots taken at issuance."""

    credential_id: str
    verify_url: str
    issuer_name: str
    course_title: str
    course_url: str
    hours: str
    issued_at: datetime
    recipient_identity: str
    recipient_identity_type: str
    salt: str
    status: str = STATUS_VALID
    revoked_at: datetime | None = None
    extra: dict = field(default_factory=dict)


def build(facts: CredentialFacts, *, public_key: Ed25519PublicKey) -> dict:
    """The unsigned credential document for `facts`."""
    status: dict[str, Any] = {
        "id": f"{facts.verify_url}.json#status",
        "type": STATUS_TYPE,
        "status": facts.status,
    }
    if facts.revoked_at is not None:
        status["revokedAt"] = _timestamp(facts.revoked_at)
    return {
        "@context": CONTEXTS,
        "id": facts.credential_id,
        "type": CREDENTIAL_TYPES,
        "name": f"结业证书：{facts.course_title}",
        "issuer": {
            "id": did_key(public_key),
            "type": ["Profile"],
            "name": facts.issuer_name,
        },
        "validFrom": _timestamp(facts.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": recipient_hash(facts.recipient_identity, facts.salt),
                    "identityType": facts.recipient_identity_type,
                    "hashed": True,
                }
            ],
            "achievement": {
                "id": facts.course_url,
                "type": ["Achievement"],
                "achievementType": "Course",
                "name": facts.course_title,
                "description": f"{facts.course_title}（{facts.hours} 学时）",
                "criteria": {
                    "narrative": "完成课程全部课时并达到测验合格分数。"
                    " Completed every lesson and reached the course's quiz pass mark."
                },
            },
        },
        "credentialStatus": status,
        "evidence": [{"id": facts.verify_url, "type": ["Evidence"], "name": "验证页 Verify"}],
        **facts.extra,
    }


def _hash_data(document: dict, proof_config: dict) -> bytes:
    return (
        hashlib.sha256(canonical(proof_config)).digest()
        + hashlib.sha256(canonical(document)).digest()
    )


def sign(document: dict, *, key: Ed25519PrivateKey, created: datetime | None = None) -> dict:
    """`document` with an eddsa-jcs-2022 Data Integrity proof added."""
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    proof_config = {
        "@context": unsigned["@context"],
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": _timestamp(created or datetime.now(UTC)),
        "verificationMethod": verification_method(key.public_key()),
        "proofPurpose": "assertionMethod",
    }
    signature = key.sign(_hash_data(unsigned, proof_config))
    proof = {k: v for k, v in proof_config.items() if k != "@context"}
    proof["proofValue"] = "z" + base58.b58encode(signature).decode("ascii")
    return {**unsigned, "proof": proof}


def to_bytes(credential: dict) -> bytes:
    """The bytes we publish: the canonical form, so every byte is significant."""
    return canonical(credential)


# --- verifying ------------------------------------------------------------------------------------


@dataclass
class Verdict:
    """The outcome of a check: `ok`, and every reason it is not."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(
    raw: bytes | str | dict, *, trusted: Ed25519PublicKey, now: datetime | None = None
) -> Verdict:
    """Check signature, issuer key, dates and status of a credential, offline."""
    verdict = Verdict()
    document = _parse(raw, verdict)
    if document is None:
        return verdict
    proof = document.get("proof")
    if not isinstance(proof, dict):
        verdict.problems.append("The credential has no proof: it was never signed.")
        return verdict
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        verdict.problems.append(
            f"Unknown proof type {proof.get('type')!r}/{proof.get('cryptosuite')!r}; "
            f"expected DataIntegrityProof/{CRYPTOSUITE}."
        )
        return verdict
    _check_key(document, proof, trusted, verdict)
    _check_signature(document, proof, trusted, verdict)
    _check_dates(document, now or datetime.now(UTC), verdict)
    _check_status(document, verdict)
    return verdict


def _parse(raw: bytes | str | dict, verdict: Verdict) -> dict | None:
    if isinstance(raw, dict):
        return raw
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        verdict.problems.append(f"The file is not valid JSON ({exc}); it was damaged or edited.")
        return None
    if not isinstance(document, dict):
        verdict.problems.append("The file is JSON but not a credential object.")
        return None
    types = document.get("type") or []
    if not all(t in types for t in CREDENTIAL_TYPES):
        verdict.problems.append("This is not an Open Badges 3.0 credential (type is missing).")
    return document


def _check_key(document: dict, proof: dict, trusted: Ed25519PublicKey, verdict: Verdict) -> None:
    method = str(proof.get("verificationMethod", ""))
    try:
        signer = public_key_from_did(method)
    except ValueError:
        verdict.problems.append(f"The proof names no usable key ({method!r}).")
        return
    if did_key(signer) != did_key(trusted):
        verdict.problems.append(
            f"Signed by {did_key(signer)}, not by this platform's key {did_key(trusted)}."
        )
    issuer = document.get("issuer") or {}
    if isinstance(issuer, dict) and issuer.get("id") != did_key(signer):
        verdict.problems.append("The issuer id does not match the key that signed the proof.")


def _check_signature(
    document: dict, proof: dict, trusted: Ed25519PublicKey, verdict: Verdict
) -> None:
    value = str(proof.get("proofValue", ""))
    try:
        signature = base58.b58decode(value.removeprefix("z")) if value.startswith("z") else b""
    except ValueError:
        signature = b""
    if len(signature) != 64:
        verdict.problems.append("The proof value is not an Ed25519 signature.")
        return
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    proof_config = {k: v for k, v in proof.items() if k != "proofValue"}
    proof_config["@context"] = unsigned.get("@context")
    try:
        trusted.verify(signature, _hash_data(unsigned, proof_config))
    except (InvalidSignature, ValueError):
        verdict.problems.append(
            "The signature does not match: the credential was changed after it was signed."
        )


def _parse_time(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def _check_dates(document: dict, now: datetime, verdict: Verdict) -> None:
    valid_from = _parse_time(document.get("validFrom"))
    if valid_from is None:
        verdict.problems.append("validFrom is missing or not a date.")
    elif valid_from > now:
        verdict.problems.append(f"Not valid before {document['validFrom']}.")
    if "validUntil" in document:
        valid_until = _parse_time(document["validUntil"])
        if valid_until is None or valid_until < now:
            verdict.problems.append(f"Expired at {document['validUntil']}.")


def _check_status(document: dict, verdict: Verdict) -> None:
    status = document.get("credentialStatus") or {}
    state = status.get("status") if isinstance(status, dict) else None
    if state == STATUS_REVOKED:
        verdict.problems.append(f"Revoked on {status.get('revokedAt', 'an unknown date')}.")
    elif state != STATUS_VALID:
        verdict.problems.append(f"Unknown credential status {state!r}.")
    elif isinstance(status, dict) and status.get("id"):
        verdict.notes.append(
            "Valid when this copy was made; the current status is at "
            f"{str(status['id']).split('#', 1)[0]}."
        )
