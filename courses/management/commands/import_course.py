"""`manage.py import_course <file.zip> --user <username> [--publish]`: import a course pack.

The pack arrives as drafts sent to the course review, like an upload in the admin, on behalf of
`--user` (whose permissions apply). `--publish` puts it live at once and is for administrators
only; it still refuses a pack whose lessons fail the authoring checks.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from courses.packs import PackCheckFailed, PackError, course_pack_import


class Command(BaseCommand):
    help = (
        "Import a course pack as drafts awaiting review (or, for an administrator with "
        "--publish, live); a bad pack is refused and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .zip pack to import")
        parser.add_argument(
            "--user", required=True, help="username of the staff member importing the pack"
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="publish at once instead of sending to review (administrators only)",
        )

    def handle(self, *args, path: str, user: str, publish: bool, **options):
        account = get_user_model().objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(_("No active user “%(username)s”.") % {"username": user})
        try:
            course = course_pack_import(path, user=account, publish=publish)
        except PackCheckFailed as exc:
            for problem in exc.problems:
                self.stderr.write(f"- {problem}")
            raise CommandError(str(exc)) from exc
        except PackError as exc:
            raise CommandError(str(exc)) from exc
        if publish:
            message = _("Imported and published “%(title)s” at %(url)s")
        else:
            message = _("Imported “%(title)s” as drafts awaiting review (%(url)s)")
        self.stdout.write(
            self.style.SUCCESS(message % {"title": course.title, "url": course.url_path})
        )
