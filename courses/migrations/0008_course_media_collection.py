"""Course pictures, audio and documents move from the root to a "course media" collection.

Finding 7 of issue 16: officers held change_image on the root collection, so any officer could
replace any office's seal. Trainers' collection permissions move from the root to the new
collection; program officers' root permissions are removed (each office's officers get their own
office's collection from campaigns 0012, which also moves every seal into it). Everything that
was in the root moves to course media: it was course material trainers could choose before.
"""

from django.db import migrations

from core.roles import (
    COLLECTION_PERMISSIONS,
    MEDIA_COLLECTION_PERMISSIONS,
    PROGRAM_OFFICERS,
    TRAINERS,
    course_media_collection,
    create_all_permissions,
    grant_collection_perms,
)


def forward(apps, schema_editor):
    Collection = apps.get_model("wagtailcore", "Collection")
    root = Collection.objects.filter(depth=1).first()
    if root is None:
        return
    create_all_permissions(apps)
    Group = apps.get_model("auth", "Group")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    course_media = course_media_collection(apps)
    GroupCollectionPermission.objects.filter(
        group__name__in=(TRAINERS, PROGRAM_OFFICERS), collection=root
    ).delete()
    trainers, _ = Group.objects.get_or_create(name=TRAINERS)
    grant_collection_perms(apps, trainers, course_media, COLLECTION_PERMISSIONS[TRAINERS])
    grant_collection_perms(apps, trainers, course_media, MEDIA_COLLECTION_PERMISSIONS[TRAINERS])
    for label in ("wagtailimages.Image", "wagtaildocs.Document", "courses.LessonMedia"):
        apps.get_model(label).objects.filter(collection=root).update(collection=course_media)


def backward(apps, schema_editor):
    Collection = apps.get_model("wagtailcore", "Collection")
    root = Collection.objects.filter(depth=1).first()
    course_media = Collection.objects.filter(depth=2, name="课程素材").first()
    if root is None or course_media is None:
        return
    for label in ("wagtailimages.Image", "wagtaildocs.Document", "courses.LessonMedia"):
        apps.get_model(label).objects.filter(collection=course_media).update(collection=root)
    apps.get_model("wagtailcore", "GroupCollectionPermission").objects.filter(
        collection=course_media
    ).update(collection=root)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0007_course_credit_hours"),
        ("cms", "0002_staff_roles"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailmedia", "0005_alter_media_options"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
