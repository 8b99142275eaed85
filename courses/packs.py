"""Course packs: one course with its lessons, translations, pictures and recordings in a zip.

A pack is `manifest.json` plus the files under `images/` and `media/`. Import checks the whole
pack before writing anything (size, ratio and entry limits against zip bombs, safe paths, the
manifest schema, every picture's size and pixels) and then writes in one transaction; files
already stored are removed again if anything fails, so a refused pack leaves no trace.
(docs/decisions/0014-course-packs.md)
"""

import hashlib
import io
import json
import logging
import posixpath
import uuid
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from PIL import Image as PILImage
from wagtail import blocks
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Locale
from wagtailmedia.blocks import AbstractMediaChooserBlock

from core.roles import course_media

from .checks import lesson_problems
from .models import CourseIndexPage, CoursePage, LessonMedia, LessonPage, Topic
from .translation import translation_create_from_shadow, translation_shadow

PACK_FORMAT = "dvc-course-pack"
PACK_VERSION = 1
MANIFEST = "manifest.json"
MAX_ENTRIES = 500
MAX_MANIFEST_BYTES = 5 * 1024 * 1024
MAX_TOTAL_BYTES = 500 * 1024 * 1024
MAX_MEDIA_BYTES = 100 * 1024 * 1024
MAX_RATIO = 50  # uncompressed / compressed, for entries over 1 MB
RATIO_FLOOR = 1024 * 1024
LIST_ITEM_NAMESPACE = uuid.UUID("6a1f3c52-8a57-4a8e-93a5-0c3f2b7d9e41")

# Messages are shown to trainers (admin) and operators (command line), in their language.
NOT_A_ZIP = _("Not a course pack: the file is not a zip archive.")
ZIP_BOMB = _("Refused: the pack expands to more than allowed (%(detail)s).")
ZIP_ENTRY_TOO_BIG = _("%(name)s is over %(limit)s bytes")
ZIP_TOO_MANY = _("%(count)s files")
ZIP_TOO_WELL = _("%(name)s is compressed too well")
ZIP_TOTAL = _("%(total)s bytes in all")
UNSAFE_PATH = _("Refused: unsafe file name in the pack: “%(name)s”.")
MISSING_MANIFEST = _("Not a course pack: manifest.json is missing.")
logger = logging.getLogger(__name__)
WRONG_SCHEMA = _("Wrong pack schema: %(detail)s.")
SCHEMA_LIST = _("%(where)s must be a list")
SCHEMA_OBJECT = _("%(where)s must be an object")
SCHEMA_UNKNOWN_BLOCK = _("%(where)s has an unknown block")
SCHEMA_MISSING = _("%(where)s has no “%(name)s”")
SCHEMA_TITLE = _("%(where)s needs a title")
SCHEMA_SLUG = _("%(where)s needs a slug")
SCHEMA_FORMAT = _("format must be “%(format)s”")
SCHEMA_VERSION = _("version must be %(version)s")
SCHEMA_TRANSLATED_LESSONS = _("%(where)s must be a list no longer than lessons")
SCHEMA_FILE = _("%(where)s needs a file and a title")
SCHEMA_OUTSIDE = _("%(where)s is outside %(folder)s")
SCHEMA_TOPIC = _("topic must be an object or null")
SCHEMA_TOPIC_SLUG = _("topic needs a slug")
SCHEMA_TOPIC_NAMES = _("topic needs names")
SCHEMA_NOT_JSON = _("manifest.json is not JSON")
SCHEMA_VALUE = _("%(where)s.%(name)s has a value of the wrong type")
SCHEMA_REFUSED = _("a value is not accepted (%(detail)s)")
MISSING_FILE = _("The pack lists “%(name)s” but does not contain it.")
IMAGE_TOO_LARGE = _("Image “%(name)s” is too large (%(detail)s).")
IMAGE_INVALID = _("Image “%(name)s” is not a readable picture.")
IMAGE_SVG = _("Image “%(name)s” is an SVG drawing, which can carry scripts: use PNG, JPEG or WebP.")
COURSE_EXISTS = _("A course with the slug “%(slug)s” already exists here.")
NO_CATALOG = _("There is no course catalog to import into; run bootstrap_demo or create one.")
COURSE_NOT_FOUND = _("No course with the slug “%(slug)s”.")
CANNOT_IMPORT = _("You may not add courses to the catalog.")
PUBLISH_ADMINS_ONLY = _("Only administrators may publish a course pack straight away.")
CHECKS_FAILED = _(
    "The pack was not imported: %(count)s problem(s) must be fixed first. Nothing was saved."
)
COURSE_WHERE = _("Course “%(title)s”")
LESSON_WHERE = _("Lesson %(number)s “%(title)s”")
TRANSLATION_WHERE = _("%(language)s translation")

