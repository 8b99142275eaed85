"""Demo site shell: the home page in Chinese and English (accounts and locales: core.demo).

Every function here is idempotent: it creates what is missing and leaves what exists
alone, so running `bootstrap_demo` twice changes nothing.
"""

from wagtail.models import Collection, Page, Site

from core.demo import ensure_locales

from .models import HomePage

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
