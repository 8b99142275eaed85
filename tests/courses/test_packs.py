"""Course packs: a round trip keeps everything; a hostile pack is refused and writes nothing."""

import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.images import get_image_model
from wagtail.models import Locale, Page

from core.roles import ADMINISTRATORS, TRAINERS
from courses.models import CoursePage, LessonMedia, LessonPage, Topic
from courses.packs import (
    MANIFEST,
    PackError,
    course_pack_import,
)
from tests.security.factories import StaffFactory

from .factories import (
    ImageFactory,
    LessonMediaFactory,
    add_course,
    add_lesson,
    audio_block,
    callout,
    catalog,
    image_block,
    png_bytes,
    single_choice,
    text,
    true_false,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def staff(db):
    """The people who import: a trainer (drafts for review) and an administrator (may publish)."""
    return {
        "trainer": StaffFactory(username="pack-trainer", groups=[TRAINERS]),
        "admin": StaffFactory(username="pack-admin", groups=[ADMINISTRATORS]),
    }


@pytest.fixture
def exported(tmp_path) -> tuple[Path, dict]:
    """A course with a topic, cover, two lessons (image, audio, narration) and an English copy."""
    from cms.demo import load_site
    from courses.demo import load_catalog, load_topics

    zh = Locale.objects.get_or_create(language_code="zh-hans")[0]
    en = Locale.objects.get_or_create(language_code="en")[0]
    topics = load_topics(zh, en)
    load_site()
    load_catalog(zh, en)
    course = add_course(
        catalog(),
        title="手机",
        slug="phone-pack",
        topic=topics["phone-skills"],
        cover_image=ImageFactory(),
        cover_alt="封面",
    )
    picture = ImageFactory()
    add_lesson(
        course,
        title="第一课",
        slug="one",
        narration=LessonMediaFactory(),
        body=[text("<p>你好</p>"), image_block(picture, alt="手机屏幕")],
        quiz=[single_choice("哪个？"), true_false("对吗？")],
    )
    add_lesson(
        course,
        title="第二课",
        slug="two",
        body=[callout("scam", "<p>当心</p>"), audio_block(LessonMediaFactory())],
    )
    from courses.translation import translation_create_from_shadow

    english_course = _english(course, {"title": "Phone", "summary": "Learn.", "cover_alt": "Cover"})
    translation_create_from_shadow(source=course, shadow=english_course, locale=en)
    for lesson in LessonPage.objects.child_of(course):
        shadow = _english(lesson, {"title": f"EN {lesson.slug}"})
        translation_create_from_shadow(source=lesson, shadow=shadow, locale=en)
    path = tmp_path / "pack.zip"
    call_command("export_course", "phone-pack", str(path))
    snapshot = _snapshot(course)
    return path, snapshot


def _english(page, changes: dict):
    """A shadow of `page` with English strings (every other string kept, ids kept)."""
    from wagtail_localize.segments import StringSegmentValue
    from wagtail_localize.segments.extract import extract_segments

    shadow = page.specific.__class__.objects.get(pk=page.pk)
    for name, value in changes.items():
        setattr(shadow, name, value)
    assert any(isinstance(s, StringSegmentValue) for s in extract_segments(shadow))
    return shadow


def _snapshot(course: CoursePage) -> dict:
    """What a round trip must keep: text, block ids, translations, file contents."""
    lessons = list(LessonPage.objects.child_of(course).order_by("path"))
    english = course.get_translation(Locale.objects.get(language_code="en")).specific
    return {
        "title": course.title,
        "topic": course.topic.slug,
        "lessons": [(lesson.slug, lesson.title) for lesson in lessons],
        "body_ids": [[b.id for b in lesson.body] for lesson in lessons],
        "quiz_ids": [[b.id for b in lesson.quiz] for lesson in lessons],
        "english": english.title,
        "english_lessons": [lesson.get_translation(english.locale).title for lesson in lessons],
        "cover": course.cover_image.file.read(),
        "narration": lessons[0].narration.file.read(),
    }


def _delete_course(slug: str) -> None:
    for page in CoursePage.objects.filter(slug=slug):
        Page.objects.get(pk=page.pk).delete()


def test_round_trip_keeps_content_translations_media_and_block_ids(exported):
    path, before = exported
    _delete_course("phone-pack")
    call_command("import_course", str(path), "--user", "pack-admin", "--publish")
    course = CoursePage.objects.get(slug="phone-pack", locale__language_code="zh-hans")
    assert _snapshot(course) == before
    assert course.live and LessonPage.objects.child_of(course).live().count() == 2


def test_import_refuses_a_course_that_already_exists(exported):
    path, _ = exported
    with pytest.raises(CommandError, match="已经有一门网址为"):
        call_command("import_course", str(path), "--user", "pack-trainer")


# --- hostile packs ------------------------------------------------------------------------------


def _counts() -> tuple:
    return (
        Page.objects.count(),
        get_image_model().objects.count(),
        LessonMedia.objects.count(),
        Topic.objects.count(),
    )


def _media_files(settings) -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
def unchanged(exported, settings):
    """Delete the exported course, then assert the refused import changed nothing at all."""
    _delete_course("phone-pack")
    before = (_counts(), _media_files(settings))
    yield exported
    assert (_counts(), _media_files(settings)) == before


def _rewrite(path: Path, out: Path, *, manifest=None, extra: dict | None = None, drop=()):
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            data = src.read(info.filename)
            if info.filename == MANIFEST and manifest is not None:
                data = json.dumps(manifest(json.loads(data))).encode()
            dst.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            dst.writestr(name, data)
    return out


def _refused(path, match: str):
    with pytest.raises(CommandError, match=match):
        call_command("import_course", str(path), "--user", "pack-trainer")


def test_not_a_zip_is_refused(unchanged, tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"this is not a zip")
    _refused(bad, "不是课程包：文件不是 zip 压缩包")


def test_zip_bomb_is_refused(unchanged, tmp_path):
    path, _ = unchanged
    bomb = _rewrite(path, tmp_path / "bomb.zip", extra={"media/bomb.mp3": b"\0" * 50_000_000})
    _refused(bomb, "解压后超过允许的大小")


def test_path_traversal_is_refused(unchanged, tmp_path):
    path, _ = unchanged
    evil = _rewrite(path, tmp_path / "evil.zip", extra={"../../etc/cron.d/evil": b"x"})
    _refused(evil, "不安全的文件名")


def test_absolute_path_is_refused(unchanged, tmp_path):
    path, _ = unchanged
    evil = _rewrite(path, tmp_path / "evil.zip", extra={"/tmp/evil.png": b"x"})
    _refused(evil, "不安全的文件名")


def test_wrong_schema_is_refused(unchanged, tmp_path):
    path, _ = unchanged

    def drop_lessons(manifest):
        manifest["lessons"] = "none"
        return manifest

    wrong = _rewrite(path, tmp_path / "wrong.zip", manifest=drop_lessons)
    _refused(wrong, "课程包格式不对：lessons 必须是列表")


def test_wrong_format_version_is_refused(unchanged, tmp_path):
    path, _ = unchanged
    wrong = _rewrite(path, tmp_path / "v9.zip", manifest=lambda m: {**m, "version": 9})
    _refused(wrong, "版本必须是 1")


def _first_image_replaced(path: Path, out: Path, name: str, content: bytes) -> Path:
    """The pack at `path` with its first image's file swapped for `name` holding `content`."""

    def point_at(manifest):
        first = next(iter(manifest["images"]))
        manifest["images"][first]["file"] = name
        return manifest

    return _rewrite(path, out, manifest=point_at, extra={name: content})


def test_oversized_image_is_refused(unchanged, tmp_path, settings):
    path, _ = unchanged
    settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS = 1_000_000
    huge = png_bytes(2000, 1000)
    oversized = _first_image_replaced(path, tmp_path / "huge.zip", "images/huge.png", huge)
    _refused(oversized, "图片“images/huge.png”太大")


def test_broken_image_is_refused(unchanged, tmp_path):
    path, _ = unchanged
    broken = _first_image_replaced(
        path, tmp_path / "broken.zip", "images/broken.png", b"\x89PNG not really"
    )
    _refused(broken, "无法读取的图片")


def test_svg_image_is_refused(unchanged, tmp_path):
    # The admin refuses SVG uploads (script inside a drawing); a pack cannot bring one in either.
    path, _ = unchanged
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    hostile = _first_image_replaced(path, tmp_path / "svg.zip", "images/drawing.svg", svg)
    _refused(hostile, "SVG 矢量图")


def test_failure_while_writing_removes_the_stored_files(unchanged, tmp_path, monkeypatch):
    path, _ = unchanged
    import courses.packs

    def fail(*args, **kwargs):
        raise PackError("simulated failure after files were stored")

    monkeypatch.setattr(courses.packs, "_import_topic", fail)
    with pytest.raises(PackError, match="simulated"):
        course_pack_import(path, user=StaffFactory(username="pack-trainer"))


def test_export_of_an_unknown_course_names_the_slug(db, tmp_path):
    with pytest.raises(CommandError, match="nope"):
        call_command("export_course", "nope", str(tmp_path / "x.zip"))


def test_exported_manifest_lists_every_file(exported):
    path, _ = exported
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read(MANIFEST))
        names = set(archive.namelist())
    assert manifest["format"] == "dvc-course-pack"
    assert {e["file"] for e in manifest["images"].values()} <= names
    assert {e["file"] for e in manifest["media"].values()} <= names
    assert len(manifest["images"]) == 2 and len(manifest["media"]) == 2
    assert set(manifest["translations"]) == {"en"}


