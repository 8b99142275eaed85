"""Administrators see the export log: the one permission of campaigns/0003 on a model that stayed.

campaigns/0003 granted it with the permissions on the models that have since moved to core
(core/0002 grants those); kept here so that replaying the grants after a flush still gives it.
"""

from django.db import migrations

from core.roles import ADMINISTRATORS, create_all_permissions, grant_model_perms


def grant(apps, schema_editor):
    create_all_permissions(apps)
    grant_model_perms(apps, ADMINISTRATORS, ("campaigns.view_exportlog",))


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0015_models_moved_to_core"),
        ("core", "0002_content_types_and_role_permissions"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
