"""`manage.py bootstrap_demo` builds the demo site once, safely, and its accounts work."""

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import models as dj_models
from wagtail.models import Page, Site

from cms.management.commands.bootstrap_demo import REFUSE_WITHOUT_DEBUG
from cms.models import HomePage
from core.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_shell")]


def _row_counts() -> dict[str, int]:
    """Rows in every table of our apps and of the tables the demo touches."""
    labels = {
        "cms",
        "courses",
        "learners",
        "campaigns",
        "accounts",
        "certificates",
        "auth",
        "wagtailcore",
        "wagtailimages",
        "wagtailmedia",
        "wagtail_localize",
    }
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in labels
        and not model._meta.proxy
        and isinstance(model._default_manager, dj_models.Manager)
    }


def test_running_twice_leaves_the_same_row_counts():
    call_command("bootstrap_demo", force=True, stdout=None)
    first = _row_counts()
    call_command("bootstrap_demo", force=True)
    assert _row_counts() == first


def test_creates_home_page_in_chinese_and_english_as_site_root():
    call_command("bootstrap_demo", force=True)
    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    assert isinstance(home, HomePage)
    assert home.locale.language_code == "zh-hans"
    assert home.title == "数字乡村课堂"
    english = home.get_translation(home.locale.__class__.objects.get(language_code="en"))
    assert english.live and english.title == "Digital Village Classroom"
    # Wagtail's placeholder welcome page is gone.
    assert not Page.objects.filter(title__startswith="Welcome to your new Wagtail site").exists()


def test_prints_the_four_demo_logins(capsys):
    call_command("bootstrap_demo", force=True)
    out = capsys.readouterr().out
    for username in ("learner", "trainer", "officer", "admin"):
        assert username in out
    assert DEMO_PASSWORD in out


def test_each_demo_account_is_in_its_role():
    call_command("bootstrap_demo", force=True)
    User = get_user_model()
    groups = {u.username: set(u.groups.values_list("name", flat=True)) for u in User.objects.all()}
    assert groups["learner"] == set()
    assert groups["trainer"] == {"Trainers"}
    assert groups["officer"] == {"Program officers"}
    assert groups["admin"] == {"Administrators"}
    assert not User.objects.filter(is_superuser=True).exists()


def test_refuses_demo_accounts_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="Refusing"):
        call_command("bootstrap_demo")
    assert REFUSE_WITHOUT_DEBUG.startswith("Refusing")
    assert not get_user_model().objects.filter(username="learner").exists()


def test_runs_without_force_when_debug_is_on(settings):
    settings.DEBUG = True
    call_command("bootstrap_demo")
    assert get_user_model().objects.filter(username="admin").exists()


def test_existing_password_is_not_reset_by_a_second_run():
    call_command("bootstrap_demo", force=True)
    user = get_user_model().objects.get(username="learner")
    user.set_password("changed-by-the-learner-2026")
    user.save()
    call_command("bootstrap_demo", force=True)
    user.refresh_from_db()
    assert user.check_password("changed-by-the-learner-2026")


@pytest.mark.parametrize("username", ["learner", "trainer", "officer", "admin"])
def test_demo_account_signs_in_through_the_sign_in_form(client, username):
    call_command("bootstrap_demo", force=True)
    response = client.post(
        "/accounts/login/", {"login": username, "password": DEMO_PASSWORD}, follow=False
    )
    assert response.status_code == 302
    assert (
        int(client.session["_auth_user_id"]) == get_user_model().objects.get(username=username).pk
    )


def test_roles_exist_from_migrations_alone():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "Trainers",
        "Program officers",
        "Administrators",
    }
