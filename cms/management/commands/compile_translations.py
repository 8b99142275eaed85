"""Compile our own .po catalogues to .mo with polib, so `make` needs no system gettext."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand

OUR_APPS = ("core", "cms", "courses", "learners", "campaigns")


class Command(BaseCommand):
    help = (
        "Compile the project's translation catalogues (locale/*/LC_MESSAGES/*.po) into .mo files."
    )

    def handle(self, *args, **options):
        compiled = 0
        for app in OUR_APPS:
            for po_path in sorted(
                # Sub-apps (learners/accounts, learners/certificates) keep their own locale/.
                (Path(settings.BASE_DIR) / app).glob("**/locale/*/LC_MESSAGES/*.po")
            ):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                compiled += 1
        self.stdout.write(f"Compiled {compiled} translation catalogue(s).")
