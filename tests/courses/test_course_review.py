"""One review for a course: a trainer sends a course and its changed lessons in one action, a
reviewer approves (everything goes live) or asks for changes (nothing does)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from wagtail.models import WorkflowState

from core.roles import PROGRAM_OFFICERS, TRAINERS
from courses.models import CoursePage, LessonPage
from courses.workflow import (
    ALREADY_IN_REVIEW,
    course_review_submit,
    course_review_workflow_assign,
)
from tests.security.factories import StaffFactory

from .factories import add_course, add_lesson, block, catalog, choice, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer():
    return StaffFactory(username="t1", groups=[TRAINERS])


@pytest.fixture
def officer():
    return StaffFactory(username="o1", groups=[PROGRAM_OFFICERS])


@pytest.fixture
def draft_course():
    """A new course (never published) with two new lessons, under the review workflow."""
    index = catalog()
    course_review_workflow_assign(page=index)
    course = CoursePage(title="手机支付", summary="学会付钱。", live=False)
    index.add_child(instance=course)
    course.save_revision()
    add_lesson(course, title="第一课", publish=False)
    add_lesson(course, title="第二课", publish=False)
    return course


def _approve(client, user, course: CoursePage, action: str = "approve", **data):
    client.force_login(user)
    course.refresh_from_db()
    task_state = course.current_workflow_state.current_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=(course.pk, action, task_state.pk))
    return client.post(url, data)


def test_one_submission_and_one_approval_publish_the_course_and_every_lesson(
    client, trainer, officer, draft_course
):
    state = course_review_submit(course=draft_course, user=trainer)
    lessons = LessonPage.objects.child_of(draft_course)
    assert state.course_lessons.count() == 2
    assert not lessons.filter(live=True).exists()
    assert not WorkflowState.objects.filter(object_id__in=[str(p.pk) for p in lessons]).exists()

    response = _approve(client, officer, draft_course)

    assert response.status_code == 302
    draft_course.refresh_from_db()
    assert draft_course.live
    assert lessons.filter(live=True, has_unpublished_changes=False).count() == 2


def test_asking_for_changes_publishes_nothing(client, trainer, officer, draft_course):
    course_review_submit(course=draft_course, user=trainer)

    _approve(client, officer, draft_course, action="reject", comment="请补充图片。")

    draft_course.refresh_from_db()
    assert not draft_course.live
    assert draft_course.current_workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert not LessonPage.objects.child_of(draft_course).filter(live=True).exists()


def test_a_resubmission_after_changes_replaces_the_first_and_is_approved_once(
    client, trainer, officer, draft_course
):
    course_review_submit(course=draft_course, user=trainer)
    _approve(client, officer, draft_course, action="reject", comment="再改改。")

    course_review_submit(course=draft_course, user=trainer)
    _approve(client, officer, draft_course)

    assert LessonPage.objects.child_of(draft_course).live().count() == 2


def test_approval_publishes_the_lesson_as_sent_not_a_later_edit(
    client, trainer, officer, draft_course
):
    course_review_submit(course=draft_course, user=trainer)
    lesson = LessonPage.objects.child_of(draft_course).first().specific
    lesson.title = "审核后偷偷改的标题"
    lesson.save_revision(user=trainer)

    _approve(client, officer, draft_course)

    lesson.refresh_from_db()
    assert lesson.live and lesson.title != "审核后偷偷改的标题"
    assert lesson.has_unpublished_changes


def test_only_changed_lessons_are_sent(trainer, draft_course):
    live_lesson = add_lesson(draft_course, title="已上线的课")

    state = course_review_submit(course=draft_course, user=trainer)

    assert live_lesson.pk not in {row.lesson_id for row in state.course_lessons.all()}


def test_a_lesson_failing_the_checks_stops_the_submission_and_names_lesson_and_block(
    trainer, draft_course
):
    no_answer = block(
        "single_choice",
        {"prompt": "哪个？", "choices": [choice("甲"), choice("乙")], "explanation": ""},
    )
    add_lesson(draft_course, title="没有声音的课", publish=False, body=[text()], quiz=[no_answer])

    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        course_review_submit(course=draft_course, user=trainer)

    messages = refused.value.messages
    assert any("第3课" in m and "没有声音的课" in m and "第1块" in m for m in messages)
    assert any("标出正确答案" in m or "正确答案" in m for m in messages)
    assert any("讲解" in m or "录音" in m for m in messages), messages
    draft_course.refresh_from_db()
    assert draft_course.current_workflow_state is None


def test_a_course_already_in_review_is_not_sent_twice(trainer, draft_course):
    course_review_submit(course=draft_course, user=trainer)

    with pytest.raises(ValidationError) as refused:
        course_review_submit(course=draft_course, user=trainer)

    assert refused.value.messages == [str(ALREADY_IN_REVIEW)]


def test_a_lesson_can_still_be_reviewed_on_its_own(client, trainer, officer, draft_course):
    lesson = LessonPage.objects.child_of(draft_course).first().specific
    lesson.get_workflow().start(lesson, trainer)

    client.force_login(officer)
    task_state = lesson.current_workflow_state.current_task_state
    client.post(
        reverse("wagtailadmin_pages:workflow_action", args=(lesson.pk, "approve", task_state.pk))
    )

    lesson.refresh_from_db()
    assert lesson.live
    draft_course.refresh_from_db()
    assert not draft_course.live


def test_published_lessons_stay_live_while_their_course_is_in_review(trainer, officer):
    course = add_course(title="已上线课程")
    course_review_workflow_assign(page=catalog())
    lesson = add_lesson(course, title="旧课")
    lesson.title = "新版本"
    lesson.save_revision(user=trainer)

    course_review_submit(course=course, user=trainer)

    lesson.refresh_from_db()
    assert lesson.live and lesson.title == "旧课"
