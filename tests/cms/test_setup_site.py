"""`manage.py setup_site`: roles, an empty site and the first administrator; no demo content."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from wagtail.models import Site

from core.models import Campaign
from core.roles import ADMINISTRATORS, PROGRAM_OFFICERS, ROLES
from courses.models import CourseIndexPage, CoursePage

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-password-2026"


def test_it_makes_an_empty_site_at_the_sites_address_and_one_administrator(monkeypatch, settings):
    settings.SITE_URL = "https://learn.example.org"
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)

    call_command("setup_site", "--admin", "chief", "--noinput")

    admin = get_user_model().objects.get()
    assert admin.username == "chief"
    assert admin.is_superuser and admin.is_staff and admin.check_password(PASSWORD)
    assert admin.groups.filter(name=ADMINISTRATORS).exists()
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)
    officers = Group.objects.get(name=PROGRAM_OFFICERS)
    assert officers.permissions.filter(codename="export_figures").exists()
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("learn.example.org", 443)
    assert CourseIndexPage.objects.filter(locale__language_code="zh-hans").count() == 1
    assert CourseIndexPage.objects.filter(locale__language_code="en").count() == 1
    assert not CoursePage.objects.exists()  # no demo courses
    assert not Campaign.objects.exists()  # no demo campaign


def test_running_it_again_changes_nothing(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("setup_site", "--admin", "chief", "--noinput")
    password = get_user_model().objects.get().password

    call_command("setup_site", "--admin", "chief", "--noinput")

    assert get_user_model().objects.get().password == password
    assert CourseIndexPage.objects.count() == 2


def test_it_refuses_a_weak_or_missing_password(monkeypatch):
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="DJANGO_SUPERUSER_PASSWORD"):
        call_command("setup_site", "--admin", "chief", "--noinput")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "12345678")
    with pytest.raises(CommandError):
        call_command("setup_site", "--admin", "chief", "--noinput")
    assert not get_user_model().objects.exists()


def test_a_flushed_database_gets_the_roles_back_with_all_their_permissions(monkeypatch):
    Group.objects.filter(name__in=ROLES).delete()
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)

    call_command("setup_site", "--admin", "chief", "--noinput")

    officers = Group.objects.get(name=PROGRAM_OFFICERS)
    assert officers.permissions.filter(codename="export_figures").exists()