COURSE_FIELDS = (
    "title",
    "slug",
    "summary",
    "cover_image",
    "cover_alt",
    "level",
    "estimated_minutes",
    "learning_outcomes",
    "pass_mark",
    "certificate_enabled",
    "certificate_title",
    "credit_hours",
)
# Fields a pack may leave out (packs exported before they existed): they are then left empty.
OPTIONAL_FIELDS = {"credit_hours"}
LESSON_FIELDS = (
    "title",
    "slug",
    "summary",
    "estimated_minutes",
    "narration",
    "demo_without_audio",
    "body",
    "quiz",
)
STREAM_FIELDS = {"learning_outcomes", "body", "quiz"}
# The JSON types each plain field may have (issue 16: a fuzzed value must be refused, not a 500).
SCALAR_TYPES = {
    "summary": (str,),
    "cover_alt": (str,),
    "level": (str,),
    "certificate_title": (str,),
    "estimated_minutes": (int,),
    "pass_mark": (int,),
    "certificate_enabled": (bool,),
    "demo_without_audio": (bool,),
    "cover_image": (int, str, type(None)),
    "narration": (int, str, type(None)),
    "credit_hours": (str, type(None)),  # a decimal as text ("1.5"): JSON numbers are floats
}
DECIMAL_FIELDS = {"credit_hours"}
IMAGE_FIELDS = {"cover_image"}
MEDIA_FIELDS = {"narration"}


def _not_json(constant: str):
    raise ValueError(f"{constant} is not JSON")


class PackError(Exception):
    """A pack was refused; the message names the problem."""


