"""Each program office's own image collection, and the group through which its members use it.

Finding 7 of issue 16 (decision 0120): officers held change_image on the root collection, so one
office could replace another's seal. Now each office has a collection under 各办公室 holding its
seal and images, and a group holding OFFICE_COLLECTION_PERMISSIONS on that collection only; the
group's users are the office's members. Kept in step by the signals in `campaigns.apps`, so an
office made anywhere (admin, demo, tests, a shell) gets its collection, and a member added or
removed anywhere gains or loses it.
"""

from django.apps import apps as global_apps
from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.models import Collection

from core.models import ProgramOffice
from core.roles import OFFICE_COLLECTION_PERMISSIONS, OFFICES_COLLECTION, grant_collection_perms


def office_group_name(office: ProgramOffice) -> str:
    """The stored name of the office's group: its name and id (unique; office names need not be)."""
    return f"{office.name} · #{office.pk}"[:150]


def offices_collection() -> Collection:
    """The 各办公室 collection under the root, created if missing (idempotent)."""
    root = Collection.get_first_root_node()
    if root is None:  # a flushed database (transactional tests) has lost the migrations' rows
        root = Collection.add_root(name="根目录")
    existing = root.get_children().filter(name=OFFICES_COLLECTION).first()
    return existing or root.add_child(name=OFFICES_COLLECTION)


@transaction.atomic
def office_collection_ensure(*, office: ProgramOffice) -> ProgramOffice:
    """Give `office` its collection and group, named after it, its seal inside (idempotent)."""
    office = ProgramOffice.objects.select_for_update().get(pk=office.pk)
    collection = office.collection
    if collection is None:
        collection = offices_collection().add_child(name=office.name)
    elif collection.name != office.name:
        collection.name = office.name
        collection.save(update_fields=["name"])
    group = office.media_group
    if group is None:
        group, _ = Group.objects.get_or_create(name=office_group_name(office))
    elif group.name != office_group_name(office):
        group.name = office_group_name(office)
        group.save(update_fields=["name"])
    grant_collection_perms(global_apps, group, collection, OFFICE_COLLECTION_PERMISSIONS)
    if (office.collection_id, office.media_group_id) != (collection.pk, group.pk):
        ProgramOffice.objects.filter(pk=office.pk).update(collection=collection, media_group=group)
        office.collection, office.media_group = collection, group
    if office.seal_image is not None and office.seal_image.collection_id != collection.pk:
        office.seal_image.collection = collection
        office.seal_image.save(update_fields=["collection"])
    office_members_sync(office=office)
    return office


def office_members_sync(*, office: ProgramOffice) -> None:
    """Make the office's group hold exactly the office's members (idempotent)."""
    # The instance a caller holds may predate office_collection_ensure: read the group afresh.
    group = Group.objects.filter(program_office__pk=office.pk).first()
    if group is None:
        return
    members = set(office.members.values_list("pk", flat=True))
    in_group = set(group.user_set.values_list("pk", flat=True))
    if members - in_group:
        group.user_set.add(*(members - in_group))
    if in_group - members:
        group.user_set.remove(*(in_group - members))


def office_members_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """m2m_changed on ProgramOffice.members: the office group follows, from either side."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        offices = [instance]
    elif action == "post_clear":
        offices = list(ProgramOffice.objects.filter(media_group__user=instance))
        instance.groups.remove(*[office.media_group for office in offices])
        return
    else:
        offices = list(ProgramOffice.objects.filter(pk__in=pk_set or ()))
    for office in offices:
        office_members_sync(office=office)


def office_saved(sender, instance, created, raw=False, **kwargs) -> None:
    """post_save on ProgramOffice: a new or renamed office gets its collection and group."""
    if raw:
        return
    ensured = office_collection_ensure(office=instance)
    instance.collection, instance.media_group = ensured.collection, ensured.media_group


def office_deleted(sender, instance, **kwargs) -> None:
    """post_delete on ProgramOffice: its group goes; its collection stays with what it holds."""
    if instance.media_group_id is not None:
        Group.objects.filter(pk=instance.media_group_id).delete()
