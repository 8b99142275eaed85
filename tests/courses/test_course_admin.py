"""The admin screens for whole courses: submit once, review once with phone previews, export and
import packs — used through the views as a trainer and a program officer would."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.roles import PROGRAM_OFFICERS, TRAINERS
from courses.models import CoursePage, LessonPage
from courses.packs import MANIFEST
from courses.workflow import course_review_workflow_assign
from tests.security.factories import StaffFactory

from .factories import LessonMediaFactory, add_lesson, catalog, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer():
    return StaffFactory(username="t-admin", groups=[TRAINERS])


@pytest.fixture
def officer():
    return StaffFactory(username="o-admin", groups=[PROGRAM_OFFICERS])


@pytest.fixture
def draft_course():
    index = catalog()
    course_review_workflow_assign(page=index)
    course = CoursePage(title="网上卖货", summary="开一个小店。", slug="sell", live=False)
    index.add_child(instance=course)
    course.save_revision()
    add_lesson(course, title="拍商品照片", slug="photos", publish=False)
    add_lesson(course, title="写商品介绍", slug="words", publish=False)
    return course


def _edit_form(course, **changes) -> dict:
    from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

    return nested_form_data(
        {
            "title": course.title,
            "slug": course.slug,
            "summary": course.summary,
            "cover_alt": "",
            "level": course.level,
            "estimated_minutes": course.estimated_minutes,
            "learning_outcomes": streamfield([]),
            "pass_mark": course.pass_mark,
            "certificate_enabled": "on",
            "certificate_title": "",
            "comments": inline_formset([]),
            **changes,
        }
    )


def test_the_course_editor_saves_then_offers_the_whole_course_submission(
    client, trainer, draft_course
):
    client.force_login(trainer)
    url = reverse("wagtailadmin_pages:edit", args=[draft_course.pk])
    editor = client.get(url).content.decode()
    assert 'name="action-submit-course"' in editor and "提交整门课程审核" in editor

    response = client.post(
        url, _edit_form(draft_course, summary="改过的简介。") | {"action-submit-course": "1"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("courses_review_submit", args=[draft_course.pk])
    draft_course.refresh_from_db()
    assert draft_course.get_latest_revision_as_object().summary == "改过的简介。"


def test_a_trainer_sees_what_is_sent_and_submits_once(client, trainer, draft_course):
    client.force_login(trainer)
    url = reverse("courses_review_submit", args=[draft_course.pk])

    page = client.get(url).content.decode()
    assert "拍商品照片" in page and "写商品介绍" in page

    response = client.post(url)
    assert response.status_code == 302
    draft_course.refresh_from_db()
    assert draft_course.current_workflow_state.course_lessons.count() == 2


def test_a_failing_lesson_is_named_and_nothing_is_sent(client, trainer, draft_course):
    add_lesson(draft_course, title="没有声音", publish=False, body=[text()])
    client.force_login(trainer)
    url = reverse("courses_review_submit", args=[draft_course.pk])

    page = client.get(url).content.decode()
    assert "第3课「没有声音」 › 整课讲解录音：" in page
    assert "data-course-submit" not in page

    client.post(url)
    draft_course.refresh_from_db()
    assert draft_course.current_workflow_state is None


def test_the_reviewer_sees_one_item_with_a_phone_preview_of_every_lesson(
    client, trainer, officer, draft_course
):
    client.force_login(trainer)
    client.post(reverse("courses_review_submit", args=[draft_course.pk]))
    client.force_login(officer)

    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert dashboard.count(f"/admin/pages/{draft_course.pk}/edit/") >= 1
    lessons = LessonPage.objects.child_of(draft_course)
    assert all(f"/admin/pages/{p.pk}/edit/" not in dashboard for p in lessons)

    review = client.get(reverse("courses_review", args=[draft_course.pk])).content.decode()
    assert review.count("data-course-review-preview") == 3  # the course and its two lessons
    assert review.count('width="360"') == 3
    for lesson in lessons:
        revision = lesson.latest_revision
        preview = reverse("wagtailadmin_pages:revisions_view", args=(lesson.pk, revision.pk))
        assert preview in review
        assert "拍商品照片" in client.get(preview).content.decode() or lesson.slug != "photos"

    approve = 'data-course-review-action="approve"'
    assert approve in review


def test_the_reviewer_approves_once_and_everything_goes_live(
    client, trainer, officer, draft_course
):
    client.force_login(trainer)
    client.post(reverse("courses_review_submit", args=[draft_course.pk]))
    client.force_login(officer)
    task_state = draft_course.current_workflow_state.current_task_state
    url = reverse(
        "wagtailadmin_pages:workflow_action", args=(draft_course.pk, "approve", task_state.pk)
    )

    client.post(url)

    assert CoursePage.objects.get(pk=draft_course.pk).live
    assert LessonPage.objects.child_of(draft_course).live().count() == 2


def test_a_trainer_cannot_approve_their_own_course(client, trainer, draft_course):
    client.force_login(trainer)
    client.post(reverse("courses_review_submit", args=[draft_course.pk]))

    review = client.get(reverse("courses_review", args=[draft_course.pk])).content.decode()

    assert "data-course-review-action" not in review


# --- packs in the admin -------------------------------------------------------------------------


@pytest.fixture
def published_course(draft_course):
    for page in [draft_course, *LessonPage.objects.child_of(draft_course)]:
        page.specific.get_latest_revision().publish()
    lesson = LessonPage.objects.child_of(draft_course).first().specific
    lesson.narration = LessonMediaFactory()
    lesson.save_revision().publish()
    return draft_course


def _export(client, user, course) -> bytes:
    client.force_login(user)
    response = client.get(reverse("courses_pack_export", args=[course.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    return b"".join(response.streaming_content)


def test_a_trainer_exports_a_course_pack_from_the_admin(client, trainer, published_course):
    data = _export(client, trainer, published_course)

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read(MANIFEST))
    assert manifest["course"]["slug"] == "sell"
    assert [lesson["title"] for lesson in manifest["lessons"]] == ["拍商品照片", "写商品介绍"]


def _delete(course):
    from wagtail.models import Page

    Page.objects.get(pk=course.pk).delete()


def _upload(client, user, data: bytes):
    client.force_login(user)
    return client.post(
        reverse("courses_pack_import"),
        {"file": SimpleUploadedFile("pack.zip", data, content_type="application/zip")},
    )


def test_an_imported_pack_arrives_as_drafts_awaiting_review(client, trainer, published_course):
    data = _export(client, trainer, published_course)
    _delete(published_course)

    response = _upload(client, trainer, data)

    assert response.status_code == 302
    course = CoursePage.objects.get(slug="sell")
    assert not course.live
    assert not LessonPage.objects.child_of(course).live().exists()
    assert course.current_workflow_state.course_lessons.count() == 2


def _without_sound(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == MANIFEST:
                manifest = json.loads(content)
                for lesson in manifest["lessons"]:
                    lesson["narration"] = None
                    lesson["demo_without_audio"] = True
                    lesson["body"] = [b for b in lesson["body"] if b["type"] != "audio"]
                content = json.dumps(manifest).encode()
            dst.writestr(info.filename, content)
    return out.getvalue()


def test_a_failing_pack_uploaded_in_the_admin_is_refused_with_every_problem_in_chinese(
    client, trainer, published_course
):
    data = _without_sound(_export(client, trainer, published_course))
    _delete(published_course)
    pages_before = CoursePage.objects.count()

    response = _upload(client, trainer, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "课程包没有导入：有 2 个问题需要先改正" in page
    assert "第1课「拍商品照片」 › 整课讲解录音：请为本课添加整课讲解录音" in page
    assert "第2课「写商品介绍」 › 整课讲解录音：请为本课添加整课讲解录音" in page
    assert CoursePage.objects.count() == pages_before


def test_not_a_zip_is_refused_in_chinese(client, trainer, draft_course):
    response = _upload(client, trainer, b"hello")

    assert "不是课程包：文件不是 zip 压缩包。" in response.content.decode()


def test_the_import_menu_item_is_shown_to_trainers(client, trainer, draft_course):
    client.force_login(trainer)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("courses_pack_import") in home


def test_a_trainer_finds_the_export_button_on_the_course_and_in_the_explorer(
    client, trainer, published_course
):
    """The pack export is reachable by clicking, not only by typing its address."""
    client.force_login(trainer)
    export = reverse("courses_pack_export", args=[published_course.pk])

    edit = client.get(reverse("wagtailadmin_pages:edit", args=[published_course.pk]))
    explorer = client.get(reverse("wagtailadmin_explore", args=[published_course.get_parent().pk]))
    own_listing = client.get(reverse("wagtailadmin_explore", args=[published_course.pk]))

    assert edit.status_code == own_listing.status_code == explorer.status_code == 200
    assert export in edit.content.decode()
    assert export in explorer.content.decode()
    assert export in own_listing.content.decode()


def test_a_course_sent_without_changed_lessons_says_so_instead_of_zero_lessons(
    client, trainer, officer, published_course
):
    published_course.summary = "开一个网上小店，学会发货。"
    published_course.save_revision()
    client.force_login(trainer)

    response = client.post(
        reverse("courses_review_submit", args=[published_course.pk]), follow=True
    )

    page = response.content.decode()
    assert "「网上卖货」已提交审核（课时没有改动）。" in page
    assert "0 节课" not in page
    client.force_login(officer)
    review = client.get(reverse("courses_review", args=[published_course.pk])).content.decode()
    assert "课时没有改动" in review and "共 0 节课" not in review
