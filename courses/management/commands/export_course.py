"""`manage.py export_course <slug> <file.zip>`: write a course pack."""

from django.core.management.base import BaseCommand, CommandError

from courses.packs import PackError, course_pack_export


class Command(BaseCommand):
    help = "Export a course (with its lessons, translations, pictures and audio) to a zip pack."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the course's slug")
        parser.add_argument("path", help="the .zip file to write")

    def handle(self, *args, slug: str, path: str, **options):
        try:
            manifest = course_pack_export(slug=slug, path=path)
        except PackError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {slug}: {len(manifest['lessons'])} lessons, "
                f"{len(manifest['translations'])} translations, {len(manifest['images'])} "
                f"pictures, {len(manifest['media'])} recordings -> {path}"
            )
        )
