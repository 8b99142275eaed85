"""Demo data more than one room needs: the two locales and one account per role.

Idempotent: each function creates what is missing and leaves what exists alone.
"""

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import Locale

from core.roles import ADMINISTRATORS, PROGRAM_OFFICERS, ROLES, TRAINERS, create_roles

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - published demo password, refused in production


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str | None
    display_name: str


DEMO_ACCOUNTS = (
    DemoAccount("learner", None, "李秀英"),
    DemoAccount("trainer", TRAINERS, "王建国"),
    DemoAccount("officer", PROGRAM_OFFICERS, "陈丽华"),
    DemoAccount("admin", ADMINISTRATORS, "赵明"),
)


def ensure_locales() -> tuple[Locale, Locale]:
    """The source locale (zh-hans) and the English translation locale."""
    zh, _ = Locale.objects.get_or_create(language_code="zh-hans")
    en, _ = Locale.objects.get_or_create(language_code="en")
    return zh, en


def load_accounts() -> list[DemoAccount]:
    """One account per role, all with DEMO_PASSWORD; existing accounts are left as they are."""
    User = get_user_model()
    if Group.objects.filter(name__in=ROLES).count() < len(ROLES):
        create_roles(apps, None)
    for account in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=account.username,
            defaults={"first_name": account.display_name, "is_active": True},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if account.role:
            user.groups.add(Group.objects.get(name=account.role))
    return list(DEMO_ACCOUNTS)
