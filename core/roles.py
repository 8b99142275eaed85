"""The staff roles, as Django groups, and the permissions each one needs.

Learners are ordinary users in no group: they never reach the Wagtail admin. Feature apps add
the permissions of their own models to these roles from their own data migrations with
`grant_model_perms`.
"""

TRAINERS = "Trainers"
PROGRAM_OFFICERS = "Program officers"
ADMINISTRATORS = "Administrators"
ROLES = (TRAINERS, PROGRAM_OFFICERS, ADMINISTRATORS)

# Page permissions on the root of the page tree, per role. Trainers write and submit for moderation;
# officers and administrators review and publish.
PAGE_PERMISSIONS = {
    TRAINERS: ("add_page", "change_page"),
    PROGRAM_OFFICERS: ("add_page", "change_page", "publish_page", "lock_page", "unlock_page"),
    ADMINISTRATORS: (
        "add_page",
        "change_page",
        "publish_page",
        "bulk_delete_page",
        "lock_page",
        "unlock_page",
    ),
}
# Collections (decision 0120). Administrators hold their collection permissions on the root;
# trainers on the "course media" collection only; program officers on nothing here: each office's
# officers get OFFICE_COLLECTION_PERMISSIONS on their own office's collection (under
# OFFICES_COLLECTION), through a group per office kept in step with the office's members
# (campaigns/services/office_media.py).
# Wagtail collection permissions apply to a collection and everything below it.
COURSE_MEDIA_COLLECTION = "课程素材"
OFFICES_COLLECTION = "各办公室"
# Collection permissions (images, documents): Administrators on the root, trainers on course media.
COLLECTION_PERMISSIONS = {
    TRAINERS: (
        "wagtailimages.add_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.choose_document",
    ),
    PROGRAM_OFFICERS: (),
    ADMINISTRATORS: (
        "wagtailimages.add_image",
        "wagtailimages.choose_image",
        "wagtailimages.change_image",
        "wagtailimages.delete_image",
        "wagtaildocs.add_document",
        "wagtaildocs.choose_document",
        "wagtaildocs.change_document",
        "wagtaildocs.delete_document",
    ),
}
# Audio and video, on the same collections. wagtailmedia names its permissions after
# wagtailmedia.Media even with our own media model (decision 0080); granted by
# courses/migrations/0003 on existing databases, and by create_roles once wagtailmedia is migrated.
MEDIA_COLLECTION_PERMISSIONS = {
    TRAINERS: ("wagtailmedia.add_media", "wagtailmedia.change_media"),
    PROGRAM_OFFICERS: (),
    ADMINISTRATORS: (
        "wagtailmedia.add_media",
        "wagtailmedia.change_media",
        "wagtailmedia.delete_media",
    ),
}
# What a program office's own group holds on the office's collection (images, documents, audio).
OFFICE_COLLECTION_PERMISSIONS = (
    "wagtailimages.add_image",
    "wagtailimages.choose_image",
    "wagtailimages.change_image",
    "wagtaildocs.add_document",
    "wagtaildocs.choose_document",
    "wagtaildocs.change_document",
    "wagtailmedia.add_media",
    "wagtailmedia.change_media",
)
# Plain model permissions ("app_label.codename").
MODEL_PERMISSIONS = {
    TRAINERS: ("wagtailadmin.access_admin",),
    PROGRAM_OFFICERS: ("wagtailadmin.access_admin",),
    ADMINISTRATORS: (
        "wagtailadmin.access_admin",
        "auth.add_user",
        "auth.change_user",
        "auth.delete_user",
        "auth.view_user",
        "auth.add_group",
        "auth.change_group",
        "auth.view_group",
        "wagtailcore.add_site",
        "wagtailcore.change_site",
        "wagtailcore.view_site",
        "wagtailcore.add_locale",
        "wagtailcore.change_locale",
        "wagtailcore.view_locale",
        "wagtailcore.add_workflow",
        "wagtailcore.change_workflow",
        "wagtailcore.add_task",
        "wagtailcore.change_task",
        "wagtailcore.add_collection",
        "wagtailcore.change_collection",
        "wagtailredirects.add_redirect",
        "wagtailredirects.change_redirect",
        "wagtailredirects.delete_redirect",
    ),
}


