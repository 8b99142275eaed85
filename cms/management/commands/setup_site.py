"""Set up a production site: roles, the empty site and its first administrator. No demo content.

docs/deployment.md, "First administrator". Idempotent: what exists is left as it is, so running it
again (or on a box that joins later) changes nothing.
"""

import getpass
import os

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cms.site_setup import empty_site
from core.roles import ADMINISTRATORS

# The variable createsuperuser reads too.
PASSWORD_VARIABLE = "DJANGO_SUPERUSER_PASSWORD"  # noqa: S105 - a variable name, not a password


class Command(BaseCommand):
    help = (
        "Create the staff roles, an empty site (home page and course catalog in zh-Hans and "
        "English, no demo content) and the first administrator. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--admin", required=True, help="Username of the first administrator.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help=f"Take the password from {PASSWORD_VARIABLE} instead of asking for it.",
        )

    def handle(self, *args, admin: str, interactive: bool = True, **options):
        User = get_user_model()
        existing = User.objects.filter(username=admin).first()
        password = None if existing else self._password(admin, interactive)
        with transaction.atomic():
            empty_site()
            if existing is None:
                user = User(username=admin, is_staff=True, is_superuser=True, is_active=True)
                user.set_password(password)
                user.save()
                user.groups.add(Group.objects.get(name=ADMINISTRATORS))
        if existing is None:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Site ready. Administrator {admin} created: sign in at "
                    f"{settings.SITE_URL}/admin/ and set up the authenticator app (TOTP) "
                    "it asks for."
                )
            )
        else:
            self.stdout.write(f"Site ready. Administrator {admin} already exists; left unchanged.")

    def _password(self, username: str, interactive: bool) -> str:
        user = get_user_model()(username=username)
        if not interactive:
            password = os.environ.get(PASSWORD_VARIABLE, "")
            if not password:
                raise CommandError(f"Set {PASSWORD_VARIABLE} or run without --noinput.")
            self._validate(password, user)
            return password
        while True:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("The two passwords differ.")
                continue
            try:
                self._validate(password, user)
            except CommandError as error:
                self.stderr.write(str(error))
                continue
            return password

    @staticmethod
    def _validate(password: str, user) -> None:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
