"""Program officers see and revoke certificates in their region; administrators in every region."""

from django.db import migrations

from core.roles import ADMINISTRATORS, PROGRAM_OFFICERS, create_all_permissions, grant_model_perms

CERTIFICATE_PERMISSIONS = {
    PROGRAM_OFFICERS: ("certificates.view_certificate", "certificates.revoke_certificate"),
    ADMINISTRATORS: (
        "certificates.view_certificate",
        "certificates.revoke_certificate",
        "certificates.view_all_regions",
    ),
}


def grant(apps, schema_editor):
    create_all_permissions(apps)
    for role, perms in CERTIFICATE_PERMISSIONS.items():
        grant_model_perms(apps, role, perms)


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0001_initial"),
        ("cms", "0002_staff_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
