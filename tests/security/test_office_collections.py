"""Issue 16, finding 7: an officer changes only their own office's seal and images.

Officers held change_image on the root collection, so region B's officer could replace region A's
seal and A's next bulk print carried it. Now each office has its own collection (under 各办公室)
with a group of its members; trainers work in 课程素材 only (decision 0120).
"""

import io
from importlib import import_module

import pytest
from django.contrib.auth.models import Permission
from django.core.files.images import ImageFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.models import Collection, GroupCollectionPermission

from core.models import ProgramOffice
from core.roles import COURSE_MEDIA_COLLECTION, OFFICES_COLLECTION, PROGRAM_OFFICERS, TRAINERS
from courses.models import LessonMedia
from tests.campaigns.factories import ProgramOfficeFactory, UserFactory, add_region
from tests.security import two_provinces

pytestmark = pytest.mark.django_db

Image = get_image_model()


def _png(colour=(158, 27, 27)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 64), colour).save(buffer, "PNG")
    return buffer.getvalue()


def _image(title: str, collection) -> Image:
    image = Image(title=title, collection=collection)
    image.file = ImageFile(io.BytesIO(_png()), name=f"{title}.png")
    image.save()
    return image


def _with_seal(office: ProgramOffice, title: str) -> Image:
    """The office's seal, uploaded anywhere and set through the office (as the admin form does)."""
    office.seal_image = _image(title, Collection.get_first_root_node())
    office.save()
    office.seal_image.refresh_from_db()
    return office.seal_image


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    provinces = two_provinces.build(django_capture_on_commit_callbacks)
    for key, province in provinces.items():
        province.seal = _with_seal(province.office, f"seal-{key}")
        province.picture = _image(f"picture-{key}", province.office.collection)
    return provinces


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _refused(response) -> bool:
    # Wagtail answers a missing permission with a redirect to the dashboard or a 403.
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] in ("/admin/", "/admin/login/")
    )


def _edit_form(image: Image, **changes) -> dict:
    form = {"title": image.title, "tags": "", "description": ""}
    form.update(changes)
    return form


def test_officer_of_b_cannot_open_or_replace_region_a_seal(world):
    a, b = world["A"], world["B"]
    officer_b = _client(b.officer)
    url = reverse("wagtailimages:edit", args=[a.seal.pk])
    before = (a.seal.file.name, a.seal.file_hash)
    assert _refused(officer_b.get(url))
    replacement = SimpleUploadedFile("fake.png", _png((0, 0, 255)), content_type="image/png")
    response = officer_b.post(url, _edit_form(a.seal, title="replaced", file=replacement))
    assert _refused(response)
    a.seal.refresh_from_db()
    assert a.seal.title == "seal-A"
    assert (a.seal.file.name, a.seal.file_hash) == before
    for name in (
        "wagtailimages:delete",
        "wagtailimages:edit_multiple",
        "wagtailimages:delete_multiple",
    ):
        assert _refused(officer_b.post(reverse(name, args=[a.seal.pk]), {}))
    a.seal.refresh_from_db()


def test_officer_replaces_their_own_seal(world):
    b = world["B"]
    url = reverse("wagtailimages:edit", args=[b.seal.pk])
    officer_b = _client(b.officer)
    assert officer_b.get(url).status_code == 200
    replacement = SimpleUploadedFile("new-seal.png", _png((0, 0, 255)), content_type="image/png")
    response = officer_b.post(url, _edit_form(b.seal, title="new seal B", file=replacement))
    assert response.status_code == 302, response.context and response.context["form"].errors
    b.seal.refresh_from_db()
    assert b.seal.title == "new seal B"
    assert b.seal.collection_id == b.office.collection_id


def test_image_chooser_and_listing_for_b_hold_none_of_a(world):
    a, b = world["A"], world["B"]
    officer_b = _client(b.officer)
    for url in (
        reverse("wagtailimages_chooser:choose"),
        reverse("wagtailimages_chooser:choose_results"),
        reverse("wagtailimages:index"),
        reverse("wagtailimages:index_results"),
    ):
        response = officer_b.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "seal-B" in page and "picture-B" in page, url
        assert "seal-A" not in page and "picture-A" not in page, url
        assert a.office.name not in page, url