def _permission(apps, dotted: str):
    Permission = apps.get_model("auth", "Permission")
    app_label, codename = dotted.split(".", 1)
    try:
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)
    except Permission.DoesNotExist as exc:
        raise LookupError(f"permission {dotted} does not exist") from exc


def create_all_permissions(apps) -> None:
    """Make sure every model permission exists (they are normally created only after migrate)."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    for app_config in global_apps.get_app_configs():
        original, app_config.models_module = app_config.models_module, True
        try:
            create_permissions(app_config, verbosity=0, apps=apps)
        finally:
            app_config.models_module = original


def grant_model_perms(apps, role: str, perms: tuple[str, ...]) -> None:
    """Give a role model permissions given as "app_label.codename" (idempotent)."""
    Group = apps.get_model("auth", "Group")
    group, _ = Group.objects.get_or_create(name=role)
    for dotted in perms:
        group.permissions.add(_permission(apps, dotted))


_STEP = 4  # treebeard's MP_Node path step, which Wagtail's Collection keeps
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _path_step(number: int) -> str:
    digits = ""
    while True:
        number, rest = divmod(number, len(_ALPHABET))
        digits = _ALPHABET[rest] + digits
        if number == 0:
            return digits.rjust(_STEP, "0")


def child_collection(apps, parent, name: str):
    """The collection `name` directly under `parent`, created if missing (idempotent).

    Works with the historical models of a data migration, which have no treebeard methods.
    """
    Collection = apps.get_model("wagtailcore", "Collection")
    children = Collection.objects.filter(
        path__startswith=parent.path, depth=parent.depth + 1
    ).order_by("path")
    existing = children.filter(name=name).first()
    if existing is not None:
        return existing
    last = children.last()
    number = int(last.path[-_STEP:], len(_ALPHABET)) + 1 if last is not None else 1
    child = Collection.objects.create(
        name=name, path=parent.path + _path_step(number), depth=parent.depth + 1, numchild=0
    )
    Collection.objects.filter(pk=parent.pk).update(numchild=children.count())
    parent.numchild = children.count()
    return child


def course_media():
    """The "course media" collection under the root (at run time), created if missing."""
    from wagtail.models import Collection

    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name=COURSE_MEDIA_COLLECTION).first()
    return existing or root.add_child(name=COURSE_MEDIA_COLLECTION)


def course_media_collection(apps):
    """The "course media" collection under the root, created if missing (idempotent); with the
    historical models of a data migration."""
    Collection = apps.get_model("wagtailcore", "Collection")
    root = Collection.objects.filter(depth=1).order_by("path").first()
    return child_collection(apps, root, COURSE_MEDIA_COLLECTION)


def grant_collection_perms(apps, group, collection, perms: tuple[str, ...]) -> None:
    """Give `group` the collection permissions `perms` on `collection` (idempotent).

    Permissions of apps not migrated yet (wagtailmedia before its first migration) are skipped.
    """
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    for dotted in perms:
        try:
            permission = _permission(apps, dotted)
        except LookupError:  # cms 0002 may run before wagtailmedia's migrations
            continue
        GroupCollectionPermission.objects.get_or_create(
            group=group, collection=collection, permission=permission
        )


def create_roles(apps, schema_editor) -> None:
    """Data migration: the three staff roles with their admin, page and collection permissions."""
    create_all_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    root_page = Page.objects.filter(depth=1).first()
    root_collection = Collection.objects.filter(depth=1).first()
    course_media = course_media_collection(apps)
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        grant_model_perms(apps, role, MODEL_PERMISSIONS[role])
        for codename in PAGE_PERMISSIONS[role]:
            GroupPagePermission.objects.get_or_create(
                group=group, page=root_page, permission=_permission(apps, f"wagtailcore.{codename}")
            )
        collection = root_collection if role == ADMINISTRATORS else course_media
        grant_collection_perms(apps, group, collection, COLLECTION_PERMISSIONS[role])
        grant_collection_perms(apps, group, collection, MEDIA_COLLECTION_PERMISSIONS[role])


def remove_roles(apps, schema_editor) -> None:
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()
