"""Load the demo site: pages, courses, campaigns and one account per role. Idempotent."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string

from cms.demo import load_site
from core.demo import DEMO_PASSWORD, load_accounts

# Later rooms add their demo loaders here (each idempotent, each called with the command's stdout).
EXTRA_DEMO_LOADERS: list[str] = [
    "courses.demo.load",
    "campaigns.demo.load",
    "learners.accounts.demo.load",
]

REFUSE_WITHOUT_DEBUG = (
    "Refusing to create demo accounts with a published password while DEBUG is off. "
    "Run with --force if this really is a demo server."
)


class Command(BaseCommand):
    help = (
        "Create the demo site and accounts (learner, trainer, officer, admin). Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Create demo accounts even when DEBUG is off.",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(REFUSE_WITHOUT_DEBUG)
        with transaction.atomic():
            load_site()
            for dotted in EXTRA_DEMO_LOADERS:
                import_string(dotted)(stdout=self.stdout)
            accounts = load_accounts()
        self.stdout.write(self.style.SUCCESS("Demo site ready. Sign in with:"))
        for account in accounts:
            role = account.role or "Learner"
            self.stdout.write(f"  {account.username:<10} {DEMO_PASSWORD}   ({role})")
