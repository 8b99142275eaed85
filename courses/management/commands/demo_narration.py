"""Regenerate the demo lessons' synthesised narration with espeak-ng (decision 0081)."""

from django.core.management.base import BaseCommand

from courses.demo.narration import generate


class Command(BaseCommand):
    help = "Speak every demo lesson (zh-Hans, English) into courses/demo/narration/, update packs."

    def handle(self, *args, **options):
        written = generate(stdout=self.stdout)
        self.stdout.write(f"{len(written)} narration files written.")
