"""`manage.py import_course <file.zip>`: check a course pack and import it, or refuse it whole."""

from django.core.management.base import BaseCommand, CommandError

from courses.packs import PackError, course_pack_import


class Command(BaseCommand):
    help = "Import a course pack into the catalog; a bad pack is refused and nothing is written."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .zip pack to import")

    def handle(self, *args, path: str, **options):
        try:
            course = course_pack_import(path)
        except PackError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Imported “{course.title}” at {course.url_path}"))
