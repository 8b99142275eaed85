"""The zh-Hans admin speaks Chinese: every staff role walks the admin — every page in its menu,
the page editor, chooser modals and the moderation views — and no visible word is in Latin
script except a short allowlist (product names, file formats, the content's own English copy).

Visible text is what a person reads: element text without scripts, styles or attributes, plus the
menu labels the sidebar renders from its JSON props and the HTML of modal (JSON) responses.
"""

import json
import os
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from wagtail.images import get_image_model
from wagtail.models import Locale, Page, Site

from courses.models import CoursePage, LessonMedia, LessonPage, Topic
from courses.workflow import course_review_submit
from tests.demo_snapshot import load_demo

pytestmark = pytest.mark.django_db

ROLES = ("trainer", "officer", "admin")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")
# Written the same in a Chinese interface: product names, formats, units, codes.
ALLOWED = set(
    "Wagtail Django WeChat Chromium Android Chrome English PNG JPEG JPG WebP GIF SVG AVIF HEIC "
    "PDF CSV XLSX JSON ZIP zip MP mp m4a OGG URL ID IP QR SMS TOTP HTML API px KB MB GB kbit AAC "
    "slug Slug manifest bootstrap_demo "
    # Key names as printed on keyboards (the keyboard shortcuts dialog).
    "Alt Ctrl Cmd Esc Shift Enter Tab Option".split()
)
SKIP_TAGS = {"script", "style", "svg", "noscript", "title", "code", "kbd"}
URL = re.compile(r"https?://\S+|\S+\.(?:com|cn|org)\S*")  # addresses, e.g. in help texts
CODE = re.compile(r"^[A-Z0-9]{4,}$")  # join codes, certificate codes: data, not words


