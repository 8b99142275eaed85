"""Each program office gets its own image collection and group; its seal moves into it.

Finding 7 of issue 16 (decision 0120). The same as `office_media.office_collection_ensure`, with
the historical models: a collection under 各办公室 per office, a group holding
OFFICE_COLLECTION_PERMISSIONS on it whose users are the office's members, the seal moved in.
"""

import django.db.models.deletion
from django.db import migrations, models

from core.roles import (
    OFFICE_COLLECTION_PERMISSIONS,
    OFFICES_COLLECTION,
    child_collection,
    create_all_permissions,
    grant_collection_perms,
)


def forward(apps, schema_editor):
    Collection = apps.get_model("wagtailcore", "Collection")
    Group = apps.get_model("auth", "Group")
    ProgramOffice = apps.get_model("campaigns", "ProgramOffice")
    Image = apps.get_model("wagtailimages", "Image")
    root = Collection.objects.filter(depth=1).first()
    if root is None or not ProgramOffice.objects.exists():
        return
    create_all_permissions(apps)
    offices = child_collection(apps, root, OFFICES_COLLECTION)
    for office in ProgramOffice.objects.order_by("pk"):
        collection = child_collection(apps, offices, office.name)
        if ProgramOffice.objects.filter(collection=collection).exists():  # two offices, one name
            collection = child_collection(apps, offices, f"{office.name} #{office.pk}")
        group, _ = Group.objects.get_or_create(name=f"{office.name} · #{office.pk}"[:150])
        grant_collection_perms(apps, group, collection, OFFICE_COLLECTION_PERMISSIONS)
        group.user_set.add(*office.members.all())
        office.collection, office.media_group = collection, group
        office.save(update_fields=["collection", "media_group"])
        if office.seal_image_id is not None:
            Image.objects.filter(pk=office.seal_image_id).update(collection=collection)


def backward(apps, schema_editor):
    Collection = apps.get_model("wagtailcore", "Collection")
    ProgramOffice = apps.get_model("campaigns", "ProgramOffice")
    root = Collection.objects.filter(depth=1).first()
    for office in ProgramOffice.objects.exclude(collection=None):
        apps.get_model("wagtailimages", "Image").objects.filter(
            collection_id=office.collection_id
        ).update(collection=root)
        if office.media_group_id is not None:
            apps.get_model("auth", "Group").objects.filter(pk=office.media_group_id).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('campaigns', '0011_campaign_target_kind'),
        ('wagtailcore', '0098_apitoken'),
        ('wagtailimages', '0027_image_description'),
        ('wagtaildocs', '0014_alter_document_file_size'),
        ('wagtailmedia', '0005_alter_media_options'),
        ('courses', '0008_course_media_collection'),
    ]

    operations = [
        migrations.AddField(
            model_name='programoffice',
            name='collection',
            field=models.OneToOneField(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='program_office', to='wagtailcore.collection', verbose_name='image collection'),
        ),
        migrations.AddField(
            model_name='programoffice',
            name='media_group',
            field=models.OneToOneField(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='program_office', to='auth.group', verbose_name='image group'),
        ),
        migrations.RunPython(forward, backward),
    ]
