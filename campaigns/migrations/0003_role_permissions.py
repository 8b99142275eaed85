"""Give the staff roles their permissions on the campaigns models."""

from django.db import migrations

from core.roles import ADMINISTRATORS, PROGRAM_OFFICERS, TRAINERS, create_all_permissions, grant_model_perms

CAMPAIGN_PERMISSIONS = {
    TRAINERS: (
        "campaigns.view_cohort",
        "campaigns.view_dashboard",
    ),
    PROGRAM_OFFICERS: (
        "campaigns.view_region",
        "campaigns.view_programoffice",
        "campaigns.add_campaign",
        "campaigns.change_campaign",
        "campaigns.delete_campaign",
        "campaigns.view_campaign",
        "campaigns.add_cohort",
        "campaigns.change_cohort",
        "campaigns.delete_cohort",
        "campaigns.view_cohort",
        "campaigns.view_dashboard",
        "campaigns.export_figures",
        "campaigns.import_roster",
    ),
    ADMINISTRATORS: (
        "campaigns.change_region",
        "campaigns.view_region",
        "campaigns.add_programoffice",
        "campaigns.change_programoffice",
        "campaigns.delete_programoffice",
        "campaigns.view_programoffice",
        "campaigns.add_campaign",
        "campaigns.change_campaign",
        "campaigns.delete_campaign",
        "campaigns.view_campaign",
        "campaigns.add_cohort",
        "campaigns.change_cohort",
        "campaigns.delete_cohort",
        "campaigns.view_cohort",
        "campaigns.view_dashboard",
        "campaigns.export_figures",
        "campaigns.import_roster",
        "campaigns.view_contact_details",
        "campaigns.view_exportlog",
    ),
}


def grant(apps, schema_editor):
    create_all_permissions(apps)
    for role, perms in CAMPAIGN_PERMISSIONS.items():
        grant_model_perms(apps, role, perms)


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_export_log_and_permissions"),
        ("cms", "0002_staff_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
