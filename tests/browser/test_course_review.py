"""One review for a course, in Chromium: a trainer (group Trainers only) submits a course with its
two new lessons in one action; a program officer sees one item, previews every lesson at phone
width and approves once; the course and both lessons are then open to learners."""

import pytest
from wagtail.models import Locale

from core.roles import TRAINERS
from courses.models import CourseIndexPage, CoursePage, LessonPage
from tests.courses.factories import add_lesson
from tests.demo_snapshot import load_demo

from .serial import serial_live_server  # noqa: F401 (fixture)
from .test_authoring import DESK, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def draft_course(transactional_db):
    """The demo site plus a course the trainer drafted earlier: two lessons, nothing live yet."""
    load_demo()
    index = CourseIndexPage.objects.get(locale=Locale.objects.get(language_code="zh-hans"))
    course = CoursePage(
        title="手机上交电费", summary="在手机上交电费。", slug="power-bill", live=False
    )
    index.add_child(instance=course)
    course.save_revision()
    add_lesson(course, title="打开缴费页面", slug="open", publish=False)
    add_lesson(course, title="核对户号再付款", slug="pay", publish=False)
    return course


@pytest.fixture
def desk(chromium, serial_live_server):  # noqa: F811 (the fixture imported above)
    context = chromium.new_context(viewport=DESK, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


def test_trainer_submits_a_course_once_and_an_officer_approves_it_once(
    desk, live_server, draft_course
):
    from django.contrib.auth import get_user_model

    trainer = get_user_model().objects.get(username="trainer")
    assert list(trainer.groups.values_list("name", flat=True)) == [TRAINERS]
    assert not trainer.is_superuser
    base = live_server.url

    # The trainer edits the course, then sends it with its lessons from the editor's action menu.
    sign_in(desk, base, "trainer")
    desk.goto(f"{base}/admin/pages/{draft_course.pk}/edit/")
    desk.fill("#id_summary", "三步在手机上交电费。")
    desk.locator("footer [data-w-dropdown-target=toggle]").last.click()
    desk.get_by_role("button", name="提交整门课程审核…").click()
    desk.wait_for_url(f"**/admin/courses/{draft_course.pk}/submit/")
    sent = desk.locator("[data-course-review-lessons] li")
    assert sent.all_inner_texts() == ["打开缴费页面", "核对户号再付款"]
    desk.locator("[data-course-submit]").click()
    desk.wait_for_url(f"**/admin/pages/{draft_course.pk}/")
    assert desk.locator(".messages").get_by_text("一起提交审核").count() == 1

    # The officer has one item to review, for the course; the lessons are inside it.
    sign_in(desk, base, "officer")
    awaiting = desk.locator("main")
    assert awaiting.get_by_role("link", name="手机上交电费").count() >= 1
    assert awaiting.get_by_role("link", name="打开缴费页面").count() == 0
    desk.goto(f"{base}/admin/pages/{draft_course.pk}/")
    desk.locator("header [data-w-dropdown-target=toggle]").first.click()
    desk.get_by_role("link", name="审核整门课程").click()
    desk.wait_for_url(f"**/admin/courses/{draft_course.pk}/review/")
    previews = desk.locator("iframe[data-course-review-preview]")
    assert previews.count() == 3
    for n in range(3):
        previews.nth(n).scroll_into_view_if_needed()
        assert previews.nth(n).evaluate("el => el.getBoundingClientRect().width") <= 362
    lesson_frame = desk.frame_locator("iframe[data-course-review-preview]").nth(2)
    lesson_frame.locator("h1", has_text="核对户号再付款").wait_for()
    with desk.expect_navigation():
        desk.locator('[data-course-review-action="approve"]').click()

    draft_course.refresh_from_db()
    assert draft_course.live and draft_course.summary == "三步在手机上交电费。"
    assert LessonPage.objects.child_of(draft_course).live().count() == 2

    # Learners can open the course and both lessons.
    desk.context.clear_cookies()
    for path in ("", "open/", "pay/"):
        assert desk.goto(f"{base}/courses/power-bill/{path}").status == 200
