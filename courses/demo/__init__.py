"""Demo courses for `bootstrap_demo`: three course packs in zh-Hans with English translations.

The courses are data, not code: each is a course pack (the format trainers export and import,
courses/packs.py) kept unzipped under `courses/demo/packs/<slug>/` — `manifest.json` and the
pictures in `images/` — with its narration in `courses/demo/narration/`, which the manifest lists
as `media/<file>`. `load` zips each pack and installs it with the same checks and the same
writing as an import, so every demo run proves the pack format (decision 0146).

Idempotent: a course already in the catalog is left as it is, so a second run changes nothing.
Every lesson has its synthesised narration in its language, labelled as a machine voice to
learners (decision 0081).
"""

import io
import json
import zipfile
from pathlib import Path

from wagtail.models import Locale, Page, Site

from core.demo import ensure_locales
from courses.models import CourseIndexPage, CoursePage, Topic
from courses.packs import MANIFEST, course_pack_install
from courses.translation import translation_create_from_shadow, translation_shadow
from courses.workflow import course_review_workflow_assign

PACKS_DIR = Path(__file__).resolve().parent / "packs"
NARRATION_DIR = Path(__file__).resolve().parent / "narration"
CATALOG_FILE = PACKS_DIR / "catalog.json"
# In the order the catalog lists them.
COURSE_SLUGS = ("phone-basics", "selling-online", "online-safety")
ZH, EN = "zh-hans", "en"


def pack_manifest(slug: str) -> dict:
    """The manifest of the demo pack `slug`."""
    return json.loads((PACKS_DIR / slug / MANIFEST).read_text(encoding="utf-8"))


def pack_manifest_write(slug: str, manifest: dict) -> None:
    """Rewrite the manifest of the demo pack `slug` in its committed layout."""
    text = json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"
    (PACKS_DIR / slug / MANIFEST).write_text(text, encoding="utf-8")


def pack_file(slug: str, name: str) -> Path:
    """Where a file the manifest lists lives: `images/` in the pack, `media/` in narration/."""
    folder, _, filename = name.partition("/")
    if folder == "media":
        return NARRATION_DIR / filename
    return PACKS_DIR / slug / name


def pack_archive(slug: str) -> io.BytesIO:
    """The demo course `slug` as a course pack zip, as a trainer would export it."""
    manifest = pack_manifest(slug)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(PACKS_DIR / slug / MANIFEST, MANIFEST)
        for kind in ("images", "media"):
            for entry in manifest.get(kind, {}).values():
                archive.write(pack_file(slug, entry["file"]), entry["file"])
    buffer.seek(0)
    return buffer


def load_topics(zh: Locale, en: Locale) -> dict[str, Topic]:
    """The demo courses' topics in both languages (from the packs)."""
    topics = {}
    for slug in COURSE_SLUGS:
        spec = pack_manifest(slug)["topic"]
        topic = Topic.objects.filter(locale=zh, slug=spec["slug"]).first()
        if topic is None:
            topic = Topic.objects.create(
                locale=zh,
                slug=spec["slug"],
                name=spec["names"][ZH],
                icon=spec["icon"],
                colour=spec["colour"],
            )
        shadow = Topic(
            name=spec["names"][EN], slug=spec["slug"], icon=spec["icon"], colour=spec["colour"]
        )
        translation_create_from_shadow(source=topic, shadow=shadow, locale=en)
        topics[spec["slug"]] = topic
    return topics


def site_root() -> Page:
    """The default site's home page, under which the catalog lives (the site shell makes it)."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        raise RuntimeError("No default site yet: the site shell (cms.demo.load_site) comes first.")
    return site.root_page.specific


def load_catalog(zh: Locale, en: Locale) -> CourseIndexPage:
    """The course catalog at /courses/ and /en/courses/, under the review workflow."""
    text = json.loads(CATALOG_FILE.read_text(encoding="utf-8"))
    home = site_root()
    index = CourseIndexPage.objects.child_of(home).filter(slug="courses").first()
    if index is None:
        index = CourseIndexPage(title=text["title"][ZH], slug="courses", intro=text["intro"][ZH])
        home.add_child(instance=index)
        index.save_revision().publish()
    course_review_workflow_assign(page=index)
    shadow = translation_shadow(
        CourseIndexPage,
        index,
        {"title": text["title"][EN], "slug": "courses", "intro": text["intro"][EN]},
    )
    translation_create_from_shadow(source=index, shadow=shadow, locale=en)
    return index


def load_course(slug: str, index: CourseIndexPage) -> CoursePage:
    """The demo course `slug`, installed from its pack unless the catalog already has it."""
    page = CoursePage.objects.child_of(index).filter(slug=slug).first()
    if page is None:
        page = course_pack_install(pack_archive(slug), index=index)
    return page


def load(stdout=None) -> list[CoursePage]:
    """Load the demo topics, catalog and three courses (idempotent)."""
    zh, en = ensure_locales()
    load_topics(zh, en)
    index = load_catalog(zh, en)
    courses = [load_course(slug, index) for slug in COURSE_SLUGS]
    if stdout is not None:
        stdout.write(f"Demo courses: {', '.join(c.title for c in courses)}")
    return courses
