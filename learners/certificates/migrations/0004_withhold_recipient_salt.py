"""Credentials signed before decision 0077 printed the recipient salt: re-sign them without it."""

from django.db import migrations


def withhold_published_salts(apps, schema_editor):
    from learners.certificates import credential

    certificate_model = apps.get_model("certificates", "Certificate")
    key = None
    rows = certificate_model.objects.exclude(credential={}).only("pk", "credential")
    for certificate in rows.iterator():
        identifiers = (certificate.credential.get("credentialSubject") or {}).get("identifier")
        if not any(isinstance(item, dict) and "salt" in item for item in identifiers or []):
            continue
        key = key or credential.signing_key()
        certificate_model.objects.filter(pk=certificate.pk).update(
            credential=credential.withhold_salt(certificate.credential, key=key)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0003_private_storage_random_names"),
    ]

    operations = [
        migrations.RunPython(withhold_published_salts, migrations.RunPython.noop),
    ]