# --- drafts for review, authoring checks ------------------------------------------------------


def test_a_valid_pack_arrives_as_drafts_awaiting_one_review(exported):
    path, _ = exported
    _delete_course("phone-pack")

    call_command("import_course", str(path), "--user", "pack-trainer")

    course = CoursePage.objects.get(slug="phone-pack", locale__language_code="zh-hans")
    lessons = LessonPage.objects.child_of(course)
    assert not course.live and not lessons.filter(live=True).exists()
    state = course.current_workflow_state
    assert state is not None and state.requested_by.username == "pack-trainer"
    assert {row.lesson_id for row in state.course_lessons.all()} == {p.pk for p in lessons}
    english = CoursePage.objects.get(slug="phone-pack", locale__language_code="en")
    assert not english.live


def _failing(manifest):
    """Lesson 1: a picture without alt text and a question without a right answer;
    lesson 2: no sound at all, though the pack claims it is a demo lesson."""
    first, second = manifest["lessons"]
    for item in first["body"]:
        if item["type"] == "image":
            item["value"]["alt_text"] = ""
    for item in first["quiz"]:
        if item["type"] == "single_choice":
            for choice in item["value"]["choices"]:
                choice["value"]["is_correct"] = False
    second["body"] = [item for item in second["body"] if item["type"] != "audio"]
    second["narration"] = None
    second["demo_without_audio"] = True
    manifest["translations"] = {}
    return manifest


