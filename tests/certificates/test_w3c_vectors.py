"""Known-answer test: our eddsa-jcs-2022 signer reproduces the W3C published test vectors.

The vectors (tests/certificates/vectors/, source and licence in its README) come from the
W3C Data Integrity EdDSA Cryptosuites specification. Matching them byte for byte proves that a
credential we issue verifies with any conforming implementation, not only with our own code.
"""

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from learners.certificates import credential

VECTORS = Path(__file__).parent / "vectors"
JCS = VECTORS / "eddsa-jcs-2022"
ED25519_PRIVATE_MULTICODEC = b"\x80\x26"
CREATED = datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC)


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8").strip()


def _json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def key_pair() -> dict:
    return _json(VECTORS / "keyPair.json")


@pytest.fixture
def key(key_pair) -> Ed25519PrivateKey:
    raw = base58.b58decode(key_pair["privateKeyMultibase"].removeprefix("z"))
    assert raw[:2] == ED25519_PRIVATE_MULTICODEC
    return Ed25519PrivateKey.from_private_bytes(raw[2:])


@pytest.fixture
def unsigned() -> dict:
    return _json(VECTORS / "unsigned.json")


def test_the_key_pair_gives_the_published_did_key(key, key_pair):
    assert credential.did_key(key.public_key()) == "did:key:" + key_pair["publicKeyMultibase"]
    proof_config = _json(JCS / "proofConfigJCS.json")
    assert credential.verification_method(key.public_key()) == proof_config["verificationMethod"]


def test_canonical_forms_and_hashes_are_the_published_ones(unsigned):
    canon_doc = credential.canonical(unsigned)
    assert canon_doc.decode("utf-8") == _text(JCS / "canonDocJCS.txt")
    doc_hash = hashlib.sha256(canon_doc).digest()
    assert doc_hash.hex() == _text(JCS / "docHashJCS.txt")

    canon_proof = credential.canonical(_json(JCS / "proofConfigJCS.json"))
    assert canon_proof.decode("utf-8") == _text(JCS / "proofCanonJCS.txt")
    proof_hash = hashlib.sha256(canon_proof).digest()
    assert proof_hash.hex() == _text(JCS / "proofHashJCS.txt")

    assert (proof_hash + doc_hash).hex() == _text(JCS / "combinedHashJCS.txt")


def test_signing_the_unsigned_document_gives_the_published_proof_value(key, unsigned):
    signed = credential.sign(unsigned, key=key, created=CREATED)
    published = _json(JCS / "signedJCS.json")

    assert signed["proof"]["proofValue"] == _text(JCS / "sigBTC58JCS.txt")
    signature = base58.b58decode(signed["proof"]["proofValue"].removeprefix("z"))
    assert signature.hex() == _text(JCS / "sigHexJCS.txt")
    # The published proof also repeats the document's @context (optional in the specification);
    # everything else is identical.
    expected_proof = {k: v for k, v in published["proof"].items() if k != "@context"}
    assert signed == {**published, "proof": expected_proof}


def test_the_published_signed_credential_verifies(key):
    published = (JCS / "signedJCS.json").read_bytes()
    verdict = credential.verify(published, trusted=key.public_key())
    # Signature, signing key and dates all pass. The W3C example is a bare AlumniCredential, so
    # the only complaints are what our certificates add: the Open Badges type and our status.
    assert verdict.problems == [
        "This is not an Open Badges 3.0 credential (type is missing).",
        "Unknown credential status None.",
    ]


def test_one_changed_character_in_the_published_credential_fails(key):
    published = _json(JCS / "signedJCS.json")
    published["credentialSubject"]["alumniOf"] = "The School of Exampler"
    verdict = credential.verify(published, trusted=key.public_key())
    assert any("signature does not match" in problem for problem in verdict.problems)
