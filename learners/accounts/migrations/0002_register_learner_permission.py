"""Trainers and Administrators may register learners by name and phone."""

from django.db import migrations

from core.roles import ADMINISTRATORS, TRAINERS, create_all_permissions, grant_model_perms


def grant(apps, schema_editor):
    create_all_permissions(apps)
    for role in (TRAINERS, ADMINISTRATORS):
        grant_model_perms(apps, role, ("accounts.register_learner",))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("cms", "0002_staff_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
