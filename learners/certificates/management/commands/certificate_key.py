"""Print a new Ed25519 signing key for CERTIFICATE_SIGNING_KEY, and its public did:key."""

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management.base import BaseCommand

from learners.certificates.credential import did_key, private_key_text, signing_key


class Command(BaseCommand):
    help = "Generate a certificate signing key (or, with --show, the current key's did:key)."
    # Making the key that production's system check asks for must not need that key.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--show", action="store_true", help="Print the public did:key of the current key."
        )

    def handle(self, *args, show: bool = False, **options):
        if show:
            self.stdout.write(did_key(signing_key().public_key()))
            return
        key = Ed25519PrivateKey.generate()
        self.stdout.write(f"CERTIFICATE_SIGNING_KEY={private_key_text(key)}")
        self.stdout.write(f"# public key: {did_key(key.public_key())}")
