"""The model check: no relation from a room's model to a model of a higher room."""
# ruff: noqa: DJ008  (throwaway models in isolated registries: never shown, no __str__ needed)

from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.test.utils import isolate_apps

from tests.lint import scripts


def _module():
    return scripts.load("model_rooms")


def test_the_repository_passes():
    assert _module().check(apps.get_models()) == []


@isolate_apps("campaigns", "courses")
def test_a_foreign_key_to_a_higher_room_fails_with_its_line():
    class Drive(models.Model):
        class Meta:
            app_label = "campaigns"

    class Lesson(models.Model):
        title = models.CharField(max_length=10)
        drive = models.ForeignKey("campaigns.Drive", on_delete=models.CASCADE)

        class Meta:
            app_label = "courses"

    found = _module().check([Drive, Lesson])

    assert len(found) == 1
    where, finding = found[0].split(": ", 1)
    assert where.endswith("tests/lint/test_model_rooms.py:" + str(_line_of("drive = models")))
    assert finding == "courses.Lesson.drive -> campaigns.Drive (campaigns is above courses)"


@isolate_apps("learners", "core")
def test_many_to_many_and_one_to_one_count_too():
    class Office(models.Model):
        class Meta:
            app_label = "learners"

    class Region(models.Model):
        offices = models.ManyToManyField("learners.Office")
        head = models.OneToOneField("learners.Office", models.CASCADE, related_name="+")

        class Meta:
            app_label = "core"

    found = _module().check([Office, Region])
    assert sorted(line.split(": ", 1)[1] for line in found) == [
        "core.Region.head -> learners.Office (learners is above core)",
        "core.Region.offices -> learners.Office (learners is above core)",
    ]


@isolate_apps("cms", "learners", "core")
def test_relations_down_sideways_and_to_third_party_apps_pass():
    class Region(models.Model):
        class Meta:
            app_label = "core"

    class Enrollment(models.Model):
        region = models.ForeignKey("core.Region", models.CASCADE)
        learner = models.ForeignKey(get_user_model(), models.CASCADE)
        previous = models.ForeignKey("self", models.SET_NULL, null=True)

        class Meta:
            app_label = "learners"

    class HomeBanner(models.Model):
        enrollment = models.ForeignKey("learners.Enrollment", models.CASCADE)

        class Meta:
            app_label = "cms"

    assert _module().check([Region, Enrollment, HomeBanner]) == []


def _line_of(text: str) -> int:
    lines = Path(__file__).read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)