class PackCheckFailed(PackError):
    """The pack's content fails the authoring checks; `problems` lists each, by lesson and block."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(str(CHECKS_FAILED % {"count": len(problems)}))


# --- walking StreamField raw data ---------------------------------------------------------------


def _walk(block: blocks.Block, raw, visit, path: str = "") -> object:
    """Return `raw` with every image/media reference passed through `visit(kind, pk)`.

    List items get ids derived from their place, so a source page and its translation (whose
    item ids may have been generated separately) line up item by item after import.
    """
    if raw is None:
        _require(
            not isinstance(block, blocks.StructBlock | blocks.ListBlock | blocks.StreamBlock),
            SCHEMA_OBJECT % {"where": path or "stream"},
        )
        return None
    if isinstance(block, ImageChooserBlock):
        return visit("image", raw)
    if isinstance(block, AbstractMediaChooserBlock):
        return visit("media", raw)
    if isinstance(block, blocks.StreamBlock):
        _require(isinstance(raw, list), SCHEMA_LIST % {"where": path or "stream"})
        out = []
        for item in raw:
            _require(
                isinstance(item, dict) and item.get("type") in block.child_blocks,
                SCHEMA_UNKNOWN_BLOCK % {"where": path or "stream"},
            )
            child = block.child_blocks[item["type"]]
            item_path = f"{path}.{item.get('id', '')}"
            out.append({**item, "value": _walk(child, item.get("value"), visit, item_path)})
        return out
    if isinstance(block, blocks.ListBlock):
        _require(isinstance(raw, list), SCHEMA_LIST % {"where": path})
        out = []
        for n, item in enumerate(raw):
            if isinstance(item, dict) and item.get("type") == "item" and "value" in item:
                item = item["value"]
            item_path = f"{path}.{n}"
            out.append(
                {
                    "type": "item",
                    "value": _walk(block.child_block, item, visit, item_path),
                    "id": str(uuid.uuid5(LIST_ITEM_NAMESPACE, item_path)),
                }
            )
        return out
    if isinstance(block, blocks.StructBlock):
        _require(isinstance(raw, dict), SCHEMA_OBJECT % {"where": path})
        return {
            name: _walk(block.child_blocks[name], value, visit, f"{path}.{name}")
            if name in block.child_blocks
            else value
            for name, value in raw.items()
        }
    _require(
        isinstance(raw, str | int | float | bool),
        SCHEMA_VALUE % {"where": path.rsplit(".", 1)[0], "name": path.rsplit(".", 1)[-1]},
    )
    return raw


def _raw_stream(page, name: str) -> list:
    return list(getattr(page, name).raw_data)


# --- export -------------------------------------------------------------------------------------


@dataclass
class _Collected:
    images: dict[int, object] = field(default_factory=dict)
    media: dict[int, LessonMedia] = field(default_factory=dict)


def _page_data(page, names: tuple[str, ...], collected: _Collected) -> dict:
    def visit(kind: str, pk):
        if kind == "image":
            collected.images.setdefault(pk, None)
        else:
            collected.media.setdefault(pk, None)
        return pk

    data = {}
    for name in names:
        if name in STREAM_FIELDS:
            stream_block = getattr(page, name).stream_block
            data[name] = _walk(stream_block, _raw_stream(page, name), visit)
        elif name in IMAGE_FIELDS or name in MEDIA_FIELDS:
            pk = getattr(page, f"{name}_id")
            if pk:
                visit("image" if name in IMAGE_FIELDS else "media", pk)
            data[name] = pk
        elif name in DECIMAL_FIELDS:
            value = getattr(page, name)
            data[name] = None if value is None else str(value)
        else:
            data[name] = getattr(page, name)
    return data


def _translations(page) -> dict[str, object]:
    return {
        p.locale.language_code: p.specific for p in page.get_translations().select_related("locale")
    }


def course_pack_export(*, slug: str, path) -> dict:
    """Write the course `slug` (source locale) with its translations and files to a zip."""
    source_locale = Locale.get_default()
    course = CoursePage.objects.filter(slug=slug, locale=source_locale).first()
    if course is None:
        raise PackError(COURSE_NOT_FOUND % {"slug": slug})
    collected = _Collected()
    lessons = list(LessonPage.objects.child_of(course).order_by("path"))
    manifest = {
        "format": PACK_FORMAT,
        "version": PACK_VERSION,
        "source_locale": source_locale.language_code,
        "topic": _topic_data(course.topic),
        "course": _page_data(course, COURSE_FIELDS, collected),
        "lessons": [_page_data(lesson, LESSON_FIELDS, collected) for lesson in lessons],
        "translations": {},
    }
    for code, translated in _translations(course).items():
        lesson_translations = []
        for lesson in lessons:
            translated_lesson = lesson.get_translation_or_none(translated.locale)
            if translated_lesson is not None:
                lesson_translations.append(
                    _page_data(translated_lesson.specific, LESSON_FIELDS, collected)
                )
        manifest["translations"][code] = {
            "course": _page_data(translated, COURSE_FIELDS, collected),
            "lessons": lesson_translations,
        }
    Image = get_image_model()
    files: dict[str, bytes] = {}
    manifest["images"] = {}
    for image in Image.objects.filter(pk__in=collected.images):
        data = _read(image.file)
        name = f"images/{image.pk}{PurePosixPath(image.file.name).suffix.lower()}"
        files[name] = data
        manifest["images"][str(image.pk)] = {
            "file": name,
            "title": image.title,
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    manifest["media"] = {}
    for media in LessonMedia.objects.filter(pk__in=collected.media):
        data = _read(media.file)
        name = f"media/{media.pk}{PurePosixPath(media.file.name).suffix.lower()}"
        files[name] = data
        manifest["media"][str(media.pk)] = {
            "file": name,
            "title": media.title,
            "type": media.type,
            "duration": media.duration or 0,
            "synthetic_voice": media.synthetic_voice,
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        for name, data in files.items():
            archive.writestr(name, data)
    return manifest


def _topic_data(topic: Topic | None) -> dict | None:
    if topic is None:
        return None
    names = {
        t.locale.language_code: t.name
        for t in Topic.objects.filter(translation_key=topic.translation_key).select_related(
            "locale"
        )
    }
    return {"slug": topic.slug, "icon": topic.icon, "colour": topic.colour, "names": names}


def _read(field_file) -> bytes:
    field_file.open("rb")
    try:
        return field_file.read()
    finally:
        field_file.close()


# --- import: checks -----------------------------------------------------------------------------


def _safe_name(name: str) -> bool:
    if not name or "\\" in name or name.startswith("/") or ":" in name or "\0" in name:
        return False
    normal = posixpath.normpath(name)
    if normal != name.rstrip("/") or normal.startswith("..") or "/../" in f"/{normal}/":
        return False
    return normal == MANIFEST or normal.split("/", 1)[0] in {"images", "media"}


def _read_limited(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Read an entry, refusing it as soon as it grows past `limit` (headers can lie)."""
    chunks, total = [], 0
    with archive.open(info) as handle:
        while chunk := handle.read(64 * 1024):
            total += len(chunk)
            if total > limit:
                detail = ZIP_ENTRY_TOO_BIG % {"name": info.filename, "limit": limit}
                raise PackError(ZIP_BOMB % {"detail": detail})
            chunks.append(chunk)
    return b"".join(chunks)


