"""The moved models keep their content types (and so every permission a role holds on them).

Content types and permissions are rows keyed by app label: renaming the label from campaigns or cms
to core keeps their ids, so groups, Wagtail's log entries and anything else that points at them
stay as they were. A fresh database has no such rows yet (they are made after `migrate`); then
the rename does nothing and `grant` gives the roles their permissions under the new label.

`grant` is replayed by cms.site_setup.role_permissions_grant on a database whose roles were lost.
"""

from django.db import migrations

from core.roles import (
    ADMINISTRATORS,
    PROGRAM_OFFICERS,
    TRAINERS,
    create_all_permissions,
    grant_model_perms,
)

MOVED = {"campaigns": ("region", "programoffice", "campaign", "cohort"), "cms": ("auditlog",)}

# The roles' permissions on the moved models, as campaigns/0003 and cms/0003 gave them.
CORE_PERMISSIONS = {
    TRAINERS: (
        "core.view_cohort",
        "core.view_dashboard",
    ),
    PROGRAM_OFFICERS: (
        "core.view_region",
        "core.view_programoffice",
        "core.add_campaign",
        "core.change_campaign",
        "core.delete_campaign",
        "core.view_campaign",
        "core.add_cohort",
        "core.change_cohort",
        "core.delete_cohort",
        "core.view_cohort",
        "core.view_dashboard",
        "core.export_figures",
        "core.import_roster",
    ),
    ADMINISTRATORS: (
        "core.change_region",
        "core.view_region",
        "core.add_programoffice",
        "core.change_programoffice",
        "core.delete_programoffice",
        "core.view_programoffice",
        "core.add_campaign",
        "core.change_campaign",
        "core.delete_campaign",
        "core.view_campaign",
        "core.add_cohort",
        "core.change_cohort",
        "core.delete_cohort",
        "core.view_cohort",
        "core.view_dashboard",
        "core.export_figures",
        "core.import_roster",
        "core.view_contact_details",
    ),
}


def relabel(apps, old: str, new: str, models: tuple[str, ...]) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for model in models:
        source = ContentType.objects.filter(app_label=old, model=model).first()
        if source is None:
            continue
        target = ContentType.objects.filter(app_label=new, model=model).first()
        if target is not None:
            # Made moments ago by a permission step of this same `migrate`: the old row keeps its
            # id (log entries, permissions and groups point at it); the new row's permissions
            # and their holders move onto it, and the new row goes.
            for permission in Permission.objects.filter(content_type=target):
                twin = Permission.objects.filter(content_type=source, codename=permission.codename)
                if twin.exists():
                    twin.first().group_set.add(*permission.group_set.all())
                    permission.delete()
                else:
                    permission.content_type = source
                    permission.save(update_fields=["content_type"])
            target.delete()
        source.app_label = new
        source.save(update_fields=["app_label"])


def forwards(apps, schema_editor):
    for old, models in MOVED.items():
        relabel(apps, old, "core", models)
    grant(apps, schema_editor)


def backwards(apps, schema_editor):
    for old, models in MOVED.items():
        relabel(apps, "core", old, models)


def grant(apps, schema_editor):
    create_all_permissions(apps)
    for role, perms in CORE_PERMISSIONS.items():
        grant_model_perms(apps, role, perms)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_moved_from_campaigns_and_cms"),
        ("cms", "0005_auditlog_moved_to_core"),
        ("campaigns", "0015_models_moved_to_core"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
