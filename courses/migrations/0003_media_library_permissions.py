"""Staff permissions that wagtailmedia really checks.

wagtailmedia's permission policy names its permissions after `wagtailmedia.Media` (add_media,
change_media, delete_media) even when the project uses its own media model; migration 0002 granted
`courses.*_lessonmedia`, which nothing checks, so no role could upload or choose audio.
"""

from django.db import migrations

from core.roles import ADMINISTRATORS, PROGRAM_OFFICERS, TRAINERS, create_all_permissions

MEDIA_LIBRARY_PERMISSIONS = {
    TRAINERS: ("add_media", "change_media"),
    PROGRAM_OFFICERS: ("add_media", "change_media"),
    ADMINISTRATORS: ("add_media", "change_media", "delete_media"),
}


def grant(apps, schema_editor):
    create_all_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    root_collection = Collection.objects.filter(depth=1).first()
    if root_collection is None:
        return
    for role, codenames in MEDIA_LIBRARY_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for codename in codenames:
            GroupCollectionPermission.objects.get_or_create(
                group=group,
                collection=root_collection,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailmedia", codename=codename
                ),
            )


def revoke(apps, schema_editor):
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    GroupCollectionPermission.objects.filter(
        group__name__in=MEDIA_LIBRARY_PERMISSIONS,
        permission__content_type__app_label="wagtailmedia",
        permission__codename__in=("add_media", "change_media", "delete_media"),
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0002_roles_and_review_workflow"),
    ]

    operations = [
        migrations.RunPython(grant, revoke),
    ]
