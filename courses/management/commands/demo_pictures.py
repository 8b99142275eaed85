"""Redraw the demo packs' pictures (courses/demo/images.py) into courses/demo/packs/."""

from django.core.management.base import BaseCommand

from courses.demo.images import write_pack_images


class Command(BaseCommand):
    help = "Redraw every picture of the demo course packs into courses/demo/packs/<course>/images/."

    def handle(self, *args, **options):
        written = write_pack_images(stdout=self.stdout)
        self.stdout.write(f"{len(written)} pictures written.")