def test_image_uploaded_by_an_officer_lands_in_their_office(world):
    b = world["B"]
    response = _client(b.officer).post(
        reverse("wagtailimages:add"),
        {
            "title": "uploaded-by-B",
            "file": SimpleUploadedFile("b.png", _png(), content_type="image/png"),
            "collection": world["A"].office.collection_id,  # ignored: B may add only in B's
            "tags": "",
        },
    )
    assert response.status_code == 302
    assert Image.objects.get(title="uploaded-by-B").collection_id == b.office.collection_id


def test_trainer_works_in_course_media_and_sees_no_office_image(world):
    trainer = _client(world["A"].trainer)
    response = trainer.post(
        reverse("wagtailimages:add"),
        {
            "title": "lesson-picture",
            "file": SimpleUploadedFile("l.png", _png(), content_type="image/png"),
            "tags": "",
        },
    )
    assert response.status_code == 302
    assert Image.objects.get(title="lesson-picture").collection.name == COURSE_MEDIA_COLLECTION
    page = trainer.get(reverse("wagtailimages_chooser:choose")).content.decode()
    assert "lesson-picture" in page
    assert "seal-A" not in page and "seal-B" not in page
    assert _refused(trainer.get(reverse("wagtailimages:edit", args=[world["A"].seal.pk])))


def test_a_new_office_gets_its_collection_and_its_members_the_group():
    officer = UserFactory(role=PROGRAM_OFFICERS)
    office = ProgramOfficeFactory(name="新设丙局", region=add_region("630000000000", "青海省"))
    assert office.collection.name == "新设丙局"
    assert office.collection.get_parent().name == OFFICES_COLLECTION
    office.members.add(officer)
    assert officer.groups.filter(pk=office.media_group_id).exists()
    codenames = set(
        office.media_group.collection_permissions.filter(collection=office.collection).values_list(
            "permission__codename", flat=True
        )
    )
    assert {"add_image", "change_image", "choose_image"} <= codenames
    assert "delete_image" not in codenames
    office.name = "改名丙局"
    office.save()
    office.collection.refresh_from_db()
    assert office.collection.name == "改名丙局"
    officer.program_offices.remove(office)  # from the other side of the relation
    assert not officer.groups.filter(pk=office.media_group_id).exists()


def test_officers_hold_no_permission_on_the_root_or_course_media():
    held = GroupCollectionPermission.objects.filter(group__name=PROGRAM_OFFICERS)
    assert not held.exists()
    trainers = GroupCollectionPermission.objects.filter(group__name=TRAINERS)
    assert set(trainers.values_list("collection__name", flat=True)) == {COURSE_MEDIA_COLLECTION}


def test_migrations_move_course_material_to_course_media_and_each_seal_to_its_office():
    root = Collection.get_first_root_node()
    # The state before: officers could change any image; seals and pictures all in the root.
    officers = UserFactory(role=PROGRAM_OFFICERS).groups.get(name=PROGRAM_OFFICERS)
    change_image = Permission.objects.get(codename="change_image")
    GroupCollectionPermission.objects.create(
        group=officers, collection=root, permission=change_image
    )
    member = UserFactory(role=PROGRAM_OFFICERS)
    office = ProgramOfficeFactory(name="旧甲局", region=add_region("630000000000", "青海省"))
    office.members.add(member)
    seal = _image("old-seal", root)
    picture = _image("old-picture", root)
    ProgramOffice.objects.filter(pk=office.pk).update(
        seal_image=seal, collection=None, media_group=None
    )
    member.groups.remove(office.media_group)

    for app, name in (
        ("courses", "0008_course_media_collection"),
        ("campaigns", "0012_office_collections"),
    ):
        # Each data migration runs with the models as they were at that migration (the offices
        # were campaigns' then; they are core's now, on the same table).
        historical = MigrationLoader(connection).project_state((app, name)).apps
        import_module(f"{app}.migrations.{name}").forward(historical, None)

    assert not GroupCollectionPermission.objects.filter(group=officers, collection=root).exists()
    picture.refresh_from_db()
    assert picture.collection.name == COURSE_MEDIA_COLLECTION
    office.refresh_from_db()
    seal.refresh_from_db()
    assert seal.collection_id == office.collection_id
    assert office.collection.get_parent().name == OFFICES_COLLECTION
    assert member.groups.filter(pk=office.media_group_id).exists()
    assert not LessonMedia.objects.filter(collection=root).exists()
