"""Build the static CJK font instances certificates are set in (otherwise built on first use)."""

from django.core.management.base import BaseCommand

from learners.certificates import fonts


class Command(BaseCommand):
    help = "Instantiate the certificate fonts from the installed package into CERTIFICATE_FONT_DIR."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Also the TC and KR fallback faces.")

    def handle(self, *args, all: bool = False, **options):
        chain = fonts.faces() if all else fonts.faces()[:2]
        for face in chain:
            self.stdout.write(f"{face.key}: {fonts.static_path(face)}")