class _Visible(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        # Time zone names (Asia/Shanghai) in the account's time zone list are identifiers.
        time_zones = tag == "select" and "time_zone" in (dict(attrs).get("name") or "")
        if tag in SKIP_TAGS or time_zones or (tag == "select" and self.skip):
            self.skip += 1

    def handle_endtag(self, tag):
        if (tag in SKIP_TAGS or tag == "select") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def _sidebar_items(html: str) -> tuple[list[str], list[str]]:
    """Menu (labels, urls) from the sidebar's JSON props."""
    match = re.search(r'<script id="wagtail-sidebar-props"[^>]*>(.*?)</script>', html, re.S)
    if not match:
        return [], []
    labels, urls = [], []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("label"), str):
                labels.append(node["label"])
            if isinstance(node.get("url"), str) and node["url"].startswith("/admin/"):
                urls.append(node["url"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(match.group(1)))
    return labels, urls


def _visible_text(response) -> str:
    content = response.content.decode()
    if response.get("Content-Type", "").startswith("application/json"):
        data = json.loads(content)
        content = data.get("html") or ""
    parser = _Visible()
    parser.feed(content)
    labels, _urls = _sidebar_items(content)
    return " ".join([*parser.parts, *labels])


@pytest.fixture
def site(db):
    load_demo()
    zh = Locale.objects.get(language_code="zh-hans")
    course = CoursePage.objects.filter(locale=zh).first()
    lesson = LessonPage.objects.child_of(course).first()
    # Content in other languages is the content's own text, not the interface.
    content_words = set()
    for title in Page.objects.exclude(locale=zh).values_list("title", flat=True):
        content_words |= set(LATIN_WORD.findall(title))
    for name in Topic.objects.exclude(locale=zh).values_list("name", flat=True):
        content_words |= set(LATIN_WORD.findall(name))
    # Uploaded files keep their names; content types are named by their code in some reports.
    for title, file in LessonMedia.objects.values_list("title", "file"):
        content_words |= set(LATIN_WORD.findall(f"{title} {file}"))
    for title in get_image_model().objects.values_list("title", flat=True):
        content_words |= set(LATIN_WORD.findall(title))
    for username in get_user_model().objects.values_list("username", flat=True):
        content_words |= set(LATIN_WORD.findall(username))
    for content_type in ContentType.objects.all():
        content_words |= {content_type.app_label, content_type.model}
    # A site's host name is an address, written as is (the Sites listing).
    for hostname in Site.objects.values_list("hostname", flat=True):
        content_words |= set(LATIN_WORD.findall(hostname))
    return {"course": course, "lesson": lesson, "content_words": content_words}


def _pages(site, user) -> list[str]:
    course, lesson = site["course"], site["lesson"]
    return [
        "/admin/",
        reverse("wagtailadmin_explore", args=[course.get_parent().pk]),
        reverse("wagtailadmin_explore", args=[course.pk]),
        reverse("wagtailadmin_pages:edit", args=[course.pk]),
        reverse("wagtailadmin_pages:edit", args=[lesson.pk]),
        reverse("wagtailadmin_pages:add", args=("courses", "lessonpage", course.pk)),
        reverse("wagtailadmin_pages:history", args=[course.pk]),
        reverse("wagtailadmin_pages:workflow_history", args=[course.pk]),
        reverse("wagtailimages_chooser:choose"),
        reverse("wagtailmedia:chooser_typed", args=["audio"]),
        reverse("wagtailadmin_choose_page"),
        reverse("wagtailsnippetchoosers_courses_topic:choose"),
        reverse("courses_review", args=[course.pk]),
        reverse("courses_pack_import"),
    ]


def _moderation_pages(site, user) -> list[str]:
    course = CoursePage.objects.get(pk=site["course"].pk)
    state = course.current_workflow_state
    task_state = state.current_task_state
    return [
        "/admin/",
        reverse("wagtailadmin_pages:edit", args=[course.pk]),
        reverse("courses_review", args=[course.pk]),
        reverse("wagtailadmin_pages:workflow_history", args=[course.pk]),
        reverse("wagtailadmin_pages:workflow_action", args=(course.pk, "reject", task_state.pk)),
    ]


def _offending(client, url: str, allowed: set[str]) -> list[str]:
    response = client.get(url, follow=True)
    assert response.status_code == 200, (url, response.status_code)
    text = URL.sub(" ", _visible_text(response))
    found = sorted({w for w in LATIN_WORD.findall(text) if w not in allowed and not CODE.match(w)})
    if found and os.environ.get("ADMIN_WORDS_CONTEXT"):  # where each word sits, for fixing
        with open(os.environ["ADMIN_WORDS_CONTEXT"], "a", encoding="utf-8") as out:
            for word in found:
                at = text.find(word)
                context = " ".join(text[max(0, at - 120) : at + 80].split())
                out.write(f"{url} {word}: {context}\n")
    return found


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_page_a_staff_role_reaches_is_in_chinese(client, site, role):
    user = get_user_model().objects.get(username=role)
    client.force_login(user)
    allowed = ALLOWED | site["content_words"] | {user.get_username()}
    home = client.get("/admin/").content.decode()
    _labels, menu = _sidebar_items(home)
    assert menu, "the sidebar lists the role's menu"
    urls = list(dict.fromkeys([*menu, *_pages(site, user)]))
    # Moderation: the trainer sends the course; the reviewer roles see it awaiting review.
    course_review_submit(
        course=site["course"], user=get_user_model().objects.get(username="trainer")
    )
    urls += _moderation_pages(site, user)
    found = {url: words for url in urls if (words := _offending(client, url, allowed))}
    assert not found, json.dumps(found, ensure_ascii=False)


def test_admin_titles_name_the_product_and_the_sidebar_badge_is_translated(client):
    """A browser tab reads "数据看板 - 数字乡村课堂", not "… - Wagtail"; the sidebar's
    screen-reader badge ("(2 new items in this menu)") comes translated from the JS catalogue."""
    from core.roles import TRAINERS
    from tests.security.factories import StaffFactory

    client.force_login(StaffFactory(username="t-title", groups=[TRAINERS]))
    home = client.get("/admin/").content.decode()
    explorer = client.get("/admin/pages/").content.decode()
    catalogue = client.get(reverse("wagtailadmin_javascript_catalog")).content.decode()

    for html in (home, explorer):
        title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
        assert title.strip().endswith("- 数字乡村课堂") and "Wagtail" not in title
    badge = json.dumps("（此菜单有 %(number)s 个新项目）")
    assert f'"(%(number)s new items in this menu)": {badge}' in catalogue


def test_menu_items_built_for_an_english_reader_first_are_chinese_for_the_next(client, db):
    """Wagtail builds its menus on the first admin request a process serves and keeps them; the
    "Translations" report and "What's new in Wagtail" were labelled then, once, in that reader's
    language. A process whose first admin reader read English showed them in English to all."""
    from django.utils import translation
    from wagtail.admin.menu import help_menu, reports_menu

    from core.roles import ADMINISTRATORS
    from tests.security.factories import StaffFactory

    for menu in (reports_menu, help_menu):
        menu.__dict__.pop("registered_menu_items", None)  # as in a process that just started
    with translation.override("en"):
        menus = (reports_menu, help_menu)
        english = [item.label for menu in menus for item in menu.registered_menu_items]
    assert "Translations" in english and any(label.startswith("What's new") for label in english)

    client.force_login(StaffFactory(username="a-menu", groups=[ADMINISTRATORS]))
    labels, _urls = _sidebar_items(client.get("/admin/").content.decode())
    assert "Translations" not in labels and not any("What's new" in label for label in labels)
    assert "翻译" in " ".join(labels)
