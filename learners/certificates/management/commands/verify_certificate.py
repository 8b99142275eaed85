"""Check a downloaded certificate credential offline: signature, issuer key, dates and status."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from learners.certificates import credential


class Command(BaseCommand):
    help = (
        "Verify a certificate's signed JSON (from /c/<code>.json) without any network access. "
        "Exits non-zero and says why when it is not valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the .json credential")
        parser.add_argument(
            "--key",
            help="The issuer's did:key to trust (default: this installation's signing key).",
        )

    def handle(self, *args, file: str, key: str | None = None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            trusted = (
                credential.public_key_from_did(key)
                if key
                else credential.signing_key().public_key()
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        verdict = credential.verify(path.read_bytes(), trusted=trusted)
        if not verdict.ok:
            reasons = "\n".join(f"  - {problem}" for problem in verdict.problems)
            raise CommandError(f"NOT VALID: {path}\n{reasons}")
        self.stdout.write(self.style.SUCCESS(f"VALID: {path}"))
        for note in verdict.notes:
            self.stdout.write(f"  {note}")
