"""Demo site: home page in Chinese and English, and one account per role.

Every function here is idempotent: it creates what is missing and leaves what exists
alone, so running `bootstrap_demo` twice changes nothing.
"""

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import Collection, Locale, Page, Site

from .models import HomePage
from .roles import ADMINISTRATORS, PROGRAM_OFFICERS, ROLES, TRAINERS, create_roles

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

HOME_ZH = {
    "title": "数字乡村课堂",
    "intro": "<p>用手机学本领：<b>手机基本技能</b>、<b>农产品网上销售</b>、<b>网络安全与防骗</b>。"
    "每节课三到七分钟，有图有声音，没网也能学。</p>",
    "start_label": "开始学习",
}
HOME_EN = {
    "title": "Digital Village Classroom",
    "intro": "<p>Learn useful skills on your phone: <b>smartphone basics</b>, "
    "<b>selling farm produce online</b> and <b>online safety</b>. Each lesson takes three to "
    "seven minutes, with pictures and sound, and works offline.</p>",
    "start_label": "Start learning",
}


def ensure_locales() -> tuple[Locale, Locale]:
    """The source locale (zh-hans) and the English translation locale."""
    zh, _ = Locale.objects.get_or_create(language_code="zh-hans")
    en, _ = Locale.objects.get_or_create(language_code="en")
    return zh, en


def load_site() -> HomePage:
    """Create the zh-Hans HomePage and its English translation; make it the default site's root."""
    zh, en = ensure_locales()
    root = Page.get_first_root_node()
    if root is None:  # a flushed database (transactional tests) has lost the migrations' rows
        root = Page.add_root(title="根目录", slug="root", locale=zh)
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="根目录")
    home = HomePage.objects.filter(locale=zh).first()
    if home is None:
        # Wagtail's install leaves a placeholder "Welcome" page; our HomePage takes its place.
        for placeholder in root.get_children().filter(content_type__model="page"):
            Site.objects.filter(root_page=placeholder).delete()
            placeholder.delete()
        home = HomePage(slug="home", locale=zh, **HOME_ZH)
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name=HOME_ZH["title"],
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    if not home.get_translations().filter(locale=en).exists():
        english = home.copy_for_translation(en)
        for field, value in HOME_EN.items():
            setattr(english, field, value)
        english.save_revision().publish()
    return home


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
