"""Each role reaches the admin areas meant for it, and no others."""

import pytest
from django.contrib.auth import get_user_model

from core.demo import DEMO_PASSWORD
from tests.demo_snapshot import load_demo

pytestmark = pytest.mark.django_db

ALLOWED = 200
DENIED = "denied"  # Wagtail redirects a signed-in user without permission away, or answers 403

# admin URL -> roles that may open it
AREAS = {
    "/admin/": {"trainer", "officer", "admin"},
    "/admin/pages/": {"trainer", "officer", "admin"},
    # An officer reaches images and documents through their office's collection (decision 0120);
    # the shell demo's officer belongs to no office (see the last test of this file).
    "/admin/images/": {"trainer", "admin"},
    "/admin/documents/": {"trainer", "admin"},
    "/admin/users/": {"admin"},
    "/admin/groups/": {"admin"},
    "/admin/sites/": {"admin"},
    "/admin/locales/": {"admin"},
    "/admin/workflows/list/": {"admin"},
    "/admin/redirects/": {"admin"},
}


@pytest.fixture
def demo(db, demo_shell):
    load_demo()


def _outcome(client, url: str) -> int | str:
    response = client.get(url)
    if response.status_code == 200:
        return ALLOWED
    assert response.status_code in (302, 403), (url, response.status_code)
    return DENIED


@pytest.mark.parametrize("username", ["learner", "trainer", "officer", "admin"])
@pytest.mark.parametrize("url", sorted(AREAS))
def test_role_sees_only_its_admin_areas(client, demo, username, url):
    assert client.login(username=username, password=DEMO_PASSWORD)
    expected = ALLOWED if username in AREAS[url] else DENIED
    assert _outcome(client, url) == expected


def test_learner_is_sent_to_the_admin_login(client, demo):
    client.login(username="learner", password=DEMO_PASSWORD)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_trainer_cannot_publish_but_officer_can(demo):
    from wagtail.models import Page

    home = Page.objects.get(depth=2, locale__language_code="zh-hans")
    User = get_user_model()
    trainer_perms = home.permissions_for_user(User.objects.get(username="trainer"))
    officer_perms = home.permissions_for_user(User.objects.get(username="officer"))
    assert trainer_perms.can_edit() and not trainer_perms.can_publish()
    assert officer_perms.can_publish()


def test_officer_gets_images_and_documents_with_an_office(client, demo):
    from tests.campaigns.factories import ProgramOfficeFactory, add_region

    office = ProgramOfficeFactory(region=add_region("620000000000", "甘肃省"))
    office.members.add(get_user_model().objects.get(username="officer"))
    assert client.login(username="officer", password=DEMO_PASSWORD)
    assert _outcome(client, "/admin/images/") == ALLOWED
    assert _outcome(client, "/admin/documents/") == ALLOWED