def test_a_pack_failing_the_checks_publishes_nothing_and_names_every_problem(
    unchanged, tmp_path, capsys
):
    path, _ = unchanged
    failing = _rewrite(path, tmp_path / "failing.zip", manifest=_failing)

    with pytest.raises(CommandError, match="3 个问题"):
        call_command("import_course", str(failing), "--user", "pack-admin", "--publish")

    report = capsys.readouterr().err.splitlines()
    assert len(report) == 3
    assert report[0].startswith("- 第1课「第一课」 › 课程内容 › 第2块（图片）")
    assert "替代文字" in report[0]
    assert report[1].startswith("- 第1课「第一课」 › 测验 › 第1块（单选题）")
    assert "正确答案" in report[1]
    assert report[2].startswith("- 第2课「第二课」 › 整课讲解录音：")
    assert not CoursePage.objects.filter(slug="phone-pack").exists()


def test_only_an_administrator_may_publish_a_pack_at_once(unchanged):
    path, _ = unchanged
    with pytest.raises(CommandError, match="只有系统管理员"):
        call_command("import_course", str(path), "--user", "pack-trainer", "--publish")


def test_the_command_refuses_an_unknown_user(unchanged):
    path, _ = unchanged
    with pytest.raises(CommandError, match="nobody"):
        call_command("import_course", str(path), "--user", "nobody")
