"""Every rollup kind carries the learner's region path (decision 0131), so offices below a
campaign's region see course, weekly, lesson and question figures of their subtree.

Shares stored before this migration have no region in their keys: they are dropped with every
rollup row and every rollup state, so the next scheduled refresh rebuilds each campaign in full
(`campaigns_needing_rollup`) and later changes apply incrementally against the new shares.
"""

from django.db import migrations, models


def drop_rollups(apps, schema_editor):
    for name in (
        "LearnerRollup",
        "RegionRollup",
        "CourseRollup",
        "WeeklyRollup",
        "LessonRollup",
        "QuestionRollup",
        "RollupState",
    ):
        apps.get_model("campaigns", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0012_office_collections"),
    ]

    operations = [
        migrations.RunPython(drop_rollups, migrations.RunPython.noop),
        migrations.AddField(
            model_name="courserollup",
            name="region_path",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AddField(
            model_name="lessonrollup",
            name="region_path",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AddField(
            model_name="questionrollup",
            name="region_path",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AddField(
            model_name="weeklyrollup",
            name="region_path",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AddIndex(
            model_name="courserollup",
            index=models.Index(fields=["campaign", "region_path"], name="campaigns_cr_region"),
        ),
        migrations.AddIndex(
            model_name="weeklyrollup",
            index=models.Index(fields=["campaign", "region_path"], name="campaigns_wr_region"),
        ),
        migrations.AddIndex(
            model_name="lessonrollup",
            index=models.Index(fields=["campaign", "region_path"], name="campaigns_lsr_region"),
        ),
        migrations.AddIndex(
            model_name="questionrollup",
            index=models.Index(fields=["campaign", "region_path"], name="campaigns_qr_region"),
        ),
    ]