def _check_archive(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise PackError(ZIP_BOMB % {"detail": ZIP_TOO_MANY % {"count": len(infos)}})
    total = 0
    for info in infos:
        if not _safe_name(info.filename):
            raise PackError(UNSAFE_PATH % {"name": info.filename})
        total += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise PackError(ZIP_BOMB % {"detail": ZIP_TOO_WELL % {"name": info.filename}})
    if total > MAX_TOTAL_BYTES:
        raise PackError(ZIP_BOMB % {"detail": ZIP_TOTAL % {"total": total}})
    return infos


def _require(condition: bool, detail) -> None:
    if not condition:
        raise PackError(WRONG_SCHEMA % {"detail": detail})


def _check_page(data, names: tuple[str, ...], where: str) -> None:
    _require(isinstance(data, dict), SCHEMA_OBJECT % {"where": where})
    for name in names:
        _require(
            name in data or name in OPTIONAL_FIELDS, SCHEMA_MISSING % {"where": where, "name": name}
        )
    _require(
        isinstance(data["title"], str) and data["title"].strip(), SCHEMA_TITLE % {"where": where}
    )
    _require(isinstance(data["slug"], str) and data["slug"].strip(), SCHEMA_SLUG % {"where": where})
    for name in STREAM_FIELDS & set(names):
        _require(isinstance(data[name], list), SCHEMA_LIST % {"where": f"{where}.{name}"})
    for name in SCALAR_TYPES.keys() & set(names):
        value = data.get(name)
        wrong_bool = isinstance(value, bool) and bool not in SCALAR_TYPES[name]
        _require(
            isinstance(value, SCALAR_TYPES[name]) and not wrong_bool,
            SCHEMA_VALUE % {"where": where, "name": name},
        )
        if name in DECIMAL_FIELDS and value is not None:
            try:
                Decimal(value)
            except InvalidOperation:
                _require(False, SCHEMA_VALUE % {"where": where, "name": name})


def _check_manifest(manifest) -> None:
    _require(isinstance(manifest, dict), SCHEMA_OBJECT % {"where": MANIFEST})
    _require(manifest.get("format") == PACK_FORMAT, SCHEMA_FORMAT % {"format": PACK_FORMAT})
    _require(manifest.get("version") == PACK_VERSION, SCHEMA_VERSION % {"version": PACK_VERSION})
    _check_page(manifest.get("course"), COURSE_FIELDS, "course")
    _require(isinstance(manifest.get("lessons"), list), SCHEMA_LIST % {"where": "lessons"})
    for n, lesson in enumerate(manifest["lessons"]):
        _check_page(lesson, LESSON_FIELDS, f"lessons[{n}]")
    translations = manifest.get("translations", {})
    _require(isinstance(translations, dict), SCHEMA_OBJECT % {"where": "translations"})
    for code, translated in translations.items():
        _require(isinstance(translated, dict), SCHEMA_OBJECT % {"where": f"translations[{code}]"})
        _check_page(translated.get("course"), COURSE_FIELDS, f"translations[{code}].course")
        _require(
            isinstance(translated.get("lessons"), list)
            and len(translated["lessons"]) <= len(manifest["lessons"]),
            SCHEMA_TRANSLATED_LESSONS % {"where": f"translations[{code}].lessons"},
        )
        for n, lesson in enumerate(translated["lessons"]):
            _check_page(lesson, LESSON_FIELDS, f"translations[{code}].lessons[{n}]")
    for kind in ("images", "media"):
        entries = manifest.get(kind, {})
        _require(isinstance(entries, dict), SCHEMA_OBJECT % {"where": kind})
        for key, entry in entries.items():
            _require(
                isinstance(entry, dict)
                and isinstance(entry.get("file"), str)
                and isinstance(entry.get("title"), str),
                SCHEMA_FILE % {"where": f"{kind}[{key}]"},
            )
            _require(
                entry["file"].startswith(f"{kind}/"),
                SCHEMA_OUTSIDE % {"where": f"{kind}[{key}]", "folder": f"{kind}/"},
            )
    topic = manifest.get("topic")
    _require(topic is None or isinstance(topic, dict), SCHEMA_TOPIC)
    if topic:
        _require(isinstance(topic.get("slug"), str) and topic["slug"], SCHEMA_TOPIC_SLUG)
        _require(isinstance(topic.get("names"), dict), SCHEMA_TOPIC_NAMES)


def _check_image(name: str, data: bytes) -> None:
    if len(data) > settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE:
        raise PackError(IMAGE_TOO_LARGE % {"name": name, "detail": f"{len(data)} B"})
    if name.lower().endswith(".svg") or data.lstrip()[:5].lower() in (b"<?xml", b"<svg "):
        raise PackError(IMAGE_SVG % {"name": name})
    try:
        with PILImage.open(io.BytesIO(data)) as picture:
            width, height = picture.size
            if width * height > settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS:
                detail = f"{width}×{height} px"
                raise PackError(IMAGE_TOO_LARGE % {"name": name, "detail": detail})
            picture.verify()
    except PackError:
        raise
    except Exception as exc:  # Pillow raises many types for broken or hostile files
        raise PackError(IMAGE_INVALID % {"name": name}) from exc


@dataclass
class CheckedPack:
    """A pack that passed every check, with its files read into memory."""

    manifest: dict
    files: dict[str, bytes]


def course_pack_check(path) -> CheckedPack:
    """Read and check a pack completely, writing nothing; raise PackError naming the problem."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise PackError(NOT_A_ZIP) from exc
    with archive:
        infos = {info.filename: info for info in _check_archive(archive)}
        if MANIFEST not in infos:
            raise PackError(MISSING_MANIFEST)
        try:
            manifest = json.loads(
                _read_limited(archive, infos[MANIFEST], MAX_MANIFEST_BYTES),
                parse_constant=_not_json,  # NaN and Infinity are not JSON (RFC 8259)
            )
        except (ValueError, UnicodeDecodeError) as exc:
            raise PackError(WRONG_SCHEMA % {"detail": SCHEMA_NOT_JSON}) from exc
        _check_manifest(manifest)
        files = {}
        for kind in ("images", "media"):
            for entry in manifest.get(kind, {}).values():
                name = entry["file"]
                if name not in infos:
                    raise PackError(MISSING_FILE % {"name": name})
                limit = (
                    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE + 1
                    if kind == "images"
                    else MAX_MEDIA_BYTES
                )
                data = _read_limited(archive, infos[name], limit)
                if kind == "images":
                    _check_image(name, data)
                files[name] = data
    return CheckedPack(manifest=manifest, files=files)


# --- import: writing ----------------------------------------------------------------------------


def _page_fields(model, data: dict, names: tuple[str, ...], images: dict, media: dict) -> dict:
    def visit(kind: str, pk):
        table = images if kind == "image" else media
        if pk is None:
            return None
        return table.get(str(pk))

    fields = {}
    for name in names:
        value = data.get(name)
        if name in STREAM_FIELDS:
            stream_block = model._meta.get_field(name).stream_block
            fields[name] = _walk(stream_block, value, visit, name)
        elif name in IMAGE_FIELDS:
            fields[f"{name}_id"] = visit("image", value)
        elif name in MEDIA_FIELDS:
            fields[f"{name}_id"] = visit("media", value)
        elif name in DECIMAL_FIELDS:
            fields[name] = None if value is None else Decimal(value)
        else:
            fields[name] = value
    return fields


def _store_files(checked: CheckedPack, stored: list) -> tuple[dict, dict]:
    Image = get_image_model()
    collection = course_media()
    images, media = {}, {}
    for key, entry in checked.manifest.get("images", {}).items():
        data = checked.files[entry["file"]]
        image = Image(title=entry["title"][:255], collection=collection)
        image.file = ImageFile(io.BytesIO(data), name=PurePosixPath(entry["file"]).name)
        image.save()
        stored.append(image.file)
        images[key] = image.pk
    for key, entry in checked.manifest.get("media", {}).items():
        item = LessonMedia(
            title=entry["title"][:255],
            type=entry.get("type") if entry.get("type") in {"audio", "video"} else "audio",
            duration=float(entry.get("duration") or 0),
            synthetic_voice=entry.get("synthetic_voice") is True,
            collection=collection,
        )
        item.file = ContentFile(
            checked.files[entry["file"]], name=PurePosixPath(entry["file"]).name
        )
        item.file_size = len(checked.files[entry["file"]])
        item.save()
        stored.append(item.file)
        media[key] = item.pk
    return images, media


def _import_topic(data: dict | None, source_locale: Locale) -> Topic | None:
    if not data:
        return None
    topic = Topic.objects.filter(locale=source_locale, slug=data["slug"]).first()
    names = data["names"]
    if topic is None:
        topic = Topic.objects.create(
            locale=source_locale,
            slug=data["slug"],
            name=names.get(source_locale.language_code) or data["slug"],
            icon=data.get("icon") or "leaf",
            colour=data.get("colour") or "#2e7d32",
        )
        topic.full_clean()
    for code, name in names.items():
        locale = Locale.objects.filter(language_code=code).first()
        if locale is None or locale == source_locale:
            continue
        shadow = Topic(name=name, slug=topic.slug, icon=topic.icon, colour=topic.colour)
        translation_create_from_shadow(source=topic, shadow=shadow, locale=locale)
    return topic


def _narrate_translation(lesson: LessonPage, narration_id: int | None, user) -> None:
    """Give a translated lesson the pack's recording in its own language.

    Translation carries only the strings over; other fields follow the source page, so without
    this every translation would play the source language's narration.
    """
    if not narration_id or lesson.narration_id == narration_id:
        return
    lesson.narration_id = narration_id
    revision = lesson.save_revision(user=user, log_action=True)
    if lesson.live:
        revision.publish(user=user)


def _is_administrator(user) -> bool:
    from core.roles import ADMINISTRATORS

    return bool(user and user.is_active) and (
        user.is_superuser or user.groups.filter(name=ADMINISTRATORS).exists()
    )


def _pack_problems(pages: list[tuple[str, LessonPage]]) -> list[str]:
    """The authoring checks on every imported lesson, one line per problem."""
    problems: list[str] = []
    for where, lesson in pages:
        problems += lesson_problems(lesson, where=where)
    return problems


def course_pack_import(path, *, user, publish: bool = False) -> CoursePage:
    """Import a pack into the catalog as drafts sent for review, or refuse it whole.

    The lessons must pass the same authoring checks as in the editor (PackCheckFailed lists every
    problem by lesson and block); the pack's own `demo_without_audio` flag is ignored. With
    `publish=True` (administrators only) the course and its lessons go live instead.
    (docs/decisions/0086-course-packs-arrive-as-drafts.md)
    """
    if publish and not _is_administrator(user):
        raise PackError(PUBLISH_ADMINS_ONLY)
    checked = course_pack_check(path)
    index = CourseIndexPage.objects.filter(locale=Locale.get_default()).first()
    if index is None:
        raise PackError(NO_CATALOG)
    if not index.permissions_for_user(user).can_add_subpage():
        raise PackError(CANNOT_IMPORT)
    return _write(checked, index, user=user, publish=publish)


def course_pack_install(path, *, index: CourseIndexPage) -> CoursePage:
    """Import a pack the project itself ships (the demo courses), published, with no user.

    The same checks and the same writing as `course_pack_import`; only the permission checks are
    left out, because no person is importing: never call it with a pack from outside the project.
    (docs/decisions/0146-demo-courses-as-packs.md)
    """
    return _write(course_pack_check(path), index, user=None, publish=True)


def _write(checked: CheckedPack, index: CourseIndexPage, *, user, publish: bool) -> CoursePage:
    """Write a checked pack below `index`: drafts sent for review, or published (see above)."""
    from .workflow import course_review_submit, course_review_workflow_assign

    manifest = checked.manifest
    source_locale = Locale.get_default()
    slug = manifest["course"]["slug"]
    if CoursePage.objects.child_of(index).filter(slug=slug).exists():
        raise PackError(COURSE_EXISTS % {"slug": slug})
    stored: list = []
    try:
        with transaction.atomic():
            images, media = _store_files(checked, stored)
            topic = _import_topic(manifest.get("topic"), source_locale)
            course = CoursePage(
                topic=topic,
                live=False,
                **_page_fields(CoursePage, manifest["course"], COURSE_FIELDS, images, media),
            )
            index.add_child(instance=course)
            course.save_revision(user=user, log_action=True)
            lessons, checked_pages = [], []
            for number, data in enumerate(manifest["lessons"], 1):
                fields = _page_fields(LessonPage, data, LESSON_FIELDS, images, media)
                fields["demo_without_audio"] = False  # only the project's demo loader may say so
                lesson = LessonPage(live=False, **fields)
                course.add_child(instance=lesson)
                lesson.save_revision(user=user, log_action=True)
                lessons.append(lesson)
                where = LESSON_WHERE % {"number": number, "title": lesson.title}
                checked_pages.append((str(where), lesson))
            for code, translated in manifest.get("translations", {}).items():
                locale = Locale.objects.filter(language_code=code).first()
                if locale is None or locale == source_locale:
                    continue
                fields = _page_fields(
                    CoursePage, translated["course"], COURSE_FIELDS, images, media
                )
                translation_create_from_shadow(
                    source=course,
                    shadow=translation_shadow(CoursePage, course, {"topic": topic, **fields}),
                    locale=locale,
                    publish=publish,
                )
                for number, (lesson, data) in enumerate(
                    zip(lessons, translated["lessons"], strict=False), 1
                ):
                    fields = _page_fields(LessonPage, data, LESSON_FIELDS, images, media)
                    fields["demo_without_audio"] = False
                    translated_lesson = translation_create_from_shadow(
                        source=lesson,
                        shadow=translation_shadow(LessonPage, lesson, fields),
                        locale=locale,
                        publish=publish,
                    )
                    _narrate_translation(translated_lesson, fields.get("narration_id"), user)
                    where = " › ".join(
                        (
                            str(TRANSLATION_WHERE % {"language": locale.get_display_name()}),
                            str(
                                LESSON_WHERE % {"number": number, "title": translated_lesson.title}
                            ),
                        )
                    )
                    checked_pages.append((where, translated_lesson))
            problems = _pack_problems(checked_pages)
            if problems:
                raise PackCheckFailed(problems)
            if publish:
                course.get_latest_revision().publish(user=user)
                for lesson in lessons:
                    lesson.get_latest_revision().publish(user=user)
            else:
                if index.get_workflow() is None:
                    course_review_workflow_assign(page=index)
                try:
                    course_review_submit(course=course, user=user)
                except PermissionDenied as exc:
                    raise PackError(CANNOT_IMPORT) from exc
    except Exception as exc:
        for field_file in stored:
            field_file.storage.delete(field_file.name)
        if isinstance(exc, ValidationError):  # a value the page models refuse (too long, …)
            detail = SCHEMA_REFUSED % {"detail": "; ".join(exc.messages)}
            raise PackError(WRONG_SCHEMA % {"detail": detail}) from exc
        if isinstance(exc, TypeError | ValueError | AttributeError | KeyError | IntegrityError):
            # Data the checks above let through but a block or model cannot hold: the pack is
            # refused with its reason logged, never a server error (issue 16 fuzzing).
            logger.warning("Course pack refused: %r", exc, exc_info=True)
            detail = SCHEMA_REFUSED % {"detail": type(exc).__name__}
            raise PackError(WRONG_SCHEMA % {"detail": detail}) from exc
        raise
    course.refresh_from_db()
    return course
